"""EMA crossover: long when the fast EMA crosses above the slow one, short when below.

``direction`` limits the sides: ``long`` goes flat instead of short, ``short`` flat
instead of long, ``both`` reverses. A reversal is a reduce-only close of the whole
position followed by an entry, both carried out at the next bar's open.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from bot.domain import CloseIntent, EntryIntent, Intent, Money, Side, Symbol
from bot.errors import InvalidValue
from bot.strategy.base import Book, ClosedBar
from bot.strategy.indicators import EmaStream

Direction = Literal["long", "short", "both"]


class EmaCross:
    """Fast/slow EMA crossover on closes."""

    name = "ema_cross"

    def __init__(
        self, symbol: Symbol, *, fast: int, slow: int, notional: Money, direction: Direction
    ) -> None:
        if not 1 <= fast < slow:
            raise InvalidValue("strategy.fast", fast, f"1 <= fast < slow ({slow})")
        self._symbol = symbol
        self._notional = notional
        self._direction = direction
        self._fast = EmaStream(fast)
        self._slow = EmaStream(slow)
        self._above: bool | None = None
        self._close_all = CloseIntent(symbol, Decimal(1), tag="ema_cross exit")

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """Act on a cross of the fast EMA over or under the slow one."""
        position = book.position
        fast = self._fast.update(bar.close)
        slow = self._slow.update(bar.close)
        if math.isnan(fast) or math.isnan(slow):  # still warming up
            return ()
        above = fast > slow
        crossed = self._above is not None and above != self._above
        self._above = above
        if not crossed:
            return ()
        want = Side.BUY if above else Side.SELL
        allowed = self._direction == "both" or (self._direction == "long") == above
        intents: list[Intent] = []
        if position is not None and position.side is not want:
            intents.append(self._close_all)
        if allowed and (position is None or position.side is not want):
            intents.append(
                EntryIntent(self._symbol, want, notional=self._notional, tag="ema_cross entry")
            )
        return intents
