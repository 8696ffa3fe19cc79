"""Trades rebuilt from fills: opens, adds, partial and full closes, flips."""

from __future__ import annotations

from decimal import Decimal

from bot.domain import Amount, Fill, Price, Qty, Side, Symbol
from bot.engine.trades import TradeBook
from bot.report.record import TradeRecord

BTC = Symbol("BTCUSDT")
T0 = 1_704_067_200_000


def _fill(n: int, side: Side, qty: str, price: str, fee: str = "0.1") -> Fill:
    return Fill(f"e{n}", f"o{n}", BTC, side, Qty(qty), Price(price), Amount(fee), T0 + n)


def test_a_long_round_trip_books_pnl_and_fees() -> None:
    book = TradeBook(BTC)
    assert book.on_fill(_fill(1, Side.BUY, "1", "100")) is None
    trade = book.on_fill(_fill(2, Side.SELL, "1", "110"))
    assert trade is not None
    assert trade.side is Side.BUY
    assert trade.pnl == Decimal(10)
    assert trade.fees == Decimal("0.2")
    assert trade.net == Decimal("9.8")
    assert (trade.entry_ts_ms, trade.exit_ts_ms) == (T0 + 1, T0 + 2)
    assert book.size == 0


def test_adds_average_the_entry_and_partial_exits_average_the_exit() -> None:
    book = TradeBook(BTC)
    book.on_fill(_fill(1, Side.SELL, "1", "100"))
    book.on_fill(_fill(2, Side.SELL, "1", "110"))
    assert book.on_fill(_fill(3, Side.BUY, "1", "90")) is None
    trade = book.on_fill(_fill(4, Side.BUY, "1", "100"))
    assert trade is not None
    assert trade.side is Side.SELL
    assert trade.qty == Decimal(2)
    assert trade.entry_price == Decimal(105)
    assert trade.exit_price == Decimal(95)
    assert trade.pnl == Decimal(20)


def test_a_flipping_fill_closes_one_trade_and_opens_the_next() -> None:
    book = TradeBook(BTC)
    book.on_fill(_fill(1, Side.BUY, "1", "100", fee="0"))
    trade = book.on_fill(_fill(2, Side.SELL, "3", "90", fee="0.3"))
    assert trade is not None
    assert trade.pnl == Decimal(-10)
    assert trade.fees == Decimal("0.1")
    assert book.size == Decimal(-2)
    closing = book.on_fill(_fill(3, Side.BUY, "2", "80", fee="0"))
    assert closing is not None
    assert closing.pnl == Decimal(20)
    assert closing.fees == Decimal("0.2")
    assert [t.side for t in book.trades] == [Side.BUY, Side.SELL]


def test_a_completed_trade_carries_every_field_of_the_round_trip() -> None:
    book = TradeBook(BTC)
    book.on_fill(_fill(1, Side.SELL, "2", "100", fee="0.2"))
    book.on_fill(_fill(2, Side.BUY, "1", "95", fee="0.1"))
    trade = book.on_fill(_fill(3, Side.BUY, "1", "97", fee="0.1"))
    assert trade == TradeRecord(
        symbol=BTC,
        side=Side.SELL,
        qty=Decimal(2),
        entry_ts_ms=T0 + 1,
        entry_price=Decimal(100),
        exit_ts_ms=T0 + 3,
        exit_price=Decimal(96),
        pnl=Decimal(8),
        fees=Decimal("0.4"),
    )
    assert type(trade.fees) is Decimal  # the fees of the fills, summed as plain numbers
    assert book.trades == [trade]
