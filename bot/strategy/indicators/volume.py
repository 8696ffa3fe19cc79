"""Volume-weighted average price (VWAP)."""

from __future__ import annotations

import math

import numpy as np

from bot.errors import InvalidValue
from bot.strategy.indicators._series import (
    FloatArray,
    check_same_length,
    check_value,
    warming,
)

_VOLUME = "a volume of zero or more"


def vwap(high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray) -> FloatArray:
    """Volume-weighted average price, cumulative from the start of the series.

    ``typical = (high + low + close) / 3``;
    ``vwap = cumsum(typical * volume) / cumsum(volume)``. NaN until the first bar with
    volume (nothing has traded yet, so there is no average price).
    """
    check_same_length("vwap", high=high, low=low, close=close, volume=volume)
    if (volume < 0.0).any():
        index = int(np.argmax(volume < 0.0))
        raise InvalidValue(f"vwap.volume[{index}]", float(volume[index]), _VOLUME)
    traded = np.cumsum(volume)
    paid = np.cumsum((high + low + close) / 3.0 * volume)
    out = warming(len(close))
    positive = traded > 0.0
    out[positive] = paid[positive] / traded[positive]
    return out


class VwapStream:
    """Streaming :func:`vwap`: two running sums in the same order as ``cumsum``, so equal
    bit for bit.
    """

    __slots__ = ("_paid", "_traded")

    def __init__(self) -> None:
        self._paid = 0.0
        self._traded = 0.0

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        """Take the bar's high, low, close and volume; return the VWAP (NaN until volume)."""
        typical = (
            check_value("vwap.high", high)
            + check_value("vwap.low", low)
            + check_value("vwap.close", close)
        ) / 3.0
        if not check_value("vwap.volume", volume) >= 0.0:
            raise InvalidValue("vwap.volume", volume, _VOLUME)
        self._traded += volume
        self._paid += typical * volume
        return self._paid / self._traded if self._traded > 0.0 else math.nan
