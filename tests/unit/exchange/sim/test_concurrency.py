"""Many threads at once: every accepted order is counted once, none is lost."""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest

from bot.domain import OrderStatus, Price, Side
from bot.exchange.protocol import SubmitResult
from tests.unit.exchange.sim.scripts import BTC, T0, limit, make_venue, market

THREADS = 16
ORDERS_PER_THREAD = 40


@pytest.mark.concurrency
@pytest.mark.parametrize("seed", range(5))
def test_many_threads_submitting_lose_and_duplicate_nothing(seed: int) -> None:
    venue = make_venue(balance="100000000", taker="0", maker="0")
    barrier = threading.Barrier(THREADS + 1)
    results: dict[int, list[SubmitResult]] = {}
    schedule = random.Random(seed)
    sides = [
        [schedule.choice(list(Side)) for _ in range(ORDERS_PER_THREAD)] for _ in range(THREADS)
    ]

    def trader(index: int) -> None:
        barrier.wait(timeout=10)
        mine: list[SubmitResult] = []
        for number, side in enumerate(sides[index]):
            link = f"t{index}-{number}"
            if number % 4 == 3:
                mine.append(
                    venue.submit(limit(link, side, "1", "50" if side is Side.BUY else "150"))
                )
            else:
                mine.append(venue.submit(market(link, side, "1")))
            if number % 10 == 0:
                venue.fills_since(0)
                venue.balance()
        results[index] = mine

    def market_maker() -> None:
        barrier.wait(timeout=10)
        for tick in range(1, 200):
            venue.update_market(BTC, Price("100"), ts_ms=T0 + tick)

    threads = [threading.Thread(target=trader, args=(i,)) for i in range(THREADS)]
    threads.append(threading.Thread(target=market_maker))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    submitted = THREADS * ORDERS_PER_THREAD
    flat = [result for mine in results.values() for result in mine]
    assert len(flat) == submitted
    assert all(result.accepted for result in flat)
    log = venue.accepted_log
    assert [entry.seq for entry in log] == list(range(1, submitted + 1))
    assert len({entry.request.order_link_id for entry in log}) == submitted
    assert len({result.order_id for result in flat}) == submitted

    fills, _ = venue.fills_since(0)
    market_count = sum(1 for r in flat if r.status is OrderStatus.FILLED)
    resting = venue.open_orders()
    assert len(fills) == market_count
    assert market_count + len(resting) == submitted
    signed = sum((f.qty * f.side.sign for f in fills), Decimal(0))
    position = venue.positions().get(BTC)
    assert signed == (0 if position is None else position.signed_size)
