"""Reconciliation: the journal's view of the account against the exchange's, at startup.

:func:`reconcile` reads the exchange (positions, open orders, every fill, and a lookup by
``orderLinkId`` of each order the journal cannot settle on its own) and compares:

- positions: the signed sum of the fills the journal counted, per symbol, against the
  exchange's positions (the journal stores fills by execution id; the quantities are
  the exchange's fills with those ids, and a journal fill the exchange does not have is
  a difference of its own);
- orders the journal holds open or unanswered against the exchange's open orders and
  lookups: an intent with no answer that the exchange has was sent and its
  acknowledgement lost; one it has never seen never reached the venue;
- exchange orders whose link id carries one of our run ids and the journal never wrote;
- fills on the exchange the journal lacks (lost fills) and the other way round.

The fill window. Bybit keeps executions for a limited time (and answers at most seven
days per query), so a journal fill of last month cannot be demanded from the exchange
forever. With ``since_ms`` (see :func:`fill_window_start`) only fills from that time on
are compared both ways, and the journal's implied position is the signed sum of the
fills *it* counted (:attr:`~bot.execution.journal_records.Recovery.signed_sizes`), which
needs no old executions: a position that differs is explained only by exchange fills
inside the window that the journal lacks. Without ``since_ms`` every fill is compared.

Anything that cannot be fetched (the venue raises or answers something that is not a
domain value) makes the report UNKNOWN, never "agrees". :func:`apply_policy` then refuses
(:class:`~bot.errors.ReconcileRefused`, exit code 3), adopts the exchange as truth
(recorded in the journal) or flattens through the executor. An UNKNOWN report is refused
under every policy: a startup sync failure is never adoptable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Final, Protocol, TypeVar, runtime_checkable

from bot.domain import CloseIntent, Fill, Order, OrderStatus, Position, Symbol
from bot.errors import ReconcileRefused
from bot.exchange.protocol import AccountView, SubmitResult
from bot.execution.journal import Journal
from bot.execution.journal_records import Recovery
from bot.execution.results import ExecutionResult

#: Bound on ``fills_since`` pages: a venue that keeps paging past it is not trusted.
MAX_FILL_PAGES: Final = 10_000
#: How far before its anchors the fill window opens: covers fills counted out of time
#: order and the journal's local clock against the venue's ``execTime``.
FILL_WINDOW_MARGIN_MS: Final = 3_600_000
#: The furthest back the window opens: one Bybit execution query spans seven days, and
#: older executions may be gone. Also the window of a journal with no anchor at all.
EMPTY_JOURNAL_LOOKBACK_MS: Final = 7 * 86_400_000

_T = TypeVar("_T")


class ReconcileStatus(Enum):
    """AGREES: nothing differs. DIFFERS: see the differences. UNKNOWN: a fetch failed."""

    AGREES = "agrees"
    DIFFERS = "differs"
    UNKNOWN = "unknown"


class DifferenceKind(Enum):
    """What kind of disagreement one :class:`Difference` is."""

    POSITION_MISMATCH = "position mismatch"
    LOST_FILL = "lost fill"
    FILL_NOT_ON_EXCHANGE = "fill not on exchange"
    LOST_ACK = "lost acknowledgement"
    NEVER_SENT = "never reached the venue"
    ORDER_CLOSED_ON_EXCHANGE = "order closed on exchange"
    UNKNOWN_OPEN_ORDER = "unknown open order"
    JOURNAL_ANOMALY = "journal anomaly"


class ReconcilePolicy(Enum):
    """What to do when the journal and the exchange disagree (``reconcile.policy``).

    REFUSE (default): do not trade. ADOPT: take the exchange as truth and record it in
    the journal. FLATTEN: cancel every order and close every position, reduce-only.
    """

    REFUSE = "refuse"
    ADOPT = "adopt"
    FLATTEN = "flatten"


@dataclass(frozen=True, slots=True)
class Difference:
    """One disagreement, in words: the journal's value and the exchange's value.

    ``subject`` is the symbol or the ``orderLinkId`` concerned. ``record`` is what adopting
    writes to the journal (a fill, or an answer); ``adoptable`` says whether taking the
    exchange as truth resolves it.
    """

    kind: DifferenceKind
    subject: str
    journal: str
    exchange: str
    meaning: str
    adoptable: bool
    record: Fill | SubmitResult | None = None


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """The outcome of :func:`reconcile`; ``str(report)`` is :meth:`render`."""

    status: ReconcileStatus
    differences: tuple[Difference, ...]
    failures: tuple[str, ...]
    exchange_positions: tuple[Position, ...]

    @property
    def agrees(self) -> bool:
        """True only when everything was fetched and nothing differs."""
        return self.status is ReconcileStatus.AGREES

    @property
    def adoptable(self) -> bool:
        """True when the exchange was read and adopting it resolves every difference."""
        if self.status is ReconcileStatus.UNKNOWN:
            return False
        return all(d.adoptable for d in self.differences)

    def render(self) -> str:
        """A readable diff table (or the fetch failures when the status is UNKNOWN)."""
        lines = [f"reconciliation: {self.status.value}"]
        if self.failures:
            lines.append("could not fetch from the exchange (nothing can be trusted):")
            lines.extend(f"  - {failure}" for failure in self.failures)
        if self.differences:
            header = ("kind", "symbol / link id", "journal", "exchange", "meaning")
            rows = [header] + [
                (d.kind.value, d.subject, d.journal, d.exchange, d.meaning)
                for d in self.differences
            ]
            widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
            for index, row in enumerate(rows):
                cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
                lines.append("  " + " | ".join([*cells, row[-1]]))
                if index == 0:
                    lines.append("  " + "-+-".join("-" * w for w in widths) + "-+-" + "-" * 7)
        elif not self.failures:
            lines.append("  journal and exchange agree")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


@runtime_checkable
class CloseRoad(Protocol):
    """What flattening needs from the executor: cancel everything, close one position."""

    def cancel_all(self, symbol: Symbol | None = None) -> list[str]:
        """Cancel every open order (of ``symbol``); returns the cancelled link ids."""
        ...

    def submit(self, intent: CloseIntent) -> ExecutionResult:
        """Send one reduce-only close."""
        ...


def fill_window_start(
    recovery: Recovery,
    now_ms: int,
    *,
    margin_ms: int = FILL_WINDOW_MARGIN_MS,
    empty_lookback_ms: int = EMPTY_JOURNAL_LOOKBACK_MS,
) -> int:
    """Where the fill comparison starts: ``margin_ms`` before the older of the journal's
    newest counted fill and its oldest order still open or unanswered, but never more
    than ``empty_lookback_ms`` before ``now_ms``.

    Why nothing the journal can miss lies before it: a fill of our order happens after
    its intent was written, so fills of orders still open in the journal come after
    ``open_since_ms``; an order the journal holds settled gets no later fills (a fill
    racing a cancel precedes the cancel, and a running bot polls fills from a cursor, so
    none older than its newest counted fill stays uncounted for long). Fills of others
    (manual trades, liquidations) that moved the position while the bot was away show
    up as a position the window's fills cannot explain: refused, never adopted blindly.

    Why the cap is safe: positions are compared as the journal's own sums against the
    exchange's live position, whatever the window; the window only picks the fills
    compared one by one. A fill older than the cap that the journal missed therefore
    still shows as a position nothing explains (refused), and a journal whose last fill
    the exchange has long forgotten is not refused for that alone. A journal with
    neither anchor looks back ``empty_lookback_ms`` too.
    """
    anchors = [t for t in (recovery.last_fill_ms, recovery.open_since_ms) if t is not None]
    floor = max(0, now_ms - empty_lookback_ms)
    if not anchors:
        return floor
    return max(floor, min(anchors) - margin_ms)


def reconcile(
    recovery: Recovery,
    venue: AccountView,
    *,
    symbols: Iterable[Symbol],
    run_ids: Iterable[str] = (),
    since_ms: int | None = None,
) -> ReconcileReport:
    """Compare ``recovery`` (the journal) with ``venue``; never raises for a venue failure.

    ``symbols`` are the symbols the bot trades (positions and fills of others are not
    ours); ``run_ids`` are added to the journal's run ids to recognise our orders;
    ``since_ms`` limits the fill comparison to a window (module docstring).
    """
    watched = set(symbols)
    failures: list[str] = []
    positions = _fetch(failures, "positions", lambda: _positions(venue))
    open_orders = _fetch(failures, "open orders", lambda: _open_orders(venue))
    fills = _fetch(failures, "fills", lambda: _all_fills(venue, since_ms or 0))
    anomaly, contradicts = DifferenceKind.JOURNAL_ANOMALY, "the journal contradicts itself"
    differences = [
        Difference(anomaly, "journal", a, "-", contradicts, False) for a in recovery.anomalies
    ]
    if open_orders is not None:
        prefixes = tuple(f"{r}-" for r in (*recovery.last_seq, *run_ids))
        differences += _order_differences(recovery, venue, open_orders, prefixes, failures)
    if fills is not None:
        differences += _fill_differences(recovery, fills, watched, since_ms)
        if positions is not None:
            differences += _position_differences(recovery, fills, positions, watched, since_ms)
    if failures:
        status = ReconcileStatus.UNKNOWN
    else:
        status = ReconcileStatus.DIFFERS if differences else ReconcileStatus.AGREES
    return ReconcileReport(
        status,
        tuple(differences),
        tuple(failures),
        tuple(p for s, p in sorted((positions or {}).items()) if s in watched),
    )


def apply_policy(
    report: ReconcileReport,
    policy: ReconcilePolicy,
    *,
    journal: Journal,
    executor_like: CloseRoad,
) -> tuple[str, ...]:
    """Act on ``report`` under ``policy``; returns what was done, one line each.

    Raises :class:`ReconcileRefused` when the report is UNKNOWN (every policy), when it
    differs under REFUSE, and when ADOPT cannot resolve every difference.
    """
    if report.status is ReconcileStatus.UNKNOWN:
        raise ReconcileRefused("the exchange could not be read; no policy adopts that", report)
    if report.agrees:
        return ()
    if policy is ReconcilePolicy.REFUSE:
        raise ReconcileRefused("journal and exchange disagree (policy: refuse)", report)
    if policy is ReconcilePolicy.ADOPT:
        if not report.adoptable:
            kinds = sorted({d.kind.value for d in report.differences if not d.adoptable})
            reason = f"adopting the exchange cannot resolve: {', '.join(kinds)}"
            raise ReconcileRefused(f"{reason} (policy: adopt)", report)
        return _record(report, journal)
    done = list(_record(report, journal, only_adoptable=True))
    cancelled = executor_like.cancel_all()
    done.append(f"cancelled {len(cancelled)} open order(s): {', '.join(cancelled) or '-'}")
    for position in report.exchange_positions:
        result = executor_like.submit(CloseIntent(position.symbol))
        outcome = f"sent as {result.order_link_id}" if result.accepted else str(result)
        done.append(f"close {position.side.value} {position.size} {position.symbol}: {outcome}")
    return tuple(done)


# ---- fetching ----------------------------------------------------------------------


def _fetch(failures: list[str], what: str, call: Callable[[], _T]) -> _T | None:
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 -- any failure to read is UNKNOWN, never "agrees"
        failures.append(f"{what}: {type(exc).__name__}: {exc}")
        return None


def _positions(venue: AccountView) -> dict[Symbol, Position]:
    answer: object = venue.positions()
    if not isinstance(answer, dict) or not all(
        isinstance(p, Position) and p.symbol == s for s, p in answer.items()
    ):
        raise TypeError(f"not a map of positions: {answer!r}")
    return dict(answer)


def _open_orders(venue: AccountView) -> list[Order]:
    answer: object = venue.open_orders()
    if not isinstance(answer, list) or not all(isinstance(o, Order) for o in answer):
        raise TypeError(f"not a list of orders: {answer!r}")
    return list(answer)


def _all_fills(venue: AccountView, start: int = 0) -> list[Fill]:
    found: list[Fill] = []
    cursor = start
    for _ in range(MAX_FILL_PAGES):
        answer: object = venue.fills_since(cursor)
        page, after = answer if isinstance(answer, tuple) and len(answer) == 2 else (None, 0)
        if not isinstance(page, list) or not all(isinstance(f, Fill) for f in page):
            raise TypeError(f"fills_since({cursor}) answered {answer!r}")
        if not isinstance(after, int) or after < cursor:
            raise TypeError(f"fills_since({cursor}) answered the cursor {after!r}")
        found.extend(page)
        if not page or after == cursor:
            return found
        cursor = after
    raise RuntimeError(f"fills_since still paging after {MAX_FILL_PAGES} pages")


def _lookup(venue: AccountView, link_id: str, failures: list[str]) -> tuple[bool, Order | None]:
    """(True, order-or-None) when the lookup answered; (False, None) when it failed."""
    try:
        found: object = venue.lookup(link_id)
    except Exception as exc:  # noqa: BLE001 -- a failed lookup is UNKNOWN, never "not found"
        failures.append(f"lookup {link_id}: {type(exc).__name__}: {exc}")
        return False, None
    if found is not None and not isinstance(found, Order):
        failures.append(f"lookup {link_id}: not a domain answer: {found!r}")
        return False, None
    return True, found if isinstance(found, Order) else None


# ---- comparing ---------------------------------------------------------------------


def _order_differences(
    recovery: Recovery,
    venue: AccountView,
    open_orders: Sequence[Order],
    prefixes: tuple[str, ...],
    failures: list[str],
) -> list[Difference]:
    on_venue = {o.order_link_id: o for o in open_orders}
    known = {o.order_link_id for o in recovery.open_orders}
    found: list[Difference] = []
    for order in recovery.open_orders:
        link = order.order_link_id
        if order.status.is_open and link in on_venue:
            continue
        if link in on_venue:
            found.extend(_settle(order, on_venue[link]))
            continue
        answered, venue_order = _lookup(venue, link, failures)
        if answered:
            found.extend(_settle(order, venue_order))
    for link, venue_order in on_venue.items():
        if link not in known and prefixes and link.startswith(prefixes):
            found.append(
                Difference(
                    DifferenceKind.UNKNOWN_OPEN_ORDER,
                    link,
                    "not open in the journal",
                    f"{venue_order.status.value} {_order_words(venue_order)}",
                    "an order of ours is open that the journal does not hold open",
                    False,
                )
            )
    return found


def _settle(order: Order, venue_order: Order | None) -> list[Difference]:
    link, was = order.order_link_id, order.status.value
    if venue_order is None and not order.status.is_open:
        answer = SubmitResult(link, OrderStatus.REJECTED, message="never reached the venue")
        meaning = "intent written, never reached the venue: safe to mark rejected"
        kind = DifferenceKind.NEVER_SENT
        return [Difference(kind, link, was, "not found", meaning, True, answer)]
    if venue_order is None:
        answer = SubmitResult(link, OrderStatus.CANCELLED, message="gone from the venue")
        meaning = "the venue no longer has an order the journal holds open"
        kind = DifferenceKind.ORDER_CLOSED_ON_EXCHANGE
        return [Difference(kind, link, was, "not found", meaning, True, answer)]
    answer = SubmitResult(link, venue_order.status, venue_order.order_id, qty=venue_order.qty)
    now = f"{venue_order.status.value} {_order_words(venue_order)}"
    if not order.status.is_open:
        meaning = "sent, acknowledgement lost: adopt the venue's status"
        return [Difference(DifferenceKind.LOST_ACK, link, was, now, meaning, True, answer)]
    if venue_order.status is order.status:
        return []
    meaning = "the order was closed on the venue after the journal's last answer"
    kind = DifferenceKind.ORDER_CLOSED_ON_EXCHANGE
    return [Difference(kind, link, was, now, meaning, True, answer)]


def _fill_differences(
    recovery: Recovery, fills: Sequence[Fill], watched: set[Symbol], since_ms: int | None
) -> list[Difference]:
    lost, lost_words = DifferenceKind.LOST_FILL, "the exchange filled this; the journal did not"
    found = [
        Difference(lost, f.order_link_id, "not recorded", _fill_words(f), lost_words, True, f)
        for f in fills
        if f.exec_id not in recovery.fill_ids and f.symbol in watched
    ]
    ghost, ghost_words = DifferenceKind.FILL_NOT_ON_EXCHANGE, "the exchange does not report it"
    compared = (
        recovery.fill_ids
        if since_ms is None
        else {e for e, ts in recovery.fill_times.items() if ts >= since_ms}
    )
    missing = sorted(compared - {f.exec_id for f in fills})
    found += [Difference(ghost, e, "recorded", "not found", ghost_words, False) for e in missing]
    return found


def _fill_words(fill: Fill) -> str:
    return f"{fill.exec_id}: {fill.side.value} {fill.qty} {fill.symbol} @ {fill.price}"


def _position_differences(
    recovery: Recovery,
    fills: Sequence[Fill],
    positions: Mapping[Symbol, Position],
    watched: set[Symbol],
    since_ms: int | None = None,
) -> list[Difference]:
    if since_ms is None:
        implied = _signed_sums(f for f in fills if f.exec_id in recovery.fill_ids)
        everything = _signed_sums(fills)
    else:
        implied = dict(recovery.signed_sizes)
        everything = dict(implied)
        for symbol, lost in _signed_sums(
            f for f in fills if f.exec_id not in recovery.fill_ids
        ).items():
            everything[symbol] = everything.get(symbol, Decimal(0)) + lost
    found: list[Difference] = []
    for symbol in sorted(watched | set(implied)):
        position = positions.get(symbol)
        held = Decimal(0) if position is None else position.signed_size
        ours = implied.get(symbol, Decimal(0))
        if ours == held:
            continue
        explained = everything.get(symbol, Decimal(0)) == held
        meaning = (
            "explained by fills the journal lacks"
            if explained
            else "not explained by the exchange's fills"
        )
        kind = DifferenceKind.POSITION_MISMATCH
        found.append(Difference(kind, symbol, _size(ours), _size(held), meaning, explained))
    return found


def _signed_sums(fills: Iterable[Fill]) -> dict[Symbol, Decimal]:
    sums: dict[Symbol, Decimal] = {}
    for fill in fills:
        sums[fill.symbol] = sums.get(fill.symbol, Decimal(0)) + fill.qty * fill.side.sign
    return sums


def _size(signed: Decimal) -> str:
    if signed == 0:
        return "flat"
    return f"{'long' if signed > 0 else 'short'} {abs(signed)}"


def _order_words(order: Order) -> str:
    return f"{order.side.value} {order.qty} {order.symbol}"


# ---- adopting ----------------------------------------------------------------------


def _record(
    report: ReconcileReport, journal: Journal, *, only_adoptable: bool = False
) -> tuple[str, ...]:
    """Write the exchange's side of each adoptable difference: fills first, then answers."""
    chosen = [d for d in report.differences if d.adoptable or not only_adoptable]
    written, answers = write_exchange_side(chosen, journal)
    done = [] if written is None else [f"recorded {written} lost fill(s) from the exchange"]
    done += [f"recorded {a.order_link_id} as {a.status.value} (exchange)" for a in answers]
    return tuple(done)


def write_exchange_side(
    differences: Iterable[Difference], journal: Journal
) -> tuple[int | None, tuple[SubmitResult, ...]]:
    """Write the exchange's fills, then its answers, of ``differences`` to the journal.

    Returns how many fills were new (None when there were none to write) and the
    answers written, in order.
    """
    chosen = list(differences)
    fills = [d.record for d in chosen if isinstance(d.record, Fill)]
    answers = tuple(d.record for d in chosen if isinstance(d.record, SubmitResult))
    written = journal.record_fills(fills) if fills else None
    for answer in answers:
        journal.record_ack(answer)
    return written, answers
