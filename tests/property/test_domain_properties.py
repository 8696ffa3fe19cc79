"""Invariants of the domain numbers and of sizing, driven by hypothesis."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.domain import Instrument, Money, Price, Qty, qty_for_notional
from bot.domain.numbers import MAX_MAGNITUDE, MIN_MAGNITUDE
from bot.errors import InvalidValue, SizingRejected, TypeViolation
from tests.unit.domain.samples import btc_instrument

pytestmark = pytest.mark.property

STEPS = ["0.0001", "0.001", "0.01", "0.1", "1", "5", "10", "0.005", "0.25"]
TICKS = ["0.00001", "0.0001", "0.01", "0.05", "0.1", "0.5", "1", "2.5"]


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    """Consistent rules: every qty limit on the step grid, market max <= max."""
    step = Decimal(draw(st.sampled_from(STEPS)))
    min_steps = draw(st.integers(1, 10))
    max_steps = draw(st.integers(min_steps, 10**7))
    mkt_steps = draw(st.integers(min_steps, max_steps))
    return btc_instrument(
        tick=draw(st.sampled_from(TICKS)),
        step=str(step),
        min_qty=str(step * min_steps),
        max_qty=str(step * max_steps),
        max_mkt_qty=str(step * mkt_steps),
        min_notional=draw(st.sampled_from(["1", "5", "10", "100"])),
    )


def positive_decimals(max_value: str = "1e9", places: int = 8) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=Decimal(1).scaleb(-places),
        max_value=Decimal(max_value),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


@given(instrument=instruments(), qty=positive_decimals())
def test_floor_qty_is_on_the_grid_and_less_than_one_step_below(
    instrument: Instrument, qty: Decimal
) -> None:
    floored = instrument.floor_qty(qty)
    step = instrument.qty_step
    assert floored % step == 0
    assert floored <= qty
    assert floored > qty - step


@given(instrument=instruments(), price=positive_decimals())
def test_round_price_is_on_the_grid_and_within_half_a_tick(
    instrument: Instrument, price: Decimal
) -> None:
    tick = instrument.tick_size
    assume(price >= tick)
    rounded = instrument.round_price(price)
    assert isinstance(rounded, Price)
    assert rounded % tick == 0
    assert abs(rounded - price) <= tick / 2


@given(
    instrument=instruments(),
    notional=positive_decimals("1e8", 2),
    price=positive_decimals("1e6", 5),
    market=st.booleans(),
)
def test_qty_for_notional_never_exceeds_the_notional_and_lands_on_the_grid(
    instrument: Instrument, notional: Decimal, price: Decimal, market: bool
) -> None:
    outcome: Qty | SizingRejected
    try:
        outcome = qty_for_notional(Money(notional), Price(price), instrument, market=market)
    except SizingRejected as rejected:
        outcome = rejected
    if isinstance(outcome, SizingRejected):
        assert outcome.reason
        assert outcome.numbers["price"] == str(price)
        return
    qty = outcome
    assert isinstance(qty, Qty)
    assert qty * price <= notional
    assert qty % instrument.qty_step == 0
    assert instrument.min_order_qty <= qty <= instrument.max_qty(market=market)
    assert qty * price >= instrument.min_notional
    # Largest on the grid: one more step would be more than the notional.
    assert (qty + instrument.qty_step) * price > notional


def _in_range(value: Decimal) -> bool:
    return MIN_MAGNITUDE <= value <= MAX_MAGNITUDE


@given(
    value=st.decimals(
        min_value=Decimal("1e-18"), max_value=MAX_MAGNITUDE, allow_nan=False, allow_infinity=False
    ),
    kind=st.sampled_from([Price, Qty, Money]),
)
def test_any_finite_positive_decimal_in_range_round_trips(
    value: Decimal, kind: type[Decimal]
) -> None:
    assume(_in_range(value))
    assert kind(value) == value
    assert kind(str(value)) == value
    assert type(kind(str(value))) is kind


@given(
    value=st.floats(allow_nan=True, allow_infinity=True), kind=st.sampled_from([Price, Qty, Money])
)
def test_any_float_is_refused(value: float, kind: type[Decimal]) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        kind(value)


@given(value=st.decimals(max_value=Decimal(0), allow_nan=False, allow_infinity=False))
def test_zero_and_negatives_are_refused(value: Decimal) -> None:
    with pytest.raises(InvalidValue) as caught:
        Price(value)
    assert caught.value.field == "price"
