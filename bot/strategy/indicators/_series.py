"""Input checks and the window and smoothing building blocks every indicator shares.

Vectorised helpers work on whole float64 arrays; streaming helpers (:class:`RollingSum`,
:class:`RollingExtreme`) keep O(1) amortised work per bar. The recursive smoothers
(:func:`ema_from`, :func:`wilder_from`) run the very same float operations, in the same
order, as the streaming classes, so those indicators agree bit for bit.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from numpy.typing import NDArray

from bot.errors import InvalidValue

FloatArray = NDArray[np.float64]

#: Longest look-back any indicator accepts (about 70 days of 1-minute bars).
MAX_PERIOD = 100_000


def check_period(field: str, period: int, low: int = 1) -> int:
    """``period`` if it is an integer from ``low`` to :data:`MAX_PERIOD`, else InvalidValue."""
    if isinstance(period, bool) or not low <= period <= MAX_PERIOD:
        raise InvalidValue(field, period, f"an integer from {low} to {MAX_PERIOD}")
    return period


def check_series(field: str, values: FloatArray) -> FloatArray:
    """``values`` if it is one-dimensional and finite everywhere, else InvalidValue.

    A NaN or infinity inside a recursion would poison every later value, so the
    indicators refuse it up front (candles are validated on load; this is the backstop).
    """
    if values.ndim != 1:
        raise InvalidValue(field, f"array of shape {values.shape}", "a one-dimensional array")
    finite = np.isfinite(values)
    if not finite.all():
        index = int(np.argmin(finite))
        raise InvalidValue(f"{field}[{index}]", float(values[index]), "a finite number")
    return values


def check_same_length(name: str, **series: FloatArray) -> int:
    """The common length of ``series`` (each checked), or InvalidValue naming the lengths."""
    lengths = {key: len(check_series(f"{name}.{key}", values)) for key, values in series.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{key}={length}" for key, length in lengths.items())
        raise InvalidValue(f"{name} inputs", detail, "arrays of one length")
    return next(iter(lengths.values()))


def check_value(field: str, value: float) -> float:
    """``value`` if finite, else InvalidValue (the streaming forms' input check)."""
    if not math.isfinite(value):
        raise InvalidValue(field, value, "a finite number")
    return value


def warming(length: int) -> FloatArray:
    """An all-NaN array: what every output holds before its warm-up ends."""
    return np.full(length, np.nan)


def rolling_sum(values: FloatArray, period: int) -> FloatArray:
    """Sum of each window of ``period`` values ending at each index; NaN before the first.

    Each window is summed directly (a convolution), so the error is that of ``period``
    additions, never drifting along the series as a cumulative sum would.
    """
    out = warming(len(values))
    if len(values) >= period:
        out[period - 1 :] = np.convolve(values, np.ones(period), mode="valid")
    return out


def rolling_extreme(values: FloatArray, period: int, *, highest: bool) -> FloatArray:
    """Highest (or lowest) of each window of ``period`` values; NaN before the first.

    The van Herk / Gil-Werman scheme: split the series into blocks of ``period``, take
    running extremes forward and backward inside each block; a window spans at most two
    blocks, so its extreme is one comparison of a backward and a forward value. O(n), exact.
    """
    out = warming(len(values))
    if len(values) < period:
        return out
    pick = np.maximum if highest else np.minimum
    pad = (-len(values)) % period
    padded = np.concatenate([values, np.full(pad, -np.inf if highest else np.inf)])
    blocks = padded.reshape(-1, period)
    forward = pick.accumulate(blocks, axis=1).ravel()
    backward = pick.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    count = len(values) - period + 1
    out[period - 1 :] = pick(backward[:count], forward[period - 1 : len(values)])
    return out


def ema_from(values: FloatArray, period: int, start: int) -> FloatArray:
    """EMA of ``values[start:]``: alpha = 2/(period+1), seeded with the SMA of the first
    ``period`` values (first value at ``start + period - 1``), then ``y += alpha*(x - y)``.
    """
    out = warming(len(values))
    if len(values) - start < period:
        return out
    alpha = 2.0 / (period + 1)
    points = values[start:].tolist()
    total = 0.0
    for x in points[:period]:
        total += x
    y = total / period
    smoothed = [y]
    append = smoothed.append
    for x in points[period:]:
        y += alpha * (x - y)
        append(y)
    out[start + period - 1 :] = smoothed
    return out


def wilder_from(values: FloatArray, period: int, start: int) -> FloatArray:
    """Wilder's smoothing of ``values[start:]``: seeded with the simple average of the first
    ``period`` values (first value at ``start + period - 1``), then
    ``y = (y*(period-1) + x) / period``.
    """
    out = warming(len(values))
    if len(values) - start < period:
        return out
    keep = period - 1
    points = values[start:].tolist()
    total = 0.0
    for x in points[:period]:
        total += x
    y = total / period
    smoothed = [y]
    append = smoothed.append
    for x in points[period:]:
        y = (y * keep + x) / period
        append(y)
    out[start + period - 1 :] = smoothed
    return out


class EmaState:
    """One EMA in streaming form: the same arithmetic, in the same order, as :func:`ema_from`."""

    __slots__ = ("_alpha", "_count", "_period", "_total", "_value")

    def __init__(self, period: int) -> None:
        self._period = period
        self._alpha = 2.0 / (period + 1)
        self._count = 0
        self._total = 0.0
        self._value = math.nan

    def push(self, x: float) -> float:
        """Take the next value; return the EMA, or NaN during warm-up."""
        if self._count >= self._period:
            self._value += self._alpha * (x - self._value)
        else:
            self._count += 1
            self._total += x
            if self._count == self._period:
                self._value = self._total / self._period
        return self._value


class WilderState:
    """Wilder's smoothing in streaming form, matching :func:`wilder_from` bit for bit."""

    __slots__ = ("_count", "_keep", "_period", "_total", "_value")

    def __init__(self, period: int) -> None:
        self._period = period
        self._keep = period - 1
        self._count = 0
        self._total = 0.0
        self._value = math.nan

    def push(self, x: float) -> float:
        """Take the next value; return the smoothed value, or NaN during warm-up."""
        if self._count >= self._period:
            self._value = (self._value * self._keep + x) / self._period
        else:
            self._count += 1
            self._total += x
            if self._count == self._period:
                self._value = self._total / self._period
        return self._value


class RollingSum:
    """Sum of the last ``size`` values with O(1) amortised work per push.

    The running sum is rebuilt from the ring buffer every ``size`` pushes, so rounding
    never accumulates beyond one window's worth, however long the stream runs.
    """

    __slots__ = ("_buffer", "_count", "_index", "_size", "_total")

    def __init__(self, size: int) -> None:
        self._size = size
        self._buffer = [0.0] * size
        self._index = 0
        self._count = 0
        self._total = 0.0

    @property
    def full(self) -> bool:
        """Whether ``size`` values have been pushed."""
        return self._count >= self._size

    def push(self, x: float) -> float:
        """Add ``x``, drop the value ``size`` pushes old; return the sum (partial if not full)."""
        oldest = self._buffer[self._index]
        self._buffer[self._index] = x
        self._index += 1
        if self._index == self._size:
            self._index = 0
        if self._count < self._size:
            self._count += 1
            self._total += x
        elif self._index == 0:
            self._total = math.fsum(self._buffer)
        else:
            self._total += x - oldest
        return self._total


class RollingExtreme:
    """Highest (or lowest) of the last ``size`` values: a monotonic deque, O(1) amortised."""

    __slots__ = ("_candidates", "_count", "_highest", "_size")

    def __init__(self, size: int, *, highest: bool) -> None:
        self._size = size
        self._highest = highest
        self._count = 0
        self._candidates: deque[tuple[int, float]] = deque()

    def push(self, x: float) -> float:
        """Add ``x``; return the extreme of the last ``size`` values, or NaN until full."""
        candidates = self._candidates
        if self._highest:
            while candidates and candidates[-1][1] <= x:
                candidates.pop()
        else:
            while candidates and candidates[-1][1] >= x:
                candidates.pop()
        candidates.append((self._count, x))
        self._count += 1
        if candidates[0][0] <= self._count - 1 - self._size:
            candidates.popleft()
        return candidates[0][1] if self._count >= self._size else math.nan
