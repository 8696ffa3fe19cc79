"""The account views the order path reads on every entry: each answer is current.

``positions()`` hands out one Position per book until the book changes, ``balance()``
shares one Amount between equal numbers, taker prices use the slippage factors worked
out once per venue, and a market entry is kept without a live Order until a lookup asks
for it; none of that may ever show a stale or different number.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pytest

from bot.domain import OrderStatus, Position, Price, Qty, Side
from bot.exchange.sim import DUPLICATE_LINK_ID
from bot.exchange.sim.fees import BPS, Slippage
from tests.unit.exchange.sim.scripts import (
    BTC,
    INSTRUMENT,
    T0,
    filled_whole,
    make_venue,
    market,
)


def test_positions_follow_every_add_and_reduce_of_the_book() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "1"))
    first = venue.positions()[BTC]
    assert first == Position(BTC, Side.BUY, Qty("1"), Price("100"))
    assert venue.positions()[BTC] is first  # unchanged book: the same immutable view
    venue.update_market(BTC, Price("110"), ts_ms=T0 + 1)
    assert venue.positions()[BTC] is first  # a price move does not change the position
    venue.submit(market("add", Side.BUY, "1"))
    assert venue.positions()[BTC] == Position(BTC, Side.BUY, Qty("2"), Price("105"))
    venue.submit(market("cut", Side.SELL, "0.5"))
    assert venue.positions()[BTC] == Position(BTC, Side.BUY, Qty("1.5"), Price("105"))
    venue.submit(market("flip", Side.SELL, "2"))
    assert venue.positions()[BTC] == Position(BTC, Side.SELL, Qty("0.5"), Price("110"))
    venue.submit(market("close", Side.BUY, "0.5"))
    assert venue.positions() == {}


def test_a_market_entry_looks_up_as_the_filled_order_the_order_path_would_have_built() -> None:
    venue = make_venue(slippage="10")
    request = market("entry", Side.BUY, "2")
    answer = venue.submit(request)
    (fill,), _ = venue.fills_since(0)
    assert fill.price == Price("100.1")
    assert (answer.status, answer.qty, answer.message) == (OrderStatus.FILLED, Qty("2"), "")
    order = venue.lookup("entry")
    assert order == filled_whole(request, answer.order_id, fill.exec_id)
    assert order is not None
    assert (order.reduce_only, order.filled_qty) == (False, Qty("2"))
    again = venue.lookup("entry")
    assert again == order
    assert again is not order  # each lookup answers its own copy


def test_a_reused_link_id_of_a_market_entry_is_refused() -> None:
    venue = make_venue()
    venue.submit(market("entry", Side.BUY, "1"))
    again = venue.submit(market("entry", Side.SELL, "1"))
    assert again.status is OrderStatus.REJECTED
    assert again.code == DUPLICATE_LINK_ID
    assert venue.positions()[BTC].size == Qty("1")


def test_positions_answers_a_new_dict_each_call() -> None:
    venue = make_venue()
    venue.submit(market("open", Side.BUY, "1"))
    mine = venue.positions()
    mine.clear()
    assert BTC in venue.positions()


def test_flat_balance_is_the_wallet_three_times_and_held_balance_marks_the_position() -> None:
    venue = make_venue(balance="10000", taker="5.5", leverage=2)
    venue.submit(market("open", Side.BUY, "10"))  # 1000 notional: 500 margin, 0.55 fee
    held = venue.balance()
    assert held.wallet == Decimal("9999.45")
    assert held.available == Decimal("9499.45")
    assert held.equity == Decimal("9999.45")
    venue.update_market(BTC, Price("101"), ts_ms=T0 + 1)
    assert venue.balance().equity == Decimal("10009.45")
    venue.submit(market("close", Side.SELL, "10"))  # +10 PnL, 0.5555 fee
    flat = venue.balance()
    assert flat.wallet == Decimal("10008.8945")
    # the same number, down to the exponent, in all three fields
    assert str(flat.wallet) == str(flat.equity) == str(flat.available)


def test_balance_before_any_booking_keeps_each_number_as_it_is() -> None:
    venue = make_venue(balance="10000")
    balance = venue.balance()
    assert balance.wallet == balance.equity == balance.available == Decimal(10000)
    # the equity is rounded to the money quantum, the wallet is the initial balance
    assert str(balance.wallet) == "10000"
    assert str(balance.equity) == "10000.000000000000"


@pytest.mark.parametrize("bps", ["0", "1", "2.5", "37", "1000"])
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
@pytest.mark.parametrize("base", ["0.05", "0.1", "99.95", "100", "100.04", "40000"])
def test_taker_price_is_the_reference_moved_by_slippage_onto_the_grid(
    bps: str, side: Side, base: str
) -> None:
    tick = INSTRUMENT.tick_size
    moved = Decimal(base) * (1 + side.sign * Decimal(bps) / BPS)
    rounding = ROUND_CEILING if side is Side.BUY else ROUND_FLOOR
    ticks = max((moved / tick).to_integral_value(rounding=rounding), Decimal(1))
    price = Slippage(Decimal(bps)).taker_price(Decimal(base), side, INSTRUMENT)
    assert type(price) is Price
    assert str(price) == str(ticks * tick)
