"""Operator tasks on the live account: ``status``, ``close``, ``panic``, ``reset``, ``download``.

``python -m bot exchange=bybit task=<name> ...`` runs one task and exits:

- ``status`` (:mod:`.operator_status`): positions, orders, balance, trading state, feed
  ages and clock skew as tables; read-only; exit 1 if any read failed.
- ``close``: ``task.fraction`` of the live position of ``task.symbol``, through the
  executor (reduce-only, journaled). No position: a message, nothing sent, exit 0 (the
  account already is where the operator wants it).
- ``panic``: needs ``task.confirm=true``. HALTED (journaled), cancel every order, close
  every position reduce-only with retries; exit 1 unless flat with no open order. A
  journal that cannot be opened does not stop it: it runs without one, says
  "journal unavailable: ...; panic ran without it", and exits 1. A
  bot that is running on the same journal reads the HALTED on its next loop turn and
  before any entry, and stops entering.
- ``reset``: HALTED or REDUCING back to ACTIVE in the journal, with the operator's
  reason. It writes only the journal: a bot that is running keeps its state in memory
  until it is restarted.
- ``download`` (:mod:`.operator_download`): klines into a Parquet file for ``data=file``.

Every task fails closed with one line (a :class:`~bot.errors.BotError`): exit code 2
for a refused config (mainnet without ``exchange.confirm_mainnet=true``, a panic
without ``task.confirm=true``), 1 for anything else (see :mod:`bot.__main__`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bot.config.schema import Network
from bot.config.settings import (
    BybitSettings,
    CloseTaskSettings,
    DownloadTaskSettings,
    PanicTaskSettings,
    ResetTaskSettings,
    StatusTaskSettings,
)
from bot.domain import CloseIntent, Order, Position
from bot.engine.live.feeds import WallClock
from bot.engine.live.operator_download import download_task
from bot.engine.live.operator_status import status_task
from bot.engine.live.road import LiveRoad, build_live_road, new_run_id, open_journal
from bot.engine.settings import Settings
from bot.errors import BotError, ConfigError, JournalUnavailable, OperatorTaskFailed
from bot.exchange.bybit.rest import BybitHttp, BybitRest
from bot.execution import Accepted, ExecutionResult, Executor, Rejected
from bot.execution.journal import Journal
from bot.guards import GuardChain, TradingStateGuard
from bot.risk import RiskEngine, TradingState, TradingStateHolder
from bot.safety.panic import Panic, PanicReport

#: How far back fills of this task's own orders are looked for (venue and local clocks
#: may differ by this much without losing one).
FILL_LOOKBACK_MS = 60_000
#: How long ``close`` waits for its market order to be done (filled or cancelled).
SETTLE_WAIT_S = 5.0


def run_operator_task(settings: Settings, *, http: BybitHttp | None = None) -> None:
    """Run the operator task ``settings.task`` names; raises a BotError when it fails.

    ``http`` replaces pybit's REST client (tests). Every task but ``download`` needs
    ``exchange=bybit``; mainnet needs ``exchange.confirm_mainnet=true`` (checked again
    here, before anything connects).
    """
    task, exchange = settings.task, settings.exchange
    if isinstance(exchange, BybitSettings):
        refuse_unconfirmed_mainnet(exchange)
    if isinstance(task, DownloadTaskSettings):
        download_task(settings, task, http=http)
        return
    if not isinstance(exchange, BybitSettings):
        raise ConfigError(
            "exchange", exchange.name, "bybit: operator tasks act on the live account"
        )
    if isinstance(task, StatusTaskSettings):
        status_task(settings, http=http)
    elif isinstance(task, CloseTaskSettings):
        close_task(settings, task, http=http)
    elif isinstance(task, PanicTaskSettings):
        panic_task(settings, task, http=http)
    elif isinstance(task, ResetTaskSettings):
        reset_task(settings, task)
    else:
        raise ConfigError("task", task.name, "status, close, panic, reset or download")


def refuse_unconfirmed_mainnet(exchange: BybitSettings) -> None:
    """Mainnet trades real money: refused unless ``exchange.confirm_mainnet=true``."""
    if exchange.network is Network.mainnet and not exchange.confirm_mainnet:
        raise ConfigError(
            "exchange.network",
            "mainnet",
            "mainnet trades real money: add exchange.confirm_mainnet=true to allow it",
        )


@contextmanager
def live_road(settings: Settings, http: BybitHttp | None = None) -> Iterator[LiveRoad]:
    """The live road for one operator task (streams never started), closed afterwards."""
    road = build_live_road(settings, http=http)
    try:
        yield road
    finally:
        road.close()
        road.rest.close()


# -- close -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CloseOutcome:
    """What ``close`` found, sent and left: ``result`` None means nothing was sent."""

    before: Position | None
    result: ExecutionResult | None
    after: Position | None


def close_task(
    settings: Settings, task: CloseTaskSettings, *, http: BybitHttp | None = None
) -> CloseOutcome:
    """Close ``task.fraction`` of the position in ``task.symbol`` through the executor.

    The order is a reduce-only market order sized from the live position at send time
    (a position that shrank in between is handled by the executor) and journaled. Exit
    0 when there is no position (nothing is sent) or the order filled; OperatorTaskFailed
    when the executor or the venue refused it, or it did not fill.
    """
    symbol = task.symbol
    with live_road(settings, http) as road:
        before = road.rest.positions().get(symbol)
        if before is None:
            print(f"close {symbol}: no open position; nothing sent")
            return CloseOutcome(None, None, None)
        part = "all" if task.fraction == 1 else str(task.fraction)
        print(f"close {part} of {describe(before)} (reduce-only market order)")
        since = road.clock.now_ms() - FILL_LOOKBACK_MS
        result = road.executor.submit(CloseIntent(symbol, fraction=task.fraction))
        if isinstance(result, Rejected):
            after = road.rest.positions().get(symbol)
            if after is None:
                print(f"close {symbol}: the position is already flat; nothing left to close")
                return CloseOutcome(before, result, None)
            raise OperatorTaskFailed(f"close {symbol}: {result}")
        print(f"sent: {_accepted_line(result)}")
        link = result.order_link_id
        try:
            order = _settled(road, link)
            journaled = _journal_fills(road.rest, road.executor, since, lambda each: each == link)
            after = road.rest.positions().get(symbol)
        except BotError as error:
            raise OperatorTaskFailed(
                f"close {symbol}: order {link} was sent, but what became of it cannot be "
                f"read: {error}; check with task=status"
            ) from error
        print(
            f"filled {_num(order.filled_qty)} ({journaled} fill(s) journaled); now: "
            + (describe(after) if after is not None else f"{symbol} flat")
        )
        if order.filled_qty == 0:
            raise OperatorTaskFailed(
                f"close {symbol}: order {link} ended {order.status.value} "
                "without a fill; the position is unchanged"
            )
        return CloseOutcome(before, result, after)


def _settled(road: LiveRoad, link_id: str) -> Order:
    """The order once the venue is done with it; raises if it stays open or unknown."""
    deadline = time.monotonic() + SETTLE_WAIT_S
    while True:
        found = road.rest.lookup(link_id)
        if found is not None and found.status.is_terminal:
            return found
        if time.monotonic() >= deadline:
            state = "unknown to the venue" if found is None else found.status.value
            raise OperatorTaskFailed(
                f"order {link_id} is still {state} after {SETTLE_WAIT_S:g} s; "
                "check it with task=status"
            )
        time.sleep(0.1)


def _journal_fills(
    rest: BybitRest, executor: Executor, since_ms: int, ours: Callable[[str], bool]
) -> int:
    """Count (and journal) the venue's fills of this task's orders; returns how many."""
    fills, _ = rest.fills_since(max(since_ms, 0))
    return sum(1 for fill in fills if ours(fill.order_link_id) and executor.on_fill(fill))


# -- panic -------------------------------------------------------------------------------


def panic_task(
    settings: Settings, task: PanicTaskSettings, *, http: BybitHttp | None = None
) -> PanicReport:
    """HALTED (journaled first), cancel every order, close every position reduce-only.

    Raises OperatorTaskFailed unless the account ends flat with no open order and the
    HALTED state is in the journal. A journal that cannot be opened or read does not
    stop the kill switch: the panic runs without it (nothing is journaled), says so
    first, and still ends in OperatorTaskFailed naming the journal's problem, so the
    operator knows it must be repaired (a trading start refuses until then).
    """
    if task.confirm is not True:
        raise ConfigError("task.confirm", task.confirm, "true: panic closes everything")
    try:
        road = build_live_road(settings, http=http)
    except JournalUnavailable as unavailable:
        parts = _journalless(settings, http)
        warning = f"journal unavailable: {unavailable}; panic ran without it"
        print(f"WARNING: {warning}")
        try:
            return _panic(parts, warning)
        finally:
            parts.rest.close()
    parts = PanicParts(
        road.run_id, road.rest, road.clock, road.state, road.executor, road.panic, road.journal
    )
    try:
        return _panic(parts, None)
    finally:
        road.close()
        road.rest.close()


@dataclass(frozen=True, slots=True)
class PanicParts:
    """What a panic acts through: the live road's parts, or the same without a journal."""

    run_id: str
    rest: BybitRest
    clock: WallClock
    state: TradingStateHolder
    executor: Executor
    panic: Panic
    journal: Journal | None


