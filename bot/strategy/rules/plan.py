"""A declarative strategy prepared for a whole backtest: signals found in one pass.

:meth:`RuleStrategy.plan <bot.strategy.rules.RuleStrategy.plan>` computes every
indicator over the whole series and evaluates the entry and exit conditions on every
bar at once (:mod:`.vector`). The bars where a condition holds are the only ones where
the strategy can answer with an intent while no protective exit is being tracked, so
a backtest may skip the others.

Exactness is the point: on the bars it is shown, the plan writes the very values the
streaming indicators would have produced into the strategy's value lists and runs the
strategy's own decision code, so its answers and state are those of
:meth:`RuleStrategy.on_bar <bot.strategy.rules.RuleStrategy.on_bar>`. Indicators whose
vectorised form equals the streaming one bit for bit (:data:`EXACT_KINDS`) are computed
vectorised; the others by running their streaming form over the series once.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_left
from typing import Final, Protocol, runtime_checkable

import numpy as np

from bot.domain import Intent
from bot.domain.hotpath import hot_path
from bot.strategy.base import Book, ClosedBar
from bot.strategy.indicators import BAR_FIELDS, IndicatorSpec, ParamValue, indicator_spec
from bot.strategy.indicators._series import FloatArray
from bot.strategy.rules.exits import OpenTrade
from bot.strategy.rules.layout import Layout
from bot.strategy.rules.spec import Condition, StrategyRules
from bot.strategy.rules.vector import Columns, Mask, evaluate

#: Indicators whose vectorised form equals the streaming form bit for bit
#: (``tests/property/test_indicator_parity.py``); the rest are streamed once.
EXACT_KINDS: Final = frozenset({"ema", "rsi", "atr", "macd", "adx", "vwap", "roc", "donchian"})
#: Up to this many bars, extremes are taken on Python lists rather than numpy arrays.
_SHORT: Final = 64


def indicator_columns(
    spec: IndicatorSpec, params: dict[str, ParamValue], bars: dict[str, FloatArray]
) -> list[FloatArray]:
    """The outputs of one indicator over the whole series, equal to its streaming form."""
    if spec.name in EXACT_KINDS:
        computed = spec.compute(bars, params)
        return [np.asarray(computed[output], dtype=np.float64) for output in spec.outputs]
    stream = spec.stream(params)
    length = len(bars["close"])
    out = np.empty((len(spec.outputs), length), dtype=np.float64)
    rows = zip(*(bars[field].tolist() for field in BAR_FIELDS), strict=True)
    update = stream.update
    for index, (o, h, low, c, v) in enumerate(rows):
        out[:, index] = update(o, h, low, c, v)
    return list(out)


@runtime_checkable
class PlannedRules(Protocol):
    """What a plan needs of the strategy it runs: :class:`RuleStrategy
    <bot.strategy.rules.RuleStrategy>`'s rules and its decision code."""

    @property
    def rules(self) -> StrategyRules:
        """The checked rules."""
        ...

    def decide_planned(
        self, now: list[float], before: list[float], warm: bool, bar: ClosedBar, book: Book
    ) -> list[Intent]:
        """The answer on a bar whose values are given."""
        ...

    def decide_unsignalled(self, bar: ClosedBar, book: Book) -> list[Intent] | None:
        """The answer on a bar where no entry or exit condition holds (None: the bar's
        values are needed after all)."""
        ...

    @property
    def trade(self) -> OpenTrade | None:
        """The open trade it tracks (its exits, bars held and best price), if any."""
        ...


