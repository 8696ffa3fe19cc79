"""The numbers a trader reads after a run, computed once from its :class:`RunRecord`.

Conventions (stated once, used everywhere in the report):

- **The curve.** The equity curve starts with the initial wallet at the first bar's open
  and has one point per bar, marked at that bar's close. The bar length is the median
  step between bar timestamps (robust to gaps), so bar *i* closes at
  ``ts_ms[i] + bar``. The run's span runs from the first bar's open to the last bar's
  close.
- **Returns.** Total return and CAGR compare the final equity with the initial wallet;
  CAGR compounds over the span in 365-day years. A total loss (equity at or below zero)
  is -100 %. A zero span gives a CAGR of 0.
- **Sharpe and Sortino** use the simple per-bar returns of the curve (one per bar), a
  risk-free rate of 0, and annualise by ``sqrt(bars per 365-day year)``. Sharpe divides
  the mean return by the sample standard deviation (``ddof=1``); Sortino by the downside
  deviation ``sqrt(mean(min(r, 0)**2))`` over all returns (target 0). Returns that are
  not finite (after the equity reached zero) are left out.
- **Degenerate ratios never raise.** With fewer than two returns a ratio is 0.0. When the
  dispersion is zero (a flat curve, no losing bar), the ratio is 0.0 if the mean is zero
  and ``+inf`` / ``-inf`` with the mean's sign otherwise. Calmar (CAGR / max drawdown)
  and profit factor follow the same rule: no drawdown or no losing trade gives ``inf``
  with a gain, 0.0 without one.
- **Drawdown** is the fall from the running peak of the curve (the initial wallet counts
  as a peak), in percent, reported as a positive number. Its duration is the longest
  time from a peak to the first point back at or above it, or to the end of the run if
  the curve never got back, in bars and as a :class:`~datetime.timedelta`.
- **Trades.** A win is a trade whose net PnL (after fees) is positive; win rate and
  expectancy are 0 with no trades. Exposure is the share of bars that closed with a
  non-zero position.

Everything over the curve is vectorised numpy: a million bars take milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from bot.errors import ConfigError, InvalidValue
from bot.report.record import RunRecord, TradeRecord

Objective = Literal["sharpe", "sortino", "total_return", "calmar"]
OBJECTIVE_NAMES: Final[tuple[Objective, ...]] = ("sharpe", "sortino", "total_return", "calmar")

_YEAR_MS: Final = 365 * 86_400_000
_ZERO: Final = Decimal(0)


@dataclass(frozen=True, slots=True)
class Metrics:
    """The summary of one run; see the module docstring for every convention.

    Percentages are in percent (``12.5`` is 12.5 %); ``max_drawdown_pct`` is positive.
    Money is :class:`~decimal.Decimal` in the settlement coin (USDT); ratios are floats
    that may be ``inf`` where documented.
    """

    start_ts_ms: int
    end_ts_ms: int
    bars: int
    initial: Decimal
    final_equity: Decimal
    total_return_pct: float
    cagr_pct: float
    sharpe: float
    sortino: float
    calmar: float
    max_drawdown_pct: float
    max_drawdown_bars: int
    max_drawdown_duration: timedelta
    trades: int
    win_rate_pct: float
    profit_factor: float
    expectancy: Decimal
    net_pnl: Decimal
    exposure_pct: float
    fees: Decimal
    funding: Decimal
    rejections: int

    def as_dict(self) -> dict[str, str | int | float]:
        """JSON-ready values: Decimals as exact strings, ``inf``/``nan`` as strings.

        The drawdown duration becomes ``max_drawdown_duration_s`` (seconds).
        """
        out: dict[str, str | int | float] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, Decimal):
                out[spec.name] = format(value, "f")
            elif isinstance(value, timedelta):
                out[f"{spec.name}_s"] = value.total_seconds()
            elif isinstance(value, float) and not math.isfinite(value):
                out[spec.name] = str(value)
            else:
                out[spec.name] = value
        return out

    def objective(self, name: str) -> float:
        """The value a sweep optimises: ``sharpe``, ``sortino``, ``total_return`` or ``calmar``."""
        values: dict[str, float] = {
            "sharpe": self.sharpe,
            "sortino": self.sortino,
            "total_return": self.total_return_pct,
            "calmar": self.calmar,
        }
        if name not in values:
            raise ConfigError("task.objective", name, f"one of {', '.join(OBJECTIVE_NAMES)}")
        return values[name]


def compute_metrics(run: RunRecord) -> Metrics:
    """Compute every metric of ``run`` (vectorised over the equity curve)."""
    bars = _check_lengths(run)
    initial = float(run.initial)
    curve = np.concatenate(([initial], run.equity.astype(np.float64, copy=False)))
    bar_ms = _bar_ms(run.ts_ms)
    start_ms = int(run.ts_ms[0]) if bars else 0
    end_ms = int(run.ts_ms[-1]) + bar_ms if bars else 0
    times = np.concatenate(([start_ms], run.ts_ms.astype(np.int64) + bar_ms))
    final = float(curve[-1])
    total_return = _growth(final, initial) * 100.0
    cagr = _cagr(final, initial, end_ms - start_ms)
    sharpe, sortino = _risk_ratios(curve, bar_ms)
    drawdown = _drawdown_pct(curve)
    max_dd = float(drawdown.max()) if bars else 0.0
    dd_bars, dd_ms = _longest_underwater(curve, times)
    trades = _TradeStats.of(run.trades)
    final_equity = Decimal(repr(final)) if bars else run.initial
    return Metrics(
        start_ts_ms=start_ms,
        end_ts_ms=end_ms,
        bars=bars,
        initial=run.initial,
        final_equity=final_equity,
        total_return_pct=total_return,
        cagr_pct=cagr,
        sharpe=sharpe,
        sortino=sortino,
        calmar=_ratio(cagr, max_dd),
        max_drawdown_pct=max_dd,
        max_drawdown_bars=dd_bars,
        max_drawdown_duration=timedelta(milliseconds=dd_ms),
        trades=len(run.trades),
        win_rate_pct=trades.win_rate_pct,
        profit_factor=trades.profit_factor,
        expectancy=trades.expectancy,
        net_pnl=trades.net,
        exposure_pct=float(np.count_nonzero(run.position)) / bars * 100.0 if bars else 0.0,
        fees=run.fees,
        funding=run.funding,
        rejections=run.rejections,
    )


def drawdown_pct(run: RunRecord) -> NDArray[np.float64]:
    """Per-bar drawdown in percent (positive) from the running peak; for plots."""
    _check_lengths(run)
    curve = np.concatenate(([float(run.initial)], run.equity.astype(np.float64, copy=False)))
    return _drawdown_pct(curve)[1:]


def _check_lengths(run: RunRecord) -> int:
    bars = len(run.ts_ms)
    for name in ("equity", "close", "position"):
        length = len(getattr(run, name))
        if length != bars:
            raise InvalidValue(f"run.{name}", f"{length} points", f"one per bar ({bars} bars)")
    if run.initial <= 0:
        raise InvalidValue("run.initial", str(run.initial), "a positive starting wallet")
    return bars


def _bar_ms(ts_ms: NDArray[np.int64]) -> int:
    if len(ts_ms) < 2:
        return 0
    return max(int(np.median(np.diff(ts_ms))), 0)


def _growth(final: float, initial: float) -> float:
    return max(final / initial - 1.0, -1.0)


def _cagr(final: float, initial: float, span_ms: int) -> float:
    if span_ms <= 0:
        return 0.0
    ratio = final / initial
    if ratio <= 0:
        return -100.0
    with np.errstate(over="ignore"):
        grown = np.power(np.float64(ratio), np.float64(_YEAR_MS / span_ms))
    return float(grown - 1.0) * 100.0


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` with the module's rule for a zero denominator."""
    if denominator > 0 and math.isfinite(denominator):
        return numerator / denominator
    if numerator == 0 or math.isnan(numerator):
        return 0.0
    return math.copysign(math.inf, numerator)