def _journalless(settings: Settings, http: BybitHttp | None) -> PanicParts:
    """The executor and panic of a live road with no journal (nothing is recorded).

    Only closes are sent through it (reduce-only, which the guards let through); the
    trading-state guard still blocks any entry.
    """
    exchange = settings.exchange
    if not isinstance(exchange, BybitSettings):
        raise ConfigError("exchange", exchange.name, "bybit for an operator task")
    clock, state = WallClock(), TradingStateHolder()
    run_id = new_run_id(clock.now_ms())
    rest = BybitRest(exchange, http=http, now_ms=clock.now_ms)
    guards = GuardChain([TradingStateGuard(state)])
    risk = RiskEngine(settings.risk, state, clock)
    executor = Executor(
        rest, guards, risk, state, run_id=run_id, remainder=settings.close_remainder
    )
    return PanicParts(run_id, rest, clock, state, executor, Panic(executor, state), None)


def _panic(road: PanicParts, unavailable: str | None) -> PanicReport:
    """The panic on ``road``; ``unavailable`` says why it runs without a journal."""
    since = road.clock.now_ms() - FILL_LOOKBACK_MS
    try:  # only to say what is being closed: a failed read never delays the panic
        shown = ", ".join(describe(p) for p in road.rest.positions().values()) or "none"
    except BotError as unread:
        shown = f"unknown ({unread})"
    print(f"positions before the panic: {shown}")
    report = road.panic.trigger("operator task=panic")
    prefix = f"{road.run_id}-"
    problems: list[str] = []
    try:
        _journal_fills(road.rest, road.executor, since, lambda link: link.startswith(prefix))
    except BotError as failure:
        problems.append(f"the closing fills cannot be read for the journal: {failure}")
    try:
        left = road.rest.open_orders()
    except BotError as failure:
        problems.append(f"open orders cannot be read after the panic: {failure}")
        left = []
    print(f"trading state: {road.state.state.name} ({road.state.reason})")
    print(f"cancelled {len(report.cancelled)} order(s): {', '.join(report.cancelled) or '-'}")
    print(f"close attempts: {report.close_attempts}; flat: {'yes' if report.flat else 'NO'}")
    for error in report.errors:
        print(f"  {error}")
    if not report.flat:
        held = ", ".join(report.remaining) or "positions could not be read"
        problems.append(f"not flat: {held}")
    if left:
        problems.append(f"{len(left)} order(s) still open: {_links(left)}")
    if road.journal is not None and road.journal.failures:
        problems.append(f"the journal did not record it: {road.journal.failures[-1]}")
    if unavailable is not None:
        if not problems:
            print("panic done without the journal: no open order, no position")
        problems.append(
            f"{unavailable}; HALTED is not recorded: repair or replace the journal "
            "(a trading start refuses until then)"
        )
    if problems:
        raise OperatorTaskFailed("panic did not finish: " + "; ".join(problems))
    print("panic done: HALTED, no open order, no position (task=reset to trade again)")
    return report


