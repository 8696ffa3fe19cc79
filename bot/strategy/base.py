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

import numpy as np
from numpy.typing import NDArray

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


@runtime_checkable
class BarPlan(Protocol):
    """A strategy prepared for a whole series of bars known in advance (a backtest).

    The backtest asks :meth:`next_bar` which bar the strategy must see next and calls
    :meth:`on_bar` on it, and on every bar where an order filled or the venue acted;
    the bars in between are handed to :meth:`skip`. A plan answers on each bar exactly
    what the strategy's own :meth:`Strategy.on_bar` would, and leaves the strategy in
    the same state.
    """

    def next_bar(self, start: int, stop: int) -> int:
        """The first bar from ``start`` on where the answer may be non-empty (given
        what the strategy holds now), or ``stop`` if none before it."""
        ...

    def on_bar(self, index: int, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """What :meth:`Strategy.on_bar` answers on bar ``index`` (which is ``bar``)."""
        ...

    def skip(self, start: int, stop: int) -> None:
        """Bars ``start`` to ``stop - 1`` passed without an answer and without fills."""
        ...


@runtime_checkable
class PlannedStrategy(Protocol):
    """A strategy that can prepare a :class:`BarPlan` for a whole series of bars."""

    def plan(
        self,
        open_: NDArray[np.float64],
        high: NDArray[np.float64],
        low: NDArray[np.float64],
        close: NDArray[np.float64],
        volume: NDArray[np.float64],
    ) -> BarPlan | None:
        """A plan over these columns, or None when this strategy cannot plan them."""
        ...
