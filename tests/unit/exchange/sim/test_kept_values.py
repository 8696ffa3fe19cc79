"""Values the venue works out once and keeps: each one follows every change it depends on.

A market close filled whole keeps no live Order (a lookup builds the one the order path
would have), a position's bankruptcy price is kept until the position changes, a taker
price is shared by both sides only when both sides would get it, and the marking's
``others`` counts the books of the other symbols.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.domain import Instrument, OrderStatus, OrderType, Price, Qty, Side, Symbol
from bot.exchange.protocol import OrderRequest
from bot.exchange.sim import SimExchange, SimSettings
from bot.exchange.sim.fees import Slippage
from tests.unit.exchange.sim.scripts import (
    BTC,
    INSTRUMENT,
    T0,
    filled_whole,
    make_venue,
    market,
)

ETH = Symbol("ETHUSDT")


def test_a_market_close_filled_whole_looks_up_as_the_order_the_order_path_builds() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "2"))
    request = market("close", Side.SELL, "2", reduce_only=True)
    answer = venue.submit(request)
    assert (answer.status, answer.qty, answer.message) == (OrderStatus.FILLED, Qty("2"), "")
    fills, _ = venue.fills_since(1)
    assert [(f.order_link_id, f.qty) for f in fills] == [("close", Qty("2"))]
    order = venue.lookup("close")
    assert order == filled_whole(request, answer.order_id, fills[0].exec_id)
    assert order is not None
    assert (order.reduce_only, order.filled_qty) == (True, Qty("2"))
    assert venue.positions() == {}


def test_a_market_close_larger_than_the_position_still_records_its_cut() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.SELL, "1"))
    answer = venue.submit(market("close", Side.BUY, "3", reduce_only=True))
    order = venue.lookup("close")
    assert order is not None
    assert (order.status, order.qty, order.filled_qty) == (OrderStatus.FILLED, Qty(1), Qty(1))
    assert order.reason == answer.message == "reduce-only qty 3 cut to position size 1"


def test_a_market_close_priced_past_bankruptcy_liquidates_and_is_cancelled() -> None:
    # bought at 101 (100 + 1% slippage) at 10x: bankrupt at 90.9; the close sells at
    # 91.5 - 1% = 90.585, floored to 90.5, past it
    venue = make_venue(leverage=10, slippage="100")
    venue.submit(market("open", Side.BUY, "1"))
    venue.update_market(BTC, Price("91.5"), ts_ms=T0 + 1)
    assert venue.liquidations == []
    answer = venue.submit(market("close", Side.SELL, "1", reduce_only=True))
    assert answer.status is OrderStatus.CANCELLED
    assert answer.message == "reduce-only order cancelled: no position to reduce"
    assert [liq.bankruptcy_price for liq in venue.liquidations] == [Price("90.9")]
    assert venue.positions() == {}
    order = venue.lookup("close")
    assert order is not None
    assert order.status is OrderStatus.CANCELLED


def test_the_kept_bankruptcy_price_follows_every_add_and_reduce() -> None:
    venue = make_venue(leverage=10)
    venue.submit(market("open", Side.BUY, "1"))  # cost 100, margin 10
    assert venue.marking(BTC).bankruptcy == Decimal(90)
    venue.update_market(BTC, Price("110"), ts_ms=T0 + 1)
    venue.submit(market("add", Side.BUY, "1"))  # cost 210, margin 21
    assert venue.marking(BTC).bankruptcy == Decimal("94.5")
    venue.submit(market("cut", Side.SELL, "1", reduce_only=True))  # half of each released
    assert venue.marking(BTC).bankruptcy == Decimal("94.5")
    venue.update_market(BTC, Price("95"), ts_ms=T0 + 2)
    assert venue.liquidations == []
    assert venue.positions()[BTC].size == Qty(1)
    # 94 is above the first position's 90 but at or past the changed position's 94.5
    venue.update_market(BTC, Price("94"), ts_ms=T0 + 3)
    assert [liq.bankruptcy_price for liq in venue.liquidations] == [Price("94.5")]
    assert venue.positions() == {}


def test_a_new_position_after_flat_gets_its_own_bankruptcy_price() -> None:
    venue = make_venue(leverage=5)
    venue.submit(market("open", Side.SELL, "1"))
    assert venue.marking(BTC).bankruptcy == Decimal(120)
    venue.submit(market("flip", Side.BUY, "2"))  # closes the short, opens a long of 1
    assert venue.marking(BTC).bankruptcy == Decimal(80)


def _fresh(base: Decimal, side: Side, bps: str, instrument: Instrument) -> Price:
    return Slippage(Decimal(bps)).taker_price(base, side, instrument)


def test_a_kept_taker_price_serves_the_other_side_only_when_it_is_the_same() -> None:
    coarse = replace(INSTRUMENT, tick_size=Price("0.5"))
    for bps in ("0", "2.5"):
        slippage = Slippage(Decimal(bps))
        for text in ("100.1", "100.04", "100.1", "100.25", "100"):
            base = Decimal(text)
            for instrument in (INSTRUMENT, coarse, INSTRUMENT):
                for side in (Side.BUY, Side.SELL, Side.BUY):
                    got = slippage.taker_price(base, side, instrument)
                    assert str(got) == str(_fresh(base, side, bps, instrument))
    on_grid = Decimal("100.1")
    shared = Slippage(Decimal(0))
    assert shared.taker_price(on_grid, Side.SELL, INSTRUMENT) is shared.taker_price(
        on_grid, Side.BUY, INSTRUMENT
    )
    off_grid = Decimal("100.04")
    assert shared.taker_price(off_grid, Side.SELL, INSTRUMENT) == Price("100")
    assert shared.taker_price(off_grid, Side.BUY, INSTRUMENT) == Price("100.1")


def _two_symbol_venue() -> SimExchange:
    eth = replace(INSTRUMENT, symbol=ETH, tick_size=Price("0.01"))
    venue = SimExchange([INSTRUMENT, eth], SimSettings())
    venue.update_market(BTC, Price("100"), ts_ms=T0)
    venue.update_market(ETH, Price("10"), ts_ms=T0)
    return venue


def test_marking_others_counts_only_the_positions_of_other_symbols() -> None:
    venue = _two_symbol_venue()
    venue.submit(OrderRequest("eth", ETH, Side.BUY, Qty("1"), OrderType.MARKET, False))
    assert (venue.marking(BTC).others, venue.marking(ETH).others) == (True, False)
    venue.submit(market("btc", Side.BUY, "1"))
    assert (venue.marking(BTC).others, venue.marking(ETH).others) == (True, True)
    venue.submit(market("btc-close", Side.SELL, "1", reduce_only=True))
    assert (venue.marking(BTC).others, venue.marking(ETH).others) == (True, False)


def test_an_empty_positions_answer_is_a_new_dict_each_call() -> None:
    venue = make_venue()
    mine = venue.positions()
    mine[BTC] = "not a position"  # type: ignore[assignment]
    assert venue.positions() == {}
