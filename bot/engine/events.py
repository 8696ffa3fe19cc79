"""The event-driven backtest: visit only the bars where something can happen.

A bar is *visited* exactly as :func:`bot.engine.backtest.run_bar_by_bar` plays every
bar: orders from the previous close go to the executor at the open, the venue plays
the candle, fills are booked, the equity goes to the risk engine (when it may change
its state, as on passed bars below), the strategy sees the closed bar. Between visits
nothing can happen, and the bars are *passed* in one vectorised step. The venue acts
on a bar when:

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
first bar of each UTC day (the day's starting equity), a bar that may make a new
equity peak and, while a breach could still change the trading state, a bar that may
breach a loss limit (:mod:`bot.engine.losses`); a breach once the state is already
there changes nothing. The strategy's plan is told which bars went
by (:meth:`~bot.strategy.base.BarPlan.skip`).
"""

from __future__ import annotations

from bisect import bisect_left
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
from bot.engine.extremes import BankruptcyReach, TickExtremes
from bot.engine.losses import LossWatch, day_lasts
from bot.engine.marks import EquityBackfill, EquityLine, marked_value, whole_ticks
from bot.engine.trades import TradeBook
from bot.exchange.sim.marking import Marking
from bot.execution import Rejected
from bot.risk import TradingState
from bot.strategy.base import BarPlan, Book, ClosedBar

_RANK: Final = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}
#: Bars between two calls of the progress callback.
PROGRESS_STEP: Final = 4096

