"""Closes never open or grow exposure, even when the position moves under them.

The position is read, then shrinks or vanishes before the venue receives the close (a
venue wrapper trades it down just before forwarding). The close must stay reduce-only,
never exceed what was read, and the position must never flip or grow. The same
assertions are then run against mutants of ``bot.execution.closing`` and of the close
request, and must fail there (the fail-open demonstration).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from decimal import ROUND_CEILING, Decimal
from itertools import count

import pytest

from bot.domain import (
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Instrument,
    Money,
    OrderType,
    Position,
    Qty,
    Side,
    Symbol,
    Ticker,
)
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.exchange.sim import SimExchange
from bot.execution import Accepted, ClosePlan, Rejected, RemainderPolicy, Stage
from bot.risk import PortfolioSnapshot, RiskDecision, RiskEngine, TradingState
from tests.support.road import BTC, BTC_RULES, ETH, Road, VenueProxy, build_road

pytestmark = pytest.mark.failclosed

_others = count(1)


def shrinking(to: str | None) -> Callable[[SimExchange], VenueProxy]:
    """A gateway that, before forwarding each request, trades the position down to ``to``
    (None: closes it) straight on the venue, as another actor would."""

    class Shrinking(VenueProxy):
        def submit(self, request: OrderRequest) -> SubmitResult:
            self._shrink(request.symbol)
            return super().submit(request)

        def _shrink(self, symbol: Symbol) -> None:
            venue = self.inner
            position = venue.positions().get(symbol)
            if position is None:
                return
            cut = position.size - (Decimal(0) if to is None else Decimal(to))
            if cut > 0:
                venue.submit(
                    OrderRequest(
                        f"seed-other-{next(_others)}",
                        symbol,
                        position.side.opposite,
                        Qty(cut),
                        OrderType.MARKET,
                        True,
                    )
                )

    return Shrinking


def run_close(
    fraction: str, shrink_to: str | None, side: Side = Side.BUY
) -> tuple[Road, Position, Accepted | Rejected]:
    """Open 0.010 BTC on ``side``, then close ``fraction`` while it moves to ``shrink_to``."""
    road = build_road(gateway=shrinking(shrink_to))
    before = road.open_position(BTC, side, "0.010")
    result = road.executor.submit(CloseIntent(BTC, Decimal(fraction)))
    return road, before, result


def close_requests(road: Road, results: list[Accepted | Rejected]) -> list[OrderRequest]:
    """The requests handed to the venue for these close results."""
    links = {r.order_link_id for r in results if r.order_link_id}
    return [r for r in road.gateway.sent if r.order_link_id in links]


def assert_close_is_safe(
    road: Road,
    before: Position,
    fraction: str,
    result: Accepted | Rejected,
    rules: Instrument = BTC_RULES,
) -> list[OrderRequest]:
    """The close assertions: reduce-only, never above the read size, never flips or grows."""
    sent = close_requests(road, [result])
    for request in sent:
        assert request.reduce_only is True, f"close sent without reduce-only: {request}"
        assert request.side is before.side.opposite
        assert request.qty <= before.size, f"close of {request.qty} > position {before.size}"
        assert request.qty % rules.qty_step == 0
        closing_all = isinstance(result, Accepted) and result.note.startswith("closing all")
        if not closing_all:
            assert request.qty <= before.size * Decimal(fraction), "close rounded up"
    after = road.position(before.symbol)
    if after is not None:
        assert after.side is before.side, f"position flipped: {before} -> {after}"
        assert after.size <= before.size, f"position grew: {before} -> {after}"
    return sent


@pytest.fixture(scope="module")
def audit() -> Iterator[list[OrderRequest]]:
    """Every close request the tests below handed to the venue; all must be reduce-only."""
    seen: list[OrderRequest] = []
    yield seen
    assert seen, "the audit saw no close request"
    assert all(r.reduce_only is True for r in seen), [r for r in seen if not r.reduce_only]


SCENARIOS = [
    pytest.param("1", "0.010", id="whole-unchanged"),
    pytest.param("1", "0.004", id="whole-shrank"),
    pytest.param("1", None, id="whole-vanished"),
    pytest.param("0.55", "0.010", id="part-unchanged"),
    pytest.param("0.55", "0.004", id="part-shrank-below-the-close"),
    pytest.param("0.55", "0.008", id="part-shrank-above-the-close"),
    pytest.param("0.55", None, id="part-vanished"),
]


@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
@pytest.mark.parametrize(("fraction", "shrink_to"), SCENARIOS)
def test_a_close_racing_a_shrinking_position_never_flips_or_grows_it(
    fraction: str, shrink_to: str | None, side: Side, audit: list[OrderRequest]
) -> None:
    road, before, result = run_close(fraction, shrink_to, side)
    sent = assert_close_is_safe(road, before, fraction, result)
    audit.extend(sent)
    assert len(sent) == 1
    if shrink_to is None:
        assert isinstance(result, Rejected)
        assert (result.stage, result.code) == (Stage.VENUE, 110017)
        assert road.position(BTC) is None
    else:
        assert isinstance(result, Accepted), str(result)


def test_two_whole_closes_in_one_batch_leave_the_position_flat_not_flipped(
    audit: list[OrderRequest],
) -> None:
    road = build_road()
    before = road.open_position(ETH, Side.SELL, "3")
    intents = (CloseIntent(ETH), CloseIntent(ETH))
    results = road.executor.submit_batch(BatchIntent(intents))
    audit.extend(close_requests(road, results))
    assert road.position(ETH) is None
    assert [r.side for r in road.gateway.sent] == [Side.BUY, Side.BUY]
    assert all(r.qty == before.size for r in road.gateway.sent)


class RaisingRisk(RiskEngine):
    """A risk engine whose check raises (closes never ask it)."""

    def check_entry(
        self, intent: EntryIntent, notional: Money, snapshot: PortfolioSnapshot
    ) -> RiskDecision:
        raise ArithmeticError("risk engine broken")


class BrokenFeed:
    """Price source, stream and clock-skew source that all raise."""

    def ticker(self, symbol: Symbol) -> Ticker | None:
        raise ConnectionError("ticker feed down")

    def last_message_ms(self) -> int | None:
        raise ConnectionError("stream down")

    def is_connected(self) -> bool:
        raise ConnectionError("stream down")

    def skew_ms(self) -> int | None:
        return None


@pytest.mark.parametrize("state", list(TradingState))
def test_a_close_passes_when_every_feed_and_the_risk_engine_are_broken(
    state: TradingState, audit: list[OrderRequest]
) -> None:
    broken = BrokenFeed()
    road = build_road(price_source=broken, stream=broken, skew=broken, risk_class=RaisingRisk)
    road.open_position(BTC, Side.BUY, "0.020")
    if state is not TradingState.ACTIVE:
        road.state.escalate(state, "panic")
    result = road.executor.submit(CloseIntent(BTC, Decimal("0.5")))
    audit.extend(close_requests(road, [result]))
    assert isinstance(result, Accepted), str(result)
    position = road.position(BTC)
    assert position is not None
    assert position.size == Decimal("0.010")


# ---- fail-open demonstration: the assertions above catch broken closing code -------


def _rounds_up(
    position: Position,
    fraction: Decimal,
    instrument: Instrument,
    policy: RemainderPolicy,
    *,
    market: bool = True,
) -> ClosePlan:
    step = instrument.qty_step
    qty = min(
        (position.size * fraction / step).to_integral_value(ROUND_CEILING) * step, position.size
    )
    return ClosePlan(position.side.opposite, Qty(qty))


def _unclamped(
    position: Position,
    fraction: Decimal,
    instrument: Instrument,
    policy: RemainderPolicy,
    *,
    market: bool = True,
) -> ClosePlan:
    qty = instrument.floor_qty(position.size * fraction) + instrument.qty_step
    return ClosePlan(position.side.opposite, Qty(qty))


def _not_reduce_only(*args: object, **fields: object) -> OrderRequest:
    request = OrderRequest(*args, **fields)  # type: ignore[arg-type]
    return dataclasses.replace(request, reduce_only=False)


def test_the_real_plan_passes_the_scenarios_the_mutants_fail() -> None:
    for fraction, shrink_to in (("0.55", "0.010"), ("1", "0.010"), ("1", "0.004")):
        road, before, result = run_close(fraction, shrink_to)
        assert_close_is_safe(road, before, fraction, result)


def test_fail_open_variant_is_caught_closing_rounding_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.execution.executor.plan_close", _rounds_up)
    road, before, result = run_close("0.55", "0.010")
    assert road.gateway.sent[-1].qty == Decimal("0.006")  # the mutant did run
    with pytest.raises(AssertionError, match="rounded up"):
        assert_close_is_safe(road, before, "0.55", result)


def test_fail_open_variant_is_caught_closing_without_clamp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.execution.executor.plan_close", _unclamped)
    road, before, result = run_close("1", "0.010")
    assert road.gateway.sent[-1].qty == Decimal("0.011")
    with pytest.raises(AssertionError, match=r"close of 0.011 > position 0.010"):
        assert_close_is_safe(road, before, "1", result)


def test_fail_open_variant_is_caught_closing_without_reduce_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.execution.executor.OrderRequest", _not_reduce_only)
    road, before, result = run_close("1", "0.004")
    after = road.position(BTC)
    assert after is not None
    assert after.side is Side.SELL
    with pytest.raises(AssertionError, match="without reduce-only"):
        assert_close_is_safe(road, before, "1", result)
