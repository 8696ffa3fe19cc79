"""PinnedPrices: within a hold, each symbol's reads give the first read's answer."""

from __future__ import annotations

import threading

import pytest

from bot.domain import Price, Symbol, Ticker
from bot.guards import PinnedPrices

BTC = Symbol("BTCUSDT")
ETH = Symbol("ETHUSDT")


def _ticker(symbol: Symbol, last: str, ts_ms: int = 1_700_000_000_000) -> Ticker:
    return Ticker(symbol, Price(last), Price(last), ts_ms)


class Counting:
    """A source whose answer per symbol can change, counting its reads."""

    def __init__(self) -> None:
        self.now: dict[Symbol, Ticker | Exception | None] = {
            BTC: _ticker(BTC, "50000"),
            ETH: _ticker(ETH, "3000"),
        }
        self.reads = 0

    def ticker(self, symbol: Symbol) -> Ticker | None:
        self.reads += 1
        answer = self.now[symbol]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_outside_a_hold_every_read_goes_to_the_source() -> None:
    source = Counting()
    pinned = PinnedPrices(source)
    assert pinned.ticker(BTC) == _ticker(BTC, "50000")
    source.now[BTC] = _ticker(BTC, "51000")
    assert pinned.ticker(BTC) == _ticker(BTC, "51000")
    assert source.reads == 2
    assert pinned.source is source


def test_in_a_hold_each_symbol_keeps_its_first_answer_and_the_next_hold_reads_anew() -> None:
    source = Counting()
    pinned = PinnedPrices(source)
    with pinned.hold():
        first = pinned.ticker(BTC)
        source.now[BTC] = _ticker(BTC, "40000")
        source.now[ETH] = _ticker(ETH, "2000")
        assert pinned.ticker(BTC) is first
        assert pinned.ticker(ETH) == _ticker(ETH, "2000")  # its first read in this hold
        assert pinned.ticker(ETH) == _ticker(ETH, "2000")
    assert source.reads == 2
    with pinned.hold():
        assert pinned.ticker(BTC) == _ticker(BTC, "40000")


def test_a_missing_ticker_stays_missing_for_the_whole_hold() -> None:
    source = Counting()
    source.now[BTC] = None
    pinned = PinnedPrices(source)
    with pinned.hold():
        assert pinned.ticker(BTC) is None
        source.now[BTC] = _ticker(BTC, "50000")
        assert pinned.ticker(BTC) is None  # no reader sees a price the others did not
    assert source.reads == 1


def test_an_error_of_the_first_read_is_raised_by_every_read_in_the_hold() -> None:
    source = Counting()
    source.now[BTC] = TimeoutError("ticker request timed out")
    pinned = PinnedPrices(source)
    with pinned.hold():
        for _ in range(2):
            with pytest.raises(TimeoutError, match="timed out"):
                pinned.ticker(BTC)
        source.now[BTC] = _ticker(BTC, "50000")
        with pytest.raises(TimeoutError):
            pinned.ticker(BTC)
    assert source.reads == 1
    assert pinned.ticker(BTC) == _ticker(BTC, "50000")


def test_nested_holds_share_the_outermost_and_a_raising_body_still_ends_it() -> None:
    source = Counting()
    pinned = PinnedPrices(source)

    def failing_body() -> None:
        with pinned.hold():
            first = pinned.ticker(BTC)
            with pinned.hold():
                source.now[BTC] = _ticker(BTC, "40000")
                assert pinned.ticker(BTC) is first
            source.now[BTC] = _ticker(BTC, "30000")
            assert pinned.ticker(BTC) is first  # the inner hold's end did not drop it
            raise RuntimeError("the body failed")

    with pytest.raises(RuntimeError, match="the body failed"):
        failing_body()
    assert pinned.ticker(BTC) == _ticker(BTC, "30000")


def test_a_hold_pins_only_its_own_thread() -> None:
    source = Counting()
    pinned = PinnedPrices(source)
    seen: list[Ticker | None] = []
    with pinned.hold():
        assert pinned.ticker(BTC) == _ticker(BTC, "50000")
        source.now[BTC] = _ticker(BTC, "40000")
        other = threading.Thread(target=lambda: seen.append(pinned.ticker(BTC)))
        other.start()
        other.join(10)
        assert pinned.ticker(BTC) == _ticker(BTC, "50000")
    assert seen == [_ticker(BTC, "40000")]  # the other thread read the book live
