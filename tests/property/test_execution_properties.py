"""Invariants of the one road: closes never flip or grow, sizing stays within the notional
and on the grid, and the venue never refuses an order for rounding or instrument rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from bot.domain import (
    CloseIntent,
    EntryIntent,
    Instrument,
    Intent,
    Money,
    OrderType,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    TimeInForce,
    TriggerDirection,
)
from bot.errors import BelowMinQty
from bot.exchange.sim import BELOW_MIN_NOTIONAL, PARAM_ERROR, SimSettings
from bot.exchange.sim.rules import check_instrument_rules
from bot.execution import Accepted, Rejected, RemainderPolicy, Stage, plan_close
from tests.support.road import BTC, BTC_RULES, build_road, guard_settings, risk_settings

pytestmark = pytest.mark.property

ABC = Symbol("ABCUSDT")
BIG = Money(10**12)

steps = st.sampled_from([Decimal(s) for s in ("1", "0.5", "0.1", "0.01", "0.001", "0.005")])
ticks = st.sampled_from([Decimal(s) for s in ("1", "0.5", "0.1", "0.05", "0.01", "0.0001")])
fractions = st.decimals(
    min_value=Decimal("0.0001"), max_value=Decimal(1), places=4, allow_nan=False
)
sides = st.sampled_from(list(Side))
policies = st.sampled_from(list(RemainderPolicy))


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    """Random but valid lot and price rules for ABCUSDT."""
    step = draw(steps)
    min_qty = step * draw(st.integers(1, 5))
    max_mkt = min_qty * draw(st.integers(10, 100_000))
    max_qty = max_mkt * draw(st.integers(1, 4))
    return Instrument(
        ABC,
        Price(draw(ticks)),
        Qty(step),
        Qty(min_qty),
        Qty(max_qty),
        Qty(max_mkt),
        Money(draw(st.sampled_from(["1", "5", "10", "100"]))),
    )


# ---- closes ---------------------------------------------------------------------------


@settings(max_examples=200)
@given(
    step=steps,
    min_steps=st.integers(1, 5),
    size_steps=st.integers(1, 10_000),
    fraction=fractions,
    side=sides,
    policy=policies,
)
def test_a_close_plan_never_exceeds_the_position_or_opens_the_other_side(
    step: Decimal,
    min_steps: int,
    size_steps: int,
    fraction: Decimal,
    side: Side,
    policy: RemainderPolicy,
) -> None:
    rules = Instrument(
        ABC, Price("0.1"), Qty(step), Qty(step * min_steps), Qty(10**9), Qty(10**9), Money(5)
    )
    position = Position(ABC, side, Qty(step * size_steps), Price("100"))
    try:
        plan = plan_close(position, fraction, rules, policy)
    except BelowMinQty:
        assert rules.floor_qty(position.size * fraction) < rules.min_order_qty
        return
    assert plan.side is side.opposite
    assert 0 < plan.qty <= position.size
    assert plan.qty % step == 0
    if plan.qty > position.size * fraction:
        assert policy is RemainderPolicy.CLOSE_ALL
        assert plan.qty == position.size
        assert position.size - rules.floor_qty(position.size * fraction) < rules.min_order_qty


@settings(max_examples=100)
@given(size_steps=st.integers(1, 2_000), fraction=fractions, side=sides, policy=policies)
def test_a_close_through_the_executor_never_flips_or_grows_the_position(
    size_steps: int, fraction: Decimal, side: Side, policy: RemainderPolicy
) -> None:
    road = build_road(remainder=policy)
    before = road.open_position(BTC, side, str(BTC_RULES.qty_step * size_steps))
    result = road.executor.submit(CloseIntent(BTC, fraction))
    after = road.position(BTC)
    if after is not None:
        assert after.side is before.side
        assert after.size <= before.size
    assert all(request.reduce_only for request in road.gateway.sent)
    if isinstance(result, Rejected):
        assert result.stage is Stage.VALIDATION
        assert after == before


# ---- sizing ---------------------------------------------------------------------------


@settings(max_examples=200)
@given(
    price_ticks=st.integers(1_000_000, 2_000_000),
    notional=st.decimals(min_value=1, max_value=10_000, places=2, allow_nan=False),
    side=sides,
)
def test_sizing_never_exceeds_the_notional_and_lands_on_the_step_grid(
    price_ticks: int, notional: Decimal, side: Side
) -> None:
    price = BTC_RULES.tick_size * price_ticks
    road = build_road(prices={BTC: str(price)})
    result = road.executor.submit(EntryIntent(BTC, side, notional=Money(notional)))
    if isinstance(result, Rejected):
        assert result.stage is Stage.VALIDATION, str(result)
        assert road.gateway.sent == []
        return
    step = BTC_RULES.qty_step
    assert result.qty % step == 0
    assert result.qty * price <= notional
    assert (result.qty + step) * price > notional  # the largest qty that fits


# ---- the venue never refuses for rounding or instrument rules -------------------------


@st.composite
def entries(draw: st.DrawFn, rules: Instrument, last: Decimal) -> EntryIntent:
    """A market, limit or stop-market entry near ``last``, prices off the tick grid."""
    side = draw(sides)
    notional = Money(draw(st.decimals(min_value=1, max_value=50_000, places=3)))
    kind = draw(st.sampled_from(["market", "limit", "stop"]))
    offset = draw(st.decimals(min_value=Decimal("-0.01"), max_value=Decimal("0.01"), places=6))
    away = last * (1 + offset)
    if kind == "limit" and away > 0:
        return EntryIntent(
            ABC,
            side,
            notional=notional,
            order_type=OrderType.LIMIT,
            limit_price=Price(away),
            time_in_force=draw(st.sampled_from([TimeInForce.GTC, TimeInForce.IOC])),
        )
    if kind == "stop":
        trigger = last * (1 + abs(offset) + Decimal("0.001")) + rules.tick_size
        return EntryIntent(
            ABC,
            side,
            notional=notional,
            trigger_price=Price(trigger),
            trigger_direction=TriggerDirection.RISE,
        )
    return EntryIntent(ABC, side, notional=notional)


@settings(max_examples=150)
@given(data=st.data(), rules=instruments(), last_ticks=st.integers(100, 500_000))
def test_the_venue_never_refuses_an_entry_for_rounding_or_instrument_rules(
    data: st.DataObject, rules: Instrument, last_ticks: int
) -> None:
    last = rules.tick_size * last_ticks
    road = build_road(
        instruments=(rules,),
        prices={ABC: str(last)},
        sim=SimSettings(initial_balance=BIG, leverage=100),
        guard=guard_settings(price_band_bps=5_000),
        risk=risk_settings(
            max_leverage=100,
            max_order_notional=BIG,
            max_position_notional=BIG,
            max_total_exposure=BIG,
        ),
    )
    intents: list[Intent] = [data.draw(entries(rules, last)) for _ in range(3)]
    results = [road.executor.submit(intent) for intent in intents]
    for result in results:
        if isinstance(result, Rejected):
            event(f"rejected at {result.stage.value}")
            assert result.stage is not Stage.VENUE or result.code not in (
                PARAM_ERROR,
                BELOW_MIN_NOTIONAL,
            ), str(result)
            assert result.stage in (Stage.VALIDATION, Stage.GUARD, Stage.RISK, Stage.VENUE)
        else:
            event("accepted")
            assert isinstance(result, Accepted)
    for request in road.gateway.sent:
        assert check_instrument_rules(request, rules, Price(last)) is None
