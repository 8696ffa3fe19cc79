"""Backtest: candles drive the simulated venue bar by bar through the one road.

For each bar: the venue's market opens at the bar's open and the intents the strategy
gave at the previous close are handed to the executor (market orders fill at this open);
then the venue plays the bar's range (resting orders, stops, funding, liquidation) and
closes it; new fills are booked into trades, the equity at the close goes to the risk
engine; then the strategy sees the closed bar and the live position. The strategy,
executor, guards and risk are the ones a live run uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from bot.data import Candles
from bot.domain import Amount, Intent, Symbol
from bot.engine.assemble import SimRoad
from bot.engine.trades import TradeBook
from bot.execution import Rejected
from bot.report.record import RunRecord
from bot.strategy.base import Book, ClosedBar, Strategy


@dataclass(frozen=True, slots=True)
class Rejection:
    """An intent the executor refused during the run, for the log."""

    ts_ms: int
    intent: Intent
    result: Rejected


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
) -> tuple[RunRecord, list[Rejection]]:
    """Play ``candles`` through ``strategy`` on ``road``; the run's record and refusals."""
    venue, executor, risk = road.venue, road.executor, road.risk
    book = TradeBook(symbol)
    count = len(candles)
    equity = np.empty(count, dtype=np.float64)
    held = np.zeros(count, dtype=np.float64)
    rejections: list[Rejection] = []
    pending: list[Intent] = []
    ts_list = candles.ts_ms.tolist()
    opens = candles.open.tolist()
    highs = candles.high.tolist()
    lows = candles.low.tolist()
    closes = candles.close.tolist()
    volumes = candles.volume.tolist()
    fees = Decimal(0)
    for i in range(count):
        ts = ts_list[i]
        bar = candles.bar(i, tick)
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
        pending = list(
            strategy.on_bar(
                ClosedBar(ts, opens[i], highs[i], lows[i], closes[i], volumes[i]), book_now
            )
        )
        if on_progress is not None and i % 4096 == 4095:
            on_progress(4096)
    record = RunRecord(
        symbol=symbol,
        timeframe=timeframe,
        ts_ms=candles.ts_ms.copy(),
        close=candles.close.copy(),
        equity=equity,
        position=held,
        trades=tuple(book.trades),
        initial=initial,
        fees=fees,
        funding=Decimal(venue.funding_total()),
        rejections=len(rejections),
    )
    return record, rejections
