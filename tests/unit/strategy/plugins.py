"""Python strategy classes for the ``_target_`` plug-in tests."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import EntryIntent, Intent, Money, Side, Symbol
from bot.strategy.base import Book, ClosedBar


class BuyOnce:
    """Buys ``notional`` USDT on the first bar, then holds."""

    name = "buy_once"

    def __init__(self, symbol: str, notional: str) -> None:
        self._entry = EntryIntent(Symbol(symbol), Side.BUY, notional=Money(notional))
        self._done = False

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """The entry once, nothing afterwards."""
        if self._done:
            return ()
        self._done = True
        return (self._entry,)


class NotAStrategy:
    """Has no ``on_bar``."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
