"""Invariants of the sim venue over generated positions, orders and prices."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Bar, Price, Qty, Side, TriggerDirection
from bot.exchange.sim import is_liquidation
from bot.exchange.sim.fees import MONEY_QUANTUM
from tests.unit.exchange.sim.scripts import BTC, T0, limit, make_venue, market, stop

# Quantities in steps of 0.01 from 0.1, prices in ticks of 0.1 from 50: every
# order is worth at least the 5 USDT minimum notional.
steps = st.integers(min_value=10, max_value=5_000).map(lambda n: Decimal(n) / 100)
prices = st.integers(min_value=500, max_value=2_000).map(lambda n: Decimal(n) / 10)
sides = st.sampled_from(list(Side))


@pytest.mark.property
@given(side=sides, size=steps, close_qty=steps, close_side=sides, price=prices)
@settings(max_examples=200, deadline=None)
def test_reduce_only_never_flips_or_grows_a_position(
    side: Side, size: Decimal, close_qty: Decimal, close_side: Side, price: Decimal
) -> None:
    venue = make_venue(balance="100000000")
    venue.update_market(BTC, Price(price), ts_ms=T0 + 1)
    assert venue.submit(market("open", side, str(size))).accepted
    result = venue.submit(market("close", close_side, str(close_qty), reduce_only=True))
    after = venue.positions().get(BTC)
    if close_side is side:
        assert not result.accepted
        assert after is not None
        assert (after.side, after.size) == (side, size)
        return
    assert result.accepted
    if after is not None:
        assert after.side is side
        assert after.size == size - close_qty
    else:
        assert close_qty >= size
    assert result.qty == min(close_qty, size)


trades = st.lists(st.tuples(sides, steps, prices, st.booleans()), min_size=1, max_size=25)


@pytest.mark.property
@given(script=trades, leverage=st.integers(min_value=1, max_value=50))
@settings(max_examples=150, deadline=None)
def test_wallet_is_initial_plus_realised_minus_fees_plus_funding(
    script: list[tuple[Side, Decimal, Decimal, bool]], leverage: int
) -> None:
    venue = make_venue(balance="100000000", slippage="3", leverage=leverage)
    hour = 3600 * 1000
    for number, (side, qty, price, reduce_only) in enumerate(script):
        venue.update_market(BTC, Price(price), ts_ms=T0 + (number + 1) * 3 * hour)
        venue.submit(market(f"o{number}", side, str(qty), reduce_only=reduce_only))
    totals = venue.totals()
    assert totals.wallet == totals.initial + totals.realised_pnl - totals.fees + totals.funding
    fills, _ = venue.fills_since(0)
    assert totals.fees == sum((fill.fee for fill in fills), Decimal(0))
    assert totals.funding == sum((p.amount for p in venue.funding_payments), Decimal(0))
    assert totals.position_margin >= 0
    if not venue.positions() and not venue.liquidations:
        cash = sum((-fill.side.sign * fill.qty * fill.price for fill in fills), Decimal(0))
        assert abs(totals.realised_pnl - cash) <= MONEY_QUANTUM * len(fills)
        assert totals.position_margin == 0
    balance = venue.balance()
    assert balance.wallet == totals.wallet
    assert balance.available == totals.wallet - totals.position_margin - totals.order_margin


@pytest.mark.property
@given(size=steps, price=prices)
@settings(max_examples=100, deadline=None)
def test_signed_fills_equal_the_position(size: Decimal, price: Decimal) -> None:
    venue = make_venue(balance="100000000")
    venue.submit(market("a", Side.BUY, str(size)))
    venue.update_market(BTC, Price(price), ts_ms=T0 + 1)
    venue.submit(market("b", Side.SELL, str(Qty(size) + Decimal("0.01"))))
    fills, _ = venue.fills_since(0)
    signed = sum((f.qty * f.side.sign for f in fills), Decimal(0))
    position = venue.positions()[BTC]
    assert position.signed_size == signed == Decimal("-0.01")


actions = st.lists(
    st.tuples(
        st.sampled_from(["market", "limit", "stop", "bar"]),
        sides,
        steps,
        st.integers(min_value=-30, max_value=30),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)


@pytest.mark.property
@given(script=actions, leverage=st.integers(min_value=1, max_value=10))
@settings(max_examples=150, deadline=None)
def test_no_reduce_only_fill_ever_opens_grows_or_flips(
    script: list[tuple[str, Side, Decimal, int, bool]], leverage: int
) -> None:
    venue = make_venue(balance="100000000", leverage=leverage)
    last = Decimal(100)
    hour = 3600 * 1000
    for number, (kind, drawn_side, qty, offset, reduce_only) in enumerate(script):
        away = Decimal(offset) / 2
        held = venue.positions().get(BTC)
        side = drawn_side
        if reduce_only and held is not None and offset % 3:
            side = held.side.opposite  # mostly a real exit, sometimes a wrong-side one
        if kind == "bar":
            close = max(last + away, Decimal(50))
            low, high = min(last, close) - 3, max(last, close) + 3
            venue.on_bar(
                BTC,
                Bar(
                    T0 + (number + 1) * hour,
                    Price(last),
                    Price(high),
                    Price(low),
                    Price(close),
                    Decimal(1),
                ),
            )
            last = close
        elif kind == "market":
            venue.submit(market(f"o{number}", side, str(qty), reduce_only=reduce_only))
        elif kind == "limit":
            at = str(max(last - side.sign * abs(away) / 5, Decimal(50)))
            venue.submit(limit(f"o{number}", side, str(qty), at, reduce_only=reduce_only))
        else:
            direction = TriggerDirection.FALL if side is Side.SELL else TriggerDirection.RISE
            at = str(last + side.sign * (abs(away) / 5 + 1))
            venue.submit(stop(f"o{number}", side, str(qty), at, direction, reduce_only=reduce_only))
    fills, _ = venue.fills_since(0)
    position = Decimal(0)
    for fill in fills:
        order = venue.lookup(fill.order_link_id)
        closing = is_liquidation(fill) or (order is not None and order.reduce_only)
        after = position + fill.side.sign * fill.qty
        if closing:
            assert position * fill.side.sign < 0, f"{fill} did not reduce {position}"
            assert abs(after) < abs(position)
            assert after * position >= 0
        position = after
    current = venue.positions().get(BTC)
    assert position == (0 if current is None else current.signed_size)
