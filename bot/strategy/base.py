"""What a strategy sees and what it answers, the same in a backtest and live.

A strategy gets each closed bar (as floats: signals are statistics, never money) and
its book (the live position and the account equity), and answers with intents. It
never talks to a venue: the engine hands its intents to the executor, which decides
what, if anything, is sent.
"""

# no `from __future__ import annotations`: beartype must resolve the NamedTuple hints
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple, Protocol, runtime_checkable

from bot.domain import Intent, Position


class ClosedBar(NamedTuple):
    """One closed candle: open time in epoch ms and OHLCV as floats."""

    ts_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float


class Book(NamedTuple):
    """What the strategy may know of the account: the live position and the equity."""

    position: Position | None
    equity: Decimal


@runtime_checkable
class Strategy(Protocol):
    """Turns closed bars into intents."""

    name: str

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """Intents to carry out at the next bar's open (empty: nothing to do)."""
        ...
