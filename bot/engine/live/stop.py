"""Stopping a live run: signals, resting entries cancelled, positions kept or flattened.

SIGINT and SIGTERM only set a flag (:class:`~bot.engine.live.session.StopFlag`): the
engine loop sees it, hands no more intents to the executor, and :func:`shut_down` runs
on the engine thread. A second signal changes nothing (the handler stays installed), so
it can never skip the journal's close, which the runner does last, in ``finally``.

:func:`shut_down`: our resting entry orders (entries the journal holds open, of this run
or an earlier one) are cancelled one by one and each cancel is journaled; reduce-only
orders (protective stops) stay with a kept position. With ``live.on_stop=flatten``
every order of the symbol is cancelled and the position is closed with reduce-only
market orders through the executor, re-read and retried until flat or a bound.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Final

from bot.config.schema import OnStop
from bot.domain import CloseIntent, OrderStatus
from bot.engine.live.session import LiveSession, StopFlag
from bot.errors import BotError
from bot.execution import Rejected

#: Close attempts of ``on_stop=flatten`` before giving up (and saying so).
FLATTEN_ATTEMPTS: Final = 5


def install_signal_handlers(stop: StopFlag) -> Callable[[], None]:
    """SIGINT/SIGTERM set ``stop``; returns a function restoring the old handlers.

    Once a signal arrived, later ones are ignored: the run is ending, and a second
    signal after the run (while the process exits) must not turn exit 0 into death by
    signal.

    Does nothing off the main thread (Python delivers signals to the main thread only).
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        stop.request(f"signal {signal.Signals(signum).name}")

    saved = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        if received:
            # The process is ending: ignore further signals. SIG_IGN survives interpreter
            # shutdown, which puts SIG_DFL back in place of a Python handler, so a late
            # signal cannot turn exit 0 into death by signal (-15).
            for sig in saved:
                signal.signal(sig, signal.SIG_IGN)
            return
        for sig, handler in saved.items():
            signal.signal(sig, handler)

    return restore


def shut_down(session: LiveSession) -> None:
    """Stop trading: no more intents, entries cancelled, positions per ``live.on_stop``."""
    log, road = session.log, session.road
    session.trading = False
    log.info("stopping", reason=session.stop.reason or "-", on_stop=road.settings.live.on_stop)
    session.drain()
    cancel_entry_orders(session)
    if road.settings.live.on_stop is OnStop.flatten:
        flatten(session)
    session.drain()
    session.poll_fills()
    if session.stop.signals > 1:
        log.warning("more signals during shutdown", signals=session.stop.signals)


def cancel_entry_orders(session: LiveSession) -> int:
    """Cancel our resting entry orders of the symbol, journaling each; how many."""
    log, road, symbol = session.log, session.road, session.symbol
    try:
        entries = {o.order_link_id for o in road.journal.recover().open_orders if not o.reduce_only}
        resting = road.rest.open_orders(symbol)
    except BotError as error:
        log.alarm("entry orders not cancelled", why=f"open orders unreadable: {error}")
        return 0
    cancelled = 0
    for order in resting:
        link = order.order_link_id
        if order.reduce_only or link not in entries:
            continue
        answer = road.rest.cancel(symbol, link)
        if answer.status is OrderStatus.CANCELLED:
            cancelled += 1
            try:
                road.journal.record_cancel(link, "stop: resting entry cancelled")
            except BotError as error:
                log.alarm("cancel not journaled", order_link_id=link, error=str(error))
            if road.executor.ledger.get(link) is not None:
                road.executor.ledger.acknowledge(link, OrderStatus.CANCELLED, "")
            log.info("entry cancelled", order_link_id=link)
        else:
            log.warning(
                "entry not cancelled",
                order_link_id=link,
                status=answer.status.value,
                code=answer.code,
                message=answer.message,
            )
    return cancelled


def flatten(session: LiveSession, *, backoff_s: float = 0.2) -> bool:
    """Cancel every order of the symbol and close the position reduce-only; True if flat."""
    log, executor, symbol = session.log, session.road.executor, session.symbol
    try:
        executor.cancel_all(symbol)
    except BotError as error:
        log.alarm("cancel all failed", error=str(error))
    for attempt in range(1, FLATTEN_ATTEMPTS + 1):
        try:
            position = executor.positions().get(symbol)
        except BotError as error:
            log.warning("position unreadable", attempt=attempt, error=str(error))
            time.sleep(backoff_s * attempt)
            continue
        if position is None:
            log.info("flat", symbol=symbol)
            return True
        result = executor.submit(CloseIntent(symbol, tag="stop: flatten"))
        if isinstance(result, Rejected):
            log.warning("close refused", attempt=attempt, reason=result.reason)
        else:
            log.info("close sent", order_link_id=result.order_link_id, qty=result.qty)
            session.poll_fills()
        time.sleep(backoff_s * attempt)
    log.alarm("not flat after stopping", symbol=symbol, attempts=FLATTEN_ATTEMPTS)
    return False
