"""Reduce-only like the venue: never opens, never grows, never flips; cut to position."""

from __future__ import annotations

from decimal import Decimal

from bot.domain import OrderStatus, Price, Side, TriggerDirection
from bot.exchange.sim import REDUCE_ONLY
from tests.unit.exchange.sim.scripts import BTC, HOUR, T0, bar, limit, make_venue, market, stop


def test_reduce_only_when_flat_is_rejected_with_bybits_text() -> None:
    venue = make_venue()
    result = venue.submit(market("r", Side.SELL, "1", reduce_only=True))
    assert (result.status, result.code) == (OrderStatus.REJECTED, REDUCE_ONLY)
    assert result.message == "current position is zero, cannot fix reduce-only order qty"
    assert venue.positions() == {}
    assert venue.lookup("r") is None


def test_reduce_only_on_the_side_of_the_position_is_rejected() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "1"))
    result = venue.submit(market("r", Side.BUY, "1", reduce_only=True))
    assert result.code == REDUCE_ONLY
    assert "would increase" in result.message
    assert venue.positions()[BTC].size == 1


def test_reduce_only_larger_than_the_position_is_cut_to_the_position() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "2"))
    result = venue.submit(market("close", Side.SELL, "5", reduce_only=True))
    assert (result.status, result.qty) == (OrderStatus.FILLED, Decimal(2))
    assert "cut to position size 2" in result.message
    assert venue.positions() == {}
    fills, _ = venue.fills_since(0)
    assert fills[-1].qty == 2


def test_partial_reduce_only_leaves_the_rest_on_the_same_side() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.SELL, "3"))
    venue.submit(market("close", Side.BUY, "1", reduce_only=True))
    position = venue.positions()[BTC]
    assert (position.side, position.size) == (Side.SELL, Decimal(2))


def test_resting_reduce_only_orders_are_cancelled_when_the_position_closes() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "1"))
    venue.submit(limit("tp", Side.SELL, "1", "110", reduce_only=True))
    venue.submit(stop("sl", Side.SELL, "1", "90", TriggerDirection.FALL, reduce_only=True))
    venue.submit(market("close", Side.SELL, "1", reduce_only=True))
    assert venue.open_orders() == []
    for link in ("tp", "sl"):
        order = venue.lookup(link)
        assert order is not None
        assert order.status is OrderStatus.CANCELLED
        assert "position closed" in order.reason


def test_take_profit_and_stop_in_one_bar_close_once_and_never_flip() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "1"))
    venue.submit(limit("tp", Side.SELL, "1", "105", reduce_only=True))
    venue.submit(stop("sl", Side.SELL, "1", "95", TriggerDirection.FALL, reduce_only=True))
    venue.on_bar(BTC, bar(T0 + HOUR, "100", "106", "94", "100"))
    assert venue.positions() == {}
    fills, _ = venue.fills_since(0)
    assert [f.order_link_id for f in fills] == ["open", "tp"]


def test_resting_reduce_only_limit_is_cut_when_the_position_shrank() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "3"))
    venue.submit(limit("tp", Side.SELL, "3", "105", reduce_only=True))
    venue.submit(market("part", Side.SELL, "2", reduce_only=True))
    venue.update_market(BTC, Price("105"), ts_ms=T0 + 1)
    assert venue.positions() == {}
    order = venue.lookup("tp")
    assert order is not None
    assert (order.status, order.qty, order.filled_qty) == (
        OrderStatus.FILLED,
        Decimal(1),
        Decimal(1),
    )


def test_an_entry_against_the_position_may_flip_it_but_reduce_only_never_does() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "1"))
    venue.submit(market("flip", Side.SELL, "3"))
    position = venue.positions()[BTC]
    assert (position.side, position.size) == (Side.SELL, Decimal(2))
    venue.submit(market("close", Side.BUY, "10", reduce_only=True))
    assert venue.positions() == {}