def _risk_ratios(curve: NDArray[np.float64], bar_ms: int) -> tuple[float, float]:
    if len(curve) < 3 or bar_ms <= 0:
        return 0.0, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.diff(curve) / curve[:-1]
    returns = returns[np.isfinite(returns)]
    if len(returns) < 2:
        return 0.0, 0.0
    mean = float(returns.mean())
    deviation = float(returns.std(ddof=1))
    downside = float(np.sqrt(np.mean(np.square(np.minimum(returns, 0.0)))))
    scale = math.sqrt(_YEAR_MS / bar_ms)
    return _ratio(mean, deviation) * scale, _ratio(mean, downside) * scale


def _drawdown_pct(curve: NDArray[np.float64]) -> NDArray[np.float64]:
    peak = np.maximum.accumulate(curve)
    with np.errstate(divide="ignore", invalid="ignore"):
        drawdown = np.where(peak > 0, (1.0 - curve / peak) * 100.0, 0.0)
    return np.asarray(drawdown, dtype=np.float64)


def _longest_underwater(curve: NDArray[np.float64], times: NDArray[np.int64]) -> tuple[int, int]:
    """Longest peak-to-recovery stretch as (points, milliseconds); to the end if open."""
    under = curve < np.maximum.accumulate(curve)
    if not under.any():
        return 0, 0
    edges = np.diff(under.astype(np.int8))
    starts = np.flatnonzero(edges == 1)  # the peak: the last point before going under
    ends = np.flatnonzero(edges == -1) + 1  # the first point back at or above the peak
    if len(ends) < len(starts):
        ends = np.append(ends, len(curve) - 1)  # still under water at the end of the run
    lengths_ms = times[ends] - times[starts]
    longest = int(np.argmax(lengths_ms))
    return int(ends[longest] - starts[longest]), int(lengths_ms[longest])


@dataclass(frozen=True, slots=True)
class _TradeStats:
    win_rate_pct: float
    profit_factor: float
    expectancy: Decimal
    net: Decimal

    @classmethod
    def of(cls, trades: tuple[TradeRecord, ...]) -> _TradeStats:
        nets = [trade.pnl - trade.fees for trade in trades]
        if not nets:
            return cls(0.0, 0.0, _ZERO, _ZERO)
        wins = sum((net for net in nets if net > 0), _ZERO)
        losses = -sum((net for net in nets if net < 0), _ZERO)
        won = sum(1 for net in nets if net > 0)
        total = sum(nets, _ZERO)
        return cls(
            win_rate_pct=won / len(nets) * 100.0,
            profit_factor=float(wins / losses) if losses else _ratio(float(wins), 0.0),
            expectancy=total / len(nets),
            net=total,
        )
