"""``kill -9`` at random points never loses a committed record nor corrupts the journal.

Each seed runs a writer process (forked from the test) that opens the journal,
recovers, continues its sequence and writes intents, answers, fills (some twice, some
of unknown orders), cancels and trading states in a loop, appending one line to a side
log after each write returned. The test kills it with SIGKILL after a seeded random
delay, twice (the second run restarts from the first one's journal). After every kill
the journal opens, passes ``PRAGMA integrity_check``, and :meth:`Journal.recover`
answers a consistent state holding every record the writer saw committed.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import signal
import time
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Final

import pytest

from bot.domain import Amount, Fill, OrderStatus, OrderType, Price, Qty, Side
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution.journal import Journal
from bot.risk import TradingState
from tests.support.road import BTC, START_MS

pytestmark = [
    pytest.mark.failclosed,
    # Python 3.12+ warns when forking a process that has threads; the writers are
    # killed with SIGKILL and never rely on another thread's state, so the warning
    # does not apply to them.
    pytest.mark.filterwarnings(
        "ignore:This process .* is multi-threaded, use of fork:DeprecationWarning"
    ),
]

SEEDS: Final = range(20)
ROUNDS: Final = 2
RUN_ID: Final = "c"


# ---- the writer (runs in the child process) ----------------------------------------------


def _write_forever(path: Path, log_path: Path, seed: int, ready: EventType) -> None:
    rng = random.Random(seed)
    journal = Journal(path)
    recovery = journal.recover()
    seq = recovery.next_seq(RUN_ID)
    pending = [o.order_link_id for o in recovery.open_orders if o.status is OrderStatus.PENDING]
    live = {
        o.order_link_id: o.qty - o.filled_qty
        for o in recovery.open_orders
        if o.status in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)
    }
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    ready.set()
    fills = 0
    while True:
        roll = rng.random()
        if roll < 0.35 or not (pending or live):
            size = rng.choice((1, 1, 2, 3))
            batch = [
                (
                    seq + i,
                    OrderRequest(
                        f"{RUN_ID}-{seq + i}", BTC, Side.BUY, Qty("0.005"), OrderType.MARKET, False
                    ),
                )
                for i in range(size)
            ]
            journal.record_intents(RUN_ID, batch)
            seq += size
            pending.extend(r.order_link_id for _, r in batch)
            done = [f"intent {r.order_link_id}" for _, r in batch]
        elif roll < 0.6 and pending:
            link = pending.pop(rng.randrange(len(pending)))
            journal.record_ack(SubmitResult(link, OrderStatus.NEW, f"oid-{link}"))
            live[link] = Qty("0.005")
            done = [f"ack {link}"]
        elif roll < 0.9 and live:
            link = rng.choice(sorted(live))
            fills += 1
            exec_id = f"x{seed}-{fills}-{time.monotonic_ns()}"
            fill = Fill(
                exec_id, link, BTC, Side.BUY, Qty("0.001"), Price("60000"), Amount(0), START_MS
            )
            journal.record_fill(fill)
            journal.record_fill(fill)  # the same fill again, from another path
            if rng.random() < 0.1:
                orphan = Fill(
                    f"o{exec_id}",
                    "elsewhere-1",
                    BTC,
                    Side.SELL,
                    Qty("1"),
                    Price("60000"),
                    Amount(0),
                    START_MS,
                )
                journal.record_fill(orphan)
            live[link] -= Qty("0.001")
            if live[link] == 0:
                del live[link]
            done = [f"fill {exec_id}"]
        elif roll < 0.95 and live:
            link = rng.choice(sorted(live))
            journal.record_cancel(link, "test")
            del live[link]
            done = [f"cancel {link}"]
        else:
            state = rng.choice(list(TradingState))
            journal.record_state(state, f"seed {seed}")
            done = [f"state {state.value}"]
        os.write(log, "".join(f"{line}\n" for line in done).encode())


# ---- the test ---------------------------------------------------------------------------


def _run_round(tmp: Path, round_no: int) -> None:
    """Start every seed's writer, kill each with SIGKILL at a seeded random moment.

    Writers are forked from this process (already imported, so they start at once).
    """
    fork = multiprocessing.get_context("fork")
    procs: dict[int, BaseProcess] = {}
    try:
        deadlines = []
        for seed in SEEDS:
            ready = fork.Event()
            args = (tmp / f"{seed}.sqlite", tmp / f"{seed}.log", seed * 10 + round_no, ready)
            procs[seed] = fork.Process(target=_write_forever, args=args, daemon=True)
            procs[seed].start()
            assert ready.wait(timeout=30), f"seed {seed}: the writer never got ready"
            delay = random.Random(seed * 1000 + round_no).uniform(0.01, 0.2)
            deadlines.append((time.monotonic() + delay, seed))
        for deadline, seed in sorted(deadlines):
            time.sleep(max(0.0, deadline - time.monotonic()))
            pid = procs[seed].pid
            assert pid is not None
            os.kill(pid, signal.SIGKILL)
        for seed, proc in procs.items():
            proc.join(timeout=30)
            assert proc.exitcode == -signal.SIGKILL, f"seed {seed} ended early: {proc.exitcode}"
    finally:
        for proc in procs.values():
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=30)


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, int], Path]:
    """Every seed's journal after each killed round (round 1 is a copy, taken before round 2)."""
    tmp = tmp_path_factory.mktemp("crash")
    kept: dict[tuple[int, int], Path] = {}
    for round_no in range(1, ROUNDS + 1):
        _run_round(tmp, round_no)
        for seed in SEEDS:
            copy = tmp / f"round{round_no}" / str(seed)
            copy.mkdir(parents=True)
            for part in tmp.glob(f"{seed}.*"):
                shutil.copy(part, copy / part.name)
            kept[(seed, round_no)] = copy
    return kept


