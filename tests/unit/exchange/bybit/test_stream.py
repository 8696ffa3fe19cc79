"""Stream callbacks only enqueue and never raise; snapshots are copied; health and resync."""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any

import pytest

from bot.domain import OrderStatus, Price
from bot.exchange.bybit.stream import (
    BarEvent,
    BybitStream,
    FillEvent,
    OrderEvent,
    PositionEvent,
    StreamError,
    StreamEvent,
    TickerEvent,
    WalletEvent,
)
from bot.guards.base import StreamHealth
from tests.unit.exchange.bybit.payloads import (
    EXECUTION,
    FLAT_POSITION,
    ORDER,
    T0,
    TICKER,
    WALLET,
    fresh,
)


class FakeClient:
    """Stands in for pybit's WebSocket: records the callback, reports a settable state."""

    def __init__(self, on_connected: Callable[[], None]) -> None:
        self.connected = True
        self.exited = False
        self.on_connected = on_connected
        on_connected()

    def is_connected(self) -> bool:
        return self.connected

    def exit(self) -> None:
        self.exited = True
        self.connected = False


class Harness:
    """A stream over fake clients, a clock the test moves, and the queue it fills."""

    def __init__(
        self, silence_ms: int | None = 1000, fail_connects: int = 0, open_timeout_s: float = 20.0
    ) -> None:
        self.now = T0
        self.clients: list[FakeClient] = []
        self.callback: Callable[[dict[str, Any]], None] | None = None
        self.events: queue.SimpleQueue[StreamEvent] = queue.SimpleQueue()
        self.fail_connects = fail_connects
        #: while set, subscribing hangs as pybit's connect does on a venue that went away
        self.hang = threading.Event()
        self.released = threading.Event()
        self.stream = BybitStream(
            "public",
            self.factory,
            self.subscribe,
            self.events.put,
            silence_ms=silence_ms,
            now_ms=lambda: self.now,
            backoff_ms=(100, 400),
            open_timeout_s=open_timeout_s,
        )

    def factory(self, on_connected: Callable[[], None]) -> FakeClient:
        if self.fail_connects > 0:
            self.fail_connects -= 1
            raise ConnectionRefusedError("nothing listens")
        client = FakeClient(on_connected)
        self.clients.append(client)
        return client

    def subscribe(self, client: object, callback: Callable[[dict[str, Any]], None]) -> None:
        if self.hang.is_set():
            self.released.wait(30)
        self.callback = callback

    def send(self, message: Any) -> None:
        assert self.callback is not None
        self.callback(message)

    def drain(self) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        while not self.events.empty():
            out.append(self.events.get_nowait())
        return out


def wants_resync(stream: BybitStream) -> bool:
    """The flag, read through a call so the type checker does not pin it between reads."""
    return stream.needs_resync


def ticker_message(data: dict[str, Any]) -> dict[str, Any]:
    return {"topic": "tickers.BTCUSDT", "type": "snapshot", "data": data, "cs": 1, "ts": T0}


def test_stream_is_a_stream_health_source() -> None:
    assert isinstance(Harness().stream, StreamHealth)


def test_documented_messages_become_events() -> None:
    h = Harness()
    h.stream.start()
    kline = {
        "start": T0,
        "end": T0 + 59_999,
        "interval": "1",
        "open": "100",
        "close": "101",
        "high": "102",
        "low": "99",
        "volume": "3",
        "turnover": "300",
        "confirm": True,
        "timestamp": T0 + 60_000,
    }
    h.send(ticker_message(fresh(TICKER)))
    h.send({"topic": "kline.1.BTCUSDT", "type": "snapshot", "ts": T0, "data": [kline]})
    h.send({"id": "1", "topic": "order", "creationTime": T0, "data": [fresh(ORDER)]})
    funding = {**fresh(EXECUTION), "execType": "Funding"}
    h.send({"topic": "execution", "creationTime": T0, "data": [fresh(EXECUTION), funding]})
    flat = {**fresh(FLAT_POSITION), "entryPrice": "0", "category": "linear"}
    h.send({"topic": "position", "creationTime": T0, "data": [flat]})
    h.send({"topic": "wallet", "creationTime": T0, "data": [fresh(WALLET)]})
    events = h.drain()
    assert [type(e) for e in events] == [
        TickerEvent,
        BarEvent,
        OrderEvent,
        FillEvent,
        PositionEvent,
        WalletEvent,
    ]
    ticker, bar, order, fill, position, _ = events
    assert isinstance(ticker, TickerEvent)
    assert ticker.ticker.last_price == Price("65000.10")
    assert isinstance(bar, BarEvent)
    assert bar.confirmed
    assert bar.bar.close == Price("101")
    assert isinstance(order, OrderEvent)
    assert order.order.status is OrderStatus.PARTIALLY_FILLED
    assert isinstance(fill, FillEvent)
    assert fill.fill.exec_id == "e-1"
    assert isinstance(position, PositionEvent)
    assert position.position is None
    assert h.stream.errors == 0


