"""Instrument rules and sizing: round to the tick, floor to the step, never cap or bump."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_DOWN, ROUND_UP, Decimal

import pytest

from bot.domain import Money, Price, Qty, qty_for_notional
from bot.errors import (
    AboveMaxQty,
    BelowMinNotional,
    BelowMinQty,
    InvalidValue,
    SizingRejected,
    TypeViolation,
)
from tests.unit.domain.samples import BTC, btc_instrument


def test_instrument_holds_bybit_rules() -> None:
    btc = btc_instrument()
    assert btc.symbol == BTC
    assert btc.max_qty(market=True) == Qty("500")
    assert btc.max_qty(market=False) == Qty("1190")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"min_qty": "2000"}, "instrument.min_order_qty"),
        ({"max_mkt_qty": "1200"}, "instrument.max_mkt_order_qty"),
        ({"min_qty": "0.0015"}, "instrument.min_order_qty"),
        ({"max_qty": "1190.0005"}, "instrument.max_order_qty"),
        ({"max_mkt_qty": "499.9999"}, "instrument.max_mkt_order_qty"),
    ],
    ids=["min-above-max", "market-max-above-max", "min-off-grid", "max-off-grid", "mkt-off-grid"],
)
def test_instrument_refuses_inconsistent_rules(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        btc_instrument(**overrides)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "field", ["tick_size", "qty_step", "min_order_qty", "max_mkt_order_qty", "min_notional"]
)
def test_instrument_refuses_unvalidated_numbers(field: str) -> None:
    btc = btc_instrument()
    with pytest.raises((TypeViolation, InvalidValue)):
        replace(btc, **{field: Decimal(getattr(btc, field))})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("65000.04", "65000.0"),
        ("65000.05", "65000.0"),  # half to even
        ("65000.15", "65000.2"),  # half to even
        ("65000.06", "65000.1"),
        ("65000.1", "65000.1"),
        ("0.05", None),  # rounds to zero: not a price
    ],
)
def test_round_price_goes_to_the_nearest_tick(raw: str, expected: str | None) -> None:
    btc = btc_instrument()
    if expected is None:
        with pytest.raises(InvalidValue):
            btc.round_price(Decimal(raw))
        return
    price = btc.round_price(Decimal(raw))
    assert isinstance(price, Price)
    assert price == Decimal(expected)


def test_round_price_can_round_down_or_up() -> None:
    btc = btc_instrument()
    assert btc.round_price(Decimal("65000.19"), ROUND_DOWN) == Decimal("65000.1")
    assert btc.round_price(Decimal("65000.11"), ROUND_UP) == Decimal("65000.2")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.0169", "0.016"),
        ("0.016", "0.016"),
        ("0.0009999", "0"),
        ("0", "0"),
        ("-1", "0"),
        ("NaN", "0"),
        ("Infinity", "0"),
        ("0.3", "0.3"),  # float division would say 0.299...
    ],
)
def test_floor_qty_rounds_down_to_the_step(raw: str, expected: str) -> None:
    assert btc_instrument().floor_qty(Decimal(raw)) == Decimal(expected)


def test_check_qty_refuses_a_qty_off_the_step_grid() -> None:
    with pytest.raises(InvalidValue, match="multiple of qty_step"):
        btc_instrument().check_qty(Decimal("0.0015"), Price("65000"), market=True)


def test_qty_for_notional_is_exact() -> None:
    qty = qty_for_notional(Money("1000"), Price("60000"), btc_instrument())
    assert isinstance(qty, Qty)
    assert qty == Decimal("0.016")  # 1000 / 60000 = 0.01666..., floored to the step
    assert qty * Price("60000") <= Money("1000")


def test_qty_for_notional_exact_boundary_is_not_lost_to_rounding() -> None:
    assert qty_for_notional(Money("30"), Price("100"), btc_instrument()) == Decimal("0.3")


def test_below_one_step_is_below_min_qty_never_bumped() -> None:
    with pytest.raises(BelowMinQty) as caught:
        qty_for_notional(Money("10"), Price("60000"), btc_instrument())
    assert caught.value.numbers["notional"] == "10"
    assert caught.value.numbers["min_order_qty"] == "0.001"


def test_between_step_and_min_qty_is_below_min_qty() -> None:
    btc = btc_instrument(min_qty="0.005")
    with pytest.raises(BelowMinQty) as caught:
        qty_for_notional(Money("200"), Price("60000"), btc)  # 0.00333 -> 0.003 < 0.005
    assert caught.value.numbers["qty"] == "0.003"
    assert caught.value.numbers["min_order_qty"] == "0.005"
    assert "minimum order qty" in caught.value.reason


def test_below_min_notional_is_rejected_with_the_numbers() -> None:
    with pytest.raises(BelowMinNotional) as caught:
        qty_for_notional(Money("4.5"), Price("1000"), btc_instrument())  # 0.004 * 1000 = 4 < 5
    assert caught.value.numbers["notional"] == "4.000"
    assert caught.value.numbers["min_notional"] == "5"


def test_above_market_max_is_rejected_for_market_but_not_for_limit() -> None:
    btc = btc_instrument()
    with pytest.raises(AboveMaxQty) as caught:
        qty_for_notional(Money("600"), Price("1"), btc, market=True)
    assert caught.value.numbers["max_qty"] == "500"
    assert caught.value.numbers["order_type"] == "market"
    assert qty_for_notional(Money("600"), Price("1"), btc, market=False) == Decimal("600")


def test_above_order_max_is_rejected_not_capped() -> None:
    with pytest.raises(AboveMaxQty) as caught:
        qty_for_notional(Money("2000"), Price("1"), btc_instrument(), market=False)
    assert caught.value.numbers == {
        "qty": "2000",
        "price": "1",
        "symbol": "BTCUSDT",
        "max_qty": "1190",
        "order_type": "limit",
    }
    assert "qty is above the instrument's maximum order qty" in str(caught.value)


def test_sizing_rejections_share_one_base() -> None:
    for kind in (BelowMinQty, BelowMinNotional, AboveMaxQty):
        assert issubclass(kind, SizingRejected)


def test_qty_for_notional_refuses_a_plain_decimal_price() -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        qty_for_notional(Money("1000"), Decimal("60000"), btc_instrument())  # type: ignore[arg-type]
    with pytest.raises((TypeViolation, InvalidValue)):
        qty_for_notional(Decimal("1000"), Price("60000"), btc_instrument())  # type: ignore[arg-type]
