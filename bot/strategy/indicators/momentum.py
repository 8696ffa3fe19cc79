"""Momentum oscillators: RSI, MACD, rate of change and the stochastic oscillator."""

from __future__ import annotations

import math

import numpy as np

from bot.errors import InvalidValue
from bot.strategy.indicators._series import (
    EmaState,
    FloatArray,
    RollingExtreme,
    RollingSum,
    WilderState,
    check_period,
    check_same_length,
    check_series,
    check_value,
    ema_from,
    rolling_extreme,
    rolling_sum,
    warming,
    wilder_from,
)
from bot.strategy.indicators.outputs import MacdSeries, MacdValue, StochSeries, StochValue

#: Stochastic %K when the window's high equals its low (no range to place the close in).
FLAT_STOCH = 50.0
#: RSI when the average gain and the average loss are both zero (a flat market).
FLAT_RSI = 50.0


def rsi(values: FloatArray, period: int = 14) -> FloatArray:
    """Relative strength index with Wilder's smoothing.

    From bar 1 on, gain = max(change, 0) and loss = max(-change, 0) of the close. Average
    gain and loss are seeded with the simple average of the first ``period`` of them and
    then smoothed as ``avg = (avg*(period-1) + x) / period``.
    ``rsi = 100 * avg_gain / (avg_gain + avg_loss)`` (equal to ``100 - 100/(1+RS)``);
    a flat window gives 50. First value at index ``period``.
    """
    check_period("rsi.period", period)
    check_series("rsi.values", values)
    change = np.diff(values, prepend=values[:1])
    gains = wilder_from(np.maximum(change, 0.0), period, 1)
    losses = wilder_from(np.maximum(-change, 0.0), period, 1)
    both = gains + losses
    out = warming(len(values))
    ready = ~np.isnan(both)
    moving = ready & (both > 0.0)
    out[moving] = 100.0 * gains[moving] / both[moving]
    out[ready & ~moving] = FLAT_RSI
    return out


class RsiStream:
    """Streaming :func:`rsi`; the same arithmetic in the same order, so equal bit for bit."""

    __slots__ = ("_gains", "_losses", "_previous")

    def __init__(self, period: int = 14) -> None:
        check_period("rsi.period", period)
        self._gains = WilderState(period)
        self._losses = WilderState(period)
        self._previous = math.nan

    def update(self, value: float) -> float:
        """Take the bar's close; return the RSI, or NaN during warm-up."""
        x = check_value("rsi.value", value)
        previous, self._previous = self._previous, x
        if math.isnan(previous):
            return math.nan
        change = x - previous
        gain = self._gains.push(change if change > 0.0 else 0.0)
        loss = self._losses.push(-change if change < 0.0 else 0.0)
        both = gain + loss
        if math.isnan(both):
            return math.nan
        return 100.0 * gain / both if both > 0.0 else FLAT_RSI


def _check_macd(fast: int, slow: int, signal: int) -> None:
    check_period("macd.fast", fast)
    check_period("macd.slow", slow)
    check_period("macd.signal", signal)
    if fast >= slow:
        raise InvalidValue("macd.fast", fast, f"a period below macd.slow={slow}")


def macd(values: FloatArray, fast: int = 12, slow: int = 26, signal: int = 9) -> MacdSeries:
    """MACD: ``EMA(fast) - EMA(slow)`` of the close (EMAs as in :func:`ema`), its signal
    line ``EMA(signal)`` of the MACD line (seeded with the SMA of its first ``signal``
    values) and ``hist = macd - signal``. The line starts at ``slow - 1``, the signal
    and histogram at ``slow + signal - 2``.
    """
    _check_macd(fast, slow, signal)
    check_series("macd.values", values)
    line = ema_from(values, fast, 0) - ema_from(values, slow, 0)
    signal_line = ema_from(line, signal, slow - 1)
    return MacdSeries(line, signal_line, line - signal_line)


