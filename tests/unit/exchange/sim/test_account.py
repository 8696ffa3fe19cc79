"""Account views, the audit log, the clock, and determinism."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import (
    Fill,
    OrderStatus,
    Position,
    Price,
    Side,
    Symbol,
    TimeInForce,
    TriggerDirection,
)
from bot.errors import InvalidValue
from bot.exchange.protocol import Balance
from bot.exchange.sim import FundingPayment, SimExchange
from tests.unit.exchange.sim.scripts import BTC, HOUR, T0, bar, limit, make_venue, market, stop


def test_lookup_finds_open_and_closed_orders_and_none_for_unknown() -> None:
    venue = make_venue()
    venue.submit(limit("rest", Side.BUY, "1", "90"))
    venue.submit(market("done", Side.BUY, "1"))
    rest, done = venue.lookup("rest"), venue.lookup("done")
    assert rest is not None
    assert rest.status is OrderStatus.NEW
    assert done is not None
    assert done.status is OrderStatus.FILLED
    assert done.filled_qty == 1
    assert venue.lookup("never") is None


def test_lookup_returns_a_copy_the_caller_cannot_use_to_change_the_venue() -> None:
    venue = make_venue()
    venue.submit(limit("rest", Side.BUY, "1", "90"))
    copy = venue.lookup("rest")
    assert copy is not None
    copy.transition(OrderStatus.CANCELLED)
    again = venue.lookup("rest")
    assert again is not None
    assert again.status is OrderStatus.NEW


def test_fills_since_cursor_returns_each_fill_once() -> None:
    venue = make_venue()
    venue.submit(market("a", Side.BUY, "1"))
    first, cursor = venue.fills_since(0)
    assert [f.order_link_id for f in first] == ["a"]
    assert cursor == 1
    assert venue.fills_since(cursor) == ([], 1)
    venue.submit(market("b", Side.BUY, "1"))
    venue.submit(market("c", Side.BUY, "1"))
    later, cursor = venue.fills_since(cursor)
    assert [f.order_link_id for f in later] == ["b", "c"]
    assert cursor == 3
    assert len({f.exec_id for f in venue.fills_since(0)[0]}) == 3
    with pytest.raises(InvalidValue):
        venue.fills_since(-1)


def test_accepted_log_has_seq_clock_request_and_tells_entries_from_exits() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "1"))
    venue.submit(market("bad", Side.BUY, "0.015"))
    venue.update_market(BTC, Price("101"), ts_ms=T0 + 5)
    venue.submit(market("close", Side.SELL, "1", reduce_only=True))
    log = venue.accepted_log
    assert [(e.seq, e.ts_ms, e.request.order_link_id, e.is_entry) for e in log] == [
        (1, T0, "open", True),
        (2, T0 + 5, "close", False),
    ]
    assert log[1].result.status is OrderStatus.FILLED
    assert venue.accepted_count == 2


def test_clock_and_ticker_follow_the_market() -> None:
    venue = make_venue(last=None)
    assert venue.ticker(BTC) is None
    venue.on_bar(BTC, bar(T0 + HOUR, "100", "101", "99", "100.5"))
    ticker = venue.ticker(BTC)
    assert ticker is not None
    assert (ticker.last_price, ticker.ts_ms) == (Decimal("100.5"), T0 + HOUR)
    assert venue.server_time_ms() == venue.clock.now_ms() == T0 + HOUR
    with pytest.raises(InvalidValue):
        venue.update_market(BTC, Price("100"), ts_ms=T0)


Outcome = tuple[tuple[list[Fill], int], dict[Symbol, Position], Balance, list[FundingPayment]]


def _script(venue: SimExchange) -> Outcome:
    venue.submit(market("a", Side.BUY, "1"))
    venue.submit(limit("b", Side.BUY, "2", "98"))
    venue.submit(stop("c", Side.SELL, "3", "97", TriggerDirection.FALL))
    venue.submit(limit("d", Side.SELL, "1", "103", TimeInForce.POST_ONLY))
    for index, (o, h, low, c) in enumerate(
        [("100", "101", "99", "100"), ("100", "100", "97.5", "98"), ("98", "104", "96", "103")]
    ):
        venue.on_bar(BTC, bar(T0 + (index + 1) * 4 * HOUR, o, h, low, c))
    return venue.fills_since(0), venue.positions(), venue.balance(), venue.funding_payments


def test_same_script_twice_gives_identical_fills_and_account() -> None:
    first = _script(make_venue(slippage="3", leverage=5))
    second = _script(make_venue(slippage="3", leverage=5))
    assert first == second
    fills, _ = first[0]
    assert len(fills) == 4
