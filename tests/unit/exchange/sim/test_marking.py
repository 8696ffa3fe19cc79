"""What the venue hands a backtest to price the bars between two market updates."""

from __future__ import annotations

from decimal import Decimal

from bot.domain import Price, Side
from tests.unit.exchange.sim.scripts import BTC, T0, limit, make_venue, market


def test_flat_account_is_its_wallet() -> None:
    venue = make_venue()
    marking = venue.marking(BTC)
    assert marking.sign == 0
    assert marking.size == marking.cost == Decimal(0)
    assert marking.bankruptcy is None
    assert marking.wallet == Decimal("10000")
    assert not marking.resting
    assert not marking.others
    assert venue.equity_at(BTC, Price("123.4")) == venue.balance().equity


def test_long_position_marks_like_the_balance_at_that_price() -> None:
    venue = make_venue(leverage=10)
    assert venue.submit(market("open", Side.BUY, "3")).accepted
    marking = venue.marking(BTC)
    assert (marking.sign, marking.size, marking.cost) == (1, Decimal("3"), Decimal("300.0"))
    assert marking.bankruptcy == Decimal("90")
    for last in ("100", "97.3", "131.1"):
        expected = marking.wallet + marking.sign * (marking.size * Decimal(last) - marking.cost)
        assert venue.equity_at(BTC, Price(last)) == expected
        venue.update_market(BTC, Price(last), ts_ms=T0 + 1)
        assert venue.balance().equity == expected


def test_short_position_and_resting_orders_are_reported() -> None:
    venue = make_venue(leverage=5)
    assert venue.submit(market("open", Side.SELL, "2")).accepted
    assert venue.submit(limit("take", Side.BUY, "1", "90", reduce_only=True)).accepted
    marking = venue.marking(BTC)
    assert marking.sign == -1
    assert marking.bankruptcy == Decimal("120")
    assert marking.resting
    assert venue.equity_at(BTC, Price("110")) == marking.wallet - (2 * Decimal(110) - 200)


def test_equity_at_changes_nothing() -> None:
    venue = make_venue()
    assert venue.submit(market("open", Side.BUY, "1")).accepted
    before = (venue.balance(), venue.ticker(BTC), venue.server_time_ms())
    venue.equity_at(BTC, Price("500"))
    assert (venue.balance(), venue.ticker(BTC), venue.server_time_ms()) == before
