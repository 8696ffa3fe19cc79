"""Cheap bounds on the prices of any stretch of bars, for the event engine."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from bot.domain.hotpath import hot_path
from bot.exchange.sim.marking import Marking

#: Bars per block of :class:`BlockExtremes`.
_BLOCK: Final = 32


class BlockExtremes:
    """The highest high and lowest low of each block of bars: a cheap bound on any
    stretch (the blocks it touches), before a bar-by-bar look."""

    __slots__ = ("_highs", "_lows")

    def __init__(self, high: npt.NDArray[np.float64], low: npt.NDArray[np.float64]) -> None:
        starts = np.arange(0, len(high), _BLOCK)
        self._highs: list[float] = np.maximum.reduceat(high, starts).tolist() if len(high) else []
        self._lows: list[float] = np.minimum.reduceat(low, starts).tolist() if len(low) else []

    @hot_path
    def highest(self, start: int, stop: int) -> float:
        """At least the highest high of bars ``start..stop-1`` (``stop > start``)."""
        return max(self._highs[start // _BLOCK : (stop - 1) // _BLOCK + 1])

    @hot_path
    def lowest(self, start: int, stop: int) -> float:
        """At most the lowest low of bars ``start..stop-1`` (``stop > start``)."""
        return min(self._lows[start // _BLOCK : (stop - 1) // _BLOCK + 1])


class TickExtremes:
    """The lowest and highest close of each block of bars, in whole ticks: bounds on the
    closes of any stretch (the blocks it touches)."""

    __slots__ = ("_highs", "_lows")

    def __init__(self, ticks: npt.NDArray[np.int64]) -> None:
        starts = np.arange(0, len(ticks), _BLOCK)
        self._highs: list[int] = np.maximum.reduceat(ticks, starts).tolist() if len(ticks) else []
        self._lows: list[int] = np.minimum.reduceat(ticks, starts).tolist() if len(ticks) else []

    @hot_path
    def bounds(self, start: int, stop: int) -> tuple[int, int]:
        """At most the lowest and at least the highest close of bars ``start..stop-1``
        (``stop > start``)."""
        first, last = start // _BLOCK, (stop - 1) // _BLOCK + 1
        return min(self._lows[first:last]), max(self._highs[first:last])


class BankruptcyReach:
    """Where the bars' range may reach a position's bankruptcy price: the bars a
    backtest must visit for the venue to liquidate (with a tick of margin for the
    rounding of the range)."""

    __slots__ = ("_blocks", "_high", "_low", "_tick")

    def __init__(
        self, high: npt.NDArray[np.float64], low: npt.NDArray[np.float64], tick: float
    ) -> None:
        self._blocks = BlockExtremes(high, low)
        self._high, self._low, self._tick = high, low, tick

    @hot_path
    def clear_bars(self, start: int, stop: int, marking: Marking) -> int:
        """Bars from ``start`` (up to ``stop``) whose range surely stays off the
        bankruptcy price of ``marking``'s position."""
        length = stop - start
        if not marking.sign or marking.bankruptcy is None:
            return length
        level = float(marking.bankruptcy)
        if marking.sign > 0:
            level += self._tick
            if level < self._blocks.lowest(start, stop):
                return length
            return _first(self._low[start:stop] <= level, length)
        level -= self._tick
        if level > self._blocks.highest(start, stop):
            return length
        return _first(self._high[start:stop] >= level, length)

    @hot_path
    def may_reach(self, i: int, marking: Marking) -> bool:
        """Whether bar ``i``'s range may reach the bankruptcy price: the rule of
        :meth:`clear_bars` on one bar."""
        if not marking.sign or marking.bankruptcy is None:
            return False
        level = float(marking.bankruptcy)
        if marking.sign > 0:
            return self._low.item(i) <= level + self._tick
        return self._high.item(i) >= level - self._tick


@hot_path
def _first(mask: npt.NDArray[np.bool_], default: int) -> int:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else default
