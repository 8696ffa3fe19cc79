"""Symbol, Side, Bar and Ticker: the market vocabulary refuses malformed values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import Bar, Price, Side, Symbol, Ticker
from bot.domain.market import MIN_TIMESTAMP_MS
from bot.errors import InvalidValue, TypeViolation
from tests.unit.domain.samples import BTC, TS


@pytest.mark.parametrize("text", ["BTCUSDT", "1000PEPEUSDT", "ETHUSDT"])
def test_symbol_accepts_usdt_perpetual_names(text: str) -> None:
    symbol = Symbol(text)
    assert symbol == text
    assert isinstance(symbol, str)


@pytest.mark.parametrize(
    "text", ["", "btcusdt", "BTC-USDT", "BTCUSD", "USDT", " BTCUSDT", "BTCUSDT\n", "BTCUSDC"]
)
def test_symbol_refuses_other_names(text: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Symbol(text)
    assert caught.value.field == "symbol"
    assert "USDT" in caught.value.allowed


@pytest.mark.parametrize("value", [None, 1, b"BTCUSDT"], ids=repr)
def test_symbol_refuses_non_strings(value: object) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        Symbol(value)  # type: ignore[arg-type]


def test_side_opposite_and_sign() -> None:
    assert Side.BUY.opposite is Side.SELL
    assert Side.SELL.opposite is Side.BUY
    assert (Side.BUY.sign, Side.SELL.sign) == (1, -1)
    assert (Side.BUY.value, Side.SELL.value) == ("Buy", "Sell")


def _bar(
    open_: str = "100", high: str = "110", low: str = "90", close: str = "105", volume: str = "3"
) -> Bar:
    return Bar(TS, Price(open_), Price(high), Price(low), Price(close), Decimal(volume))


def test_bar_holds_a_valid_candle() -> None:
    bar = _bar()
    assert [bar.open, bar.high, bar.low, bar.close] == [Decimal(n) for n in (100, 110, 90, 105)]
    assert _bar(open_="90", high="90", low="90", close="90", volume="0").volume == 0


@pytest.mark.parametrize(
    ("open_", "high", "low", "close"),
    [
        ("100", "99", "90", "95"),  # open above high
        ("100", "110", "101", "105"),  # low above open
        ("100", "110", "90", "111"),  # close above high
        ("100", "110", "90", "89"),  # close below low
        ("100", "90", "110", "100"),  # high below low
    ],
)
def test_bar_refuses_prices_outside_low_high(open_: str, high: str, low: str, close: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        _bar(open_, high, low, close)
    assert caught.value.field == "bar"
    assert caught.value.value == (open_, high, low, close)


@pytest.mark.parametrize("volume", ["-1", "NaN", "Infinity"])
def test_bar_refuses_negative_or_non_finite_volume(volume: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        _bar(volume=volume)
    assert caught.value.field == "bar.volume"


@pytest.mark.parametrize("ts", [0, -1, 1_700_000_000, MIN_TIMESTAMP_MS - 1, True])
def test_bar_refuses_timestamps_that_are_not_epoch_ms(ts: int) -> None:
    with pytest.raises(InvalidValue) as caught:
        Bar(ts, Price(1), Price(1), Price(1), Price(1), Decimal(1))
    assert caught.value.field == "bar.ts_ms"


def test_bar_refuses_plain_decimals_for_prices() -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        Bar(TS, Decimal(1), Price(2), Price(1), Price(1), Decimal(1))  # type: ignore[arg-type]


def test_ticker_holds_last_and_optional_mark() -> None:
    ticker = Ticker(BTC, Price("65000.1"), None, TS)
    assert ticker.mark_price is None
    assert Ticker(BTC, Price("65000.1"), Price("65001"), TS).mark_price == Decimal("65001")


@pytest.mark.parametrize(
    ("last", "mark"),
    [(Decimal("65000"), None), (Price("65000"), Decimal("65000")), ("65000", None)],
    ids=["plain-last", "plain-mark", "text-last"],
)
def test_ticker_refuses_unvalidated_prices(last: object, mark: object) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        Ticker(BTC, last, mark, TS)  # type: ignore[arg-type]


def test_ticker_refuses_a_seconds_timestamp() -> None:
    with pytest.raises(InvalidValue) as caught:
        Ticker(BTC, Price(1), None, 1_700_000_000)
    assert caught.value.field == "ticker.ts_ms"
