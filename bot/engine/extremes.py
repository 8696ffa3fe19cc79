"""Cheap bounds on the price range of any stretch of bars, for the event engine."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from bot.domain.hotpath import hot_path

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
