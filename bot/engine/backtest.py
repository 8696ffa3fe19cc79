"""Backtest: candles drive the simulated venue through the one road.

For each bar: the venue's market opens at the bar's open and the intents the strategy
gave at the previous close are handed to the executor (market orders fill at this open);
then the venue plays the bar's range (resting orders, stops, funding, liquidation) and
closes it; new fills are booked into trades, the equity at the close goes to the risk
engine; then the strategy sees the closed bar and the live position. The strategy,
executor, guards and risk are the ones a live run uses.

Two engines play that script. :func:`run_bar_by_bar` does it literally on every bar;
it is the reference. When the strategy can plan the whole series
(:class:`~bot.strategy.base.PlannedStrategy`), :func:`run_backtest` uses the
event-driven engine of :mod:`bot.engine.events`, which does the same on the bars where
something can happen and passes the others in one vectorised step: the same trades,
fills, orders, state and equity curve, bit for bit (``tests/unit/engine/test_events.py``
and ``tests/property/test_backtest_engines.py`` hold the two engines to that).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

import numpy as np

from bot.data import Candles
from bot.domain import Amount, Intent, Symbol
from bot.engine.assemble import SimRoad
from bot.engine.events import PROGRESS_STEP, EventRun, Rejection
from bot.engine.heap import frozen_setup
from bot.engine.trades import TradeBook
from bot.execution import Rejected
from bot.report.record import RunRecord
from bot.strategy.base import Book, ClosedBar, PlannedStrategy, Strategy

__all__ = ["Rejection", "run_backtest", "run_bar_by_bar"]

#: ``auto``: the event-driven engine when the strategy can plan, else bar by bar.
Engine = Literal["auto", "bars"]


def run_backtest(
    road: SimRoad,
    strategy: Strategy,
    candles: Candles,
    *,
    symbol: Symbol,
    timeframe: str,
    tick: Decimal,
    initial: Decimal,
    on_progress: Callable[[int], None] | None = None,
    engine: Engine = "auto",
) -> tuple[RunRecord, list[Rejection]]:
    """Play ``candles`` through ``strategy`` on ``road``; the run's record and refusals."""
    plan = None
    if engine == "auto" and isinstance(strategy, PlannedStrategy) and len(candles):
        plan = strategy.plan(candles.open, candles.high, candles.low, candles.close, candles.volume)
    if plan is None:
        with frozen_setup():
            return run_bar_by_bar(
                road,
                strategy,
                candles,
                symbol=symbol,
                timeframe=timeframe,
                tick=tick,
                initial=initial,
                on_progress=on_progress,
            )
    run = EventRun(road, plan, candles, symbol=symbol, tick=tick, on_progress=on_progress)
    with frozen_setup():
        run.run()
    record = _record(
        road,
        candles,
        symbol=symbol,
        timeframe=timeframe,
        initial=initial,
        run=(run.equity, run.held, run.book, run.fees, len(run.rejections)),
    )
    return record, run.rejections


def run_bar_by_bar(
    road: SimRoad,
    strategy: Strategy,
    candles: Candles,
    *,
    symbol: Symbol,
    timeframe: str,
    tick: Decimal,
    initial: Decimal,
    on_progress: Callable[[int], None] | None = None,
) -> tuple[RunRecord, list[Rejection]]:
    """The reference engine: every bar, literally; the record and the refusals."""
    venue, executor, risk = road.venue, road.executor, road.risk
    book = TradeBook(symbol)
    count = len(candles)
    equity = np.empty(count, dtype=np.float64)
    held = np.zeros(count, dtype=np.float64)
    rejections: list[Rejection] = []
    pending: list[Intent] = []
    fees = Decimal(0)
    for i in range(count):
        bar = candles.bar(i, tick)
        ts = bar.ts_ms
        if pending:
            venue.update_market(symbol, bar.open, bar.open, ts_ms=ts)
            for intent in pending:
                result = executor.submit(intent)
                if isinstance(result, Rejected):
                    rejections.append(Rejection(ts, intent, result))
            pending = []
        venue.on_bar(symbol, bar)
        for fill in executor.sync_fills():
            fees += fill.fee
            trade = book.on_fill(fill)
            if trade is not None:
                risk.on_trade_closed(Amount(trade.net), fill.ts_ms)
        value = venue.balance().equity
        risk.on_equity(value, ts)
        equity[i] = float(value)
        held[i] = float(book.size)
        book_now = Book(venue.positions().get(symbol), value)
        closed = ClosedBar(
            ts,
            candles.open.item(i),
            candles.high.item(i),
            candles.low.item(i),
            candles.close.item(i),
            candles.volume.item(i),
        )
        pending = list(strategy.on_bar(closed, book_now))
        if on_progress is not None and i % PROGRESS_STEP == PROGRESS_STEP - 1:
            on_progress(PROGRESS_STEP)
    record = _record(
        road,
        candles,
        symbol=symbol,
        timeframe=timeframe,
        initial=initial,
        run=(equity, held, book, fees, len(rejections)),
    )
    return record, rejections


def _record(
    road: SimRoad,
    candles: Candles,
    *,
    symbol: Symbol,
    timeframe: str,
    initial: Decimal,
    run: tuple[np.ndarray, np.ndarray, TradeBook, Decimal, int],
) -> RunRecord:
    equity, held, book, fees, refused = run
    return RunRecord(
        symbol=symbol,
        timeframe=timeframe,
        ts_ms=candles.ts_ms,  # read-only arrays: shared, not copied
        close=candles.close,
        equity=equity,
        position=held,
        trades=tuple(book.trades),
        initial=initial,
        fees=fees,
        funding=Decimal(road.venue.funding_total()),
        rejections=refused,
    )
