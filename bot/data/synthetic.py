"""Seeded, realistic one-minute BTCUSDT candles, generated with vectorised numpy.

The model, per minute, in log price:

- **Volatility regimes** (calm, normal, turbulent) switch like a Markov chain with
  exponential holding times of about a day or two; inside a regime the volatility
  clusters (a GARCH-like log-volatility AR(1) with a half-life of a couple of hours)
  and follows the day (busier around the US open).
- **Market phases** (trend up, trend down, range) switch independently. A trend adds a
  drift of a few percent over its life; in a range each minute gives back most of the
  mean shock of the last half hour, so price chops without going anywhere (and without
  a strong minute-to-minute reversal a strategy could farm).
- **Returns** are Student-t (fat tails) scaled by the volatility.
- **Gaps**: now and then the next open jumps away from the previous close.
- **High and low** are drawn as the extremes of a Brownian bridge from open to close
  with the bar's volatility, so they are consistent with the path inside the bar.
- **Volume** rises with volatility and with the size of the bar's move.

Prices are rounded to a tick of 0.1 USDT and volume to 0.001 BTC. The same seed gives
the same arrays, bit for bit (numpy's PCG64); different seeds give different series.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.data.candles import Candles, Column
from bot.errors import DataError

#: One minute in milliseconds: the generator's candle length.
MINUTE_MS: Final = 60_000
#: Price of the first open, USDT.
START_PRICE: Final = 40_000.0
#: Price tick, USDT.
TICK: Final = 0.1
#: Volume step, BTC.
VOLUME_STEP: Final = 0.001
# Rounding divides an integer count by these, which gives the float nearest the decimal.
_TICKS_PER_USDT: Final = 10.0
_STEPS_PER_BTC: Final = 1000.0

# Volatility per minute (log return stdev) of the calm, normal and turbulent regimes,
# and their mean length in minutes.
_REGIME_SIGMA: Final = np.array([0.00035, 0.0007, 0.0016])
_REGIME_MINUTES: Final = np.array([2400.0, 2000.0, 700.0])
# Phases: 0 range, 1 trend up, 2 trend down; mean length in minutes.
_PHASE_MINUTES: Final = np.array([1800.0, 900.0, 900.0])
_RANGE_REVERSION: Final = 0.8  # share of the last window's shocks a range gives back
_RANGE_WINDOW: Final = 30  # minutes
_TREND_MOVE: Final = (0.02, 0.08)  # total log move of a trend, drawn uniformly
_LOGVOL_PERSISTENCE: Final = 0.995  # AR(1) of log volatility, per minute
_LOGVOL_STDEV: Final = 0.35  # stationary stdev of log volatility
_T_DOF: Final = 4.0
_GAP_PROBABILITY: Final = 1 / 2500
_GAP_STDEV: Final = 0.004
_BASE_VOLUME: Final = 25.0  # BTC per minute in the normal regime
_AR1_BLOCK: Final = 512


def synthetic_candles(seed: int, start: datetime, minutes: int) -> Candles:
    """``minutes`` one-minute candles opening at ``start`` (UTC), generated from ``seed``."""
    if start.utcoffset() is None:
        raise DataError("synthetic", f"start {start.isoformat()} has no UTC offset")
    if minutes < 1:
        raise DataError("synthetic", f"asked for {minutes} candles; at least 1 is needed")
    start_ms = int(start.timestamp() * 1000)
    if start_ms % MINUTE_MS:
        raise DataError("synthetic", f"start {start.isoformat()} is not on a whole minute")
    rng = np.random.default_rng(seed)
    n = minutes
    ts = start_ms + MINUTE_MS * np.arange(n, dtype=np.int64)

    regime = _switching(rng, n, _REGIME_MINUTES)
    logvol = _ar1(rng.standard_normal(n), _LOGVOL_PERSISTENCE) * (
        _LOGVOL_STDEV * np.sqrt(1 - _LOGVOL_PERSISTENCE**2)
    )
    sigma = _REGIME_SIGMA[regime] * np.exp(logvol - _LOGVOL_STDEV**2 / 2) * _time_of_day(ts)

    shocks = sigma * rng.standard_t(_T_DOF, n) * np.sqrt((_T_DOF - 2) / _T_DOF)
    phase = _switching(rng, n, _PHASE_MINUTES)
    returns = shocks.copy()
    returns -= np.where(phase == 0, _RANGE_REVERSION, 0.0) * _recent_mean(shocks)
    returns += _trend_drift(rng, phase)

    gaps = np.where(rng.random(n) < _GAP_PROBABILITY, rng.normal(0.0, _GAP_STDEV, n), 0.0)
    gaps[0] = 0.0
    log_close = np.log(START_PRICE) + np.cumsum(gaps + returns)
    log_open = np.empty(n)
    log_open[0] = np.log(START_PRICE)
    log_open[1:] = log_close[:-1] + gaps[1:]

    high_excess = _bridge_extreme(rng, log_open, log_close, sigma)
    low_excess = _bridge_extreme(rng, log_open, log_close, sigma)
    mid = (log_open + log_close) / 2
    log_high, log_low = mid + high_excess, mid - low_excess

    open_, close = _ticks(log_open), _ticks(log_close)
    high = np.maximum(_ticks(log_high), np.maximum(open_, close))
    low = np.maximum(np.minimum(_ticks(log_low), np.minimum(open_, close)), TICK)
    volume = _volume(rng, sigma, log_high - log_low)
    return Candles.checked((ts, open_, high, low, close, volume), f"synthetic(seed={seed})")


def _switching(rng: np.random.Generator, n: int, mean_minutes: Column) -> npt.NDArray[np.intp]:
    """A state per minute; each stay lasts an exponential time, then a different state."""
    states = mean_minutes.shape[0]
    expected = int(n / mean_minutes.min()) * 2 + 16
    first = rng.integers(states)
    hops = rng.integers(1, states, expected)  # never stay in the same state on a switch
    sequence = (first + np.concatenate(([0], np.cumsum(hops)))) % states
    lengths = np.ceil(rng.exponential(1.0, sequence.shape[0]) * mean_minutes[sequence])
    lengths = np.maximum(lengths, 1).astype(np.intp)
    ends = np.cumsum(lengths)
    used = int(np.searchsorted(ends, n)) + 1  # the stays that reach minute n
    if used > lengths.shape[0]:  # astronomically rare: keep the last state to the end
        lengths[-1] += n
        used = lengths.shape[0]
    return np.repeat(sequence[:used], lengths[:used])[:n]


def _ar1(shocks: Column, persistence: float) -> Column:
    """x[t] = persistence * x[t-1] + shocks[t] from x[-1] = 0, block-wise (a loop per block)."""
    n = shocks.shape[0]
    size = _AR1_BLOCK
    blocks = -(-n // size)
    padded = np.zeros(blocks * size)
    padded[:n] = shocks
    grid = padded.reshape(blocks, size)
    powers = persistence ** np.arange(size)
    # Inside a block: y[j] = sum_{s<=j} p^(j-s) e[s] = p^j * cumsum(e[s] / p^s).
    local = np.cumsum(grid / powers, axis=1) * powers
    carry = np.empty(blocks)
    state = 0.0
    decay = persistence**size
    for b in range(blocks):
        carry[b] = state
        state = decay * state + local[b, -1]
    series: Column = local + carry[:, None] * (persistence * powers)[None, :]
    return series.reshape(-1)[:n]


def _recent_mean(shocks: Column) -> Column:
    """Mean of the previous ``_RANGE_WINDOW`` shocks at each minute (fewer at the start)."""
    total = np.concatenate(([0.0], np.cumsum(shocks)))
    n = shocks.shape[0]
    upto = np.arange(n)  # shocks before minute t: indices < t
    since = np.maximum(upto - _RANGE_WINDOW, 0)
    mean: Column = (total[upto] - total[since]) / np.maximum(upto - since, 1)
    return mean


def _time_of_day(ts: npt.NDArray[np.int64]) -> Column:
    """Volatility multiplier by UTC hour: quiet in the Asian night, busy at the US open."""
    hours = (ts % 86_400_000) / 3_600_000
    return (
        1.0
        + 0.35 * np.exp(-(((hours - 14.5) / 2.5) ** 2))
        - 0.15 * np.cos(2 * np.pi * (hours - 14.5) / 24)
    )


def _trend_drift(rng: np.random.Generator, phase: npt.NDArray[np.intp]) -> Column:
    """Per-minute drift: each trend moves a few percent over its whole length."""
    starts = np.flatnonzero(np.concatenate(([True], phase[1:] != phase[:-1])))
    lengths = np.diff(np.append(starts, phase.shape[0]))
    moves = rng.uniform(*_TREND_MOVE, starts.shape[0])
    direction = np.select([phase[starts] == 1, phase[starts] == 2], [1.0, -1.0], 0.0)
    return np.repeat(direction * moves / lengths, lengths)


def _bridge_extreme(
    rng: np.random.Generator, log_open: Column, log_close: Column, sigma: Column
) -> Column:
    """Distance from the bar's midpoint to a Brownian-bridge maximum (exact draw).

    For a bridge from a to b with variance s^2, P(max > m) = exp(-2 (m-a)(m-b) / s^2),
    so m = (a + b + sqrt((b-a)^2 + 2 s^2 E)) / 2 with E = -ln U exponential. The minimum
    is the mirror image.
    """
    span = log_close - log_open
    spread = rng.standard_exponential(log_open.shape[0])
    return np.sqrt(span * span + 2.0 * sigma * sigma * spread) / 2


def _ticks(log_price: Column) -> Column:
    """exp(log_price) rounded to the tick; k / 10 is the float nearest to the decimal."""
    return np.round(np.exp(log_price) * _TICKS_PER_USDT) / _TICKS_PER_USDT


def _volume(rng: np.random.Generator, sigma: Column, log_range: Column) -> Column:
    """Volume grows with volatility and with the bar's range, with lognormal noise."""
    activity = (sigma / _REGIME_SIGMA[1]) ** 0.8 * (0.4 + log_range / (4 * sigma))
    noise = rng.lognormal(0.0, 0.45, sigma.shape[0])
    volume: Column = np.round(_BASE_VOLUME * activity * noise * _STEPS_PER_BTC) / _STEPS_PER_BTC
    return volume
