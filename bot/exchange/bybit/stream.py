"""Bybit V5 streams through pybit's WebSocket: callbacks that only enqueue, and health.

pybit calls back on its own thread, and an exception in a callback kills the connection
for good, so every callback here catches everything: it decodes the message into a
:class:`StreamEvent` (or a :class:`StreamError` naming what was wrong, counted in
``errors``) and puts it in the sink. Ticker snapshots are copied first, because pybit
mutates the dict it handed over when later deltas arrive.

:meth:`BybitStream.ensure_alive` (called by the runner's thread) recreates a dead or
silent connection with bounded exponential backoff. Every reconnect, pybit's own or
ours, sets ``needs_resync``: the private stream replays nothing, so the runner resyncs
through REST before it allows entries again and then calls :meth:`clear_resync`.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.config.settings import Secret
from bot.domain import Bar, Fill, Order, Position, Symbol, Ticker
from bot.exchange.bybit import codec
from bot.exchange.bybit.wire import (
    Json,
    integer,
    item_object,
    list_field,
    malformed,
    obj_field,
    symbol,
    text,
)
from bot.exchange.protocol import Balance


@dataclass(frozen=True, slots=True)
class TickerEvent:
    """A ticker from the ``tickers.*`` topic."""

    ticker: Ticker


@dataclass(frozen=True, slots=True)
class BarEvent:
    """A candle from ``kline.*``; ``confirmed`` once it closed."""

    symbol: Symbol
    bar: Bar
    confirmed: bool


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """An order update from the private ``order`` topic."""

    order: Order


@dataclass(frozen=True, slots=True)
class FillEvent:
    """A trade fill from the private ``execution`` topic."""

    fill: Fill


@dataclass(frozen=True, slots=True)
class PositionEvent:
    """A position update; ``position`` is None when ``symbol`` is flat."""

    symbol: Symbol
    position: Position | None


@dataclass(frozen=True, slots=True)
class WalletEvent:
    """A wallet update from the private ``wallet`` topic."""

    balance: Balance


@dataclass(frozen=True, slots=True)
class StreamError:
    """A message that could not be used, and why; the runner treats it as a fault."""

    stream: str
    reason: str


StreamEvent = (
    TickerEvent | BarEvent | OrderEvent | FillEvent | PositionEvent | WalletEvent | StreamError
)
Sink = Callable[[StreamEvent], None]
Callback = Callable[[Json], None]


@runtime_checkable
class StreamClient(Protocol):
    """The part of pybit's ``WebSocket`` the stream uses."""

    def is_connected(self) -> bool: ...
    def exit(self) -> None: ...


