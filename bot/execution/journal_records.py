"""What the journal stores, and how a restart reads it back.

The schema (version :data:`SCHEMA_VERSION`, kept in SQLite's ``user_version``) has one
table per record kind. Every row carries ``entry``, a journal-wide counter taken in the
same transaction, so a restart replays intents, acknowledgements, cancels and fills in
the order they were written. Decimals are stored as text (exact), times as integer
epoch milliseconds, enums by their value. Nothing secret is ever stored: the journal
sees orders, answers, fills and states, never keys.

:func:`replay` rebuilds every order from its rows with the order ledger's rules and
answers a :class:`Recovery`.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.domain import (
    Amount,
    Fill,
    Order,
    OrderStatus,
    OrderType,
    Price,
    Qty,
    Side,
    Symbol,
)
from bot.errors import BotError
from bot.risk import RiskMemory, TradingState

SCHEMA_VERSION: Final = 2

#: The risk engine's memory (:class:`~bot.risk.RiskMemory`), one JSON row per change.
_RISK_MEMORY: Final = """
CREATE TABLE risk_memory (
    entry INTEGER PRIMARY KEY,
    memory TEXT NOT NULL,
    written_ms INTEGER NOT NULL
);
"""

#: The statements that bring a journal of an older schema version to the next one.
MIGRATIONS: Final = {1: _RISK_MEMORY}

SCHEMA: Final = (
    """
