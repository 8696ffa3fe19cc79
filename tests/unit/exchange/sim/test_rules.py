"""Instrument rules, link-id uniqueness and balance, each with Bybit's code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import Money, OrderStatus, OrderType, Price, Qty, Side, Symbol
from bot.errors import InvalidValue, VenueRejected
from bot.exchange.protocol import OrderRequest
from bot.exchange.sim import (
    BELOW_MIN_NOTIONAL,
    DUPLICATE_LINK_ID,
    INSUFFICIENT_BALANCE,
    PARAM_ERROR,
    SimExchange,
    SimSettings,
)
from bot.exchange.sim.settings import DEFAULT_BALANCE
from tests.unit.exchange.sim.scripts import BTC, INSTRUMENT, T0, limit, make_venue, market


@pytest.mark.parametrize(
    ("request_", "code", "words"),
    [
        (market("q", Side.BUY, "0.015"), PARAM_ERROR, "qty step 0.01"),
        (limit("p", Side.BUY, "1", "99.05"), PARAM_ERROR, "tick size 0.1"),
        (market("n", Side.BUY, "0.04"), BELOW_MIN_NOTIONAL, "min notional 5"),
        (limit("o", Side.BUY, "0.05", "99"), BELOW_MIN_NOTIONAL, "0.05 x 99 = 4.95"),
        (market("x", Side.BUY, "500.01"), PARAM_ERROR, "max market order qty 500"),
        (limit("y", Side.BUY, "1000.01", "1"), PARAM_ERROR, "max order qty 1000"),
    ],
)
def test_instrument_rules_reject_with_code_and_numbers(
    request_: OrderRequest, code: int, words: str
) -> None:
    venue = make_venue(balance="1000000")
    result = venue.submit(request_)
    assert (result.status, result.code) == (OrderStatus.REJECTED, code)
    assert words in result.message
    assert venue.lookup(request_.order_link_id) is None
    assert venue.accepted_log == []


def test_qty_below_min_order_qty_is_10001() -> None:
    instrument = INSTRUMENT.__class__(
        symbol=BTC,
        tick_size=Price("0.1"),
        qty_step=Qty("0.01"),
        min_order_qty=Qty("0.1"),
        max_order_qty=Qty("10"),
        max_mkt_order_qty=Qty("10"),
        min_notional=Money("1"),
    )
    venue = SimExchange([instrument], SimSettings())
    venue.update_market(BTC, Price("100"), ts_ms=T0)
    result = venue.submit(market("a", Side.BUY, "0.05"))
    assert result.code == PARAM_ERROR
    assert "qty 0.05 < min order qty 0.1" in result.message


def test_limit_order_above_max_market_qty_is_accepted() -> None:
    venue = make_venue(balance="1000000")
    assert venue.submit(limit("a", Side.BUY, "600", "90")).status is OrderStatus.NEW


def test_order_link_id_is_unique_for_the_life_of_the_venue() -> None:
    venue = make_venue()
    assert venue.submit(market("same", Side.BUY, "1")).accepted
    again = venue.submit(market("same", Side.SELL, "1"))
    assert (again.code, again.message) == (DUPLICATE_LINK_ID, "OrderLinkedID is duplicate: same")
    venue.submit(limit("rest", Side.BUY, "1", "90"))
    venue.cancel(BTC, "rest")
    assert venue.submit(limit("rest", Side.BUY, "1", "90")).code == DUPLICATE_LINK_ID


def test_a_link_id_refused_by_validation_may_be_used_again() -> None:
    venue = make_venue()
    assert venue.submit(market("x", Side.BUY, "0.015")).code == PARAM_ERROR
    assert venue.submit(market("x", Side.BUY, "1")).status is OrderStatus.FILLED


def test_entry_needs_margin_plus_fee_within_the_available_balance() -> None:
    venue = make_venue(balance="100", leverage=10)
    # 10 x 100 = 1000 notional: margin 100 + fee 0.55 > 100 available
    refused = venue.submit(market("big", Side.BUY, "10"))
    assert (refused.code, refused.status) == (INSUFFICIENT_BALANCE, OrderStatus.REJECTED)
    assert refused.message.startswith("ab not enough for new order")
    assert "100.55" in refused.message
    assert venue.submit(market("ok", Side.BUY, "9.9")).status is OrderStatus.FILLED


def test_resting_entry_reserves_its_margin() -> None:
    venue = make_venue(balance="100")
    assert venue.submit(limit("a", Side.BUY, "0.9", "90")).accepted  # 81 + fee
    assert venue.submit(limit("b", Side.BUY, "0.3", "90")).code == INSUFFICIENT_BALANCE
    venue.cancel(BTC, "a")
    assert venue.submit(limit("b", Side.BUY, "0.3", "90")).accepted


def test_unknown_symbol_and_no_price_yet_are_refused() -> None:
    venue = make_venue(last=None)
    assert venue.submit(market("a", Side.BUY, "1")).code == PARAM_ERROR
    eth = OrderRequest("b", Symbol("ETHUSDT"), Side.BUY, Qty("1"), OrderType.MARKET, False)
    assert "symbol invalid" in venue.submit(eth).message
    assert venue.ticker(BTC) is None
    with pytest.raises(VenueRejected):
        venue.instrument(Symbol("ETHUSDT"))
    assert venue.instrument(BTC) is INSTRUMENT


def test_batch_answers_every_item_in_order_and_refuses_more_than_ten() -> None:
    venue = make_venue()
    results = venue.submit_batch(
        [market("a", Side.BUY, "1"), market("b", Side.BUY, "0.015"), market("c", Side.BUY, "1")]
    )
    assert [(r.order_link_id, r.accepted) for r in results] == [
        ("a", True),
        ("b", False),
        ("c", True),
    ]
    many = venue.submit_batch([market(f"m{i}", Side.BUY, "1") for i in range(11)])
    assert len(many) == 11
    assert all(r.code == PARAM_ERROR for r in many)


@pytest.mark.parametrize("leverage", [0, 101, -5])
def test_set_leverage_outside_1_to_100_is_refused(leverage: int) -> None:
    venue = make_venue()
    with pytest.raises(VenueRejected) as raised:
        venue.set_leverage(BTC, leverage)
    assert raised.value.code == PARAM_ERROR
    assert venue.leverage(BTC) == 1


def test_set_leverage_changes_the_margin_of_later_entries() -> None:
    venue = make_venue(taker="0")
    venue.set_leverage(BTC, 20)
    venue.submit(market("a", Side.BUY, "10"))
    assert venue.totals().position_margin == Decimal(50)


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(InvalidValue):
        SimSettings(leverage=0)
    with pytest.raises(InvalidValue):
        SimSettings(taker_fee_bps=Decimal("-1"))
    with pytest.raises(InvalidValue):
        SimSettings(funding_interval_ms=0)
    assert SimSettings().initial_balance == DEFAULT_BALANCE