class MacdStream:
    """Streaming :func:`macd`; equal to the vectorised form bit for bit."""

    __slots__ = ("_fast", "_signal", "_slow")

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        _check_macd(fast, slow, signal)
        self._fast = EmaState(fast)
        self._slow = EmaState(slow)
        self._signal = EmaState(signal)

    def update(self, value: float) -> MacdValue:
        """Take the bar's close; return line, signal and histogram (NaN during warm-up)."""
        x = check_value("macd.value", value)
        line = self._fast.push(x) - self._slow.push(x)
        if math.isnan(line):
            return MacdValue(math.nan, math.nan, math.nan)
        signal_line = self._signal.push(line)
        return MacdValue(line, signal_line, line - signal_line)


def roc(values: FloatArray, period: int) -> FloatArray:
    """Rate of change in percent: ``100 * (close / close[period bars ago] - 1)``.

    First value at index ``period``; NaN where the earlier value is 0 (no rate of change
    from nothing, e.g. a volume series).
    """
    check_period("roc.period", period)
    check_series("roc.values", values)
    out = warming(len(values))
    if len(values) > period:
        now, past = values[period:], values[:-period]
        rates = out[period:]
        moved = past != 0.0
        rates[moved] = 100.0 * (now[moved] / past[moved] - 1.0)
    return out


class RocStream:
    """Streaming :func:`roc`: a ring buffer of the last ``period`` closes, O(1) per bar."""

    __slots__ = ("_buffer", "_count", "_index", "_period")

    def __init__(self, period: int) -> None:
        self._period = check_period("roc.period", period)
        self._buffer = [math.nan] * period
        self._index = 0
        self._count = 0

    def update(self, value: float) -> float:
        """Take the bar's close; return the rate of change, or NaN during warm-up."""
        x = check_value("roc.value", value)
        past = self._buffer[self._index]
        self._buffer[self._index] = x
        self._index = (self._index + 1) % self._period
        self._count += 1
        if self._count <= self._period or past == 0.0:
            return math.nan
        return 100.0 * (x / past - 1.0)


def stoch(
    high: FloatArray, low: FloatArray, close: FloatArray, k_period: int = 14, d_period: int = 3
) -> StochSeries:
    """Stochastic oscillator (fast): ``%K = 100 * (close - LL) / (HH - LL)`` with HH the
    highest high and LL the lowest low of the last ``k_period`` bars (bar included);
    50 when HH == LL. ``%D`` is the SMA of %K over ``d_period`` bars.
    %K starts at ``k_period - 1``, %D at ``k_period + d_period - 2``.
    """
    check_period("stoch.k_period", k_period)
    check_period("stoch.d_period", d_period)
    check_same_length("stoch", high=high, low=low, close=close)
    highest = rolling_extreme(high, k_period, highest=True)
    lowest = rolling_extreme(low, k_period, highest=False)
    span = highest - lowest
    k = warming(len(close))
    ranged = span > 0.0
    k[ranged] = 100.0 * (close[ranged] - lowest[ranged]) / span[ranged]
    k[~ranged & ~np.isnan(span)] = FLAT_STOCH
    d = warming(len(close))
    start = k_period - 1
    if len(close) > start:
        d[start:] = rolling_sum(k[start:], d_period) / d_period
    return StochSeries(k, d)


class StochStream:
    """Streaming :func:`stoch`: monotonic deques for HH/LL and a ring buffer for %D."""

    __slots__ = ("_d_period", "_d_sum", "_highest", "_lowest")

    def __init__(self, k_period: int = 14, d_period: int = 3) -> None:
        check_period("stoch.k_period", k_period)
        self._d_period = check_period("stoch.d_period", d_period)
        self._highest = RollingExtreme(k_period, highest=True)
        self._lowest = RollingExtreme(k_period, highest=False)
        self._d_sum = RollingSum(d_period)

    def update(self, high: float, low: float, close: float) -> StochValue:
        """Take the bar's high, low and close; return %K and %D (NaN during warm-up)."""
        highest = self._highest.push(check_value("stoch.high", high))
        lowest = self._lowest.push(check_value("stoch.low", low))
        close = check_value("stoch.close", close)
        if math.isnan(highest):
            return StochValue(math.nan, math.nan)
        span = highest - lowest
        k = 100.0 * (close - lowest) / span if span > 0.0 else FLAT_STOCH
        total = self._d_sum.push(k)
        return StochValue(k, total / self._d_period if self._d_sum.full else math.nan)
