"""Many threads writing one journal: nothing lost, nothing doubled."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from bot.domain import Amount, Fill, OrderStatus, OrderType, Price, Qty, Side
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution.journal import Journal
from bot.risk import TradingState
from tests.support.road import BTC, START_MS

THREADS = 8
ORDERS = 40


def _writer(journal: Journal, thread: int, barrier: threading.Barrier, seed: int) -> None:
    rng = random.Random(seed)
    run_id = f"t{thread}"
    barrier.wait(timeout=10)
    for seq in range(1, ORDERS + 1):
        link = f"{run_id}-{seq}"
        request = OrderRequest(link, BTC, Side.BUY, Qty("0.002"), OrderType.MARKET, False)
        journal.record_intent(request, run_id=run_id, seq=seq)
        journal.record_ack(SubmitResult(link, OrderStatus.NEW, f"oid-{link}"))
        fill = Fill(
            f"x-{link}", link, BTC, Side.BUY, Qty("0.001"), Price("60000"), Amount("0"), START_MS
        )
        journal.record_fill(fill)
        shared = Fill(  # every thread reports the first fill of t0-1 too
            "x-t0-1-shared",
            "t0-1",
            BTC,
            Side.BUY,
            Qty("0.001"),
            Price("60000"),
            Amount(0),
            START_MS,
        )
        journal.record_fill(shared)
        if rng.random() < 0.1:
            journal.record_state(TradingState.ACTIVE, f"{run_id} heartbeat {seq}")
        if rng.random() < 0.2:
            journal.recover()


@pytest.mark.concurrency
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_threads_write_and_nothing_is_lost(tmp_path: Path, seed: int) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    with Journal(tmp_path / "j.sqlite") as journal:

        def run(thread: int) -> None:
            try:
                _writer(journal, thread, barrier, seed * 100 + thread)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
        recovery = journal.recover()
        counts = journal._conn.execute(
            "SELECT (SELECT count(*) FROM intents), (SELECT count(*) FROM acks), "
            "(SELECT count(*) FROM fills), (SELECT max(entry) FROM counter)"
        ).fetchone()
    total = THREADS * ORDERS
    assert recovery.last_seq == {f"t{i}": ORDERS for i in range(THREADS)}
    assert tuple(counts)[:3] == (total, total, total + 1)
    assert len(recovery.fill_ids) == total + 1
    assert recovery.anomalies == ()
    # every order got its 0.001 fill of 0.002, t0-1 got the shared one too
    assert [o.order_link_id for o in recovery.open_orders if o.filled_qty != Qty("0.001")] == []
    assert len(recovery.open_orders) == total - 1
