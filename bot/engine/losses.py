"""Where the equity of passed bars matters to the risk engine's loss limits.

The risk engine (:meth:`~bot.risk.RiskEngine.on_equity`) keeps the equity peak and each
UTC day's starting equity (the last equity it was told before the day began: the close
of the day's last bar), and escalates the trading state when the equity breaches the
drawdown or daily-loss limit. A backtest that passes bars without visiting them must
tell it the bars that change that state (:meth:`LossWatch.telling`) and visit every
bar that may breach (:meth:`LossWatch.safe_length`). Both are found on floats with
margins, so they are supersets: the risk engine decides from the venue's exact equity.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from bot.domain.hotpath import hot_path
from bot.risk import RiskSettings

_DAY_MS: Final = 86_400_000
#: Margins of the float pre-checks: a bar within them of a limit counts as reaching it.
_PERCENT_MARGIN: Final = 1e-6
_RELATIVE_MARGIN: Final = 1e-9

Floats = npt.NDArray[np.float64]
Times = npt.NDArray[np.int64]


class LossWatch:
    """What the risk engine was told of the equity: the peak, the day's starting value
    and the last value (the next day starts from it)."""

    __slots__ = ("_drawdown_pct", "_loss_limit", "day", "day_start", "last", "peak")

    def __init__(self, limits: RiskSettings) -> None:
        self._drawdown_pct = float(limits.max_drawdown_pct)
        self._loss_limit = float(limits.daily_loss_limit)
        self.peak: float | None = None
        self.day: int | None = None
        self.day_start = 0.0
        self.last: float | None = None

    @hot_path
    def saw(self, equity: float, ts_ms: int) -> None:
        """The risk engine was told ``equity`` at ``ts_ms``."""
        day = ts_ms // _DAY_MS
        if self.day is None or day > self.day:
            self.day = day
            self.day_start = equity if self.last is None else self.last
        if self.peak is None or equity > self.peak:
            self.peak = equity
        self.last = equity

    @hot_path
    def must_tell(self, equity: float, ts_ms: int, day_last: bool) -> bool:
        """Whether a bar (or stretch) with ``equity`` at its highest, ending at ``ts_ms``,
        holds the first bar of a new UTC day, the last bar of a day (``day_last``: the
        next day starts from its equity) or may hold a new peak: :meth:`telling`'s rule."""
        peak, day = self.peak, self.day
        if day_last or peak is None or day is None or ts_ms // _DAY_MS > day:
            return True
        return equity >= peak - _RELATIVE_MARGIN * max(1.0, abs(peak))

    @hot_path
    def must_tell_bar(self, equity: float, ts_ms: int, limit_open: bool, day_last: bool) -> bool:
        """Whether a visited bar's ``equity`` must go to the risk engine: as
        :meth:`must_tell`, or, while a loss limit can still change the trading state
        (``limit_open``), where it may breach one (:meth:`may_breach` on that bar)."""
        if self.must_tell(equity, ts_ms, day_last):
            return True
        return limit_open and not self._within(equity, equity)

    @hot_path
    def may_breach(self, low: float, high: float) -> bool:
        """Whether a bar or stretch whose equity stays in ``low..high`` may reach a loss
        limit (:meth:`safe_length` then says where)."""
        return not self._within(low, high)

    @hot_path
    def telling(
        self,
        equity: Floats,
        ts_ms: Times,
        ticks: Times,
        sign: int,
        high: float,
        *,
        lasts: npt.NDArray[np.bool_],
    ) -> list[int]:
        """Offsets of the passed bars the risk engine must be told, in order: the first
        bar of each new UTC day, the last bar of each day (``lasts``: the next day starts
        from its equity) and the bar that may set a new peak. ``high`` is the highest of
        ``equity``.

        Equity rises with the close for a long and falls for a short, so the exact peak
        is on the highest (lowest) close ``ticks``, whatever float rounding does.
        """
        marked = lasts.copy()
        if self.day is None or int(ts_ms[-1]) // _DAY_MS > self.day:
            marked |= _day_firsts(ts_ms // _DAY_MS, self.day) >= 0
        chosen = np.flatnonzero(marked).tolist()
        peak = self.peak
        if peak is None or high >= peak - _RELATIVE_MARGIN * max(1.0, abs(peak)):
            top = 0 if not sign else int(np.argmax(ticks) if sign > 0 else np.argmin(ticks))
            if top not in chosen:
                chosen.append(top)
                chosen.sort()
        return chosen

    @hot_path
    def safe_length(self, equity: Floats, ts_ms: Times, low: float, high: float) -> int:
        """How many leading bars surely breach no loss limit; ``low`` and ``high`` are
        the lowest and highest of ``equity``."""
        if self._within(low, high):
            return len(equity)
        hits = np.flatnonzero(self._may_breach(equity, ts_ms))
        return int(hits[0]) if hits.size else len(equity)

    @hot_path
    def _within(self, low: float, high: float) -> bool:
        """Surely no breach on a stretch whose equity stays in ``low..high``: its lowest
        equity against the highest peak and the highest day start it can have."""
        peak = high if self.peak is None else max(high, self.peak)
        day_start = high if self.day is None else max(high, self.day_start)
        if self.last is not None:  # a day that begins in the stretch starts from it
            day_start = max(day_start, self.last)
        scale = max(1.0, abs(low), abs(peak), abs(day_start))
        if low <= _RELATIVE_MARGIN * scale:
            return False
        drawdown_limit = self._drawdown_pct - _PERCENT_MARGIN
        if peak > 0 and (peak - low) * 100.0 / peak >= drawdown_limit:
            return False
        loss_limit = self._loss_limit
        return day_start - low < loss_limit - _RELATIVE_MARGIN * max(scale, loss_limit)

    def _may_breach(self, equity: Floats, ts_ms: Times) -> npt.NDArray[np.bool_]:
        """Bars whose equity may reach a loss limit, bar by bar (a superset)."""
        firsts = _day_firsts(ts_ms // _DAY_MS, self.day)
        run = np.maximum.accumulate(firsts)
        # a day that begins at bar k starts from the equity of bar k - 1 (before the
        # stretch: the last one told; none at all: bar k's own)
        before = np.empty_like(equity)
        before[1:] = equity[:-1]
        before[0] = self.last if self.last is not None else equity[0]
        day_start = np.where(run >= 0, before[np.maximum(run, 0)], self.day_start)
        peak = np.maximum.accumulate(equity)
        if self.peak is not None:
            peak = np.maximum(peak, self.peak)
        scale = np.maximum(1.0, np.abs(equity))
        breach = equity <= _RELATIVE_MARGIN * scale
        with np.errstate(divide="ignore", invalid="ignore"):
            drawdown = (peak - equity) * 100.0 / peak
        breach |= (peak > 0) & (drawdown >= self._drawdown_pct - _PERCENT_MARGIN)
        loss_limit = self._loss_limit
        margin = _RELATIVE_MARGIN * np.maximum(scale, loss_limit)
        breach |= day_start - equity >= loss_limit - margin
        result: npt.NDArray[np.bool_] = breach
        return result


def day_lasts(ts_ms: Times) -> npt.NDArray[np.bool_]:
    """For each bar, whether it is the last of its UTC day and a later bar follows."""
    days = ts_ms // _DAY_MS
    lasts = np.zeros(len(days), dtype=np.bool_)
    lasts[:-1] = days[1:] > days[:-1]
    return lasts


def _day_firsts(days: Times, known: int | None) -> Times:
    """For each bar, its own index if it is the first of a day not yet seen, else -1."""
    first = np.zeros(len(days), dtype=np.bool_)
    if len(days):
        first[0] = known is None or int(days[0]) > known
        first[1:] = days[1:] != days[:-1]
    result: Times = np.where(first, np.arange(len(days)), -1)
    return result
