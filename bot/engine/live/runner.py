"""``task=run`` with ``exchange=bybit``: trade the strategy live, then stop cleanly.

:func:`run_live` builds the road (:mod:`.road`), writes the banner, runs the startup
checks in order (:mod:`.startup`; nothing is traded before all pass), trades on the
engine loop (:mod:`.session`) until SIGINT/SIGTERM or ``live.max_runtime_s``, then
stops (:mod:`.stop`: entries cancelled, positions kept or flattened) and closes the
streams and the journal, whatever happened before. A refusal raises
:class:`~bot.errors.StartupRefused` (exit 2) or :class:`~bot.errors.ReconcileRefused`
(exit 3) after logging it; a clean stop returns (exit 0).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.config import BybitSettings
from bot.engine.heap import frozen_setup
from bot.engine.live.bars import BarFeed
from bot.engine.live.logs import LiveLog, bridge_library_logs
from bot.engine.live.road import LiveRoad, build_live_road, new_run_id
from bot.engine.live.session import LiveSession, StopFlag
from bot.engine.live.startup import (
    check_clock,
    check_config,
    check_instrument,
    prepare_account,
    reconcile_journal,
    start_streams,
    warm_up,
)
from bot.engine.live.stop import install_signal_handlers, shut_down
from bot.engine.settings import Settings
from bot.errors import BotError, ConfigError, ReconcileRefused


def run_live(
    settings: Settings,
    output_dir: Path | None,
    *,
    stop: StopFlag | None = None,
    started: Callable[[LiveSession], None] | None = None,
) -> None:
    """Trade ``settings.strategy`` on Bybit until stopped; returns after a clean stop.

    ``stop`` lets a caller on another thread (tests) end the run; signals do it for a
    process. ``started`` is called with the session once every startup check passed
    (before trading). ``output_dir`` receives a copy of the log only when
    ``live.write_outputs`` is true.
    """
    exchange = settings.exchange
    if not isinstance(exchange, BybitSettings):
        raise ConfigError("exchange", exchange.name, "bybit for a live run")
    run_id = new_run_id()
    copy_to = None
    if settings.live.write_outputs and output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
        copy_to = output_dir / "live.log"
    log = LiveLog(
        run_id,
        fmt=settings.live.log_format,
        secrets=(exchange.api_key.reveal(), exchange.api_secret.reveal()),
        copy_to=copy_to,
    )
    flag = stop if stop is not None else StopFlag()
    undo_logs = bridge_library_logs(log)
    restore_signals = install_signal_handlers(flag)
    try:
        _run(settings, run_id, log, flag, started)
    finally:
        restore_signals()
        undo_logs()


def _run(
    settings: Settings,
    run_id: str,
    log: LiveLog,
    stop: StopFlag,
    started: Callable[[LiveSession], None] | None,
) -> None:
    try:
        road = build_live_road(settings, run_id=run_id)
    except BotError as error:
        log.alarm("refused", reason=" ".join(str(error).split()))
        raise
    _banner(road, log)
    session: LiveSession | None = None
    try:
        session = _start(road, log, stop)
        if started is not None:
            started(session)
        if not stop.requested:
            with frozen_setup():  # startup's objects live all run: out of the collector's way
                session.run()
        log.info("stop requested", reason=stop.reason or "-")
    except ReconcileRefused as error:
        log.alarm("refused", reason=error.reason, exit_code=error.exit_code)
        raise
    except BotError as error:
        log.alarm("refused" if session is None else "failed", reason=" ".join(str(error).split()))
        raise
    finally:
        try:
            if session is not None:
                shut_down(session)
        finally:
            road.close()
            log.info("journal closed", path=road.journal.path, state=road.state.state.value)


def _start(road: LiveRoad, log: LiveLog, stop: StopFlag) -> LiveSession:
    """Every startup check in order; the session ready to trade."""
    strategy, interval, interval_ms = check_config(road)
    check_clock(road, log)
    check_instrument(road, log)
    prepare_account(road, log)
    window = reconcile_journal(road, log, road.clock.now_ms())
    symbol = road.settings.symbol
    feed = BarFeed(interval_ms, lambda limit: road.rest.klines(symbol, interval, limit=limit))
    session = LiveSession(road, strategy, feed, log, stop)
    start_streams(road, log)
    session.begin(window)
    warm_up(
        road, strategy=strategy, feed=feed, interval=interval, book=session.refresh_book, log=log
    )
    return session


def _banner(road: LiveRoad, log: LiveLog) -> None:
    """Where this run trades, what, and with which journal."""
    settings, exchange = road.settings, road.exchange
    log.info(
        "start",
        network=exchange.network.value,
        rest_url=exchange.endpoints.rest,
        symbol=settings.symbol,
        timeframe=settings.data.timeframe,
        strategy=settings.strategy.title,
        journal=road.journal.path,
        state=road.state.state.value,
        state_reason=road.state.reason or "-",
        reconcile_policy=settings.live.reconcile_policy.value,
        on_stop=settings.live.on_stop.value,
    )
