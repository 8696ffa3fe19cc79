"""A plug-in strategy that keeps a live session busy: fills, closes and resting orders.

Used by the crash-recovery tests (``strategy._target_=tests.support.churn.Churn``): on
every closed bar it does the next step of a four-step cycle, so a process killed at a
random moment is caught with a market entry, a resting limit order or a reduce-only
close in flight.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.domain import (
    CloseIntent,
    EntryIntent,
    Intent,
    Money,
    OrderType,
    Price,
    Side,
    Symbol,
    TimeInForce,
)
from bot.strategy.base import Book, ClosedBar


class Churn:
    """Market buy, resting limit buy 2 % below, reduce-only close, pause; repeat."""

    name = "churn"

    def __init__(self, symbol: str, notional: str = "200") -> None:
        self._symbol = Symbol(symbol)
        self._notional = Money(notional)
        self._step = 0

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """The next step of the cycle for this bar."""
        step, self._step = self._step % 4, self._step + 1
        if step == 0:
            return (EntryIntent(self._symbol, Side.BUY, notional=self._notional),)
        if step == 1:
            below = (Decimal(repr(bar.close)) * Decimal("0.98")).quantize(Decimal("0.1"))
            return (
                EntryIntent(
                    self._symbol,
                    Side.BUY,
                    notional=self._notional,
                    order_type=OrderType.LIMIT,
                    limit_price=Price(below),
                    time_in_force=TimeInForce.GTC,
                ),
            )
        if step == 2 and book.position is not None:
            return (CloseIntent(self._symbol),)
        return ()
