"""The journal: every intent before it is sent, every answer, fill, cancel and state after.

One SQLite file per run directory or account (the caller gives the path), in WAL mode.

Durability: ``journal_mode=WAL`` with ``synchronous=FULL`` for every write. Each record
is its own ``BEGIN IMMEDIATE ... COMMIT`` transaction, and FULL makes SQLite fsync the
WAL at every commit, so a record :meth:`Journal.record_intent` (or any other
``record_*``) has returned survives ``kill -9`` *and* a power cut or an OS crash.
(``NORMAL`` would survive ``kill -9`` too, but could lose the last commits on power
loss; acknowledgements and cancels are as rare as intents, so one rule for all.)

A crash between "intent written" and "sent" leaves an intent with no answer: on
restart :meth:`Journal.recover` reports it as a PENDING order, which the reconciler
looks up by ``orderLinkId`` before anything is resent. Sequence numbers are enforced
at write time: an intent whose sequence number is not after the last one of its run id,
or whose ``orderLinkId`` was already written, is refused (:class:`JournalError`) and so
never sent.

Thread safety: one connection per :class:`Journal` (``check_same_thread=False``), every
use of it under one :class:`threading.Lock`, so any thread may write. Other processes
(an operator's ``status`` task) may read the file at the same time: WAL lets readers
run beside the writer, and a 10 s busy timeout covers the rare lock wait.

Nothing secret is ever written: the journal sees orders, answers, fills and trading
states, never keys.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot.domain import Fill
from bot.errors import JournalError
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution.journal_records import (
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    Recovery,
    decimal_text,
    fill_row,
    newest_state,
    replay,
)
from bot.risk import RiskEngine, RiskMemory, TradingState, TradingStateHolder

Clock = Callable[[], int]


def wall_clock_ms() -> int:
    """Epoch milliseconds from the system clock (when a record was written)."""
    return time.time_ns() // 1_000_000


class Journal:
    """The durable record of one account's orders, fills and trading states."""

    def __init__(self, path: str | os.PathLike[str], *, clock: Clock = wall_clock_ms) -> None:
        self._path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: list[str] = []
        try:
            self._conn = sqlite3.connect(
                self._path, timeout=10.0, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise JournalError(str(self._path), f"cannot open: {exc}") from exc
        self._conn.row_factory = sqlite3.Row
        try:
            self._configure()
        except BaseException:
            self._conn.close()
            raise

    def _configure(self) -> None:
        try:
            mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            self._conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            raise JournalError(str(self._path), f"cannot open: {exc}") from exc
        if str(mode).lower() != "wal":
            raise JournalError(str(self._path), f"WAL mode refused (journal_mode is {mode})")
        with self._lock, self._transaction("create the schema"):
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
            if version == 0:
                tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise JournalError(
                        str(self._path), "has tables but no schema version: not a journal"
                    )
                self._run_script(SCHEMA)
                self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version in MIGRATIONS and version < SCHEMA_VERSION:
                for step in range(version, SCHEMA_VERSION):  # each version to the next
                    self._run_script(MIGRATIONS[step])
                self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                raise JournalError(
                    str(self._path),
                    f"schema version {version} is unknown; this bot reads version "
                    f"{SCHEMA_VERSION} (refusing to read or write it)",
                )

    def _run_script(self, script: str) -> None:
        """Execute each statement of ``script`` inside the caller's transaction."""
        for statement in script.split(";"):
            if statement.strip():
                self._conn.execute(statement)

    # ---- lifecycle --------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The journal file."""
        return self._path

    @property
    def failures(self) -> tuple[str, ...]:
        """Trading-state writes that failed inside a :meth:`follow` listener."""
        with self._lock:
            return tuple(self._failures)

    def close(self) -> None:
        """Close the connection (every record is already committed)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ---- writes -----------------------------------------------------------------------

    def record_intent(self, request: OrderRequest, *, run_id: str, seq: int) -> None:
        """Write one intent (status PENDING) before it is sent."""
        self.record_intents(run_id, [(seq, request)])

    def record_intents(self, run_id: str, items: Sequence[tuple[int, OrderRequest]]) -> None:
        """Write several intents in one transaction: all of them, or none.

        Refused when a sequence number is not strictly after the last one written for
        ``run_id`` (in this call too), or an ``orderLinkId`` is already in the journal.
        """
        if not run_id:
            raise JournalError(str(self._path), "an intent needs a run id")
        for seq, request in items:
            if not isinstance(seq, int) or not isinstance(request, OrderRequest):
                raise JournalError(str(self._path), f"not an intent: ({seq!r}, {request!r})")
        if not items:
            return
        with self._lock, self._transaction(f"write {len(items)} intent(s) of run {run_id}"):
            last = self._last_seq(run_id)
            for seq, request in items:
                if seq <= last:
                    raise JournalError(
                        str(self._path),
                        f"sequence {seq} of run {run_id} is not after {last}: "
                        f"{request.order_link_id} was not written",
                    )
                last = seq
                self._conn.execute(
                    "INSERT INTO intents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        request.order_link_id,
                        run_id,
                        seq,
                        self._next_entry(),
                        str(request.symbol),
                        request.side.value,
                        str(request.qty),
                        request.order_type.value,
                        int(request.reduce_only),
                        decimal_text(request.price),
                        request.time_in_force.value,
                        decimal_text(request.trigger_price),
                        None
                        if request.trigger_direction is None
                        else request.trigger_direction.value,
                        self._clock(),
                    ),
                )

    def record_ack(self, answer: SubmitResult) -> None:
        """Write a venue's answer (status, orderId, code, message) to one intent."""
        with self._lock, self._transaction(f"write the answer for {answer.order_link_id}"):
            self._conn.execute(
                "INSERT INTO acks VALUES (?,?,?,?,?,?,?,?)",
                (
                    self._next_entry(),
                    answer.order_link_id,
                    answer.status.value,
                    answer.order_id,
                    answer.code,
                    answer.message,
                    decimal_text(answer.qty),
                    self._clock(),
                ),
            )

    def record_fill(self, fill: Fill) -> bool:
        """Write a fill once by execution id; False if it was already written."""
        return self.record_fills([fill]) == 1

    def record_fills(self, fills: Sequence[Fill]) -> int:
        """Write fills in one transaction, each once by execution id; returns how many new."""
        for fill in fills:
            if not isinstance(fill, Fill):
                raise JournalError(str(self._path), f"not a fill: {fill!r}")
        if not fills:
            return 0
        written = 0
        with self._lock, self._transaction(f"write {len(fills)} fill(s)"):
            for fill in fills:
                known = "SELECT 1 FROM fills WHERE exec_id = ?"
                if self._conn.execute(known, (fill.exec_id,)).fetchone() is not None:
                    continue
                exec_id, *rest = fill_row(fill)
                self._conn.execute(
                    "INSERT INTO fills VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (exec_id, self._next_entry(), *rest, self._clock()),
                )
                written += 1
        return written

    def record_cancel(self, order_link_id: str, reason: str = "") -> None:
        """Write that the venue cancelled the order ``order_link_id``."""
        self.record_cancels([order_link_id], reason)

    def record_cancels(self, order_link_ids: Sequence[str], reason: str = "") -> None:
        """Write several cancels in one transaction."""
        if not order_link_ids:
            return
        with self._lock, self._transaction(f"write {len(order_link_ids)} cancel(s)"):
            for link_id in order_link_ids:
                self._conn.execute(
                    "INSERT INTO cancels VALUES (?,?,?,?)",
                    (self._next_entry(), str(link_id), reason, self._clock()),
                )

    def record_state(self, state: TradingState, reason: str) -> None:
        """Write a trading-state change and its reason."""
        with self._lock, self._transaction(f"write trading state {state.value}"):
            self._conn.execute(
                "INSERT INTO trading_states VALUES (?,?,?,?)",
                (self._next_entry(), state.value, reason, self._clock()),
            )

    def follow(self, holder: TradingStateHolder) -> None:
        """Write every change of ``holder`` from now on.

        The listener never raises: the state in memory is already set when it runs (a
        failed write never loosens anything), and a panic must not be stopped by a
        broken disk. A failed write is kept in :attr:`failures`.
        """
        holder.on_change(self._on_state_change)

    def _on_state_change(self, state: TradingState, reason: str) -> None:
        self._keep_failure(
            f"trading state {state.value} ({reason})", lambda: self.record_state(state, reason)
        )

    def _keep_failure(self, what: str, write: Callable[[], None]) -> None:
        """Run ``write``; a JournalError is kept in :attr:`failures`, never raised."""
        try:
            write()
        except JournalError as exc:
            with self._lock:
                self._failures.append(f"{what}: {exc}")

    def record_risk_memory(self, memory: RiskMemory) -> None:
        """Write the risk engine's memory (the last one written is what a restart gets)."""
        with self._lock, self._transaction("write the risk engine's memory"):
            self._conn.execute(
                "INSERT INTO risk_memory VALUES (?,?,?)",
                (self._next_entry(), memory.to_json(), self._clock()),
            )

    def follow_risk(self, engine: RiskEngine) -> None:
        """Write every change of ``engine``'s memory from now on (see :meth:`follow`: the
        listener never raises; a failed write is kept in :attr:`failures`)."""
        engine.on_memory(self._on_risk_memory)

    def _on_risk_memory(self, memory: RiskMemory) -> None:
        self._keep_failure("risk memory", lambda: self.record_risk_memory(memory))

    # ---- reads ------------------------------------------------------------------------

    def last_seq(self, run_id: str) -> int:
        """The last sequence number written for ``run_id`` (0 if none)."""
        with self._lock:
            try:
                return self._last_seq(run_id)
            except sqlite3.Error as exc:
                raise JournalError(str(self._path), f"cannot read: {exc}") from exc

    def latest_state(self) -> tuple[TradingState, str] | None:
        """The last trading state written (by any process) and its reason; None if none.

        One indexed read (the newest row by its primary key), cheap enough for every
        turn of a running loop: a panic another process journaled is seen by the next
        one. Raises :class:`JournalError` when the journal cannot be read or the row
        does not name a trading state.
        """
        with self._lock:
            try:
                return newest_state(self._conn)
            except sqlite3.Error as exc:
                raise JournalError(
                    str(self._path), f"cannot read the trading state: {exc}"
                ) from exc
            except (ValueError, TypeError) as exc:
                raise JournalError(str(self._path), f"unreadable trading state: {exc}") from exc

    def recover(self) -> Recovery:
        """Everything a restart needs, read in one consistent snapshot."""
        with self._lock, self._transaction("read for recovery", mode="DEFERRED"):
            try:
                return replay(self._conn)
            except (ValueError, TypeError, KeyError) as exc:
                raise JournalError(str(self._path), f"unreadable row: {exc}") from exc

    # ---- internals --------------------------------------------------------------------

    def _last_seq(self, run_id: str) -> int:
        query = "SELECT max(seq) FROM intents WHERE run_id = ?"
        found = self._conn.execute(query, (run_id,)).fetchone()[0]
        return 0 if found is None else int(found)

    def _next_entry(self) -> int:
        row = self._conn.execute("UPDATE counter SET entry = entry + 1 RETURNING entry")
        return int(row.fetchone()[0])

    @contextmanager
    def _transaction(self, what: str, mode: str = "IMMEDIATE") -> Iterator[None]:
        """One transaction (the caller holds the lock): committed, or rolled back and raised."""
        try:
            self._conn.execute(f"BEGIN {mode}")
        except sqlite3.Error as exc:
            raise JournalError(str(self._path), f"cannot {what}: {exc}") from exc
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException as exc:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise JournalError(str(self._path), f"cannot {what}: {exc}") from exc
            raise


def restore_state(holder: TradingStateHolder, recovery: Recovery) -> bool:
    """Re-apply a journaled HALTED or REDUCING on startup; True if the state changed.

    Only an operator reset leaves HALTED, so a restart never loosens the state: ACTIVE
    (or no state at all) in the journal leaves ``holder`` as it is.
    """
    state = recovery.trading_state
    if state is None or state is TradingState.ACTIVE:
        return False
    return holder.escalate(state, f"restored from the journal: {recovery.state_reason}")
