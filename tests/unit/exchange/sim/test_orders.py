"""Order types and time-in-force on the sim venue, with exact fee and slippage numbers."""

from __future__ import annotations

from decimal import Decimal

from bot.domain import OrderStatus, Price, Side, TimeInForce, TriggerDirection
from bot.exchange.sim import POST_ONLY_WOULD_TAKE, TRIGGER_ABOVE_FALLING, TRIGGER_BELOW_RISING
from tests.unit.exchange.sim.scripts import BTC, HOUR, T0, bar, limit, make_venue, market, stop


def test_market_buy_fills_at_last_moved_up_by_slippage_and_rounded_up_to_tick() -> None:
    venue = make_venue(slippage="5")  # 100 * 1.0005 = 100.05 -> 100.1
    result = venue.submit(market("m1", Side.BUY, "1"))
    assert result.status is OrderStatus.FILLED
    assert result.order_id == "sim-1"
    fills, _ = venue.fills_since(0)
    assert [(f.price, f.qty, f.fee, f.is_maker) for f in fills] == [
        (Decimal("100.1"), Decimal("1"), Decimal("0.055055"), False)
    ]
    position = venue.positions()[BTC]
    assert (position.side, position.size, position.entry_price) == (
        Side.BUY,
        Decimal(1),
        Decimal("100.1"),
    )


def test_market_sell_fills_at_last_moved_down_and_rounded_down_to_tick() -> None:
    venue = make_venue(slippage="5")  # 100 * 0.9995 = 99.95 -> 99.9
    venue.submit(market("m1", Side.SELL, "2"))
    fills, _ = venue.fills_since(0)
    assert fills[0].price == Decimal("99.9")
    assert fills[0].fee == Decimal("2") * Decimal("99.9") * Decimal("0.00055")


def test_gtc_limit_rests_then_fills_at_its_price_as_maker_when_the_bar_reaches_it() -> None:
    venue = make_venue()
    result = venue.submit(limit("l1", Side.BUY, "1", "99"))
    assert result.status is OrderStatus.NEW
    assert [o.order_link_id for o in venue.open_orders(BTC)] == ["l1"]
    venue.on_bar(BTC, bar(T0 + 60_000, "100", "100.5", "99.5", "100"))
    assert venue.fills_since(0) == ([], 0)
    venue.on_bar(BTC, bar(T0 + 120_000, "100", "100", "98", "98.5"))
    fills, cursor = venue.fills_since(0)
    assert cursor == 1
    assert (fills[0].price, fills[0].fee, fills[0].is_maker) == (
        Decimal("99"),
        Decimal("0.0198"),
        True,
    )
    assert venue.open_orders() == []
    looked_up = venue.lookup("l1")
    assert looked_up is not None
    assert looked_up.status is OrderStatus.FILLED


def test_crossing_limit_fills_as_taker_but_never_worse_than_its_limit() -> None:
    venue = make_venue(slippage="50")  # slipped buy would be 100.5
    venue.submit(limit("l1", Side.BUY, "1", "100.2"))
    fills, _ = venue.fills_since(0)
    assert (fills[0].price, fills[0].is_maker) == (Decimal("100.2"), False)


def test_ioc_that_does_not_cross_is_cancelled_without_a_fill() -> None:
    venue = make_venue()
    result = venue.submit(limit("i1", Side.BUY, "1", "99", TimeInForce.IOC))
    assert result.status is OrderStatus.CANCELLED
    assert result.accepted
    assert venue.open_orders() == []
    assert venue.positions() == {}


def test_ioc_that_crosses_fills_and_leaves_nothing_resting() -> None:
    venue = make_venue()
    result = venue.submit(limit("i1", Side.SELL, "1", "99.5", TimeInForce.IOC))
    assert result.status is OrderStatus.FILLED
    assert venue.positions()[BTC].side is Side.SELL
    assert venue.open_orders() == []


def test_fok_that_cannot_fill_fully_is_cancelled() -> None:
    venue = make_venue()
    result = venue.submit(limit("f1", Side.SELL, "1", "101", TimeInForce.FOK))
    assert result.status is OrderStatus.CANCELLED
    assert venue.fills_since(0) == ([], 0)
    looked_up = venue.lookup("f1")
    assert looked_up is not None
    assert looked_up.status is OrderStatus.CANCELLED


