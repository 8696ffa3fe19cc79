"""Reconciliation while a live run trades (every ``live.reconcile_every_s``).

The journal is compared with the exchange inside the fill window
(:func:`~bot.execution.reconcile.fill_window_start`). A fill or an acknowledgement of
our own orders that the exchange already has and the journal not yet (a race with the
stream, not a disagreement) is caught up and the comparison repeated, at most twice,
with the queued events and a REST fill poll handled in between. Whatever still differs
halts trading (HALTED, with the kinds of difference as the reason) and is logged with
the whole report. An exchange that could not be read is logged and tried again at the
next period: the guards keep blocking entries on their own inputs meanwhile.

The trading state another process journaled (an operator's ``task=panic`` while this
run trades) is read on every turn of the loop and before every entry
(:func:`state_from_journal`): a stricter state is taken on, a looser one never; a
journal that cannot be read halts trading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bot.engine.live.logs import LiveLog
from bot.engine.live.road import LiveRoad
from bot.errors import BotError
from bot.execution.catchup import catch_up, own_prefixes
from bot.execution.reconcile import (
    ReconcileReport,
    ReconcileStatus,
    fill_window_start,
    reconcile,
)
from bot.risk import TradingState

#: Comparisons per period: the first, then one after each catch-up.
PASSES: Final = 3


def reconcile_running(
    road: LiveRoad, log: LiveLog, settle: Callable[[], None]
) -> ReconcileReport | None:
    """Compare, catch up our own orders, compare again; halt on what still differs.

    ``settle`` handles what is queued and polls fills (called first and after each
    catch-up). Returns the last report (None if none was made).
    """
    settle()
    journal, symbol = road.journal, road.settings.symbol
    report: ReconcileReport | None = None
    for attempt in range(1, PASSES + 1):
        recovery = journal.recover()
        since = fill_window_start(recovery, road.clock.now_ms())
        report = reconcile(
            recovery, road.rest, symbols=[symbol], run_ids=[road.run_id], since_ms=since
        )
        if report.status is ReconcileStatus.UNKNOWN:
            log.warning("reconcile skipped", why="; ".join(report.failures))
            return report
        if report.agrees:
            log.info("reconciled", status="agrees", attempt=attempt)
            return report
        if attempt == PASSES:
            break
        for line in catch_up(report, journal, own_prefixes(recovery, [road.run_id])):
            log.info("reconcile catch-up", done=line)
        settle()
    if report is None:
        return None
    kinds = sorted({d.kind.value for d in report.differences})
    reason = "periodic reconciliation: " + ", ".join(kinds)
    road.state.escalate(TradingState.HALTED, reason)
    log.alarm("halted", reason=reason, report=report.render())
    return report


def state_from_journal(road: LiveRoad, log: LiveLog) -> bool:
    """Take on a stricter trading state another process wrote to the journal.

    One indexed read of the journal's newest trading state. Stricter than the state in
    memory (an operator's panic from another process): escalated to it. Looser (an
    operator's reset while this run trades): ignored, only a restart reads it. A journal
    that cannot be read: HALTED, this run no longer knows whether it was halted. Returns
    True when the state in memory changed.
    """
    try:
        found = road.journal.latest_state()
    except BotError as error:
        reason = f"the journal's trading state cannot be read: {error}"
        if road.state.escalate(TradingState.HALTED, reason):
            log.alarm("halted", reason=reason)
            return True
        return False
    if found is None:
        return False
    state, why = found
    if not road.state.escalate(state, f"journaled by another process: {why}"):
        return False
    log.alarm("trading state from the journal", state=state.value, reason=why)
    return True