Subscriber = Callable[[StreamClient, Callback], None]
#: Builds a connected client: ``(on_connected) -> client``; raises when it cannot connect.
ClientFactory = Callable[[Callable[[], None]], StreamClient]


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class BybitStream:
    """One pybit WebSocket connection, its subscriptions, and its health.

    Build it with :func:`public_stream` or :func:`private_stream`; ``factory``,
    ``now_ms`` and ``silence_ms`` are injectable for tests. ``silence_ms`` None turns
    silence detection off (the private stream is legitimately quiet).
    """

    def __init__(
        self,
        name: str,
        factory: ClientFactory,
        subscribe: Subscriber,
        sink: Sink,
        *,
        silence_ms: int | None,
        now_ms: Callable[[], int] = _wall_ms,
        backoff_ms: tuple[int, int] = (500, 30_000),
        open_timeout_s: float = 20.0,
    ) -> None:
        self.name = name
        self._factory = factory
        self._subscribe = subscribe
        self._sink = sink
        self._silence_ms = silence_ms
        self._now_ms = now_ms
        self._backoff_min, self._backoff_max = backoff_ms
        self._backoff = self._backoff_min
        self._next_attempt_ms = 0
        self._client: StreamClient | None = None
        self._open_timeout_s = open_timeout_s
        #: a connect that outlived its wait, still inside pybit (never two at once)
        self._opening: threading.Thread | None = None
        self._lock = threading.Lock()
        self._last_message_ms: int | None = None
        self._connected_at_ms = 0
        self._connects = 0
        self.errors = 0
        self.reconnects = 0
        self.needs_resync = False

    # -- StreamHealth ---------------------------------------------------------------

    def last_message_ms(self) -> int | None:
        """Epoch ms of the last message received, or None if none yet."""
        return self._last_message_ms

    def is_connected(self) -> bool:
        """True while pybit reports the socket connected."""
        client = self._client
        if client is None:
            return False
        try:
            return bool(client.is_connected())
        except Exception:  # noqa: BLE001 -- a client that cannot answer is not connected
            return False

    def is_silent(self) -> bool:
        """True when nothing arrived for longer than ``silence_ms`` since the last
        message (or since connecting)."""
        if self._silence_ms is None:
            return False
        since = max(self._last_message_ms or 0, self._connected_at_ms)
        return self._now_ms() - since > self._silence_ms

    def clear_resync(self) -> None:
        """Called by the runner once a REST resync after a reconnect is done."""
        self.needs_resync = False

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        """Connect and subscribe; raises when the first connection fails or does not
        finish within the open timeout."""
        self._open_bounded()

    def stop(self) -> None:
        """Close the connection (pybit stops reconnecting)."""
        client, self._client = self._client, None
        if client is not None:
            client.exit()

    def ensure_alive(self) -> bool:
        """Recreate a dead or silent connection (bounded exponential backoff).

        Returns True when the connection is up and not silent. A failed attempt waits
        ``backoff`` ms (doubling up to the maximum) before the next one. An attempt
        that does not finish within the open timeout is a failed one; while it is still
        stuck inside pybit, no other is started and the stream is not alive.
        """
        opening = self._opening
        if opening is not None and opening.is_alive():
            return False
        if self.is_connected() and not self.is_silent():
            return True
        now = self._now_ms()
        if now < self._next_attempt_ms:
            return False
        self.stop()
        try:
            self._open_bounded()
        except Exception as error:  # noqa: BLE001 -- counted, retried after the backoff
            self.errors += 1
            self._next_attempt_ms = now + self._backoff
            self._backoff = min(self._backoff * 2, self._backoff_max)
            self._put(StreamError(self.name, f"reconnect failed: {type(error).__name__}"))
            return False
        self._backoff = self._backoff_min
        return self.is_connected()

    def _open_bounded(self) -> None:
        """:meth:`_open` on a helper thread, waited for at most the open timeout.

        pybit's connect waits for its socket with no time limit (and so would the
        engine thread, deaf to everything, the stop flag included). One that outlives
        the wait raises TimeoutError here and is left to finish or hang on its own.
        """
        failure: list[BaseException] = []

        def run() -> None:
            try:
                self._open()
            except BaseException as error:  # noqa: BLE001 -- handed to the waiting thread
                failure.append(error)

        opener = threading.Thread(target=run, name=f"{self.name}-connect", daemon=True)
        opener.start()
        opener.join(self._open_timeout_s)
        if opener.is_alive():
            self._opening = opener
            raise TimeoutError(f"connecting took longer than {self._open_timeout_s:g} s")
        if failure:
            raise failure[0]

    def _open(self) -> None:
        client = self._factory(self._on_connected)
        self._client = client
        self._subscribe(client, self._on_message)

    def _on_connected(self) -> None:
        """pybit's hook after each (re)connect; must never raise."""
        with self._lock:
            self._connects += 1
            self._connected_at_ms = self._now_ms()
            if self._connects > 1:
                self.reconnects += 1
                self.needs_resync = True

    # -- callbacks (pybit's thread) -----------------------------------------------

    def _put(self, event: StreamEvent) -> None:
        try:
            self._sink(event)
        except Exception:  # noqa: BLE001 -- a full or broken sink must not kill pybit
            self.errors += 1

    def _on_message(self, message: object) -> None:
        """Decode and enqueue; never raises (an exception would kill the connection)."""
        try:
            self._last_message_ms = self._now_ms()
            snapshot = copy.deepcopy(message)
            events = decode(snapshot)
        except Exception as error:  # noqa: BLE001 -- counted and enqueued as a fault
            self.errors += 1
            events = [StreamError(self.name, f"{type(error).__name__}: {error}")]
        for event in events:
            self._put(event)


