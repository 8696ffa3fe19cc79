"""What the multi-output indicators return: a NamedTuple of arrays for the vectorised
form (``...Series``) and a NamedTuple of floats for one bar of the streaming form
(``...Value``). Field order is the registry's output order.

This module deliberately has no ``from __future__ import annotations``: beartype checks
each NamedTuple's constructor and needs the field hints as real objects.
"""

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray


class BBandsSeries(NamedTuple):
    """Bollinger Bands: middle (SMA), upper and lower band, bar by bar."""

    middle: NDArray[np.float64]
    upper: NDArray[np.float64]
    lower: NDArray[np.float64]


class BBandsValue(NamedTuple):
    """One bar's Bollinger Bands (NaN during warm-up)."""

    middle: float
    upper: float
    lower: float


class MacdSeries(NamedTuple):
    """MACD line, its signal line and the histogram (line minus signal), bar by bar."""

    macd: NDArray[np.float64]
    signal: NDArray[np.float64]
    hist: NDArray[np.float64]


class MacdValue(NamedTuple):
    """One bar's MACD line, signal line and histogram (NaN during warm-up)."""

    macd: float
    signal: float
    hist: float


class StochSeries(NamedTuple):
    """Stochastic %K and %D, bar by bar."""

    k: NDArray[np.float64]
    d: NDArray[np.float64]


class StochValue(NamedTuple):
    """One bar's stochastic %K and %D (NaN during warm-up)."""

    k: float
    d: float


class AdxSeries(NamedTuple):
    """ADX, +DI and -DI, bar by bar."""

    adx: NDArray[np.float64]
    plus_di: NDArray[np.float64]
    minus_di: NDArray[np.float64]


class AdxValue(NamedTuple):
    """One bar's ADX, +DI and -DI (NaN during warm-up)."""

    adx: float
    plus_di: float
    minus_di: float


class DonchianSeries(NamedTuple):
    """Donchian channel: highest high, lowest low and their midpoint, bar by bar."""

    upper: NDArray[np.float64]
    lower: NDArray[np.float64]
    middle: NDArray[np.float64]


class DonchianValue(NamedTuple):
    """One bar's Donchian channel (NaN during warm-up)."""

    upper: float
    lower: float
    middle: float
