"""The startup of a live run, in order; any failure refuses the start before a trade.

1. Config checks (:func:`check_config`): the strategy builds, the timeframe is a Bybit
   kline interval, the leverage fits the risk limits (checked when the config was read).
2. Clock skew against ``/v5/market/time`` (:func:`check_clock`), refused above
   ``guard.max_clock_skew_ms`` and recorded for the skew guard.
3. Instrument rules of the symbol (:func:`check_instrument`).
4. One-way mode and leverage (:func:`prepare_account`): the positions must read as
   one-way (``positionIdx`` 0), then ``live.leverage`` is set (110043, "not modified",
   is fine).
5. Reconciliation of the journal against the exchange (:func:`reconcile_journal`) inside
   the fill window, answers to our own orders caught up first (unanswered intents are
   looked up by ``orderLinkId``, once the venue can no longer place them: their
   ``recv_window`` is waited out; nothing is resent), then ``live.reconcile_policy``.
6. Subscriptions (:func:`start_streams`): public tickers and klines, private orders,
   executions, positions and wallet.
7. Warm-up (:func:`warm_up`): ``live.warmup_bars`` closed klines through the strategy,
   its intents dropped.

Each refusal is a :class:`~bot.errors.StartupRefused` (exit 2) or a
:class:`~bot.errors.ReconcileRefused` (exit 3) with one readable reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from bot.config.settings import TIMEFRAME_SECONDS
from bot.domain import Instrument, Position
from bot.engine.live.bars import BarFeed, closed_bar, closed_only
from bot.engine.live.logs import LiveLog
from bot.engine.live.road import LiveRoad, kline_interval
from bot.errors import BotError, ConfigError, StartupRefused
from bot.execution.catchup import catch_up, in_flight_ms, own_prefixes
from bot.execution.reconcile import (
    ReconcilePolicy,
    ReconcileReport,
    apply_policy,
    fill_window_start,
    reconcile,
)
from bot.strategy.base import Book, Strategy

#: Added to the venue's recv_window (with the clock skew) before an unanswered intent
#: may be called "never sent".
IN_FLIGHT_MARGIN_MS: Final = 1000
IN_FLIGHT_WHY: Final = (
    "an intent without an answer was written less than recv_window ago: the venue may "
    "still place it, so it is looked up only once it no longer can"
)


def check_config(road: LiveRoad) -> tuple[Strategy, str, int]:
    """The strategy, the kline interval and its length in ms; ConfigError if unusable."""
    settings = road.settings
    interval = kline_interval(settings.data.timeframe)
    strategy = settings.strategy.build()
    if not isinstance(strategy, Strategy):
        raise ConfigError("strategy", type(strategy).__name__, "must build a Strategy")
    if settings.live.leverage > settings.risk.max_leverage:
        raise ConfigError(
            "live.leverage", settings.live.leverage, f"at most {settings.risk.max_leverage}"
        )
    return strategy, interval, TIMEFRAME_SECONDS[settings.data.timeframe] * 1000


def check_clock(road: LiveRoad, log: LiveLog) -> int:
    """Measure the skew against the venue, record it, refuse it above the limit."""
    limit = road.settings.guard.max_clock_skew_ms
    try:
        skew = road.rest.measure_skew_ms()
    except BotError as error:
        raise StartupRefused(
            f"the exchange clock (/v5/market/time) cannot be read: {error}"
        ) from None
    road.skew.record(skew)
    if abs(skew) > limit:
        raise StartupRefused(
            f"the local clock is {skew} ms off the exchange's (/v5/market/time); "
            f"guard.max_clock_skew_ms is {limit}: fix the clock (NTP) before trading"
        )
    log.info("clock checked", skew_ms=skew, max_skew_ms=limit)
    return skew


def check_instrument(road: LiveRoad, log: LiveLog) -> Instrument:
    """The trading rules of the symbol; refused when they cannot be fetched."""
    symbol = road.settings.symbol
    try:
        rules = road.rest.instrument(symbol)
    except BotError as error:
        raise StartupRefused(f"the trading rules of {symbol} cannot be fetched: {error}") from None
    log.info(
        "instrument",
        symbol=symbol,
        tick_size=rules.tick_size,
        qty_step=rules.qty_step,
        min_order_qty=rules.min_order_qty,
        min_notional=rules.min_notional,
    )
    return rules


def prepare_account(road: LiveRoad, log: LiveLog) -> None:
    """Check one-way mode (positions read with ``positionIdx`` 0) and set the leverage."""
    symbol, leverage = road.settings.symbol, road.settings.live.leverage
    try:
        road.rest.positions()
    except BotError as error:
        raise StartupRefused(
            f"the positions cannot be read as one-way mode (positionIdx 0): {error}"
        ) from None
    try:
        road.rest.set_leverage(symbol, leverage)
    except BotError as error:
        raise StartupRefused(f"leverage {leverage} cannot be set for {symbol}: {error}") from None
    log.info("account ready", position_mode="one-way", symbol=symbol, leverage=leverage)


def reconcile_journal(road: LiveRoad, log: LiveLog, now_ms: int) -> int:
    """Reconcile the journal with the exchange under the policy; the fill window's start.

    Raises :class:`~bot.errors.ReconcileRefused` when the policy refuses.
    """
    journal, symbol = road.journal, road.settings.symbol
    recovery = journal.recover()
    margin = IN_FLIGHT_MARGIN_MS + abs(road.skew.skew_ms() or 0)
    wait_ms = in_flight_ms(recovery, now_ms, road.exchange.recv_window_ms, margin)
    if wait_ms:
        log.info("waiting for orders in flight", wait_ms=wait_ms, why=IN_FLIGHT_WHY)
        time.sleep(wait_ms / 1000)
        now_ms += wait_ms
    if recovery.foreign_cancels:
        log.info(
            "foreign cancels",
            why="cancels journaled for orders this journal never wrote (e.g. manual orders)",
            order_link_ids=", ".join(recovery.foreign_cancels),
        )
    since = fill_window_start(recovery, now_ms)
    prefixes = own_prefixes(recovery, [road.run_id])

    def compare() -> ReconcileReport:
        return reconcile(
            journal.recover(), road.rest, symbols=[symbol], run_ids=[road.run_id], since_ms=since
        )

    report = compare()
    caught = catch_up(report, journal, prefixes)
    for line in caught:
        log.info("reconcile catch-up", done=line)
    if caught:
        report = compare()
    policy = ReconcilePolicy(road.settings.live.reconcile_policy.value)
    log.info(
        "reconciled",
        status=report.status.value,
        differences=len(report.differences),
        policy=policy.value,
        window_start_ms=since,
    )
    for line in apply_policy(report, policy, journal=journal, executor_like=road.executor):
        log.warning("reconcile policy", policy=policy.value, done=line)
    return since


def start_streams(road: LiveRoad, log: LiveLog) -> None:
    """Connect and subscribe both streams; refused when either cannot connect."""
    for stream in (road.public, road.private):
        try:
            stream.start()
        except Exception as error:  # noqa: BLE001 -- pybit raises bare exceptions here
            raise StartupRefused(
                f"the {stream.name} stream cannot connect: {type(error).__name__}: {error}"
            ) from None
    log.info("subscribed", public="tickers, kline", private="order, execution, position, wallet")


def warm_up(
    road: LiveRoad,
    *,
    strategy: Strategy,
    feed: BarFeed,
    interval: str,
    book: Callable[[], Book],
    log: LiveLog,
) -> int:
    """Feed ``live.warmup_bars`` closed klines to the strategy; its intents are dropped.

    Returns how many bars were fed.
    """
    wanted = road.settings.live.warmup_bars
    if wanted == 0:
        return 0
    symbol = road.settings.symbol
    try:
        fetched = road.rest.klines(symbol, interval, limit=min(wanted + 1, 1000))
    except BotError as error:
        raise StartupRefused(f"warm-up klines of {symbol} cannot be fetched: {error}") from None
    skew = road.skew.skew_ms() or 0
    bars = closed_only(fetched, feed.interval_ms, road.clock.now_ms() - skew)[-wanted:]
    now = book()
    dropped = 0
    for bar in bars:
        dropped += len(strategy.on_bar(closed_bar(bar), now))
    if bars:
        feed.seen(bars[-1].ts_ms)
    log.info(
        "warmed up",
        bars=len(bars),
        asked=wanted,
        intents_dropped=dropped,
        last_bar_ms=bars[-1].ts_ms if bars else None,
    )
    return len(bars)


def position_words(position: Position | None) -> str:
    """``flat`` or ``Buy 0.015 @ 65000`` for logs."""
    if position is None:
        return "flat"
    return f"{position.side.value} {position.size} @ {position.entry_price}"
