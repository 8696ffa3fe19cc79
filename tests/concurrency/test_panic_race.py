"""Entries from many threads racing a panic: once the halt is set, no entry gets through.

Each seed shuffles thread start-up delays and the moment of the panic. The venue's own
audit log is the judge: every accepted request has a venue sequence number, and the
state listener records the venue's count at the moment HALTED is set (under the same
lock the executor holds while it sends an entry).
"""

from __future__ import annotations

import functools
import random
import threading
import time

import pytest

from bot.domain import EntryIntent, Money, Side
from bot.risk import RiskSettings, TradingState
from bot.safety.panic import Panic
from tests.support.road import BTC, ETH, build_road, risk_settings

pytestmark = [pytest.mark.concurrency, pytest.mark.timeout(60)]

SEEDS = range(100)
SUBMITTERS = 16


def _roomy_risk() -> RiskSettings:
    return risk_settings(
        max_order_notional=Money(1_000),
        max_position_notional=Money(1_000_000),
        max_total_exposure=Money(1_000_000),
        max_leverage=100,
        max_orders_per_minute=10_000,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_no_entry_reaches_the_venue_after_panic(seed: int) -> None:
    rng = random.Random(seed)
    road = build_road(risk=_roomy_risk())
    halted_at: list[int] = []
    road.state.on_change(
        lambda state, _: (
            halted_at.append(road.venue.accepted_count) if state is TradingState.HALTED else None
        )
    )
    panic = Panic(road.executor, road.state, backoff_s=0.0)
    callback_runs = dict.fromkeys(("a", "b", "c", "late"), 0)

    def count(name: str) -> None:
        callback_runs[name] += 1

    for name in ("a", "b", "c"):
        panic.register(name, functools.partial(count, name))

    start = threading.Barrier(SUBMITTERS + 2)
    stop = threading.Event()
    delays = [rng.uniform(0, 0.002) for _ in range(SUBMITTERS)]
    panic_delay = rng.uniform(0, 0.01)

    def submitter(index: int) -> None:
        start.wait()
        time.sleep(delays[index])
        side = Side.BUY if index % 2 else Side.SELL
        symbol = BTC if index % 3 else ETH
        while not stop.is_set():
            road.executor.submit(EntryIntent(symbol, side, notional=Money(100)))
            time.sleep(0.0001)  # a trading thread, not a busy loop: let the others run

    returned_at: list[int] = []

    def panicker() -> None:
        start.wait()
        deadline = time.monotonic() + 5
        while road.venue.accepted_count < 8 and time.monotonic() < deadline:
            time.sleep(0.0001)  # let entries flow first, so the race is real
        time.sleep(panic_delay)
        panic.register("late", lambda: count("late"))  # registered while others trade
        panic.trigger(f"seed {seed}")
        returned_at.append(road.venue.accepted_count)

    threads = [threading.Thread(target=submitter, args=(i,)) for i in range(SUBMITTERS)]
    threads.append(threading.Thread(target=panicker))
    for thread in threads:
        thread.start()
    start.wait()
    deadline = time.monotonic() + 5
    while not returned_at and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(0.02)  # let the submitters keep hammering a halted executor
    stop.set()
    for thread in threads:
        thread.join(10)

    assert returned_at, "panic did not return"
    log = road.venue.accepted_log
    assert sum(not r.request.reduce_only for r in log[: halted_at[0]]) >= 8
    late_entries = [r for r in log[halted_at[0] :] if not r.request.reduce_only]
    assert late_entries == []
    assert all(r.request.reduce_only for r in log[returned_at[0] :])
    assert road.venue.positions() == {}
    assert road.state.state is TradingState.HALTED
    assert callback_runs == {"a": 1, "b": 1, "c": 1, "late": 1}


@pytest.mark.parametrize("seed", range(10))
def test_concurrent_panics_run_each_callback_exactly_once(seed: int) -> None:
    rng = random.Random(seed)
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.05")
    panic = Panic(road.executor, road.state, backoff_s=0.0)
    runs: list[str] = []
    lock = threading.Lock()

    def record(name: str) -> None:
        with lock:
            runs.append(name)

    for i in range(8):
        panic.register(f"cb{i}", functools.partial(record, f"cb{i}"))
    start = threading.Barrier(6)
    reports = []

    def trigger(index: int) -> None:
        start.wait()
        time.sleep(rng.uniform(0, 0.002))
        if index % 2:
            panic.register(f"late{index}", lambda: record(f"late{index}"))
        reports.append(panic.trigger(f"caller {index}"))

    threads = [threading.Thread(target=trigger, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(reports) == 6
    assert sorted(runs) == sorted([f"cb{i}" for i in range(8)] + ["late1", "late3", "late5"])
    assert all(report.flat for report in reports)
    assert road.venue.positions() == {}
