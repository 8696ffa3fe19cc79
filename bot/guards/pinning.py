"""One price per order: the guards and the sizing of an entry read the same ticker.

A live ticker book changes under the order path: the stream thread writes a new ticker
whenever one arrives. Read once by each price guard and once more for sizing, an entry
could pass the band on one ticker and be sized from a later one that no guard looked at
(a bad print between two reads). :class:`PinnedPrices` closes that gap: while the
executor prepares an order it holds the source (:meth:`PinnedPrices.hold`), and every
read of a symbol in that hold, on that thread, gets the answer of the first read (the
same ticker, or the same error). Outside a hold, and on other threads, reads go to the
source as usual, so a hold never delays the stream or another order.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.domain import Symbol, Ticker
from bot.domain.hotpath import hot_path
from bot.guards.base import PriceSource

#: The first answer of a read in a hold: the ticker (or None), or what the read raised.
Answer = tuple[Ticker | None, Exception | None]


class _Held(threading.local):
    """This thread's answers in its current hold, and how deeply holds are nested."""

    def __init__(self) -> None:
        self.depth = 0
        self.answers: dict[Symbol, Answer] = {}


class PinnedPrices:
    """A :class:`~bot.guards.base.PriceSource` whose reads stand still during a hold.

    Give the same instance to the guards and to the executor: the executor holds it
    while it prepares each order, so the ticker the guards checked is the one the entry
    is sized from.
    """

    def __init__(self, source: PriceSource) -> None:
        self._source = source
        self._held = _Held()

    @property
    def source(self) -> PriceSource:
        """The source read at the first read of each symbol in a hold."""
        return self._source

    @hot_path  # what it returns is the source's answer, which every reader validates
    def ticker(self, symbol: Symbol) -> Ticker | None:
        """The source's latest ticker; within a hold, the one its first read gave."""
        held = self._held
        if not held.depth:
            return self._source.ticker(symbol)
        answer = held.answers.get(symbol)
        if answer is None:
            try:
                answer = (self._source.ticker(symbol), None)
            except Exception as exc:  # noqa: BLE001 -- kept: every later read raises it too
                answer = (None, exc)
            held.answers[symbol] = answer
        ticker, error = answer
        if error is not None:
            raise error
        return ticker

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Within this block, on this thread, each symbol's reads give one answer.

        Nested holds share the outermost one; its answers are dropped when it ends."""
        held = self._held
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            if not held.depth:
                held.answers.clear()