def test_fok_that_crosses_fills_fully() -> None:
    venue = make_venue()
    result = venue.submit(limit("f1", Side.BUY, "3", "100", TimeInForce.FOK))
    assert (result.status, venue.positions()[BTC].size) == (OrderStatus.FILLED, Decimal(3))


def test_post_only_that_would_cross_is_rejected_with_the_reason() -> None:
    venue = make_venue()
    result = venue.submit(limit("p1", Side.BUY, "1", "100", TimeInForce.POST_ONLY))
    assert result.status is OrderStatus.REJECTED
    assert not result.accepted
    assert result.code == POST_ONLY_WOULD_TAKE
    assert "EC_PostOnlyWillTakeLiquidity" in result.message
    assert "100" in result.message
    assert venue.positions() == {}
    assert venue.accepted_log == []
    kept = venue.lookup("p1")  # Bybit created it, so the link id stays taken
    assert kept is not None
    assert kept.status is OrderStatus.REJECTED


def test_post_only_that_rests_fills_as_maker() -> None:
    venue = make_venue()
    assert venue.submit(limit("p1", Side.SELL, "1", "101", TimeInForce.POST_ONLY)).accepted
    venue.update_market(BTC, Price("101"), ts_ms=T0 + 1)
    fills, _ = venue.fills_since(0)
    assert (fills[0].price, fills[0].is_maker) == (Decimal("101"), True)


def test_stop_rise_rests_untriggered_then_fires_at_trigger_with_slippage() -> None:
    venue = make_venue(slippage="10")
    result = venue.submit(stop("s1", Side.BUY, "1", "105", TriggerDirection.RISE))
    assert result.status is OrderStatus.UNTRIGGERED
    venue.on_bar(BTC, bar(T0 + HOUR, "100", "104.9", "99", "104"))
    assert venue.positions() == {}
    venue.on_bar(BTC, bar(T0 + 2 * HOUR, "104", "107", "103", "106"))
    fills, _ = venue.fills_since(0)
    # 105 * 1.001 = 105.105 -> rounded up to 105.2, taker fee
    assert (fills[0].price, fills[0].is_maker) == (Decimal("105.2"), False)


def test_stop_fall_fires_when_price_falls_to_the_trigger() -> None:
    venue = make_venue()
    venue.submit(stop("s1", Side.SELL, "1", "95", TriggerDirection.FALL))
    venue.update_market(BTC, Price("95.1"), ts_ms=T0 + 1)
    assert venue.positions() == {}
    venue.update_market(BTC, Price("95"), ts_ms=T0 + 2)
    assert venue.positions()[BTC].side is Side.SELL
    order = venue.lookup("s1")
    assert order is not None
    assert order.status is OrderStatus.FILLED


def test_stop_gapped_through_fills_from_the_open_not_the_trigger() -> None:
    venue = make_venue()
    venue.submit(stop("s1", Side.SELL, "1", "95", TriggerDirection.FALL))
    venue.on_bar(BTC, bar(T0 + HOUR, "90", "91", "89", "90.5"))
    fills, _ = venue.fills_since(0)
    assert fills[0].price == Decimal("90")


def test_stop_on_the_wrong_side_of_the_market_is_rejected() -> None:
    venue = make_venue()
    rising = venue.submit(stop("s1", Side.BUY, "1", "100", TriggerDirection.RISE))
    falling = venue.submit(stop("s2", Side.SELL, "1", "100.1", TriggerDirection.FALL))
    assert (rising.code, falling.code) == (TRIGGER_BELOW_RISING, TRIGGER_ABOVE_FALLING)
    assert "expect Rising" in rising.message
    assert "expect Falling" in falling.message


def test_cancel_and_cancel_all() -> None:
    venue = make_venue()
    for link, price in (("a", "90"), ("b", "91"), ("c", "92")):
        venue.submit(limit(link, Side.BUY, "1", price))
    assert venue.cancel(BTC, "b").status is OrderStatus.CANCELLED
    assert venue.cancel(BTC, "b").code == 110001
    assert venue.cancel_all(BTC) == ["a", "c"]
    assert venue.open_orders() == []
    assert venue.balance().available == Decimal("10000")
