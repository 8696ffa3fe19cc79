"""Volatility and range: average true range, Bollinger Bands and the Donchian channel."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from bot.errors import InvalidValue
from bot.strategy.indicators._series import (
    FloatArray,
    RollingExtreme,
    WilderState,
    check_period,
    check_same_length,
    check_series,
    check_value,
    rolling_extreme,
    rolling_sum,
    warming,
    wilder_from,
)
from bot.strategy.indicators.outputs import BBandsSeries, BBandsValue, DonchianSeries, DonchianValue

#: Rows per chunk when the band width is computed window by window (bounds memory).
_CHUNK = 1 << 15
#: Widest Bollinger band accepted, in standard deviations.
MAX_STDDEV = 10.0


#: A squared drift of the mean from the anchor this many times the variance forces a rebuild.
_CANCELLATION = 1e6


def true_range(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    """True range from bar 1 on: ``max(high - low, |high - prev close|, |low - prev close|)``.

    Bar 0 has no previous close and holds ``high - low``; the averages skip it.
    """
    prev = np.concatenate([close[:1], close[:-1]])
    spread = high - low
    ranges: FloatArray = np.maximum(np.maximum(spread, np.abs(high - prev)), np.abs(low - prev))
    return ranges


def _true_range_now(high: float, low: float, prev_close: float) -> float:
    return max(high - low, abs(high - prev_close), abs(low - prev_close))


def atr(high: FloatArray, low: FloatArray, close: FloatArray, period: int = 14) -> FloatArray:
    """Average true range (Wilder): seeded with the simple average of the true ranges of
    bars 1..period, then ``atr = (atr*(period-1) + tr) / period``. First value at index
    ``period``.
    """
    check_period("atr.period", period)
    check_same_length("atr", high=high, low=low, close=close)
    return wilder_from(true_range(high, low, close), period, 1)


class AtrStream:
    """Streaming :func:`atr`; the same arithmetic in the same order, so equal bit for bit."""

    __slots__ = ("_average", "_prev_close")

    def __init__(self, period: int = 14) -> None:
        self._average = WilderState(check_period("atr.period", period))
        self._prev_close = math.nan

    def update(self, high: float, low: float, close: float) -> float:
        """Take the bar's high, low and close; return the ATR, or NaN during warm-up."""
        high = check_value("atr.high", high)
        low = check_value("atr.low", low)
        prev, self._prev_close = self._prev_close, check_value("atr.close", close)
        if math.isnan(prev):
            return math.nan
        return self._average.push(_true_range_now(high, low, prev))


def _check_stddev(stddev: float) -> float:
    if not 0.0 < stddev <= MAX_STDDEV:
        raise InvalidValue("bbands.stddev", stddev, f"a number above 0 up to {MAX_STDDEV}")
    return stddev


def bbands(values: FloatArray, period: int = 20, stddev: float = 2.0) -> BBandsSeries:
    """Bollinger Bands: ``middle = SMA(period)``, ``upper/lower = middle +/- stddev * sd``
    with ``sd`` the population standard deviation (divide by ``period``) of the same
    window. First value at index ``period - 1``.
    """
    check_period("bbands.period", period)
    _check_stddev(stddev)
    check_series("bbands.values", values)
    middle = rolling_sum(values, period) / period
    deviation = warming(len(values))
    if len(values) >= period:
        windows = sliding_window_view(values, period)
        means = middle[period - 1 :]
        for start in range(0, len(windows), _CHUNK):
            stop = start + _CHUNK
            centred = windows[start:stop] - means[start:stop, None]
            squares = np.einsum("ij,ij->i", centred, centred)
            deviation[period - 1 + start : period - 1 + stop] = np.sqrt(squares / period)
    width = stddev * deviation
    return BBandsSeries(middle, middle + width, middle - width)


class BBandsStream:
    """Streaming :func:`bbands` with O(1) amortised work per bar.

    Keeps the sum and the sum of squares of the window's deviations from an anchor (the
    window mean at the last rebuild), so the variance never cancels against the square
    of the price; both sums are rebuilt from the ring buffer every ``period`` bars, and
    at once when the window's mean has moved far from the anchor compared with its
    spread (a jump has just left the window), where the variance would cancel.
    """

    __slots__ = ("_anchor", "_buffer", "_count", "_index", "_period", "_stddev", "_sum", "_sumsq")

    def __init__(self, period: int = 20, stddev: float = 2.0) -> None:
        self._period = check_period("bbands.period", period)
        self._stddev = _check_stddev(stddev)
        self._buffer = [0.0] * period
        self._index = 0
        self._count = 0
        self._anchor = math.nan
        self._sum = 0.0
        self._sumsq = 0.0

    def update(self, value: float) -> BBandsValue:
        """Take the bar's value; return middle, upper and lower band (NaN during warm-up)."""
        x = check_value("bbands.value", value)
        oldest = self._buffer[self._index]
        self._buffer[self._index] = x
        self._index = (self._index + 1) % self._period
        self._count += 1
        if self._count < self._period:
            return BBandsValue(math.nan, math.nan, math.nan)
        if self._index == 0:
            self._rebuild()
        else:
            new = x - self._anchor
            old = oldest - self._anchor
            self._sum += new - old
            self._sumsq += new * new - old * old
        mean_shift = self._sum / self._period
        variance = max(self._sumsq / self._period - mean_shift * mean_shift, 0.0)
        if mean_shift * mean_shift > _CANCELLATION * variance:
            # the window has moved far from the anchor (a jump has just left it): the
            # variance above cancelled away its precision, so take it again
            self._rebuild()
            mean_shift = self._sum / self._period
            variance = max(self._sumsq / self._period - mean_shift * mean_shift, 0.0)
        middle = self._anchor + mean_shift
        width = self._stddev * math.sqrt(variance)
        return BBandsValue(middle, middle + width, middle - width)

    def _rebuild(self) -> None:
        self._anchor = math.fsum(self._buffer) / self._period
        centred = [x - self._anchor for x in self._buffer]
        self._sum = math.fsum(centred)
        self._sumsq = math.fsum(c * c for c in centred)


def donchian(high: FloatArray, low: FloatArray, period: int = 20) -> DonchianSeries:
    """Donchian channel: ``upper`` the highest high and ``lower`` the lowest low of the last
    ``period`` bars (bar included), ``middle = (upper + lower) / 2``. First value at
    index ``period - 1``.
    """
    check_period("donchian.period", period)
    check_same_length("donchian", high=high, low=low)
    upper = rolling_extreme(high, period, highest=True)
    lower = rolling_extreme(low, period, highest=False)
    return DonchianSeries(upper, lower, (upper + lower) / 2.0)


class DonchianStream:
    """Streaming :func:`donchian`: two monotonic deques, O(1) amortised, exact."""

    __slots__ = ("_highest", "_lowest")

    def __init__(self, period: int = 20) -> None:
        check_period("donchian.period", period)
        self._highest = RollingExtreme(period, highest=True)
        self._lowest = RollingExtreme(period, highest=False)

    def update(self, high: float, low: float) -> DonchianValue:
        """Take the bar's high and low; return the channel (NaN during warm-up)."""
        upper = self._highest.push(check_value("donchian.high", high))
        lower = self._lowest.push(check_value("donchian.low", low))
        return DonchianValue(upper, lower, (upper + lower) / 2.0)
