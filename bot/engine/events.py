"""The event-driven backtest: visit only the bars where something can happen.

A bar is *visited* exactly as :func:`bot.engine.backtest.run_bar_by_bar` plays every
bar: orders from the previous close go to the executor at the open, the venue plays
the candle, fills are booked, the equity goes to the risk engine, the strategy sees
the closed bar. Between visits nothing can happen, and the bars are *passed* in one
vectorised step. The venue acts on a bar when:

- intents from the previous bar are waiting: their orders go at the open (the venue
  then plays the rest of the candle only if its range may liquidate the position);
- a position is open and funding falls due (the first bar of each funding interval);
- a position is open and the bar's range may reach its bankruptcy price (checked on
  floats with a tick of margin, then exactly by the venue on the visit);
- the equity may breach a loss limit of the risk engine while that could still change
  the trading state (checked on floats with a margin, then exactly on the visit);
- orders rest at the venue, or another symbol holds a position (then every bar);
- it is the last bar.

The strategy sees each of those bars, and, with the venue's exact equity, every bar
where its plan says it may act (:meth:`~bot.strategy.base.BarPlan.next_bar`: a signal,
or an exit it tracks that may fire).

Passing bars ``a..b-1``: the equity of each is ``wallet + sign * (size * close - cost)``
at the tick-rounded close, the venue's own number (:mod:`bot.engine.marks`). The risk
engine gets the venue's exact equity on every bar where its state would change: the
first bar of each UTC day (the day's starting equity) and a bar that may make a new
equity peak (:mod:`bot.engine.losses`). The strategy's plan is told which bars went
by (:meth:`~bot.strategy.base.BarPlan.skip`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.data import Candles
from bot.domain import Amount, Intent, Position, Price, Symbol
from bot.domain.hotpath import hot_path
from bot.engine.assemble import SimRoad
from bot.engine.losses import LossWatch
from bot.engine.marks import marked_equity
from bot.engine.trades import TradeBook
from bot.exchange.sim.marking import Marking
from bot.execution import Rejected
from bot.risk import TradingState
from bot.strategy.base import BarPlan, Book, ClosedBar

_RANK: Final = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}
#: Bars between two calls of the progress callback.
PROGRESS_STEP: Final = 4096


@dataclass(frozen=True, slots=True)
class Rejection:
    """An intent the executor refused during the run, for the log."""

    ts_ms: int
    intent: Intent
    result: Rejected


class EventRun:
    """One backtest on the event-driven path; :meth:`run` plays it."""

    def __init__(
        self,
        road: SimRoad,
        plan: BarPlan,
        candles: Candles,
        *,
        symbol: Symbol,
        tick: Decimal,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        self._road = road
        self._plan = plan
        self._candles = candles
        self._symbol = symbol
        self._tick = tick
        self._on_progress = on_progress
        count = len(candles)
        self.equity = np.empty(count, dtype=np.float64)
        self.held = np.zeros(count, dtype=np.float64)
        self.book = TradeBook(symbol)
        self.rejections: list[Rejection] = []
        self.fees = Decimal(0)
        self._pending: list[Intent] = []
        self._watch = LossWatch(road.risk_settings)
        #: the venue's marking and position, while they are known not to have changed
        self._known: tuple[Marking, Position | None] | None = None
        self._reported = 0
        tick_f = float(tick)
        self._tick_f = tick_f
        interval = road.venue.settings.funding_interval_ms
        slots = candles.ts_ms // interval
        due = np.ones(count, dtype=np.bool_)
        due[1:] = slots[1:] != slots[:-1]
        self._funding_bars = np.flatnonzero(due)
        self._lowest = float(candles.low.min()) if count else 0.0
        self._highest = float(candles.high.max()) if count else 0.0

    def run(self) -> None:
        """Play every bar: visit the eventful ones, pass the others."""
        count = len(self._candles)
        index = 0
        while index < count:
            marking = self._marking()
            # the strategy sees every visited bar: only the venue's work decides here
            quiet = not (marking.resting or marking.others)
            if quiet and self._pending and index < count - 1:
                self._fill_visit(index)
            elif quiet and index < count - 1:
                stop = self._next_event(index, marking, count - 1)
                passed = self._pass(index, stop, marking)
                if passed == index:
                    self._visit(index)
                    passed += 1
                index = passed
                continue
            else:
                self._visit(index)
            index += 1
        self._progress(count)

    # -- visiting -------------------------------------------------------------------

    @hot_path
    def _visit(self, i: int) -> None:
        """Bar ``i`` exactly as the bar-by-bar loop plays it."""
        road, symbol, candles = self._road, self._symbol, self._candles
        venue, executor = road.venue, road.executor
        bar = candles.bar(i, self._tick)
        ts = bar.ts_ms
        if self._pending:
            venue.update_market(symbol, bar.open, bar.open, ts_ms=ts)
            for intent in self._pending:
                result = executor.submit(intent)
                if isinstance(result, Rejected):
                    self.rejections.append(Rejection(ts, intent, result))
            self._pending = []
        venue.on_bar(symbol, bar)
        self._book_fills()
        value = venue.balance().equity
        self._tell_risk(value, ts)
        self.equity[i] = float(value)
        self.held[i] = float(self.book.size)
        self._known = None
        book_now = Book(venue.positions().get(symbol), value)
        self._pending = list(self._plan.on_bar(i, self._closed(i), book_now))
        self._progress(i + 1)

    @hot_path
    def _fill_visit(self, i: int) -> None:
        """Bar ``i`` with intents waiting and no order resting: the orders go at the open
        as on a visit; the rest of the bar is played by the venue only if its range may
        liquidate the position or fill an order (otherwise playing it changes nothing
        but the venue's last price, which the next market update sets anyway)."""
        road, symbol, candles, tick = self._road, self._symbol, self._candles, self._tick
        venue, executor = road.venue, road.executor
        ts = int(candles.ts_ms[i])
        opening = Price(Decimal(round(candles.open.item(i) / self._tick_f)) * tick)
        venue.update_market(symbol, opening, opening, ts_ms=ts)
        for intent in self._pending:
            result = executor.submit(intent)
            if isinstance(result, Rejected):
                self.rejections.append(Rejection(ts, intent, result))
        self._pending = []
        marking = venue.marking(symbol)
        if marking.resting or marking.others or self._may_liquidate(i, i + 1, marking) < 1:
            venue.on_bar(symbol, candles.bar(i, tick))
            marking = venue.marking(symbol)
        self._book_fills()
        value = venue.equity_at(symbol, self._close_price(i))
        self._tell_risk(value, ts)
        self.equity[i] = float(value)
        self.held[i] = float(self.book.size)
        position = venue.positions().get(symbol)
        # nothing changes at the venue until the next order, funding or liquidation
        self._known = (marking, position)
        self._pending = list(self._plan.on_bar(i, self._closed(i), Book(position, value)))
        self._progress(i + 1)

    @hot_path
    def _marking(self) -> Marking:
        """The venue's marking, from the last fill visit while nothing has changed since."""
        if self._known is None:
            venue, symbol = self._road.venue, self._symbol
            self._known = (venue.marking(symbol), venue.positions().get(symbol))
        return self._known[0]

    @hot_path
    def _position(self) -> Position | None:
        """The venue's position, known like :meth:`_marking`."""
        self._marking()
        return None if self._known is None else self._known[1]

    @hot_path
    def _book_fills(self) -> None:
        for fill in self._road.executor.sync_fills():
            self.fees += fill.fee
            trade = self.book.on_fill(fill)
            if trade is not None:
                self._road.risk.on_trade_closed(Amount(trade.net), fill.ts_ms)

    @hot_path
    def _closed(self, i: int) -> ClosedBar:
        candles = self._candles
        return ClosedBar(
            int(candles.ts_ms[i]),
            candles.open.item(i),
            candles.high.item(i),
            candles.low.item(i),
            candles.close.item(i),
            candles.volume.item(i),
        )

    @hot_path
    def _close_ticks(self, start: int, stop: int) -> npt.NDArray[np.float64]:
        """The closes the venue marks at, in whole ticks: the nearest multiple of the tick,
        as :meth:`Candles.bar <bot.data.Candles.bar>` rounds them."""
        return np.rint(self._candles.close[start:stop] / self._tick_f)

    @hot_path
    def _close_price(self, i: int) -> Price:
        return Price(Decimal(round(self._candles.close.item(i) / self._tick_f)) * self._tick)

    @hot_path
    def _tell_risk(self, value: Amount, ts_ms: int) -> None:
        self._road.risk.on_equity(value, ts_ms)
        self._watch.saw(float(value), ts_ms)

    # -- passing --------------------------------------------------------------------

    @hot_path
    def _next_event(self, start: int, marking: Marking, last: int) -> int:
        """The next bar from ``start`` on that must be visited: funding due on an open
        position, or the last bar."""
        stop = last
        if marking.sign:
            funding = self._funding_bars
            k = int(np.searchsorted(funding, start))
            if k < len(funding):
                stop = min(stop, int(funding[k]))
        return stop

    @hot_path
    def _pass(self, start: int, stop: int, marking: Marking) -> int:
        """Pass bars from ``start`` towards ``stop`` (exclusive); returns where it ended.

        Passing ends at the first bar the strategy must see (a signal, or a bar where
        an exit it tracks may fire), that bar included: the venue has nothing to do on
        it, so the strategy gets the venue's exact equity there. It ends before the
        first bar that may liquidate or breach a loss limit.
        """
        seen = self._plan.next_bar(start, stop)
        stop = min(stop, seen + 1)
        if stop <= start:
            return start
        equity = self._marked(start, stop, marking)
        end = start + self._safe_length(start, equity, marking)
        if end <= start:
            return start
        self._book_passed(start, equity[: end - start], marking.sign)
        if seen >= end:
            self._plan.skip(start, end)
        else:
            self._plan.skip(start, seen)
            self._pending = self._signal(seen)
        self._progress(end)
        return end

    @hot_path
    def _signal(self, i: int) -> list[Intent]:
        """The strategy on signal bar ``i``, which the venue has nothing to do with."""
        venue, symbol = self._road.venue, self._symbol
        value = venue.equity_at(symbol, self._close_price(i))
        self.equity[i] = float(value)
        return list(self._plan.on_bar(i, self._closed(i), Book(self._position(), value)))

    @hot_path
    def _book_passed(self, start: int, equity: npt.NDArray[np.float64], sign: int) -> None:
        stop = start + len(equity)
        self.equity[start:stop] = equity
        self.held[start:stop] = float(self.book.size)
        self._tell_risk_passed(start, equity, sign)

    @hot_path
    def _marked(self, start: int, stop: int, marking: Marking) -> npt.NDArray[np.float64]:
        return marked_equity(marking, self._close_ticks(start, stop), self._tick)

    @hot_path
    def _safe_length(self, start: int, equity: npt.NDArray[np.float64], marking: Marking) -> int:
        """How many bars from ``start`` surely neither liquidate nor breach a loss limit."""
        length = self._may_liquidate(start, start + len(equity), marking)
        if length and self._loss_limit_open():
            stop = start + length
            length = self._watch.safe_length(equity[:length], self._candles.ts_ms[start:stop])
        return length

    @hot_path
    def _may_liquidate(self, start: int, stop: int, marking: Marking) -> int:
        """Bars from ``start`` (up to ``stop``) whose range surely stays off the
        position's bankruptcy price (a tick of margin for the rounding of the range)."""
        length = stop - start
        if not marking.sign or marking.bankruptcy is None:
            return length
        level = float(marking.bankruptcy)
        if marking.sign > 0:
            level += self._tick_f
            if level < self._lowest:
                return length
            return _first(self._candles.low[start:stop] <= level, length)
        level -= self._tick_f
        if level > self._highest:
            return length
        return _first(self._candles.high[start:stop] >= level, length)

    @hot_path
    def _loss_limit_open(self) -> bool:
        """Whether a loss-limit breach could still change the trading state."""
        target = self._road.risk_settings.on_loss_limit.state
        return _RANK[self._road.state.state] < _RANK[target]

    @hot_path
    def _tell_risk_passed(self, start: int, equity: npt.NDArray[np.float64], sign: int) -> None:
        """Give the risk engine the exact equity on the passed bars that change its state."""
        stop = start + len(equity)
        ts = self._candles.ts_ms
        ticks = self._close_ticks(start, stop)
        venue, symbol = self._road.venue, self._symbol
        for offset in self._watch.telling(equity, ts[start:stop], ticks, sign):
            i = start + offset
            self._tell_risk(venue.equity_at(symbol, self._close_price(i)), int(ts[i]))

    @hot_path
    def _progress(self, done: int) -> None:
        if self._on_progress is None:
            return
        steps = done // PROGRESS_STEP - self._reported // PROGRESS_STEP
        self._reported = done
        for _ in range(steps):
            self._on_progress(PROGRESS_STEP)


def _first(mask: npt.NDArray[np.bool_], default: int) -> int:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else default
