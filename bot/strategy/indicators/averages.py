"""Moving averages: simple (SMA), exponential (EMA) and linearly weighted (WMA).

Each comes as a vectorised function over a float64 array (NaN during warm-up) and a
streaming class whose ``update(value)`` does O(1) work per bar.
"""

from __future__ import annotations

import math

import numpy as np

from bot.strategy.indicators._series import (
    EmaState,
    FloatArray,
    RollingSum,
    check_period,
    check_series,
    check_value,
    ema_from,
    rolling_sum,
    warming,
)


def sma(values: FloatArray, period: int) -> FloatArray:
    """Simple moving average: the mean of the last ``period`` values, bar included.

    First value at index ``period - 1``.
    """
    check_period("sma.period", period)
    return rolling_sum(check_series("sma.values", values), period) / period


def ema(values: FloatArray, period: int) -> FloatArray:
    """Exponential moving average with alpha = 2/(period+1).

    Seeded with the SMA of the first ``period`` values (index ``period - 1``), then
    ``ema += alpha * (value - ema)`` on every later bar.
    """
    check_period("ema.period", period)
    return ema_from(check_series("ema.values", values), period, 0)


def wma(values: FloatArray, period: int) -> FloatArray:
    """Linearly weighted moving average: weights 1..period, the newest bar weighs ``period``.

    ``wma = sum(w_i * x_i) / (period * (period + 1) / 2)``; first value at ``period - 1``.
    """
    check_period("wma.period", period)
    check_series("wma.values", values)
    out = warming(len(values))
    if len(values) >= period:
        weights = np.arange(period, 0, -1, dtype=np.float64)
        out[period - 1 :] = np.convolve(values, weights, mode="valid") / _weight_total(period)
    return out


def _weight_total(period: int) -> float:
    return period * (period + 1) / 2.0


class SmaStream:
    """Streaming :func:`sma`: a running sum over a ring buffer, O(1) amortised per bar."""

    __slots__ = ("_period", "_sum")

    def __init__(self, period: int) -> None:
        self._period = check_period("sma.period", period)
        self._sum = RollingSum(period)

    def update(self, value: float) -> float:
        """Take the bar's value; return the SMA, or NaN during warm-up."""
        total = self._sum.push(check_value("sma.value", value))
        return total / self._period if self._sum.full else math.nan


class EmaStream:
    """Streaming :func:`ema`; the same arithmetic in the same order, so equal bit for bit."""

    __slots__ = ("_state",)

    def __init__(self, period: int) -> None:
        self._state = EmaState(check_period("ema.period", period))

    def update(self, value: float) -> float:
        """Take the bar's value; return the EMA, or NaN during warm-up."""
        return self._state.push(check_value("ema.value", value))


class WmaStream:
    """Streaming :func:`wma` with O(1) work per bar from two running sums.

    With ``S`` the plain and ``W`` the weighted sum of the window, a new value ``x``
    (dropping ``o``) gives ``W' = W + period*x - S`` and ``S' = S + x - o``. Both sums are
    rebuilt from the ring buffer every ``period`` bars (amortised O(1)), so rounding never
    accumulates beyond one window.
    """

    __slots__ = ("_buffer", "_count", "_index", "_period", "_plain", "_weighted")

    def __init__(self, period: int) -> None:
        self._period = check_period("wma.period", period)
        self._buffer = [0.0] * period
        self._index = 0
        self._count = 0
        self._plain = 0.0
        self._weighted = 0.0

    def update(self, value: float) -> float:
        """Take the bar's value; return the WMA, or NaN during warm-up."""
        x = check_value("wma.value", value)
        period = self._period
        oldest = self._buffer[self._index]
        self._buffer[self._index] = x
        self._index = (self._index + 1) % period
        self._count += 1
        if self._count < period:
            return math.nan
        if self._index == 0:
            self._rebuild()
        else:
            self._weighted += period * x - self._plain
            self._plain += x - oldest
        return self._weighted / _weight_total(period)

    def _rebuild(self) -> None:
        # The buffer is in time order exactly when the write index is back at 0.
        self._plain = math.fsum(self._buffer)
        self._weighted = math.fsum(w * x for w, x in enumerate(self._buffer, start=1))
