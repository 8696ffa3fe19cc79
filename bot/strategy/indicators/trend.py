"""Trend strength: Wilder's average directional index (ADX) with +DI and -DI."""

from __future__ import annotations

import math

import numpy as np

from bot.strategy.indicators._series import (
    FloatArray,
    WilderState,
    check_period,
    check_same_length,
    check_value,
    warming,
    wilder_from,
)
from bot.strategy.indicators.outputs import AdxSeries, AdxValue
from bot.strategy.indicators.volatility import true_range


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``100 * numerator / denominator``, 0 where the denominator is 0, NaN kept."""
    out = warming(len(numerator))
    ready = ~np.isnan(denominator)
    positive = ready & (denominator > 0.0)
    out[positive] = 100.0 * numerator[positive] / denominator[positive]
    out[ready & ~positive] = 0.0
    return out


def adx(high: FloatArray, low: FloatArray, close: FloatArray, period: int = 14) -> AdxSeries:
    """Average directional index (Wilder).

    From bar 1 on: ``up = high - prev high``, ``down = prev low - low``;
    ``+DM = up`` if ``up > down`` and ``up > 0`` else 0; ``-DM = down`` if ``down > up``
    and ``down > 0`` else 0; TR as in :func:`~bot.strategy.indicators.volatility.atr`.
    TR, +DM and -DM are Wilder-smoothed (seeded with the simple average of bars
    1..period); ``+DI = 100 * s(+DM) / s(TR)``, ``-DI = 100 * s(-DM) / s(TR)`` (0 when
    s(TR) is 0) from index ``period``; ``DX = 100 * |+DI - -DI| / (+DI + -DI)`` (0 when
    both are 0); ADX is DX Wilder-smoothed the same way, first value at ``2*period - 1``.
    """
    check_period("adx.period", period)
    length = check_same_length("adx", high=high, low=low, close=close)
    up = np.zeros(length)
    down = np.zeros(length)
    up[1:] = high[1:] - high[:-1]
    down[1:] = low[:-1] - low[1:]
    plus_dm = np.where((up > down) & (up > 0.0), up, 0.0)
    minus_dm = np.where((down > up) & (down > 0.0), down, 0.0)
    smoothed_tr = wilder_from(true_range(high, low, close), period, 1)
    plus_di = _ratio(wilder_from(plus_dm, period, 1), smoothed_tr)
    minus_di = _ratio(wilder_from(minus_dm, period, 1), smoothed_tr)
    dx = _ratio(np.abs(plus_di - minus_di), plus_di + minus_di)
    return AdxSeries(wilder_from(dx, period, period), plus_di, minus_di)


class AdxStream:
    """Streaming :func:`adx`; the same arithmetic in the same order, so equal bit for bit."""

    __slots__ = ("_adx", "_minus", "_plus", "_prev", "_range")

    def __init__(self, period: int = 14) -> None:
        check_period("adx.period", period)
        self._range = WilderState(period)
        self._plus = WilderState(period)
        self._minus = WilderState(period)
        self._adx = WilderState(period)
        self._prev: tuple[float, float, float] | None = None

    def update(self, high: float, low: float, close: float) -> AdxValue:
        """Take the bar's high, low and close; return ADX, +DI and -DI (NaN during warm-up)."""
        bar = (check_value("adx.high", high), check_value("adx.low", low))
        prev, self._prev = self._prev, (*bar, check_value("adx.close", close))
        if prev is None:
            return AdxValue(math.nan, math.nan, math.nan)
        prev_high, prev_low, prev_close = prev
        up = high - prev_high
        down = prev_low - low
        true_range_now = max(high - low, abs(high - prev_close), abs(low - prev_close))
        smoothed_tr = self._range.push(true_range_now)
        plus = self._plus.push(up if up > down and up > 0.0 else 0.0)
        minus = self._minus.push(down if down > up and down > 0.0 else 0.0)
        if math.isnan(smoothed_tr):
            return AdxValue(math.nan, math.nan, math.nan)
        plus_di = 100.0 * plus / smoothed_tr if smoothed_tr > 0.0 else 0.0
        minus_di = 100.0 * minus / smoothed_tr if smoothed_tr > 0.0 else 0.0
        both = plus_di + minus_di
        dx = 100.0 * abs(plus_di - minus_di) / both if both > 0.0 else 0.0
        return AdxValue(self._adx.push(dx), plus_di, minus_di)
