"""The running form of a declarative strategy: streams, compiled conditions, exits, sizing.

On each closed bar, in this order: the bar's fields and every indicator's streaming
update are written into the value list; the open trade (if any) checks its stop-loss,
trailing stop, take-profit and time exit against the bar (see
:mod:`bot.strategy.rules.exits`), then the signal exit for its side; then the entry
conditions of the allowed sides. Answers, carried out at the next bar's open:

- an exit: a reduce-only close of the whole position;
- an entry on the other side of an open position (``direction: both``): a close, then
  the entry (a reversal);
- an entry when flat: the entry, sized by :mod:`bot.strategy.rules.sizing`.

Nothing is signalled until every indicator is past its warm-up; protective exits of
a position already open still run. When the long and short entries hold on the same
bar, neither is taken. A position is never added to.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from bot.domain import CloseIntent, EntryIntent, Intent, Position, Side, Symbol
from bot.domain.hotpath import hot_path
from bot.strategy.base import Book, ClosedBar
from bot.strategy.indicators import indicator_spec
from bot.strategy.rules.conditions import Check, compile_condition
from bot.strategy.rules.exits import OpenTrade
from bot.strategy.rules.layout import Layout
from bot.strategy.rules.plan import RulePlan
from bot.strategy.rules.sizing import entry_notional
from bot.strategy.rules.spec import Condition, StopRule, StrategyRules

_REASONS = ("exit", "stop_loss", "trailing_stop", "take_profit", "time_exit")


def _never() -> bool:
    return False


class RuleStrategy:
    """A :class:`~bot.strategy.base.Strategy` built from checked :class:`StrategyRules`."""

    def __init__(self, symbol: Symbol, rules: StrategyRules) -> None:
        self.name = rules.name
        self.rules = rules
        self._symbol = symbol
        layout = Layout(rules.indicators)
        self._values = [math.nan] * layout.size
        self._previous = [math.nan] * layout.size
        self._streams: tuple[tuple[Callable[..., tuple[float, ...]], int, int], ...] = tuple(
            (indicator_spec(use.kind).stream(dict(use.params)).update, start, stop)
            for use, (start, stop) in zip(rules.indicators, layout.spans, strict=True)
        )

        def compiled(condition: Condition | None) -> Check:
            if condition is None:
                return _never
            return compile_condition(condition, layout, self._values, self._previous)

        direction = rules.direction
        self._entry_long = compiled(rules.entry_long if direction != "short" else None)
        self._entry_short = compiled(rules.entry_short if direction != "long" else None)
        self._exit_long = compiled(rules.exit_long)
        self._exit_short = compiled(rules.exit_short)
        exits = rules.exits
        self._atr_positions = tuple(
            _atr_position(rule, layout)
            for rule in (exits.stop_loss, exits.take_profit, exits.trailing_stop)
        )
        self._closes = {
            reason: CloseIntent(symbol, Decimal(1), tag=f"{rules.name} {reason}")
            for reason in _REASONS
        }
        self._entry_tag = f"{rules.name} entry"
        self._trade: OpenTrade | None = None
        self._signal_atrs: tuple[float, float, float] | None = None
        self._warm = False

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """Update the indicators with ``bar``; exits and entries for the next bar's open."""
        values = self._values
        self._previous[:] = values
        o, h, low, c, v = bar.open, bar.high, bar.low, bar.close, bar.volume
        values[0], values[1], values[2], values[3], values[4] = o, h, low, c, v
        for update, start, stop in self._streams:
            values[start:stop] = update(o, h, low, c, v)
        if not self._warm:
            self._warm = not any(math.isnan(value) for value in values)
        return self._decide(h, low, c, book)

    def plan(
        self,
        open_: NDArray[np.float64],
        high: NDArray[np.float64],
        low: NDArray[np.float64],
        close: NDArray[np.float64],
        volume: NDArray[np.float64],
    ) -> RulePlan:
        """This strategy prepared for a whole series (see :mod:`bot.strategy.rules.plan`).

        Use either the plan or :meth:`on_bar` for a run, not both.
        """
        bars = {"open": open_, "high": high, "low": low, "close": close, "volume": volume}
        return RulePlan(self, bars)

    def decide_planned(
        self, now: list[float], before: list[float], warm: bool, bar: ClosedBar, book: Book
    ) -> list[Intent]:
        """:meth:`on_bar` with the bar's values already computed: ``now`` this bar's,
        ``before`` the previous bar's (layout order), ``warm`` past every warm-up."""
        self._previous[:] = before
        self._values[:] = now
        self._warm = warm
        return self._decide(bar.high, bar.low, bar.close, book)

    def quiet_bars(self, highs: NDArray[np.float64], lows: NDArray[np.float64]) -> int:
        """How many of these coming bars surely trigger no protective or time exit of
        the open trade (all of them when flat); see ``OpenTrade.first_exit``."""
        trade = self._trade
        return len(highs) if trade is None else trade.first_exit(highs, lows)

    def open_side(self) -> int:
        """+1 while the strategy tracks a long trade, -1 a short one, else 0."""
        trade = self._trade
        return 0 if trade is None else trade.sign

    def pass_bars(self, count: int, high: float, low: float) -> None:
        """``count`` bars without a signal went by; ``high`` and ``low`` are their extremes."""
        trade = self._trade
        if trade is not None:
            trade.pass_bars(count, high, low)

    @hot_path
    def _decide(self, high: float, low: float, close: float, book: Book) -> list[Intent]:
        trade = self._follow(book.position)
        held = 0 if trade is None else trade.sign
        reason = "" if trade is None else trade.exit_reason(high, low)
        if trade is not None and not reason and self._warm:
            signal_exit = self._exit_long if held > 0 else self._exit_short
            if signal_exit():
                reason = "exit"
        want = 0
        if self._warm:
            long, short = self._entry_long(), self._entry_short()
            want = 1 if long and not short else -1 if short and not long else 0
        if held and want == -held and not reason:
            reason = "exit"
        intents = list[Intent]()
        if trade is not None and reason:
            trade.closing = reason
            intents.append(self._closes[reason])
        if want and want != held:
            entry = self._entry(want, close, book.equity)
            if entry is not None:
                intents.append(entry)
        return intents

    @hot_path
    def _entry(self, sign: int, close: float, equity: Decimal) -> EntryIntent | None:
        rules = self.rules
        atrs = self._atrs_now()
        notional = entry_notional(rules.sizing, rules.exits, equity, close, atrs)
        if notional is None:
            return None
        self._signal_atrs = atrs
        side = Side.BUY if sign > 0 else Side.SELL
        return EntryIntent(self._symbol, side, notional=notional, tag=self._entry_tag)

    @hot_path
    def _follow(self, position: Position | None) -> OpenTrade | None:
        """The tracked trade of ``position``: a new one when the position is new."""
        if position is None:
            self._trade = None
            return None
        sign = 1 if position.side is Side.BUY else -1
        entry = float(position.entry_price)
        trade = self._trade
        if trade is None or trade.sign != sign or trade.entry != entry:
            atrs = self._signal_atrs if self._signal_atrs is not None else self._atrs_now()
            trade = OpenTrade(sign, entry, self.rules.exits, atrs)
            self._trade = trade
            self._signal_atrs = None
        return trade

    @hot_path
    def _atrs_now(self) -> tuple[float, float, float]:
        values = self._values
        sl, tp, trail = (math.nan if i < 0 else values[i] for i in self._atr_positions)
        return sl, tp, trail


def _atr_position(rule: StopRule | None, layout: Layout) -> int:
    if rule is None or rule.atr is None:
        return -1
    return layout.index[rule.atr]