def _links(orders: list[Order]) -> str:
    return ", ".join(f"{o.order_link_id} ({o.symbol} {o.status.value})" for o in orders)


# -- reset -------------------------------------------------------------------------------


def reset_task(settings: Settings, task: ResetTaskSettings) -> tuple[TradingState, TradingState]:
    """Leave HALTED or REDUCING: ACTIVE in the journal with the operator's reason.

    Returns (before, after). ACTIVE already: a message, nothing written. Raises
    OperatorTaskFailed when the journal does not take the change (it stays as it was).
    """
    path = settings.live.journal
    if not path.exists():
        print(f"reset: no journal at {path}; nothing was ever halted, nothing written")
        return TradingState.ACTIVE, TradingState.ACTIVE
    journal, recovery = open_journal(path)
    try:
        before = recovery.trading_state or TradingState.ACTIVE
        if before is TradingState.ACTIVE:
            print(f"reset: the trading state is already ACTIVE in {path}; nothing written")
            return before, before
        holder = TradingStateHolder(before, recovery.state_reason)
        journal.follow(holder)
        holder.reset(f"operator reset: {task.reason}")
        if journal.failures:
            raise OperatorTaskFailed(f"reset not recorded: {journal.failures[-1]}")
        after = journal.recover().trading_state
    finally:
        journal.close()
    if after is not TradingState.ACTIVE:
        shown = "nothing" if after is None else after.name
        raise OperatorTaskFailed(f"reset not recorded: the journal reads back {shown}")
    print(f"trading state: {before.name} ({recovery.state_reason}) -> ACTIVE ({task.reason})")
    print("recorded in the journal; a bot that is running now must be restarted to see it")
    return before, after


# -- text --------------------------------------------------------------------------------


def describe(position: Position) -> str:
    """``BTCUSDT long 0.010 @ 65000``."""
    side = "long" if position.side.sign > 0 else "short"
    return f"{position.symbol} {side} {_num(position.size)} @ {_num(position.entry_price)}"


def _accepted_line(result: Accepted) -> str:
    note = f"; {result.note}" if result.note else ""
    return (
        f"{result.side.value} {_num(result.qty)} {result.symbol} reduce-only "
        f"(link {result.order_link_id}, order {result.order_id}): {result.status.value}{note}"
    )


def _num(value: object) -> str:
    return format(value, "f") if value is not None else "-"


__all__ = [
    "CloseOutcome",
    "close_task",
    "describe",
    "download_task",
    "live_road",
    "panic_task",
    "refuse_unconfirmed_mainnet",
    "reset_task",
    "run_operator_task",
    "status_task",
]
