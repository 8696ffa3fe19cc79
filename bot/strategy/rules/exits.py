"""Protective and time exits of one open trade, checked on each closed bar.

Conservative semantics, the same in a backtest and live: at each bar's close the
bar's high and low are compared with the trade's stop levels; if a level was touched
the strategy answers with a reduce-only close, carried out at the *next* bar's open
(so a gap past the stop is paid in full). Within one bar the adverse side is assumed
to come first: when both the stop-loss and the take-profit were touched, the stop-loss
wins, and a trailing stop moves only with the highs (lows, for a short) of bars
already finished. No resting stop order sits at the venue (that can come later).

Distances: ``percent`` of the entry price (the fill price of the position), or
``atr`` multiples of the named ATR output at the bar whose close gave the entry. An
ATR that is still warming up (NaN) gives a level that never triggers.
"""

from __future__ import annotations

import math

import numpy as np

from bot.domain.hotpath import hot_path
from bot.strategy.indicators._series import FloatArray
from bot.strategy.rules.spec import ExitRules, StopRule

_NAN = math.nan


def distance(rule: StopRule | None, entry: float, atr: float) -> float:
    """The rule's price distance from ``entry`` (NaN without a rule)."""
    return _distance(rule, entry, atr)


@hot_path
def _distance(rule: StopRule | None, entry: float, atr: float) -> float:
    if rule is None:
        return _NAN
    if rule.kind == "percent":
        return entry * rule.value / 100.0
    return atr * rule.value


class OpenTrade:
    """What the strategy tracks of its open position: levels, extreme and bars held.

    ``sign`` is +1 for a long, -1 for a short. ``atrs`` are the ATR values for the
    stop-loss, take-profit and trailing stop rules (NaN where a rule uses percent).
    """

    __slots__ = (
        "bars",
        "closing",
        "entry",
        "extreme",
        "max_bars",
        "sign",
        "stop",
        "target",
        "trail",
        "watching",
    )

    def __init__(
        self, sign: int, entry: float, rules: ExitRules, atrs: tuple[float, float, float]
    ) -> None:
        self.sign = sign
        self.entry = entry
        self.stop = entry - sign * _distance(rules.stop_loss, entry, atrs[0])
        self.target = entry + sign * _distance(rules.take_profit, entry, atrs[1])
        self.trail = _distance(rules.trailing_stop, entry, atrs[2])
        self.extreme = entry
        self.max_bars = rules.max_bars if rules.max_bars is not None else 0
        #: False when no level and no time limit can end the trade (only a signal can)
        isnan = math.isnan
        self.watching = bool(self.max_bars) or not (
            isnan(self.stop) and isnan(self.target) and isnan(self.trail)
        )
        self.bars = 0
        #: a close was asked for; ask again each bar until the position is gone
        self.closing = ""

    @hot_path
    def first_exit(self, highs: FloatArray, lows: FloatArray) -> int:
        """Index of the first of these coming bars on which :meth:`exit_reason` would
        name an exit (``len(highs)`` if none): the same comparisons, on whole columns,
        with the best price followed from bar to bar as :meth:`exit_reason` does."""
        if self.closing:
            return 0
        scan = len(highs)
        if not self.watching:
            return scan  # no level to reach: nothing can fire
        timed = scan
        if self.max_bars:
            due = max(0, self.max_bars - self.bars - 1)  # bars counts this bar first
            if due < scan:
                timed = due
                scan = due + 1
        if not scan:
            return timed
        sign = self.sign
        adverse, favourable = (
            (lows[:scan], highs[:scan]) if sign > 0 else (highs[:scan], lows[:scan])
        )
        best = np.maximum if sign > 0 else np.minimum
        extreme = np.empty(scan)
        extreme[0] = self.extreme
        extreme[1:] = best(best.accumulate(favourable[:-1]), self.extreme)
        hit = (adverse - self.stop) * sign <= 0
        hit |= (adverse - (extreme - sign * self.trail)) * sign <= 0
        hit |= (favourable - self.target) * sign >= 0
        hits = np.flatnonzero(hit)
        return int(hits[0]) if hits.size else timed

    @hot_path
    def pass_bars(self, count: int, best: float) -> None:
        """``count`` bars went by without an exit (see :meth:`first_exit`): record what
        :meth:`exit_reason` would have of them (bars held, the best price), given their
        best price: the highest high for a long, the lowest low for a short."""
        self.bars += count
        if (best - self.extreme) * self.sign > 0:
            self.extreme = best

    @hot_path
    def exit_reason(self, high: float, low: float) -> str:
        """Which exit this closed bar triggered (``""`` for none); one more bar held."""
        self.bars += 1
        if self.closing:
            return self.closing
        long = self.sign > 0
        adverse, favourable = (low, high) if long else (high, low)
        reason = ""
        if (adverse - self.stop) * self.sign <= 0:
            reason = "stop_loss"
        elif (adverse - (self.extreme - self.sign * self.trail)) * self.sign <= 0:
            reason = "trailing_stop"
        elif (favourable - self.target) * self.sign >= 0:
            reason = "take_profit"
        elif self.max_bars and self.bars >= self.max_bars:
            reason = "time_exit"
        if (favourable - self.extreme) * self.sign > 0:
            self.extreme = favourable
        return reason
