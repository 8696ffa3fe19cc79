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
from collections.abc import Callable
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
_NO_ATRS = (math.nan, math.nan, math.nan)
#: an enum member read through its class costs ~70 ns in 3.11
_BUY, _SELL = Side.BUY, Side.SELL


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
                return lambda: False  # unannotated: no run-time check per bar
            return compile_condition(condition, layout, self._values, self._previous)

        direction = rules.direction
        self._entry_long = compiled(rules.entry_long if direction != "short" else None)
        self._entry_short = compiled(rules.entry_short if direction != "long" else None)
        self._exit_long = compiled(rules.exit_long)
        self._exit_short = compiled(rules.exit_short)
        exits = rules.exits
        self._atr_positions = (
            _atr_position(exits.stop_loss, layout),
            _atr_position(exits.take_profit, layout),
            _atr_position(exits.trailing_stop, layout),
        )
        #: an exit rule reads an ATR from the bar's values
        self._atr_read = max(self._atr_positions) >= 0
        self._closes = {
            reason: CloseIntent(symbol, Decimal(1), tag=f"{rules.name} {reason}")
            for reason in _REASONS
        }
        self._entry_tag = f"{rules.name} entry"
        #: a fixed-size entry is the same intent every time: made once per side
        self._fixed_entries = (
            {
                side: EntryIntent(symbol, side, notional=rules.sizing.notional, tag=self._entry_tag)
                for side in Side
            }
            if rules.sizing.kind == "fixed" and rules.sizing.notional is not None
            else None
        )
        self._trade: OpenTrade | None = None
        #: the position ``_trade`` was last checked against (a venue hands out one
        #: Position object until the position changes)
        self._followed: Position | None = None
        self._signal_atrs: tuple[float, float, float] | None = None
        self._warm = False

    def on_bar(self, bar: ClosedBar, book: Book) -> list[Intent]:
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

    @hot_path
    def decide_planned(
        self, now: list[float], before: list[float], warm: bool, bar: ClosedBar, book: Book
    ) -> list[Intent]:
        """:meth:`on_bar` with the bar's values already computed: ``now`` this bar's,
        ``before`` the previous bar's (layout order), ``warm`` past every warm-up."""
        self._previous[:] = before
        self._values[:] = now
        self._warm = warm
        return self._decide(bar.high, bar.low, bar.close, book)

    @hot_path
    def decide_unsignalled(self, bar: ClosedBar, book: Book) -> list[Intent] | None:
        """:meth:`decide_planned` on a bar where no entry or exit condition holds: only
        the open trade's own exits can answer, and the bar's values are not needed, unless
        a new trade must read its ATR levels from them (then None: ask with the values)."""
        if self._atr_read and self._signal_atrs is None and book.position is not None:
            return None
        trade = self._follow(book.position)
        if trade is None:
            return []
        reason = trade.exit_reason(bar.high, bar.low)
        if not reason:
            return []
        trade.closing = reason
        return [self._closes[reason]]

    @property
    @hot_path
    def trade(self) -> OpenTrade | None:
        """The open trade the strategy tracks (None when flat): a plan counts the bars
        it passes on it (``OpenTrade.pass_bars``) and asks where it may exit
        (``OpenTrade.first_exit``)."""
        return self._trade

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
        side = _BUY if sign > 0 else _SELL
        if self._fixed_entries is not None:
            self._signal_atrs = atrs
            return self._fixed_entries[side]
        notional = entry_notional(rules.sizing, rules.exits, equity, close, atrs)
        if notional is None:
            return None
        self._signal_atrs = atrs
        return EntryIntent(self._symbol, side, notional=notional, tag=self._entry_tag)

    @hot_path
    def _follow(self, position: Position | None) -> OpenTrade | None:
        """The tracked trade of ``position``: a new one when the position is new."""
        trade = self._trade
        if position is None:
            self._trade = self._followed = None
            return None
        if position is self._followed and trade is not None:
            return trade  # the very (frozen) Position it was checked against last time
        sign = position.side.sign
        entry = float(position.entry_price)
        if trade is None or trade.sign != sign or trade.entry != entry:
            atrs = self._signal_atrs if self._signal_atrs is not None else self._atrs_now()
            trade = OpenTrade(sign, entry, self.rules.exits, atrs)
            self._trade = trade
            self._signal_atrs = None
        self._followed = position
        return trade

    @hot_path
    def _atrs_now(self) -> tuple[float, float, float]:
        sl, tp, trail = self._atr_positions
        if sl < 0 and tp < 0 and trail < 0:
            return _NO_ATRS
        values = self._values
        nan = math.nan
        return (
            nan if sl < 0 else values[sl],
            nan if tp < 0 else values[tp],
            nan if trail < 0 else values[trail],
        )


def _atr_position(rule: StopRule | None, layout: Layout) -> int:
    if rule is None or rule.atr is None:
        return -1
    return layout.index[rule.atr]