@pytest.mark.parametrize("round_no", range(1, ROUNDS + 1))
@pytest.mark.parametrize("seed", SEEDS)
def test_after_kill_9_the_journal_is_whole_and_consistent(
    crashed: dict[tuple[int, int], Path], seed: int, round_no: int
) -> None:
    where = crashed[(seed, round_no)]
    path = where / f"{seed}.sqlite"
    logged = (where / f"{seed}.log").read_text().splitlines()
    with Journal(path) as journal:  # opens (and recovers the WAL) without error
        recovery = journal.recover()
        db = journal._conn
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        intents = [
            (r[0], r[1])
            for r in db.execute("SELECT order_link_id, seq FROM intents ORDER BY entry")
        ]
        acked = {r[0] for r in db.execute("SELECT order_link_id FROM acks")}
        cancelled = {r[0] for r in db.execute("SELECT order_link_id FROM cancels")}
        fills = [(r[0], r[1]) for r in db.execute("SELECT exec_id, order_link_id FROM fills")]
        states = db.execute("SELECT count(*) FROM trading_states").fetchone()[0]
    assert recovery.anomalies == ()
    links = [link for link, _ in intents]
    seqs = [seq for _, seq in intents]
    assert len(set(links)) == len(links), "an orderLinkId was written twice"
    assert seqs == sorted(set(seqs)), "sequence numbers are not strictly increasing"
    assert recovery.last_seq.get(RUN_ID, 0) == (seqs[-1] if seqs else 0)
    # nothing the writer saw committed is missing
    kinds = {
        kind: {line.split(" ", 1)[1] for line in logged if line.startswith(kind)}
        for kind in ("intent", "ack", "fill", "cancel")
    }
    assert kinds["intent"] <= set(links)
    assert kinds["ack"] <= acked
    assert kinds["fill"] <= recovery.fill_ids
    assert kinds["cancel"] <= cancelled
    assert states >= sum(line.startswith("state") for line in logged)
    # every fill belongs to a written order or is reported as an orphan
    orphans = {f.exec_id for f in recovery.orphan_fills}
    assert all(link in set(links) or exec_id in orphans for exec_id, link in fills)
    assert recovery.fill_ids == {exec_id for exec_id, _ in fills}
    # an intent with no answer comes back PENDING, to be looked up before any resend
    unanswered = {o.order_link_id for o in recovery.unanswered}
    assert unanswered == {link for link in links if link not in acked}
    if round_no > 1:  # the restarted writer continued after the killed one, reusing nothing
        before = crashed[(seed, round_no - 1)] / f"{seed}.sqlite"
        with Journal(before) as earlier:
            kept = [
                r[0]
                for r in earlier._conn.execute("SELECT order_link_id FROM intents ORDER BY entry")
            ]
        assert links[: len(kept)] == kept
