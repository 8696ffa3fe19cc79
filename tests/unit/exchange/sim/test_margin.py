"""Isolated margin: balance and equity, funding, liquidation at the bankruptcy price."""

from __future__ import annotations

from decimal import Decimal

from bot.domain import Price, Side, TriggerDirection
from bot.exchange.sim import is_liquidation
from tests.unit.exchange.sim.scripts import BTC, HOUR, T0, bar, make_venue, market, stop


def test_balance_wallet_equity_and_available() -> None:
    venue = make_venue(leverage=10, taker="10")
    venue.submit(market("a", Side.BUY, "10"))  # notional 1000, fee 1, margin 100
    venue.update_market(BTC, Price("101"), ts_ms=T0 + 1)
    balance = venue.balance()
    assert balance.wallet == Decimal("9999")
    assert balance.equity == Decimal("10009")
    assert balance.available == Decimal("9899")


def test_realised_pnl_and_fees_reach_the_wallet_exactly() -> None:
    venue = make_venue(taker="5.5")
    venue.submit(market("a", Side.BUY, "2"))
    venue.update_market(BTC, Price("110"), ts_ms=T0 + 1)
    venue.submit(market("b", Side.SELL, "2", reduce_only=True))
    totals = venue.totals()
    assert totals.realised_pnl == Decimal(20)
    assert totals.fees == Decimal("0.11") + Decimal("0.121")
    assert totals.wallet == Decimal(10_000) + 20 - Decimal("0.231")
    assert venue.balance().equity == totals.wallet


def test_funding_every_eight_hours_longs_pay_positive_rates() -> None:
    venue = make_venue(funding="0.0001", taker="0")
    venue.submit(market("a", Side.BUY, "10"))
    venue.update_market(BTC, Price("100"), ts_ms=T0 + 8 * HOUR - 1)
    assert venue.funding_payments == []
    venue.update_market(BTC, Price("100"), ts_ms=T0 + 8 * HOUR)
    payments = venue.funding_payments
    assert [(p.amount, p.ts_ms, p.side) for p in payments] == [
        (Decimal("-0.1"), T0 + 8 * HOUR, Side.BUY)
    ]
    assert venue.funding_total() == Decimal("-0.1")
    assert venue.balance().wallet == Decimal("9999.9")


def test_shorts_receive_positive_funding_once_per_boundary_crossed() -> None:
    venue = make_venue(funding="0.0001", taker="0")
    venue.submit(market("a", Side.SELL, "10"))
    venue.update_market(BTC, Price("100"), ts_ms=T0 + 24 * HOUR)  # three boundaries
    assert [p.ts_ms for p in venue.funding_payments] == [
        T0 + 8 * HOUR,
        T0 + 16 * HOUR,
        T0 + 24 * HOUR,
    ]
    assert venue.funding_total() == Decimal("0.3")


def test_funding_uses_the_mark_price_when_known() -> None:
    venue = make_venue(funding="-0.001", taker="0")
    venue.submit(market("a", Side.BUY, "1"))
    venue.update_market(BTC, Price("100"), Price("120"), ts_ms=T0 + 8 * HOUR)
    assert venue.funding_total() == Decimal("0.12")  # negative rate: longs receive


def test_no_funding_without_a_position() -> None:
    venue = make_venue()
    venue.update_market(BTC, Price("100"), ts_ms=T0 + 100 * HOUR)
    venue.submit(market("a", Side.BUY, "1"))
    venue.update_market(BTC, Price("100"), ts_ms=T0 + 103 * HOUR)
    assert venue.funding_payments == []  # boundaries at 8 h multiples: next is 104 h
    venue.update_market(BTC, Price("100"), ts_ms=T0 + 104 * HOUR)
    assert [p.ts_ms for p in venue.funding_payments] == [T0 + 104 * HOUR]


def test_long_is_liquidated_at_the_bankruptcy_price_and_loses_its_margin() -> None:
    venue = make_venue(leverage=10, taker="0")
    venue.submit(market("a", Side.BUY, "10"))  # entry 100, margin 100, bankruptcy 90
    venue.update_market(BTC, Price("90.1"), ts_ms=T0 + 1)
    assert venue.positions()[BTC].size == 10
    venue.update_market(BTC, Price("89.5"), ts_ms=T0 + 2)
    assert venue.positions() == {}
    (liquidation,) = venue.liquidations
    assert (liquidation.side, liquidation.bankruptcy_price, liquidation.margin_lost) == (
        Side.BUY,
        Decimal(90),
        Decimal(100),
    )
    fills, _ = venue.fills_since(0)
    assert is_liquidation(fills[-1])
    assert not is_liquidation(fills[0])
    assert (fills[-1].side, fills[-1].price, fills[-1].qty) == (Side.SELL, Decimal(90), Decimal(10))
    assert venue.balance().wallet == Decimal(9900)


def test_short_is_liquidated_when_the_mark_reaches_the_bankruptcy_price() -> None:
    venue = make_venue(leverage=5, taker="0")
    venue.submit(market("a", Side.SELL, "10"))  # bankruptcy 100 * 1.2 = 120
    venue.update_market(BTC, Price("110"), Price("119.9"), ts_ms=T0 + 1)
    assert BTC in venue.positions()
    venue.update_market(BTC, Price("110"), Price("120"), ts_ms=T0 + 2)
    assert venue.positions() == {}
    assert venue.liquidations[0].bankruptcy_price == Decimal(120)
    assert venue.totals().liquidation_losses == Decimal(200)


def test_bar_range_reaching_the_bankruptcy_price_liquidates() -> None:
    venue = make_venue(leverage=4, taker="0")
    venue.submit(market("a", Side.SELL, "1"))  # bankruptcy 125
    venue.on_bar(BTC, bar(T0 + HOUR, "100", "126", "99", "101"))
    assert venue.positions() == {}
    assert len(venue.liquidations) == 1


def test_a_stop_beyond_the_bankruptcy_price_never_loses_more_than_the_margin() -> None:
    venue = make_venue(leverage=10, taker="0")
    venue.submit(market("a", Side.BUY, "10"))  # bankruptcy 90
    venue.submit(stop("sl", Side.SELL, "10", "85", TriggerDirection.FALL, reduce_only=True))
    venue.on_bar(BTC, bar(T0 + HOUR, "100", "100", "80", "82"))
    assert venue.totals().realised_pnl == Decimal(-100)
    assert len(venue.liquidations) == 1
    order = venue.lookup("sl")
    assert order is not None
    assert order.filled_qty == 0


def test_one_times_leverage_long_is_never_liquidated() -> None:
    venue = make_venue(leverage=1, taker="0")
    venue.submit(market("a", Side.BUY, "1"))
    venue.update_market(BTC, Price("0.1"), ts_ms=T0 + 1)
    assert venue.liquidations == []
    assert venue.positions()[BTC].size == 1
