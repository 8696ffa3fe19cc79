"""Fills that arrive on another thread before, during and after the acknowledgement are
counted exactly once, whichever path brings them first (stream thread, REST poll).

The venue double below forwards each order, then has a "stream" thread deliver the
order's fills and waits until they are delivered before it returns the acknowledgement,
so the executor sees the fill first. A poll of the venue's fills then brings the same
fills again.
"""

from __future__ import annotations

import random
import threading
from decimal import Decimal

import pytest

from bot.domain import EntryIntent, Money, OrderStatus, Side
from bot.engine.loop import EngineLoop
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.exchange.sim import SimExchange
from tests.support.road import BTC, ETH, VenueProxy, build_road, risk_settings

pytestmark = [pytest.mark.concurrency, pytest.mark.timeout(60)]


class _StreamFirst(VenueProxy):
    """Pushes every new fill to ``deliver`` on a stream thread before acknowledging."""

    def __init__(self, inner: SimExchange) -> None:
        super().__init__(inner)
        self.deliver: list[object] = []
        self._cursor = 0
        self._lock = threading.Lock()

    def submit(self, request: OrderRequest) -> SubmitResult:
        answer = super().submit(request)
        with self._lock:
            fills, self._cursor = self.inner.fills_since(self._cursor)
        sink = self.deliver[0]
        stream = threading.Thread(target=lambda: [sink(f) for f in fills])  # type: ignore[operator]
        stream.start()
        stream.join(10)
        return answer


@pytest.mark.parametrize("seed", range(10))
def test_each_fill_is_counted_once_across_threads(seed: int) -> None:
    rng = random.Random(seed)
    road = build_road(
        gateway=_StreamFirst,
        risk=risk_settings(
            max_position_notional=Money(1_000_000),
            max_total_exposure=Money(1_000_000),
            max_leverage=100,
            max_orders_per_minute=10_000,
        ),
    )
    gateway = road.gateway
    if not isinstance(gateway, _StreamFirst):
        raise AssertionError("the road did not use the stream-first venue")
    loop = EngineLoop(road.executor)
    gateway.deliver.append(road.executor.on_fill)  # the stream thread, while ack pending
    loop.start()
    start = threading.Barrier(9)

    def trader() -> None:
        start.wait()
        for _ in range(10):
            side = rng.choice([Side.BUY, Side.SELL])
            symbol = rng.choice([BTC, ETH])
            loop.submit(EntryIntent(symbol, side, notional=Money(100)), timeout_s=10)

    def poller() -> None:
        start.wait()
        for _ in range(30):
            loop.call(road.executor.sync_fills).result(10)

    threads = [threading.Thread(target=trader) for _ in range(8)]
    threads.append(threading.Thread(target=poller))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    loop.call(road.executor.sync_fills).result(10)
    loop.stop()

    venue_fills, _ = road.venue.fills_since(0)
    assert len(venue_fills) == 80
    assert road.executor.ledger.fill_count == 80
    assert road.executor.ledger.filled_qty == sum((f.qty for f in venue_fills), Decimal(0))
    for order in road.executor.ledger:
        assert order.status is OrderStatus.FILLED
        assert order.filled_qty == order.qty