def decode(raw: object) -> list[StreamEvent]:
    """One pybit stream message -> events; raises on anything malformed."""
    message = item_object(raw, "<message>", "stream")
    topic = text(message, "topic", "stream")
    endpoint = f"stream {topic}"
    if topic.startswith("tickers."):
        data = obj_field(message, "data", endpoint)
        ts = integer(message, "ts", endpoint)
        return [TickerEvent(codec.ticker(data, ts, endpoint))]
    items = [item_object(x, "data[]", endpoint) for x in list_field(message, "data", endpoint)]
    # private topics carry every category; this bot trades linear only
    items = [item for item in items if item.get("category", "linear") == "linear"]
    if topic.startswith("kline."):
        name = Symbol(topic.rsplit(".", 1)[-1])
        bars = [codec.stream_kline(item, endpoint) for item in items]
        return [BarEvent(name, bar, confirmed) for bar, confirmed in bars]
    if topic.startswith("order"):
        return [OrderEvent(codec.order(item, endpoint)) for item in items]
    if topic.startswith("execution"):
        trades = [i for i in items if codec.exec_type(i, endpoint) in codec.TRADE_EXEC_TYPES]
        return [FillEvent(codec.fill(item, endpoint)) for item in trades]
    if topic.startswith("position"):
        return [
            PositionEvent(
                symbol(item, "symbol", endpoint),
                codec.position(item, endpoint, "entryPrice"),
            )
            for item in items
        ]
    if topic.startswith("wallet"):
        return [WalletEvent(codec.balance(item, endpoint)) for item in items]
    raise malformed("stream", "topic", topic, "a subscribed topic")


def public_stream(
    url: str,
    symbols: Sequence[Symbol],
    sink: Sink,
    *,
    kline_interval: str | None = None,
    tickers: bool = True,
    silence_ms: int | None = 10_000,
    now_ms: Callable[[], int] = _wall_ms,
) -> BybitStream:
    """Tickers (and klines of ``kline_interval``) of ``symbols`` at ``url``; not started."""
    from bot.exchange.bybit.clients import make_websocket

    names = [str(each) for each in symbols]

    def factory(on_connected: Callable[[], None]) -> StreamClient:
        return make_websocket("linear", url, on_connected=on_connected)

    def subscribe(client: StreamClient, callback: Callback) -> None:
        from pybit.unified_trading import WebSocket

        if not isinstance(client, WebSocket):
            raise TypeError(f"expected pybit's WebSocket, got {type(client).__name__}")
        if tickers:
            client.ticker_stream(names, callback)
        if kline_interval is not None:
            client.kline_stream(kline_interval, names, callback)

    return BybitStream("public", factory, subscribe, sink, silence_ms=silence_ms, now_ms=now_ms)


def private_stream(
    url: str,
    api_key: Secret,
    api_secret: Secret,
    sink: Sink,
    *,
    now_ms: Callable[[], int] = _wall_ms,
) -> BybitStream:
    """Orders, executions, positions and wallet of the account at ``url``; not started.

    No silence detection: the private stream is quiet while nothing happens (pybit's
    pings keep the socket itself checked).
    """
    from bot.exchange.bybit.clients import make_websocket

    def factory(on_connected: Callable[[], None]) -> StreamClient:
        return make_websocket(
            "private", url, on_connected=on_connected, api_key=api_key, api_secret=api_secret
        )

    def subscribe(client: StreamClient, callback: Callback) -> None:
        from pybit.unified_trading import WebSocket

        if not isinstance(client, WebSocket):
            raise TypeError(f"expected pybit's WebSocket, got {type(client).__name__}")
        client.order_stream(callback)
        client.execution_stream(callback)
        client.position_stream(callback)
        client.wallet_stream(callback)

    return BybitStream("private", factory, subscribe, sink, silence_ms=None, now_ms=now_ms)
