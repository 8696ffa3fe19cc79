"""The engine thread of a live run: one loop, the only writer of trading state.

Stream callbacks only enqueue; this loop drains the queue in arrival order:

- tickers go to the :class:`~bot.engine.live.feeds.TickerBook` the guards read;
- confirmed klines become closed bars (:class:`~bot.engine.live.bars.BarFeed`), and the
  strategy answers each with intents, handed to the executor as in a backtest (the book
  it sees is the live position and equity, read through REST when the bar closes);
- fills (stream, and REST polls from a cursor) are counted once by execution id;
- stream errors are logged and counted.

Between events it collects the young garbage (:class:`~bot.engine.heap.IdleCollector`:
the collector rarely pauses an order), keeps the streams alive (a reconnect is followed
by a REST resync of positions, open orders and fills before the stream's resync flag is
cleared; entries are blocked by the stream-health guard meanwhile), re-measures the
clock skew, and reconciles the journal with the exchange every
``live.reconcile_every_s``: a disagreement that survives a catch-up of our own orders
halts trading (HALTED, logged with the report). ``max_runtime_s`` ends the loop on its own.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Final

from bot.domain import Amount, Bar, Fill, Intent, OrderStatus, Position, Symbol
from bot.engine.heap import IdleCollector
from bot.engine.live.bars import BarFeed, closed_bar
from bot.engine.live.logs import LiveLog
from bot.engine.live.road import LiveRoad
from bot.engine.live.upkeep import reconcile_running, state_from_journal
from bot.engine.trades import TradeBook
from bot.errors import BotError, StartupRefused
from bot.exchange.bybit.stream import (
    BarEvent,
    BybitStream,
    FillEvent,
    OrderEvent,
    PositionEvent,
    StreamError,
    StreamEvent,
    TickerEvent,
    WalletEvent,
)
from bot.execution import Rejected
from bot.execution.reconcile import ReconcileReport
from bot.risk import TradingState
from bot.strategy.base import Book, Strategy

#: Seconds between checks that both streams are alive (and resyncs, when asked).
ALIVE_EVERY_S: Final = 0.25
#: Seconds between REST resync attempts of a stream whose last attempt failed.
RESYNC_RETRY_S: Final = 1.0
#: Seconds between REST polls of fills (the stream brings them sooner).
FILLS_EVERY_S: Final = 5.0
#: Seconds between checks for a closed bar the stream did not bring (REST only then).
BARS_EVERY_S: Final = 1.0
#: Seconds between clock-skew measurements.
SKEW_EVERY_S: Final = 60.0
#: The REST fill cursor never lags now by more than this (Bybit answers 7 days a query).
CURSOR_LAG_MS: Final = 6 * 86_400_000


class StopFlag:
    """Set by a signal handler or a test; read by the loop. Only flags: no locks, no I/O."""

    def __init__(self) -> None:
        self.reason = ""
        self.signals = 0

    @property
    def requested(self) -> bool:
        """True once a stop was asked for."""
        return bool(self.reason)

    def request(self, reason: str) -> None:
        """Ask the loop to stop (the first reason wins)."""
        self.signals += 1
        if not self.reason:
            self.reason = reason


class LiveSession:
    """The strategy, the executor and the streams of one live run, driven by :meth:`run`."""

    def __init__(
        self,
        road: LiveRoad,
        strategy: Strategy,
        feed: BarFeed,
        log: LiveLog,
        stop: StopFlag,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.road = road
        self.strategy = strategy
        self.feed = feed
        self.log = log
        self.stop = stop
        self._monotonic = monotonic
        self.symbol: Symbol = road.settings.symbol
        self.trading = False
        self.position: Position | None = None
        self.equity = Decimal(0)
        self.book_fresh = False
        self.known_fills: set[str] = set()
        self.fill_cursor = 0
        self.trades = TradeBook(self.symbol)
        self.bars = 0
        self.stream_errors = 0
        self.halted_by_reconcile = ""
        self._healthy: bool | None = None
        self._due: dict[str, float] = {}
        self._resync_after: dict[str, float] = {}
        self.collector = IdleCollector()  # young collections between events, not in orders

    # ---- setup ------------------------------------------------------------------------

    def begin(self, window_start_ms: int) -> None:
        """The book the run starts from, consistent with the venue; refused if unread.

        The fills since the window's start are read first and counted as known (and
        journaled), never as round trips: they are in the position read after them
        (e.g. the close a ``flatten`` reconcile policy just sent). Then the position and
        the equity; the trade book is seeded from that position. Any of these reads that
        fails refuses the start (StartupRefused): trading on a book that may not match
        the venue pairs every later round trip wrongly.
        """
        self.known_fills = set(self.road.journal.recover().fill_ids)
        floor = self.road.clock.now_ms() - CURSOR_LAG_MS
        try:
            before, cursor = self.road.rest.fills_since(max(window_start_ms, floor))
            position = self.road.rest.positions().get(self.symbol)
            equity = self.road.rest.balance().equity
        except BotError as error:
            raise StartupRefused(
                f"the fills, position or balance at start cannot be read: {error}"
            ) from None
        for fill in self.in_order(before):
            if fill.exec_id not in self.known_fills:
                self.known_fills.add(fill.exec_id)
                self.road.executor.on_fill(fill)  # journaled; already in the position
        self.fill_cursor, self.position, self.equity = cursor, position, equity
        self.book_fresh = True
        if position is not None:
            size, side = position.size, position.side
            # the trade book follows round trips from the position the run starts with
            now = self.road.clock.now_ms()
            seed = Fill(
                "start", "start", self.symbol, side, size, position.entry_price, Amount(0), now
            )
            self.trades.on_fill(seed)
        self.log.info(
            "position at start", position=position_text(position), fills_before=len(before)
        )

    def refresh_book(self) -> Book:
        """The live position and equity through REST. When that fails, the last known
        ones, marked stale (:attr:`book_fresh` False): a bar on a stale book sends no
        entry (:meth:`on_bar`)."""
        try:
            self.position = self.road.rest.positions().get(self.symbol)
            self.equity = self.road.rest.balance().equity
            self.book_fresh = True
        except BotError as error:
            self.book_fresh = False
            self.log.warning("book from the last known values", error=str(error))
        return Book(self.position, self.equity)

    # ---- the loop -----------------------------------------------------------------------

    def run(self) -> str:
        """Trade until a stop is asked for or ``max_runtime_s`` passes; the reason."""
        self.trading = True
        started = self._monotonic()
        limit = self.road.settings.live.max_runtime_s
        self.log.info("trading", state=self.road.state.state.value, symbol=self.symbol)
        while not self.stop.requested:
            if limit and self._monotonic() - started >= limit:
                self.stop.request(f"max_runtime_s ({limit} s) reached")
                break
            try:
                event = self.road.events.get(timeout=0.05)
            except queue.Empty:
                event = None
            if event is not None:
                self.handle(event)
                self.collector.idle()
                self.drain_for(ALIVE_EVERY_S)
            self.housekeeping()
        return self.stop.reason

    def drain_for(self, seconds: float) -> None:
        """Handle queued events for at most ``seconds`` (and 1000 events) or until a stop
        is asked for: a busy queue must not starve the housekeeping nor delay a stop."""
        started = self._monotonic()
        for _ in range(1000):
            if self.stop.requested or self._monotonic() - started >= seconds:
                return
            try:
                self.handle(self.road.events.get_nowait())
            except queue.Empty:
                return
            self.collector.idle()

    def drain(self) -> None:
        """Handle the events already queued; those arriving meanwhile wait their turn (a
        queue refilled as fast as it is handled would otherwise keep this from returning)."""
        for _ in range(self.road.events.qsize()):
            try:
                self.handle(self.road.events.get_nowait())
            except queue.Empty:
                return

    def housekeeping(self) -> None:
        """Streams alive and resynced, fills polled, closed bars the stream lost fetched,
        skew measured, journal reconciled; a stricter trading state another process
        journaled is taken on first (every turn)."""
        state_from_journal(self.road, self.log)
        if self._every("alive", ALIVE_EVERY_S):
            self.keep_streams_alive()
        if self._every("fills", FILLS_EVERY_S):
            self.poll_fills()
        if self._every("bars", BARS_EVERY_S) and self.trading:
            venue_now = self.road.clock.now_ms() - (self.road.skew.skew_ms() or 0)
            for bar in self.feed.missed(venue_now):
                self.on_bar(bar)
        if self._every("skew", SKEW_EVERY_S):
            self.measure_skew()
        if self._every("reconcile", float(self.road.settings.live.reconcile_every_s)):
            self.reconcile_now()

    def _every(self, name: str, period_s: float) -> bool:
        now = self._monotonic()
        due = self._due.get(name)
        if due is None:
            self._due[name] = now + period_s
            return name == "alive"
        if now < due:
            return False
        self._due[name] = now + period_s
        return True

    # ---- events -------------------------------------------------------------------------

    def handle(self, event: StreamEvent) -> None:
        """One stream event, on the engine thread."""
        if isinstance(event, TickerEvent):
            self.road.tickers.update(event.ticker)
        elif isinstance(event, BarEvent):
            if event.confirmed and event.symbol == self.symbol:
                for bar in self.feed.take(event.bar):
                    self.on_bar(bar)
        elif isinstance(event, FillEvent):
            self.count_fill(event.fill)
        elif isinstance(event, OrderEvent):
            self.on_order(event)
        elif isinstance(event, PositionEvent):
            if event.symbol == self.symbol:
                self.position = event.position
        elif isinstance(event, WalletEvent):
            self.equity = event.balance.equity
        elif isinstance(event, StreamError):
            self.stream_errors += 1
            self.log.warning("stream error", stream=event.stream, reason=event.reason)

    def on_bar(self, bar: Bar) -> None:
        """A closed candle: the strategy's intents go to the executor, as in a backtest."""
        self.bars += 1
        book = self.refresh_book()
        breach = self.road.risk.on_equity(Amount(self.equity), bar.ts_ms)
        if breach:
            self.log.warning("risk limit", reason=breach, state=self.road.state.state.value)
        intents = list(self.strategy.on_bar(closed_bar(bar), book))
        self.log.info("bar", ts_ms=bar.ts_ms, close=bar.close, intents=len(intents))
        for intent in intents:
            if not self.book_fresh and not intent.reduce_only:
                why = "the position and equity could not be read for this bar"
                self.log.warning("intent dropped", kind="entry", why=why)
                continue
            self.submit(intent)
        if intents:
            self.poll_fills()

    def submit(self, intent: Intent) -> None:
        """Hand one intent to the executor (dropped once a stop was asked for)."""
        kind = "close" if intent.reduce_only else "entry"
        if self.stop.requested or not self.trading:
            self.log.info("intent dropped", kind=kind, why="not trading (warm-up or stopping)")
            return
        if not intent.reduce_only:  # an operator's panic from another process stops it
            state_from_journal(self.road, self.log)
        result = self.road.executor.submit(intent)
        if isinstance(result, Rejected):
            self.log.warning(
                "intent refused",
                kind=kind,
                stage=result.stage.value,
                reason=result.reason,
                code=result.code,
                order_link_id=result.order_link_id,
            )
            return
        self.log.info(
            "order",
            kind=kind,
            order_link_id=result.order_link_id,
            order_id=result.order_id,
            side=result.side.value,
            qty=result.qty,
            reduce_only=result.reduce_only,
            status=result.status.value,
        )

    def count_fill(self, fill: Fill) -> bool:
        """Count ``fill`` once by execution id (executor, journal, trade book, risk)."""
        if fill.exec_id in self.known_fills:
            return False
        self.known_fills.add(fill.exec_id)
        self.road.executor.on_fill(fill)
        self.log.info(
            "fill",
            exec_id=fill.exec_id,
            order_link_id=fill.order_link_id,
            side=fill.side.value,
            qty=fill.qty,
            price=fill.price,
            fee=fill.fee,
        )
        if fill.symbol == self.symbol:
            trade = self.trades.on_fill(fill)
            if trade is not None:
                self.road.risk.on_trade_closed(Amount(trade.net), fill.ts_ms)
                self.log.info("trade closed", side=trade.side.value, qty=trade.qty, pnl=trade.net)
        return True

    def on_order(self, event: OrderEvent) -> None:
        """A venue-side cancel of one of this run's orders goes to the journal."""
        order = event.order
        mine = self.road.executor.ledger.get(order.order_link_id)
        if mine is None or order.status is not OrderStatus.CANCELLED or not mine.status.is_open:
            return
        try:
            self.road.journal.record_cancel(order.order_link_id, "cancelled on the exchange")
        except BotError as error:
            self.road.state.escalate(TradingState.HALTED, f"journal write failed: {error}")

    # ---- REST ---------------------------------------------------------------------------

    def poll_fills(self) -> int:
        """Count the fills since the cursor; how many were new (0 when REST fails)."""
        try:
            fills = self.fetch_fills()
        except BotError as error:
            self.log.warning("fills poll failed", error=str(error))
            return 0
        return sum(1 for fill in self.in_order(fills) if self.count_fill(fill))

    def fetch_fills(self) -> list[Fill]:
        """The venue's fills since the cursor (moved on); raises when they cannot be read."""
        floor = self.road.clock.now_ms() - CURSOR_LAG_MS
        fills, self.fill_cursor = self.road.rest.fills_since(max(self.fill_cursor, floor))
        return fills

    def in_order(self, fills: list[Fill]) -> list[Fill]:
        """Fills by time; fills of one millisecond in the order this run sent their orders
        (a REST page lists them newest first)."""
        prefix = f"{self.road.run_id}-"

        def key(fill: Fill) -> tuple[int, int]:
            tail = fill.order_link_id.removeprefix(prefix)
            seq = int(tail) if fill.order_link_id.startswith(prefix) and tail.isdigit() else 0
            return fill.ts_ms, seq

        return sorted(fills, key=key)

    def measure_skew(self) -> None:
        """Re-measure the clock skew; a failure records None (the skew guard blocks)."""
        try:
            skew: int | None = self.road.rest.measure_skew_ms()
        except BotError as error:
            skew = None
            self.log.warning("clock skew unknown", error=str(error))
        self.road.skew.record(skew)
        limit = self.road.settings.guard.max_clock_skew_ms
        if skew is not None and abs(skew) > limit:
            self.log.warning("clock skew too large", skew_ms=skew, max_skew_ms=limit)

    def keep_streams_alive(self) -> None:
        """Recreate dead or silent streams; resync after reconnects; log health changes."""
        self.note_health()
        for stream in (self.road.public, self.road.private):
            stream.ensure_alive()
            due = self._monotonic() >= self._resync_after.get(stream.name, 0.0)
            if stream.needs_resync and due and not self.resync(stream):
                self._resync_after[stream.name] = self._monotonic() + RESYNC_RETRY_S
        self.note_health()

    def note_health(self) -> None:
        """Log when entries become blocked by stream health, and when allowed again."""
        healthy = self.road.health.is_connected()
        if healthy != self._healthy:
            if healthy:
                self.log.info("entries allowed", why="streams connected and resynced")
            else:
                self.log.warning("entries blocked", why=self.road.health.why_not())
            self._healthy = healthy

    def resync(self, stream: BybitStream) -> bool:
        """REST resync after a reconnect: positions, open orders and fills since the cursor.

        The stream's resync flag is cleared only when all three were read and no other
        reconnect happened meanwhile.
        """
        before = stream.reconnects
        try:
            self.position = self.road.rest.positions().get(self.symbol)
            orders = self.road.rest.open_orders(self.symbol)
            fills = self.fetch_fills()
        except BotError as error:
            self.log.warning("resync failed", stream=stream.name, error=str(error))
            return False
        new = sum(1 for fill in self.in_order(fills) if self.count_fill(fill))
        self.drain()
        if stream.reconnects != before:
            return False
        stream.clear_resync()
        self.log.info(
            "resynced",
            stream=stream.name,
            reconnects=stream.reconnects,
            open_orders=len(orders),
            new_fills=new,
            position=position_text(self.position),
        )
        return True

    def reconcile_now(self) -> ReconcileReport | None:
        """Journal against exchange while running; a lasting disagreement halts trading."""

        def settle() -> None:
            self.drain()
            self.poll_fills()

        report = reconcile_running(self.road, self.log, settle)
        if report is not None and not report.agrees and report.failures == ():
            self.halted_by_reconcile = self.road.state.reason
        return report


def position_text(position: Position | None) -> str:
    """``flat`` or the signed size (``-0.01``) for logs."""
    return "flat" if position is None else str(position.signed_size)