GARBAGE: list[Any] = [
    None,
    "text",
    [],
    {},
    {"topic": None},
    {"topic": "tickers.BTCUSDT"},
    {"topic": "tickers.BTCUSDT", "data": {"symbol": "BTCUSDT", "lastPrice": "NaN"}, "ts": T0},
    {"topic": "tickers.BTCUSDT", "data": [], "ts": T0},
    {"topic": "order", "data": [{"orderStatus": "New"}]},
    {"topic": "order", "data": "nope"},
    {"topic": "execution", "data": [None]},
    {"topic": "position", "data": [{**fresh(FLAT_POSITION), "size": "1e400"}]},
    {"topic": "surprise", "data": []},
    {"topic": "kline.1.BTCUSDT", "data": [{"start": "x"}]},
]


@pytest.mark.failclosed
@pytest.mark.parametrize("message", GARBAGE, ids=repr)
def test_garbage_never_raises_and_enqueues_an_error(message: Any) -> None:
    h = Harness()
    h.stream.start()
    h.send(message)  # must not raise: an exception would kill pybit's connection
    events = h.drain()
    assert len(events) == 1
    assert isinstance(events[0], StreamError)
    assert h.stream.errors == 1


@pytest.mark.failclosed
def test_a_broken_sink_does_not_raise_into_pybit() -> None:
    def broken(event: StreamEvent) -> None:
        raise queue.Full

    h = Harness()
    stream = BybitStream(
        "public", h.factory, h.subscribe, broken, silence_ms=None, now_ms=lambda: h.now
    )
    stream.start()
    h.send(ticker_message(fresh(TICKER)))
    assert stream.errors == 1


def test_ticker_snapshots_are_copied_before_pybit_mutates_them() -> None:
    h = Harness()
    h.stream.start()
    merged = fresh(TICKER)
    message = ticker_message(merged)
    h.send(message)
    merged["lastPrice"] = "1"  # pybit merges the next delta into the same dict
    (event,) = h.drain()
    assert isinstance(event, TickerEvent)
    assert event.ticker.last_price == Price("65000.10")


def test_silence_is_detected_with_the_injected_clock() -> None:
    h = Harness(silence_ms=1000)
    h.stream.start()
    assert not h.stream.is_silent()
    assert h.stream.last_message_ms() is None
    h.now += 1001
    assert h.stream.is_silent()
    h.send(ticker_message(fresh(TICKER)))
    assert h.stream.last_message_ms() == h.now
    assert not h.stream.is_silent()


def test_a_silent_stream_is_recreated_and_asks_for_a_resync() -> None:
    h = Harness(silence_ms=1000)
    h.stream.start()
    assert h.stream.ensure_alive()
    assert not wants_resync(h.stream)
    h.now += 5000
    assert h.stream.ensure_alive()
    assert len(h.clients) == 2
    assert h.clients[0].exited
    assert wants_resync(h.stream)
    assert h.stream.reconnects == 1
    h.stream.clear_resync()
    assert not wants_resync(h.stream)


def test_pybits_own_reconnect_also_asks_for_a_resync() -> None:
    h = Harness()
    h.stream.start()
    h.clients[0].on_connected()  # pybit's _connect after a dropped socket
    assert wants_resync(h.stream)


@pytest.mark.failclosed
def test_failed_reconnects_back_off_exponentially_up_to_the_bound() -> None:
    h = Harness(silence_ms=None)
    h.stream.start()
    h.clients[0].connected = False
    h.fail_connects = 4
    attempts: list[int] = []
    for _ in range(40):
        before = h.fail_connects
        healthy = h.stream.ensure_alive()
        if h.fail_connects != before or healthy:
            attempts.append(h.now - T0)
        if healthy:
            break
        h.now += 50
    assert h.stream.is_connected()
    assert wants_resync(h.stream)
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert gaps == [100, 200, 400, 400]
    assert h.stream.errors == 4


def test_is_connected_is_false_when_the_client_cannot_answer() -> None:
    h = Harness()
    h.stream.start()

    def broken() -> bool:
        raise AttributeError("sock")

    h.clients[0].is_connected = broken  # type: ignore[method-assign]
    assert not h.stream.is_connected()


@pytest.mark.failclosed
def test_a_reconnect_stuck_inside_pybit_is_given_up_on_and_never_doubled() -> None:
    # pybit's connect waits for its socket with no time limit; the engine thread must
    # come back (not alive, an error counted and enqueued) and start no second connect
    h = Harness(silence_ms=None, open_timeout_s=0.2)
    h.stream.start()
    h.clients[0].connected = False
    h.hang.set()
    assert not h.stream.ensure_alive()
    assert h.stream.errors == 1
    assert [type(e) for e in h.drain()] == [StreamError]
    assert len(h.clients) == 2  # the stuck one
    h.now += 10_000  # past any backoff: still no second connect while one is stuck
    assert not h.stream.ensure_alive()
    assert len(h.clients) == 2
    h.released.set()  # the venue answers at last: the stuck connect completes
    h.hang.clear()
    for _ in range(100):
        if h.stream.ensure_alive():
            break
        threading.Event().wait(0.01)
    assert h.stream.is_connected()
    assert len(h.clients) == 2


@pytest.mark.failclosed
def test_a_first_connect_that_hangs_refuses_the_start() -> None:
    h = Harness(open_timeout_s=0.2)
    h.hang.set()
    with pytest.raises(TimeoutError, match=r"connecting took longer than 0\.2 s"):
        h.stream.start()
    h.released.set()