CREATE TABLE counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    entry INTEGER NOT NULL
);
INSERT INTO counter (id, entry) VALUES (1, 0);
CREATE TABLE intents (
    order_link_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    entry INTEGER NOT NULL UNIQUE,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty TEXT NOT NULL,
    order_type TEXT NOT NULL,
    reduce_only INTEGER NOT NULL,
    price TEXT,
    time_in_force TEXT NOT NULL,
    trigger_price TEXT,
    trigger_direction INTEGER,
    written_ms INTEGER NOT NULL,
    UNIQUE (run_id, seq)
);
CREATE TABLE acks (
    entry INTEGER PRIMARY KEY,
    order_link_id TEXT NOT NULL,
    status TEXT NOT NULL,
    order_id TEXT NOT NULL,
    code INTEGER NOT NULL,
    message TEXT NOT NULL,
    qty TEXT,
    written_ms INTEGER NOT NULL
);
CREATE TABLE fills (
    exec_id TEXT PRIMARY KEY,
    entry INTEGER NOT NULL UNIQUE,
    order_link_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty TEXT NOT NULL,
    price TEXT NOT NULL,
    fee TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    is_maker INTEGER NOT NULL,
    written_ms INTEGER NOT NULL
);
CREATE TABLE cancels (
    entry INTEGER PRIMARY KEY,
    order_link_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    written_ms INTEGER NOT NULL
);
CREATE TABLE trading_states (
    entry INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    written_ms INTEGER NOT NULL
);
"""
    + _RISK_MEMORY
)

#: Statuses in which an order may still fill or is not known to be settled.
OPEN_STATUSES: Final = frozenset(
    {
        OrderStatus.PENDING,
        OrderStatus.UNKNOWN,
        OrderStatus.NEW,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.UNTRIGGERED,
    }
)
_BY_FILLS: Final = frozenset({OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED})
_AWAITING_ACK: Final = frozenset({OrderStatus.PENDING, OrderStatus.UNKNOWN})


@dataclass(frozen=True, slots=True)
class Recovery:
    """What a restart needs from the journal.

    - ``last_seq``: the last sequence number written per run id (continue after it).
    - ``open_orders``: orders not in a terminal state, in the order they were written;
      PENDING means the intent was written and no answer was (it may or may not have
      reached the venue: look it up by ``orderLinkId`` before anything is resent).
    - ``fill_ids``: every execution id the journal counted.
    - ``orphan_fills``: fills of orders the journal never recorded.
    - ``trading_state`` / ``state_reason``: the last trading state written (None if none).
    - ``risk_memory``: the risk engine's last memory written (None if none); one that
      cannot be read is an anomaly, not a fresh start.
    - ``anomalies``: rows that contradict each other (e.g. a fill of a rejected order),
      one readable line each; a reconciler refuses to trade while there are any.
    - ``last_unanswered_ms``: when the newest intent still awaiting its answer was
      written (None when none is): until the venue's ``recv_window`` has passed since
      then, such a request may still be placed, so "not found" does not yet mean
      "never reached the venue".
    - ``foreign_cancels``: cancels written for orders the journal never wrote (a "cancel
      all" also cancels a manual order on the account), by link id, in written order.
      Information, not a contradiction: the journal recorded what it cancelled.
    - ``fill_times``: the venue time (``execTime``) of every counted fill, by execution id.
    - ``signed_sizes``: per symbol, the signed sum of every counted fill (long > 0): the
      position the journal implies, without asking the exchange for old fills.
    - ``open_since_ms``: when the oldest intent still open or unanswered was written
      (None when every order is settled).

    The last three feed the reconciliation window
    (:func:`bot.execution.reconcile.fill_window_start`).
    """

    last_seq: Mapping[str, int]
    open_orders: tuple[Order, ...]
    fill_ids: frozenset[str]
    orphan_fills: tuple[Fill, ...]
    trading_state: TradingState | None
    state_reason: str
    anomalies: tuple[str, ...]
    fill_times: Mapping[str, int] = field(default_factory=dict)
    signed_sizes: Mapping[Symbol, Decimal] = field(default_factory=dict)
    open_since_ms: int | None = None
    foreign_cancels: tuple[str, ...] = ()
    last_unanswered_ms: int | None = None
    risk_memory: RiskMemory | None = None

    @property
    def last_fill_ms(self) -> int | None:
        """The venue time of the newest counted fill (None when none was counted)."""
        return max(self.fill_times.values(), default=None)

    def next_seq(self, run_id: str) -> int:
        """The first sequence number ``run_id`` may use now (1 for a new run id)."""
        return self.last_seq.get(run_id, 0) + 1

    @property
    def unanswered(self) -> tuple[Order, ...]:
        """Orders in PENDING or UNKNOWN: look each up by ``orderLinkId`` before resending."""
        return tuple(o for o in self.open_orders if o.status in _AWAITING_ACK)


def fill_row(fill: Fill) -> tuple[str, str, str, str, str, str, str, int, int]:
    """A fill as the ``fills`` columns after ``entry`` (and before ``written_ms``)."""
    return (
        fill.exec_id,
        fill.order_link_id,
        str(fill.symbol),
        fill.side.value,
        str(fill.qty),
        str(fill.price),
        str(fill.fee),
        fill.ts_ms,
        int(fill.is_maker),
    )


class _Replay:
    """Applies rows in entry order with the order ledger's rules, collecting anomalies."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.held: dict[str, list[Fill]] = {}
        self.anomalies: list[str] = []
        self.last_seq: dict[str, int] = {}
        self.written_ms: dict[str, int] = {}
        self.fill_times: dict[str, int] = {}
        self.signed_sizes: dict[Symbol, Decimal] = {}
        self.foreign_cancels: list[str] = []

    def intent(self, row: sqlite3.Row) -> None:
        run_id, seq = str(row["run_id"]), int(row["seq"])
        if seq <= self.last_seq.get(run_id, 0):
            self.anomalies.append(f"run {run_id}: sequence {seq} written after a later one")
        self.last_seq[run_id] = max(seq, self.last_seq.get(run_id, 0))
        order = Order(
            order_link_id=str(row["order_link_id"]),
            symbol=Symbol(str(row["symbol"])),
            side=Side(row["side"]),
            qty=Qty(str(row["qty"])),
            order_type=OrderType(row["order_type"]),
            reduce_only=bool(row["reduce_only"]),
            price=_price(row["price"]),
            trigger_price=_price(row["trigger_price"]),
        )
        self.orders[order.order_link_id] = order
        self.written_ms[order.order_link_id] = int(row["written_ms"])
        for fill in self.held.pop(order.order_link_id, []):
            self._apply(order, fill)

    def ack(self, link_id: str, status: OrderStatus, order_id: str) -> None:
        order = self.orders.get(link_id)
        if order is None:
            self.anomalies.append(f"answer {status.value} for {link_id}, which was never written")
            return
        if order_id:
            order.order_id = order_id
        if status in _BY_FILLS:
            status = OrderStatus.NEW
        awaiting = order.status in _AWAITING_ACK and status is not order.status
        cancelling = status is OrderStatus.CANCELLED and order.status.is_open
        if awaiting or cancelling:
            try:
                order.transition(status)
            except BotError as exc:
                self.anomalies.append(f"answer {status.value} for {link_id}: {exc}")

    def cancel(self, link_id: str) -> None:
        if link_id not in self.orders:
            self.foreign_cancels.append(link_id)
            return
        self.ack(link_id, OrderStatus.CANCELLED, "")

    def fill(self, fill: Fill) -> None:
        self.fill_times[fill.exec_id] = fill.ts_ms
        signed = self.signed_sizes.get(fill.symbol, Decimal(0)) + fill.qty * fill.side.sign
        self.signed_sizes[fill.symbol] = signed
        order = self.orders.get(fill.order_link_id)
        if order is None:
            self.held.setdefault(fill.order_link_id, []).append(fill)
        else:
            self._apply(order, fill)

    def _apply(self, order: Order, fill: Fill) -> None:
        try:
            order.apply_fill(fill)
        except BotError as exc:
            self.anomalies.append(f"fill {fill.exec_id} of {order.order_link_id}: {exc}")


def replay(conn: sqlite3.Connection) -> Recovery:
    """Read every row back in entry order and answer what a restart needs.

    Raises whatever a row that cannot be decoded raises (the caller wraps it).
    """
    state = _Replay()
    for kind, row in _in_entry_order(conn):
        if kind == "intent":
            state.intent(row)
        elif kind == "ack":
            state.ack(str(row["order_link_id"]), OrderStatus(row["status"]), row["order_id"])
        elif kind == "cancel":
            state.cancel(str(row["order_link_id"]))
        else:
            state.fill(_fill(row))
    found = newest_state(conn)
    memory = _risk_memory(conn, state.anomalies)
    fill_ids = frozenset(str(r[0]) for r in conn.execute("SELECT exec_id FROM fills"))
    still_open = [o for o in state.orders.values() if o.status in OPEN_STATUSES]
    return Recovery(
        last_seq=dict(state.last_seq),
        open_orders=tuple(still_open),
        fill_ids=fill_ids,
        orphan_fills=tuple(f for held in state.held.values() for f in held),
        trading_state=None if found is None else found[0],
        state_reason="" if found is None else found[1],
        anomalies=tuple(state.anomalies),
        fill_times=dict(state.fill_times),
        signed_sizes=dict(state.signed_sizes),
        open_since_ms=min((state.written_ms[o.order_link_id] for o in still_open), default=None),
        foreign_cancels=tuple(state.foreign_cancels),
        last_unanswered_ms=max(
            (state.written_ms[o.order_link_id] for o in still_open if o.status in _AWAITING_ACK),
            default=None,
        ),
        risk_memory=memory,
    )


def newest_state(conn: sqlite3.Connection) -> tuple[TradingState, str] | None:
    """The last trading state written and its reason (None if none): one read of the
    newest row by its primary key. Raises ValueError for a row naming no state."""
    query = "SELECT state, reason FROM trading_states ORDER BY entry DESC LIMIT 1"
    row = conn.execute(query).fetchone()
    return None if row is None else (TradingState(row["state"]), str(row["reason"]))


def _risk_memory(conn: sqlite3.Connection, anomalies: list[str]) -> RiskMemory | None:
    """The last risk memory written; one that cannot be read is added to ``anomalies``."""
    row = conn.execute("SELECT memory FROM risk_memory ORDER BY entry DESC LIMIT 1").fetchone()
    if row is None:
        return None
    try:
        return RiskMemory.from_json(str(row[0]))
    except BotError as exc:
        anomalies.append(f"the risk engine's memory cannot be read: {exc}")
        return None


_QUERIES: Final = {
    "intent": "SELECT * FROM intents ORDER BY entry",
    "ack": "SELECT * FROM acks ORDER BY entry",
    "cancel": "SELECT * FROM cancels ORDER BY entry",
    "fill": "SELECT * FROM fills ORDER BY entry",
}


def _in_entry_order(conn: sqlite3.Connection) -> Iterator[tuple[str, sqlite3.Row]]:
    streams = [_tagged(kind, conn.execute(query)) for kind, query in _QUERIES.items()]
    for _, kind, row in heapq.merge(*streams, key=lambda item: item[0]):
        yield kind, row


def _tagged(kind: str, cursor: sqlite3.Cursor) -> Iterator[tuple[int, str, sqlite3.Row]]:
    for row in cursor:
        yield int(row["entry"]), kind, row


def _price(value: object) -> Price | None:
    return None if value is None else Price(str(value))


def _fill(row: sqlite3.Row) -> Fill:
    return Fill(
        exec_id=str(row["exec_id"]),
        order_link_id=str(row["order_link_id"]),
        symbol=Symbol(str(row["symbol"])),
        side=Side(row["side"]),
        qty=Qty(str(row["qty"])),
        price=Price(str(row["price"])),
        fee=Amount(str(row["fee"])),
        ts_ms=int(row["ts_ms"]),
        is_maker=bool(row["is_maker"]),
    )


def decimal_text(value: Decimal | None) -> str | None:
    """A decimal as exact text (None stays None)."""
    return None if value is None else str(value)
