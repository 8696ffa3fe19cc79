"""Closes: a fraction of the live position, rounded down, clamped, reduce-only, any state."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import (
    CloseIntent,
    EntryIntent,
    Instrument,
    Money,
    OrderType,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
)
from bot.errors import BelowMinQty, InvalidValue
from bot.execution import Accepted, ClosePlan, Rejected, RemainderPolicy, Stage, plan_close
from bot.risk import TradingState
from tests.support.road import BTC, ETH, build_road

#: Step 0.001 and a minimum of 0.005, so remainders below the minimum are easy to build.
RULES = Instrument(BTC, Price("0.1"), Qty("0.001"), Qty("0.005"), Qty("100"), Qty("50"), Money(5))


def long(size: str) -> Position:
    """A long BTCUSDT position of ``size``."""
    return Position(BTC, Side.BUY, Qty(size), Price("60000"))


def short(size: str) -> Position:
    """A short BTCUSDT position of ``size``."""
    return Position(BTC, Side.SELL, Qty(size), Price("60000"))


def plan(position: Position, fraction: str, policy: RemainderPolicy) -> ClosePlan:
    """plan_close with RULES."""
    return plan_close(position, Decimal(fraction), RULES, policy)


# ---- plan_close ---------------------------------------------------------------------


@pytest.mark.parametrize("policy", list(RemainderPolicy))
@pytest.mark.parametrize(
    ("size", "fraction", "qty"),
    [
        pytest.param("0.020", "0.5", "0.010", id="exact"),
        pytest.param("0.015", "0.5", "0.007", id="rounds-down"),
        pytest.param("0.029", "0.333", "0.009", id="rounds-down-odd"),
        pytest.param("0.020", "1", "0.020", id="whole"),
    ],
)
def test_the_close_qty_is_the_fraction_rounded_down_to_the_step(
    size: str, fraction: str, qty: str, policy: RemainderPolicy
) -> None:
    result = plan(long(size), fraction, policy)
    assert result == ClosePlan(Side.SELL, Qty(qty))


@pytest.mark.parametrize("size", ["0.005", "0.013", "7.777", "50"])
def test_a_whole_close_is_exactly_the_position_never_more(size: str) -> None:
    for position in (long(size), short(size)):
        result = plan(position, "1", RemainderPolicy.KEEP)
        assert result.qty == position.size
        assert result.side is position.side.opposite


@pytest.mark.parametrize(
    ("market", "cap"),
    [pytest.param(True, "50", id="market"), pytest.param(False, "100", id="limit")],
)
def test_a_close_larger_than_one_order_may_be_sends_the_maximum_and_says_so(
    market: bool, cap: str
) -> None:
    # the venue refuses an order above its maximum whole: the close sends what it can
    result = plan_close(long("120"), Decimal(1), RULES, RemainderPolicy.CLOSE_ALL, market=market)
    assert result.side is Side.SELL
    assert result.qty == Qty(cap)
    assert f"closing {cap} of 120 now" in result.note
    assert "the rest stays open until the next close" in result.note


def test_the_close_side_is_the_opposite_of_the_position() -> None:
    assert plan(short("0.020"), "0.5", RemainderPolicy.KEEP).side is Side.BUY
    assert plan(long("0.020"), "0.5", RemainderPolicy.KEEP).side is Side.SELL


def test_close_all_policy_closes_everything_when_the_remainder_would_be_stranded() -> None:
    # 0.012 * 0.75 = 0.009, leaving 0.003 < min 0.005
    result = plan(long("0.012"), "0.75", RemainderPolicy.CLOSE_ALL)
    assert result.qty == Decimal("0.012")
    assert "closing all 0.012" in result.note
    assert "0.003" in result.note
    assert "0.005" in result.note


def test_keep_policy_sends_the_rounded_qty_and_says_the_remainder_stays() -> None:
    result = plan(long("0.012"), "0.75", RemainderPolicy.KEEP)
    assert result.qty == Decimal("0.009")
    assert "keeping a remainder of 0.003" in result.note
    assert "0.005" in result.note


@pytest.mark.parametrize("policy", list(RemainderPolicy))
def test_a_part_below_the_minimum_qty_is_refused_with_the_numbers(
    policy: RemainderPolicy,
) -> None:
    # 0.012 * 0.25 = 0.003 < min 0.005; the remainder 0.009 could stand on its own
    with pytest.raises(BelowMinQty) as raised:
        plan(long("0.012"), "0.25", policy)
    assert raised.value.numbers == {
        "position": "0.012",
        "fraction": "0.25",
        "qty": "0.003",
        "min_order_qty": "0.005",
    }


@pytest.mark.parametrize("policy", list(RemainderPolicy))
def test_a_part_that_rounds_to_zero_is_refused(policy: RemainderPolicy) -> None:
    with pytest.raises(BelowMinQty):
        plan(long("0.005"), "0.1", policy)


def test_something_that_is_not_a_position_is_refused_with_what_it_was() -> None:
    bogus = {"symbol": "BTCUSDT", "size": "0.020"}
    with pytest.raises(InvalidValue, match="the live Position to close") as raised:
        plan_close(bogus, Decimal(1), RULES, RemainderPolicy.KEEP)  # type: ignore[arg-type]
    assert raised.value.value == bogus


def test_the_remainder_rule_sends_the_position_size_itself() -> None:
    position = long("0.012")
    result = plan(position, "0.75", RemainderPolicy.CLOSE_ALL)
    assert type(result.qty) is Qty
    assert result.qty.compare_total(position.size) == 0  # the same number, digit for digit


# ---- closes through the executor ----------------------------------------------------


def test_a_close_sends_a_reduce_only_order_on_the_opposite_side() -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.015")
    result = road.executor.submit(CloseIntent(BTC, Decimal("0.5")))
    assert isinstance(result, Accepted), str(result)
    (request,) = road.executor_requests()
    assert (request.side, request.qty, request.reduce_only) == (Side.SELL, Decimal("0.007"), True)
    position = road.position(BTC)
    assert position is not None
    assert (position.side, position.size) == (Side.BUY, Decimal("0.008"))


def test_a_close_limit_price_rounds_the_safe_way_for_the_close_side() -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.010")
    intent = CloseIntent(
        BTC,
        order_type=OrderType.LIMIT,
        limit_price=Price("60100.01"),
        time_in_force=TimeInForce.GTC,
    )
    assert road.executor.submit(intent).accepted
    (request,) = road.executor_requests()
    assert request.side is Side.SELL
    assert request.price == Decimal("60100.1")


@pytest.mark.parametrize(
    ("policy", "sent", "left", "note"),
    [
        pytest.param(RemainderPolicy.CLOSE_ALL, "0.012", None, "closing all", id="close_all"),
        pytest.param(RemainderPolicy.KEEP, "0.009", "0.003", "keeping a remainder", id="keep"),
    ],
)
def test_the_remainder_policy_is_applied_and_its_note_reaches_the_result(
    policy: RemainderPolicy, sent: str, left: str | None, note: str
) -> None:
    road = build_road(instruments=(RULES,), remainder=policy)
    road.open_position(BTC, Side.SELL, "0.012")
    result = road.executor.submit(CloseIntent(BTC, Decimal("0.75")))
    assert isinstance(result, Accepted), str(result)
    assert result.qty == Decimal(sent)
    assert result.note.startswith(note)
    position = road.position(BTC)
    assert (None if position is None else str(position.size)) == left


def test_closing_a_flat_symbol_is_a_validation_rejection_and_sends_nothing() -> None:
    road = build_road()
    result = road.executor.submit(CloseIntent(BTC))
    assert isinstance(result, Rejected)
    assert result.stage is Stage.VALIDATION
    assert "no open position in BTCUSDT" in result.reason
    assert road.gateway.calls["submit"] == 0
    assert road.venue.accepted_count == 0


def test_a_close_below_the_minimum_is_a_validation_rejection_with_numbers() -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.003")
    result = road.executor.submit(CloseIntent(BTC, Decimal("0.2")))
    assert isinstance(result, Rejected)
    assert result.stage is Stage.VALIDATION
    assert result.numbers["min_order_qty"] == "0.001"
    assert road.gateway.calls["submit"] == 0


class BrokenFeed:
    """A price source that raises."""

    def ticker(self, symbol: Symbol) -> Ticker | None:
        raise ConnectionError("ticker feed down")


@pytest.mark.parametrize("state", list(TradingState))
def test_closes_pass_with_a_broken_feed_in_every_state(state: TradingState) -> None:
    road = build_road(price_source=BrokenFeed())
    road.open_position(BTC, Side.SELL, "0.010")
    road.state.escalate(state, "drawdown") if state is not TradingState.ACTIVE else None
    entry = road.executor.submit(EntryIntent(BTC, Side.SELL, notional=Money(500)))
    assert isinstance(entry, Rejected)
    assert entry.stage is (Stage.GUARD if state is TradingState.ACTIVE else Stage.STATE)
    result = road.executor.submit(CloseIntent(BTC))
    assert isinstance(result, Accepted), str(result)
    assert result.reduce_only is True
    assert result.side is Side.BUY
    assert road.position(BTC) is None
    assert [r.reduce_only for r in road.executor_requests()] == [True]


@pytest.mark.parametrize("state", [TradingState.REDUCING, TradingState.HALTED])
def test_entries_are_blocked_but_closes_pass_in_reducing_and_halted(
    state: TradingState,
) -> None:
    road = build_road()
    road.open_position(ETH, Side.BUY, "2")
    road.state.escalate(state, "loss limit")
    blocked = road.executor.submit(EntryIntent(ETH, Side.BUY, qty=Qty("1")))
    assert isinstance(blocked, Rejected)
    assert blocked.stage is Stage.STATE
    closed = road.executor.submit(CloseIntent(ETH, Decimal("0.5")))
    assert isinstance(closed, Accepted), str(closed)
    position = road.position(ETH)
    assert position is not None
    assert position.size == Decimal("1")
    assert all(r.reduce_only for r in road.executor_requests())