Floats = npt.NDArray[np.float64]
#: The equity of a stretch of bars, its lowest and its highest.
Curve = tuple[Floats, float, float]


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
        #: float of the book's signed size, as the curve records it
        self._held = 0.0
        self.rejections: list[Rejection] = []
        self.fees = Decimal(0)
        self._pending: list[Intent] = []
        self._watch = LossWatch(road.risk_settings)
        #: the venue's marking and position, while they are known not to have changed
        self._known: tuple[Marking, Position | None] | None = None
        self._reported = 0
        tick_f = float(tick)
        self._tick_f = tick_f
        #: every close in whole ticks, as the venue marks it (``Candles.bar`` rounding)
        self._ticks = whole_ticks(candles.close, tick_f)
        self._reach = BankruptcyReach(candles.high, candles.low, tick_f)
        self._closes = TickExtremes(self._ticks)
        #: passed stretches whose equity is written when the run ends
        self._backfill = EquityBackfill()
        limit_rank = _RANK[road.risk_settings.on_loss_limit.state]
        #: the states a loss-limit breach would still escalate (a tuple: membership by
        #: identity, where a dict or set would call the enum's Python-level hash)
        self._below_limit = tuple(state for state, rank in _RANK.items() if rank < limit_rank)
        interval = road.venue.settings.funding_interval_ms
        slots = candles.ts_ms // interval
        due = np.ones(count, dtype=np.bool_)
        due[1:] = slots[1:] != slots[:-1]
        self._funding_bars: list[int] = np.flatnonzero(due).tolist()
        #: the last bar of each UTC day that has a next one (that day starts from it)
        self._day_lasts = day_lasts(candles.ts_ms)
        #: day-last bars before each bar: ``[b] - [a]`` counts those in ``a..b-1``
        self._lasts_before = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(self._day_lasts, out=self._lasts_before[1:])

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
        self._backfill.write(self.equity, self._ticks)
        self._progress(count)

    # -- visiting -------------------------------------------------------------------

    @hot_path
    def _visit(self, i: int) -> None:
        """Bar ``i`` exactly as the bar-by-bar loop plays it."""
        road, symbol, candles = self._road, self._symbol, self._candles
        venue = road.venue
        bar = candles.bar(i, self._tick)
        ts = bar.ts_ms
        if self._pending:
            venue.update_market(symbol, bar.open, bar.open, ts_ms=ts)
            self._submit_pending(ts)
        venue.on_bar(symbol, bar)
        self._book_fills()
        value = venue.balance().equity
        equity = float(value)
        self._tell_risk_if_due(i, value, equity, ts)
        self.equity[i] = equity
        self.held[i] = self._held
        position = venue.positions().get(symbol)
        self._known = (venue.marking(symbol), position)
        self._pending = list(self._plan.on_bar(i, self._closed(i), Book(position, value)))
        self._progress(i + 1)

    @hot_path
    def _fill_visit(self, i: int) -> None:
        """Bar ``i`` with intents waiting and no order resting: the orders go at the open
        as on a visit; the rest of the bar is played by the venue only if its range may
        liquidate the position or fill an order (otherwise playing it changes nothing
        but the venue's last price, which the next market update sets anyway)."""
        road, symbol, candles, tick = self._road, self._symbol, self._candles, self._tick
        venue = road.venue
        ts = candles.ts_ms.item(i)
        opening = Price(Decimal(round(candles.open.item(i) / self._tick_f)) * tick)
        venue.update_market(symbol, opening, opening, ts_ms=ts)
        self._submit_pending(ts)
        marking = venue.marking(symbol)
        if marking.resting or marking.others or self._reach.may_reach(i, marking):
            venue.on_bar(symbol, candles.bar(i, tick))
            marking = venue.marking(symbol)
        self._book_fills()
        value = self._equity_at_close(i, marking)
        equity = float(value)
        self._tell_risk_if_due(i, value, equity, ts)
        self.equity[i] = equity
        self.held[i] = self._held
        position = venue.positions().get(symbol)
        # nothing changes at the venue until the next order, funding or liquidation
        self._known = (marking, position)
        self._pending = list(self._plan.on_bar(i, self._closed(i), Book(position, value)))
        self._progress(i + 1)

    @hot_path
    def _submit_pending(self, ts_ms: int) -> None:
        """The intents from the previous close go to the executor, in order."""
        executor = self._road.executor
        for intent in self._pending:
            result = executor.submit(intent)
            if isinstance(result, Rejected):
                self.rejections.append(Rejection(ts_ms, intent, result))
        self._pending = []

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
        fills = self._road.executor.sync_fills()
        if not fills:
            return
        book = self.book
        for fill in fills:
            self.fees += fill.fee
            trade = book.on_fill(fill)
            if trade is not None:
                self._road.risk.on_trade_closed(Amount(trade.net), fill.ts_ms)
        self._held = float(book.size)

    @hot_path
    def _closed(self, i: int) -> ClosedBar:
        candles = self._candles
        return ClosedBar(
            candles.ts_ms.item(i),
            candles.open.item(i),
            candles.high.item(i),
            candles.low.item(i),
            candles.close.item(i),
            candles.volume.item(i),
        )

    @hot_path
    def _close_price(self, i: int) -> Price:
        return Price(Decimal(self._ticks.item(i)) * self._tick)

    @hot_path
    def _equity_at_close(self, i: int, marking: Marking) -> Decimal:
        """The venue's equity at bar ``i``'s close; ``marking`` is the venue's now."""
        if marking.others:
            return self._road.venue.equity_at(self._symbol, self._close_price(i))
        close = Decimal(self._ticks.item(i)) * self._tick
        return marked_value(marking, close)

    @hot_path
    def _tell_risk_if_due(self, i: int, value: Decimal, equity: float, ts_ms: int) -> None:
        """As on a passed bar: the risk engine hears of visited bar ``i``'s equity when it
        may change its state (a new day, a day's last bar, a new peak, a loss limit that
        can still bite)."""
        day_last = bool(self._day_lasts.item(i))
        if self._watch.must_tell_bar(equity, ts_ms, self._loss_limit_open(), day_last):
            self._tell_risk(Amount(value), ts_ms)

    @hot_path
    def _tell_risk(self, value: Amount, ts_ms: int) -> None:
        self._road.risk.on_equity(value, ts_ms)
        self._watch.saw(float(value), ts_ms)

    # -- passing --------------------------------------------------------------------

    @hot_path
    def _next_event(self, start: int, marking: Marking, last: int) -> int:
        """The next bar from ``start`` on that must be visited: funding due on an open
        position, or the last bar."""
        if marking.sign:
            funding = self._funding_bars
            k = bisect_left(funding, start)
            if k < len(funding):
                return min(last, funding[k])
        return last

    @hot_path
    def _pass(self, start: int, stop: int, marking: Marking) -> int:
        """Pass bars from ``start`` towards ``stop`` (exclusive); returns where it ended.

        Passing ends at the first bar the strategy must see (a signal, or a bar where
        an exit it tracks may fire), that bar included: the venue has nothing to do on
        it, so the strategy gets the venue's exact equity there. It ends before the
        first bar that may liquidate or breach a loss limit.

        The checks first take the equity's bounds over the blocks of closes the stretch
        touches (:class:`~bot.engine.extremes.TickExtremes`); a check that may bite on
        those is made again on the stretch's own equity. The curve itself is written at
        the end of the run where it can be (:class:`~bot.engine.marks.EquityBackfill`).
        """
        seen = self._plan.next_bar(start, stop)
        stop = min(stop, seen + 1)
        end = start + self._reach.clear_bars(start, stop, marking) if stop > start else start
        if end <= start:
            return start
        line = EquityLine(marking, self._tick)
        least, most = self._closes.bounds(start, end)
        curve, low, high = self._bounds(line, start, end, (least, most))
        if self._loss_limit_open() and self._watch.may_breach(low, high):
            if curve is None:
                curve = line.stretch(self._ticks[start:end])
            end = start + self._breach_free(start, curve)
            if end <= start:
                return start
            if end - start < len(curve[0]):
                equity = curve[0][: end - start]
                curve = (equity, float(equity.min()), float(equity.max()))
            high = curve[2]
        ts = self._candles.ts_ms
        if self._watch.must_tell(high, ts.item(end - 1), self._holds_day_last(start, end)):
            if curve is None:
                curve = line.stretch(self._ticks[start:end])
            self._tell_risk_passed(start, curve[0], self._ticks[start:end], marking.sign, curve[2])
        if curve is not None:
            self.equity[start:end] = curve[0]
        elif line.flat is not None:
            self.equity[start:end] = line.flat
        elif not self._backfill.keep(start, end, line, least, most):
            self.equity[start:end] = line.stretch(self._ticks[start:end])[0]
        self.held[start:end] = self._held
        if seen >= end:
            self._plan.skip(start, end)
        else:
            self._plan.skip(start, seen)
            self._pending = self._signal(seen, marking)
        self._progress(end)
        return end

    @hot_path
    def _signal(self, i: int, marking: Marking) -> list[Intent]:
        """The strategy on signal bar ``i``, which the venue has nothing to do with."""
        value = self._equity_at_close(i, marking)
        self.equity[i] = float(value)
        return list(self._plan.on_bar(i, self._closed(i), Book(self._position(), value)))

    @hot_path
    def _bounds(
        self, line: EquityLine, start: int, end: int, closes: tuple[int, int]
    ) -> tuple[Curve | None, float, float]:
        """The lowest and highest equity of bars ``start..end-1`` can have, their closes
        lying within ``closes``; with the exact curve when it had to be computed."""
        bounds = line.bounds(*closes)
        if bounds is not None:
            return None, bounds[0], bounds[1]
        curve = line.stretch(self._ticks[start:end])
        return curve, curve[1], curve[2]

    @hot_path
    def _breach_free(self, start: int, curve: Curve) -> int:
        """How many bars of ``curve`` (the equity from ``start`` on, its lowest and
        highest) surely breach no loss limit."""
        equity, low, high = curve
        if not self._watch.may_breach(low, high):
            return len(equity)
        ts = self._candles.ts_ms[start : start + len(equity)]
        return self._watch.safe_length(equity, ts, low, high)

    @hot_path
    def _loss_limit_open(self) -> bool:
        """Whether a loss-limit breach could still change the trading state."""
        return self._road.state.state in self._below_limit

    @hot_path
    def _tell_risk_passed(
        self, start: int, equity: Floats, ticks: npt.NDArray[np.int64], sign: int, high: float
    ) -> None:
        """Give the risk engine the exact equity on the passed bars that change its state."""
        stop = start + len(equity)
        ts = self._candles.ts_ms
        if not self._watch.must_tell(high, ts.item(stop - 1), self._holds_day_last(start, stop)):
            return  # no new day, no day's last bar, no new peak: nothing to tell
        venue, symbol = self._road.venue, self._symbol
        lasts = self._day_lasts[start:stop]
        for offset in self._watch.telling(equity, ts[start:stop], ticks, sign, high, lasts=lasts):
            i = start + offset
            self._tell_risk(venue.equity_at(symbol, self._close_price(i)), int(ts[i]))

    @hot_path
    def _holds_day_last(self, start: int, stop: int) -> bool:
        """Whether bars ``start..stop-1`` hold the last bar of a day."""
        before = self._lasts_before
        return bool(before.item(stop) > before.item(start))

    @hot_path
    def _progress(self, done: int) -> None:
        if self._on_progress is None:
            return
        steps = done // PROGRESS_STEP - self._reported // PROGRESS_STEP
        self._reported = done
        for _ in range(steps):
            self._on_progress(PROGRESS_STEP)