class RulePlan:
    """The :class:`~bot.strategy.base.BarPlan` of one rule strategy over one series."""

    __slots__ = (
        "_before",
        "_columns",
        "_entries",
        "_exits_long",
        "_exits_short",
        "_high",
        "_last",
        "_low",
        "_signalled",
        "_strategy",
        "_warm_from",
    )

    def __init__(self, strategy: PlannedRules, bars: dict[str, FloatArray]) -> None:
        rules = strategy.rules
        layout = Layout(rules.indicators)
        columns = [bars[field] for field in BAR_FIELDS]
        for use in rules.indicators:
            columns += indicator_columns(indicator_spec(use.kind), dict(use.params), bars)
        table = Columns(columns)
        length = table.length
        filled = np.ones(length, dtype=np.bool_)
        for column in columns[len(BAR_FIELDS) :]:
            filled &= ~np.isnan(column)
        hits = np.flatnonzero(filled)
        self._warm_from = int(hits[0]) if hits.size else length
        self._strategy = strategy
        self._columns = tuple(columns)
        self._before = [math.nan] * len(columns)
        #: the last bar shown and its values: the next bar's ``before`` when it follows
        self._last: tuple[int, list[float]] = (-1, self._before)
        self._high = bars["high"]
        self._low = bars["low"]
        direction = rules.direction
        self._entries = _hits(
            (
                rules.entry_long if direction != "short" else None,
                rules.entry_short if direction != "long" else None,
            ),
            layout,
            table,
            self._warm_from,
        )
        self._exits_long = _hits((rules.exit_long,), layout, table, self._warm_from)
        self._exits_short = _hits((rules.exit_short,), layout, table, self._warm_from)
        #: bars where an entry or exit condition holds: the others need no values
        self._signalled = np.zeros(length, dtype=np.bool_)
        for bars_hit in (self._entries, self._exits_long, self._exits_short):
            self._signalled[bars_hit] = True

    def next_bar(self, start: int, stop: int) -> int:
        """The first bar from ``start`` (``stop`` if none before it) where the strategy
        may answer: an entry condition holds, the exit condition of the side it holds
        holds, or a stop, target, trailing or time exit of its trade may fire (or a
        close it asked for is still pending)."""
        seen = min(stop, _next(self._entries, start))
        trade = self._strategy.trade
        if trade is None:
            return seen
        exits = self._exits_long if trade.sign > 0 else self._exits_short
        seen = min(seen, _next(exits, start))
        if not (trade.closing or trade.watching):
            return seen  # nothing of the trade's own can end it
        return start + trade.first_exit(self._high[start:seen], self._low[start:seen])

    def on_bar(self, index: int, bar: ClosedBar, book: Book) -> list[Intent]:
        """The strategy's answer on bar ``index``, from the precomputed values (or, where
        no condition holds, from its exits alone). A list, not any Sequence: checking an
        abstract Sequence costs an ABC instance check on every call."""
        if not self._signalled.item(index):
            answer = self._strategy.decide_unsignalled(bar, book)
            if answer is not None:
                return answer
        columns = self._columns
        now = [column.item(index) for column in columns]
        shown, values = self._last
        if shown == index - 1:
            before = values
        else:
            before = [column.item(index - 1) for column in columns] if index else self._before
        self._last = (index, now)
        return self._strategy.decide_planned(now, before, index >= self._warm_from, bar, book)

    def skip(self, start: int, stop: int) -> None:
        """Let the open trade (if any) count the bars and follow its best price."""
        trade = self._strategy.trade
        if trade is None or stop <= start:
            return
        long = trade.sign > 0
        prices = (self._high if long else self._low)[start:stop]
        if stop - start > _SHORT:
            best = float(prices.max() if long else prices.min())
        else:  # on a few dozen bars a list's max is quicker than numpy's
            best = max(prices.tolist()) if long else min(prices.tolist())
        trade.pass_bars(stop - start, best)


@hot_path
def _next(bars: list[int], start: int) -> int:
    """The first of ``bars`` (ascending) at or after ``start``; a huge number if none."""
    k = bisect_left(bars, start)
    return bars[k] if k < len(bars) else sys.maxsize


def _hits(
    conditions: tuple[Condition | None, ...], layout: Layout, table: Columns, warm_from: int
) -> list[int]:
    """Bars past the warm-up where any of ``conditions`` holds, ascending."""
    hit: Mask = np.zeros(table.length, dtype=np.bool_)
    for condition in conditions:
        if condition is not None:
            hit |= evaluate(condition, layout, table)
    hit[:warm_from] = False
    found: list[int] = np.flatnonzero(hit).tolist()
    return found
