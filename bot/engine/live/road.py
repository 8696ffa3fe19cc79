"""Builds the live road: Bybit through pybit, the journal, and the same guards, risk,
executor and panic a backtest uses.

Nothing here talks to the network: the streams are built but not started and the
journal is opened and read (its :class:`~bot.execution.journal_records.Recovery` is
kept for reconciliation). The runner (:mod:`bot.engine.live.runner`) and the operator
tasks (:mod:`bot.engine.live.operator`) do the startup checks and the talking.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.config import BybitSettings
from bot.engine.live.feeds import FeedHealth, MeasuredSkew, TickerBook, WallClock
from bot.engine.settings import Settings
from bot.errors import ConfigError, JournalError, JournalUnavailable
from bot.exchange.bybit.rest import BybitHttp, BybitRest
from bot.exchange.bybit.stream import BybitStream, StreamEvent, private_stream, public_stream
from bot.execution import Executor
from bot.execution.journal import Journal, restore_state
from bot.execution.journal_records import Recovery
from bot.guards import GuardChain, PinnedPrices, build_guard_chain
from bot.risk import RiskEngine, TradingStateHolder
from bot.safety.panic import Panic

#: Characters of a run id after the ``L`` (base 36 of the start time in ms).
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def new_run_id(now_ms: int | None = None) -> str:
    """A run id for a live start: ``L`` + the start time in ms, base 36 (e.g. ``Lm3x9k2a1``).

    Unique per start (ms resolution) and short: link ids are ``<run id>-<seq>`` and
    Bybit allows 36 characters.
    """
    value = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    digits = ""
    while value:
        value, rest = divmod(value, 36)
        digits = _DIGITS[rest] + digits
    return "L" + (digits or "0")


@dataclass(frozen=True, slots=True)
class LiveRoad:
    """The assembled parts of one live process (streams built, not started)."""

    settings: Settings
    exchange: BybitSettings
    run_id: str
    rest: BybitRest
    events: queue.SimpleQueue[StreamEvent]
    public: BybitStream
    private: BybitStream
    tickers: TickerBook
    health: FeedHealth
    skew: MeasuredSkew
    clock: WallClock
    state: TradingStateHolder
    guards: GuardChain
    risk: RiskEngine
    journal: Journal
    recovery: Recovery
    executor: Executor
    panic: Panic

    def close(self) -> None:
        """Stop both streams and close the journal (idempotent); the journal is closed
        even when stopping a stream fails."""
        try:
            self.public.stop()
            self.private.stop()
        finally:
            self.journal.close()


def open_journal(path: Path) -> tuple[Journal, Recovery]:
    """Open (create) the journal at ``path`` and read what a restart needs.

    A journal that cannot be opened or read refuses the start
    (:class:`~bot.errors.JournalUnavailable`, a StartupRefused): trading without knowing
    what was sent before could send an order twice.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        journal = Journal(path)
    except (OSError, JournalError) as error:
        raise JournalUnavailable(f"the journal {path} cannot be opened: {error}") from error
    try:
        return journal, journal.recover()
    except JournalError as error:
        journal.close()
        raise JournalUnavailable(f"the journal {path} cannot be read: {error}") from error


def build_live_road(
    settings: Settings,
    *,
    run_id: str | None = None,
    http: BybitHttp | None = None,
    now_ms: Callable[[], int] | None = None,
) -> LiveRoad:
    """Every part of a live run on ``settings`` (``exchange=bybit``); nothing connects yet.

    ``http`` replaces pybit's REST client and ``now_ms`` the wall clock (tests). The
    journal's last trading state is restored (a HALTED bot restarts HALTED).
    """
    exchange = settings.exchange
    if not isinstance(exchange, BybitSettings):
        raise ConfigError("exchange", exchange.name, "bybit for a live run or operator task")
    clock = WallClock()
    wall = clock.now_ms if now_ms is None else now_ms
    rid = new_run_id(wall()) if run_id is None else run_id
    rest = BybitRest(exchange, http=http, now_ms=wall)
    events: queue.SimpleQueue[StreamEvent] = queue.SimpleQueue()
    public = public_stream(
        exchange.endpoints.ws_public,
        [settings.symbol],
        events.put,
        kline_interval=kline_interval(settings.data.timeframe),
        silence_ms=settings.guard.max_stream_silence_ms,
        now_ms=wall,
    )
    private = private_stream(
        exchange.endpoints.ws_private,
        exchange.api_key,
        exchange.api_secret,
        events.put,
        now_ms=wall,
    )
    tickers, health, skew = TickerBook(), FeedHealth(public, [private]), MeasuredSkew()
    journal, recovery = open_journal(settings.live.journal)
    state = TradingStateHolder()
    # restored before the journal follows the holder: the journaled state is not a
    # change to write again (each start would nest "restored from the journal: ...")
    restore_state(state, recovery)
    journal.follow(state)
    # the guards and the executor read one pinned view of the book: an entry is sized
    # from the very ticker its guards checked, not one the stream wrote in between
    prices = PinnedPrices(tickers)
    guards = build_guard_chain(
        settings.guard, state=state, prices=prices, stream=health, skew=skew, clock=clock
    )
    risk = RiskEngine(settings.risk, state, clock)
    # the streak, cooldown, day and drawdown peak survive a restart, as the state does
    if recovery.risk_memory is not None:
        risk.restore(recovery.risk_memory)
    journal.follow_risk(risk)
    executor = Executor(
        rest,
        guards,
        risk,
        state,
        run_id=rid,
        remainder=settings.close_remainder,
        journal=journal,
        first_seq=recovery.next_seq(rid),
        prices=prices,  # entries are sized from the ticker the guards checked
    )
    return LiveRoad(
        settings=settings,
        exchange=exchange,
        run_id=rid,
        rest=rest,
        events=events,
        public=public,
        private=private,
        tickers=tickers,
        health=health,
        skew=skew,
        clock=clock,
        state=state,
        guards=guards,
        risk=risk,
        journal=journal,
        recovery=recovery,
        executor=executor,
        panic=Panic(executor, state),
    )


#: data.timeframe -> Bybit's kline interval.
_INTERVALS = {
    "1m": "1",
    "3m": "3",
    "5m": "5",
    "15m": "15",
    "30m": "30",
    "1h": "60",
    "2h": "120",
    "4h": "240",
    "6h": "360",
    "12h": "720",
    "1d": "D",
}


def kline_interval(timeframe: str) -> str:
    """Bybit's kline interval for ``timeframe`` (``1m`` -> ``1``, ``1d`` -> ``D``)."""
    try:
        return _INTERVALS[timeframe]
    except KeyError:
        raise ConfigError("data.timeframe", timeframe, ", ".join(_INTERVALS)) from None
