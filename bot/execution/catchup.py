"""After a crash: write the facts about our own orders the journal missed, then compare.

A ``kill -9`` can fall between any two steps: after an intent was written and before it
was sent, after it was sent and before the answer was written, after a fill and before it
was counted. On restart these show up as differences, but they are not disagreements
about the account: they are answers to our own journaled orders that the exchange still
has. :func:`catch_up` records exactly those (lost acknowledgements, intents that never
reached the venue, orders closed on the exchange, lost fills of our own link ids) under
every policy; :func:`reconcile_at_start` then compares again, and whatever is left (an
order of ours the journal does not know, a position the fills cannot explain, a fill the
exchange does not report, a fill of someone else's order, a journal that contradicts
itself) is for the reconcile policy. An exchange that could not be read is never
caught up: nothing of it can be trusted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from bot.domain import Symbol
from bot.exchange.protocol import AccountView
from bot.execution.journal import Journal
from bot.execution.journal_records import Recovery
from bot.execution.reconcile import (
    Difference,
    DifferenceKind,
    ReconcileReport,
    ReconcileStatus,
    reconcile,
    write_exchange_side,
)

#: Differences that are answers to our own journaled orders, never a disagreement.
OWN_ORDER_KINDS: Final = frozenset(
    {
        DifferenceKind.LOST_ACK,
        DifferenceKind.NEVER_SENT,
        DifferenceKind.ORDER_CLOSED_ON_EXCHANGE,
        DifferenceKind.LOST_FILL,
    }
)


def in_flight_ms(recovery: Recovery, now_ms: int, recv_window_ms: int, margin_ms: int) -> int:
    """How long to wait before looking up the intents that await their answer.

    A request the venue received but has not processed yet (a crash during the send) is
    still placed while its timestamp is under ``recv_window_ms`` old; a lookup before
    that can find nothing, the intent is then marked never sent, and the order appears
    afterwards: an open order the journal says was rejected. ``margin_ms`` covers the
    clock skew and the signing delay. 0 when nothing awaits an answer or it is old enough.
    """
    if recovery.last_unanswered_ms is None:
        return 0
    return max(0, recovery.last_unanswered_ms + recv_window_ms + margin_ms - now_ms)


def own_prefixes(recovery: Recovery, run_ids: Iterable[str] = ()) -> tuple[str, ...]:
    """Link-id prefixes of the orders the journal wrote (``<run id>-``)."""
    return tuple(sorted(f"{run}-" for run in {*recovery.last_seq, *run_ids}))


def ours(difference: Difference, prefixes: tuple[str, ...]) -> bool:
    """Whether ``difference`` is an answer to one of our own journaled orders."""
    return (
        difference.kind in OWN_ORDER_KINDS
        and difference.adoptable
        and difference.record is not None
        and bool(prefixes)
        and difference.subject.startswith(prefixes)
    )


def catch_up(
    report: ReconcileReport, journal: Journal, prefixes: tuple[str, ...]
) -> tuple[str, ...]:
    """Record the exchange's answers to our own orders; what was written, one line each.

    Nothing is written when the report is UNKNOWN (the exchange could not be read).
    Fills go first, then answers, as the exchange reported them.
    """
    if report.status is ReconcileStatus.UNKNOWN:
        return ()
    chosen = [d for d in report.differences if ours(d, prefixes)]
    written, answers = write_exchange_side(chosen, journal)
    done = (
        []
        if written is None
        else [f"caught up {written} fill(s) of our own orders from the exchange"]
    )
    done += [f"caught up {a.order_link_id}: {a.status.value} on the exchange" for a in answers]
    return tuple(done)


def reconcile_at_start(
    journal: Journal,
    venue: AccountView,
    *,
    symbols: Iterable[Symbol],
    run_ids: Iterable[str] = (),
) -> tuple[ReconcileReport, tuple[str, ...]]:
    """Catch the journal up on our own orders, then compare it with ``venue``.

    Returns the report to hand to :func:`~bot.execution.reconcile.apply_policy` and the
    lines of what the catch-up recorded (empty when nothing was missing).
    """
    watched, runs = tuple(symbols), tuple(run_ids)
    recovery = journal.recover()
    report = reconcile(recovery, venue, symbols=watched, run_ids=runs)
    done = catch_up(report, journal, own_prefixes(recovery, runs))
    if done:
        report = reconcile(journal.recover(), venue, symbols=watched, run_ids=runs)
    return report, done
