"""The fake Bybit V5 exchange: REST + WebSocket on 127.0.0.1 over the sim venue.

Start it, point pybit at :attr:`FakeBybit.rest_url` / ``ws_public_url`` /
``ws_private_url`` (see :mod:`tests.fakes.clients`), drive the market with
:meth:`FakeBybit.set_price` and :meth:`FakeBybit.push_bar`, and script faults with
:meth:`FakeBybit.inject` and the ``ws_*`` methods. Every control method is a plain
Python call, thread-safe; nothing of it is reachable over HTTP.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Final

from bot.domain import Bar, Instrument, Money, Price, Qty, Symbol
from bot.exchange.sim import SimExchange, SimSettings
from tests.fakes.auth import Credentials
from tests.fakes.faults import Fault, FaultBook
from tests.fakes.market import INTERVAL_MS, CandleBook, TickerState, ticker_item
from tests.fakes.rest import LoggedRequest, RestServer, RestState, Route
from tests.fakes.routes import market_routes, trading_routes
from tests.fakes.stream import PRIVATE, PUBLIC, StreamHub
from tests.fakes.trading import TradingDesk
from tests.fakes.wire import JsonDict

BTCUSDT: Final = Instrument(
    symbol=Symbol("BTCUSDT"),
    tick_size=Price("0.10"),
    qty_step=Qty("0.001"),
    min_order_qty=Qty("0.001"),
    max_order_qty=Qty("1190.000"),
    max_mkt_order_qty=Qty("500.000"),
    min_notional=Money("5"),
)
ETHUSDT: Final = Instrument(
    symbol=Symbol("ETHUSDT"),
    tick_size=Price("0.01"),
    qty_step=Qty("0.01"),
    min_order_qty=Qty("0.01"),
    max_order_qty=Qty("7240.00"),
    max_mkt_order_qty=Qty("3620.00"),
    min_notional=Money("5"),
)
DEFAULT_INSTRUMENTS: Final = (BTCUSDT, ETHUSDT)
CHANNELS: Final = {"public": PUBLIC, "private": PRIVATE}


def _channel(name: str | None) -> str | None:
    if name is None:
        return None
    if name not in CHANNELS:
        raise ValueError(f"channel must be one of {sorted(CHANNELS)} or None, got {name!r}")
    return CHANNELS[name]


class FakeBybit:
    """A fake Bybit V5 venue on loopback; a context manager that starts and stops it.

    - ``instruments``: what it lists (BTCUSDT and ETHUSDT by default).
    - ``settings``: the sim venue's money, fees and leverage.
    - ``credentials``: the key pairs it accepts (the test pair by default).
    - ``port`` / ``ws_port``: 0 picks free ephemeral ports.
    - ``live_intervals``: kline intervals whose open candle :meth:`set_price` moves.
    - ``enforce_rate_limits``: answer 10006 past Bybit's per-second limits.
    """

    def __init__(
        self,
        *,
        instruments: Sequence[Instrument] = DEFAULT_INSTRUMENTS,
        settings: SimSettings | None = None,
        credentials: Sequence[Credentials] = (Credentials(),),
        port: int = 0,
        ws_port: int = 0,
        live_intervals: Sequence[str] = ("1",),
        enforce_rate_limits: bool = True,
    ) -> None:
        self._lock = threading.RLock()
        self._offset_ms = 0
        self._frozen_ms: int | None = None
        self._settings = settings or SimSettings()
        self._instruments = list(instruments)
        self.venue = SimExchange(self._instruments, self._settings)
        self.desk = TradingDesk(self.venue, self.now_ms)
        self.candles = CandleBook()
        self.tickers: dict[Symbol, TickerState] = {}
        self._ticker_json: dict[Symbol, JsonDict] = {}
        self._live_intervals = tuple(live_intervals)
        self._ids = itertools.count(1)
        self.credentials = tuple(credentials)
        keys = {c.api_key: c.api_secret for c in self.credentials}
        self.faults = FaultBook()
        routes: dict[str, Route] = {**market_routes(self), **trading_routes(self)}
        self._rest_state = RestState(
            routes, keys, self.faults, self.now_ms, threading.Event(), enforce_rate_limits
        )
        self._rest = RestServer(self._rest_state, port)
        self._hub = StreamHub(keys, self.now_ms, self._ticker_snapshot, self._topic_listed, ws_port)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeBybit:
        """Start the HTTP and WebSocket servers."""
        self._rest.start()
        self._hub.start()
        return self

    def stop(self) -> None:
        """Stop both servers (stalled responses are released)."""
        self._hub.stop()
        self._rest.stop()

    def __enter__(self) -> FakeBybit:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def rest_url(self) -> str:
        """``http://127.0.0.1:PORT``: set it as pybit's ``HTTP.endpoint``."""
        return f"http://127.0.0.1:{self._rest.port}"

    @property
    def ws_public_url(self) -> str:
        """The public linear stream URL."""
        return f"ws://127.0.0.1:{self._hub.port}{PUBLIC}"

    @property
    def ws_private_url(self) -> str:
        """The private stream URL."""
        return f"ws://127.0.0.1:{self._hub.port}{PRIVATE}"

    @property
    def api_key(self) -> str:
        """The first accepted API key."""
        return self.credentials[0].api_key

    @property
    def api_secret(self) -> str:
        """The secret of :attr:`api_key`."""
        return self.credentials[0].api_secret

    @property
    def lock(self) -> threading.RLock:
        """The lock every route and control method holds (routes use it)."""
        return self._lock

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        """The listed instruments, in listing order."""
        return tuple(self._instruments)

    def ticker_item(self, symbol: Symbol) -> JsonDict:
        """The ``/v5/market/tickers`` item of ``symbol`` (which must have a price)."""
        return dict(self._ticker_json[symbol])

    # -- clock ----------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The server clock: frozen if :meth:`freeze_clock` was called, else wall + offset."""
        frozen = self._frozen_ms
        return frozen if frozen is not None else int(time.time() * 1000) + self._offset_ms

    def set_clock_offset(self, offset_ms: int) -> None:
        """Run the server clock ``offset_ms`` ahead of the wall clock (negative: behind)."""
        self._offset_ms = offset_ms

    def freeze_clock(self, at_ms: int | None) -> None:
        """Stop the server clock at ``at_ms`` (None: follow the wall clock again)."""
        self._frozen_ms = at_ms

    # -- market control ---------------------------------------------------------------------

    def add_instrument(self, instrument: Instrument) -> None:
        """List one more symbol; only before any order (the venue is rebuilt)."""
        with self._lock:
            if self.desk.records:
                raise RuntimeError("instruments can be added only before the first order")
            self._instruments.append(instrument)
            self.venue = SimExchange(self._instruments, self._settings)
            self.desk = TradingDesk(self.venue, self.now_ms)
            for symbol, state in self.tickers.items():
                self.venue.update_market(symbol, state.last, state.mark, ts_ms=self._venue_ms())

    def set_price(
        self, symbol: str, last: Decimal | str, mark: Decimal | str | None = None
    ) -> None:
        """One trade at ``last``: fills what it reaches, pushes ticker and kline messages."""
        sym = Symbol(symbol)
        price = Price(last)
        mark_price = Price(mark) if mark is not None else None
        with self._lock:
            now = self.now_ms()
            self.venue.update_market(sym, price, mark_price, ts_ms=self._venue_ms())
            self._ticker_moved(sym, price, mark_price or price, now)
            for interval in self._live_intervals:
                for candle in self.candles.trade(sym, interval, price, now):
                    self._publish_kline(sym, interval, candle.ws_item(interval, now), now)
            self._after_market(sym)

    def push_bar(self, symbol: str, bar: Bar, interval: str = "1") -> None:
        """One closed candle: the venue fills what the range reaches; a confirmed kline
        and a ticker delta at the close are pushed. ``bar.ts_ms`` must not be before the
        venue clock."""
        sym = Symbol(symbol)
        with self._lock:
            now = self.now_ms()
            self.venue.on_bar(sym, bar)
            candle = self.candles.put_bar(sym, interval, bar, confirm=True)
            self._ticker_moved(sym, bar.close, bar.close, now)
            self._publish_kline(sym, interval, candle.ws_item(interval, now), now)
            self._after_market(sym)

    def _venue_ms(self) -> int:
        return max(self.now_ms(), self.venue.clock.now_ms())

    def _after_market(self, symbol: Symbol) -> None:
        self.desk.trigger_tpsl(symbol)
        self.desk.sync()
        self.publish_private()

    def _ticker_moved(self, symbol: Symbol, last: Price, mark: Price, now: int) -> None:
        state = self.tickers.get(symbol)
        if state is None:
            rate = self._settings.funding_rate
            state = self.tickers[symbol] = TickerState(last, mark, last, last, last, rate)
        state.last, state.mark = last, mark
        state.high_24h, state.low_24h = max(state.high_24h, last), min(state.low_24h, last)
        tick = self.venue.instrument(symbol).tick_size
        item = ticker_item(symbol, state, tick, now)
        before = self._ticker_json.get(symbol, {})
        self._ticker_json = {**self._ticker_json, symbol: item}
        delta = {k: v for k, v in item.items() if before.get(k) != v or k == "symbol"}
        self._publish_ticker(symbol, delta, now)

    def _ticker_message(self, symbol: Symbol, data: JsonDict, kind: str, now: int) -> JsonDict:
        topic = f"tickers.{symbol}"
        return {"topic": topic, "type": kind, "data": data, "cs": next(self._ids), "ts": now}

    def _ticker_snapshot(self, topic: str) -> JsonDict | None:
        """Called on the stream thread: reads the ticker cache without the lock."""
        symbol = Symbol(topic.removeprefix("tickers."))
        item = self._ticker_json.get(symbol)
        if item is None:
            return None
        return self._ticker_message(symbol, dict(item), "snapshot", self.now_ms())

    def _publish_ticker(self, symbol: Symbol, delta: JsonDict, now: int) -> None:
        message = self._ticker_message(symbol, delta, "delta", now)
        snapshot = self._ticker_message(symbol, dict(self._ticker_json[symbol]), "snapshot", now)
        self._hub.publish(PUBLIC, message["topic"], message, snapshot=snapshot)  # type: ignore[arg-type]

    def _publish_kline(self, symbol: Symbol, interval: str, item: JsonDict, now: int) -> None:
        topic = f"kline.{interval}.{symbol}"
        message = {"topic": topic, "data": [item], "ts": now, "type": "snapshot"}
        self._hub.publish(PUBLIC, topic, message)

    def _topic_listed(self, topic: str) -> bool:
        """Called on the stream thread: is ``topic`` a tickers/kline topic of a listed symbol."""
        parts = topic.split(".")
        listed = {i.symbol for i in self._instruments}
        if parts[0] == "tickers" and len(parts) == 2:
            return parts[1] in listed
        if parts[0] == "kline" and len(parts) == 3:
            return parts[1] in INTERVAL_MS and parts[2] in listed
        return False

    def publish_private(self, *, wait: bool = False) -> None:
        """Push the queued order/execution/position/wallet events (``wait``: until written)."""
        with self._lock:
            now = self.now_ms()
            for topic, data in self.desk.take_events():
                items = [{**d, "category": "linear"} if topic != "wallet" else d for d in data]
                message = {
                    "id": f"fake-{next(self._ids)}",
                    "topic": topic,
                    "creationTime": now,
                    "data": items,
                }
                self._hub.publish(PRIVATE, topic, message)
        if wait:
            self._hub.barrier()

    # -- faults -------------------------------------------------------------------------------

    def inject(self, path: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests to ``path`` (``"*"``: any path)."""
        self.faults.add(path, fault, times)

    def clear_faults(self) -> None:
        """Forget every queued HTTP fault."""
        self.faults.clear()

    def fill_remainder(self, order_link_id: str) -> None:
        """Fill what a partial-fill fault held back (a market order at the last price)."""
        with self._lock:
            self.desk.fill_remainder(order_link_id)
            self.publish_private()

    def ws_close(self, channel: str | None = None, code: int = 1001) -> None:
        """Send a close frame on every socket of ``channel`` ("public", "private", None: all)."""
        self._hub.close(_channel(channel), code)

    def ws_abort(self, channel: str | None = None) -> None:
        """Abort the TCP connection of every socket of ``channel`` (no close frame)."""
        self._hub.abort(_channel(channel))

    def ws_silence(
        self, channel: str | None = None, *, on: bool = True, deaf: bool = False
    ) -> None:
        """Stop (``on=False``: resume) sending on ``channel``; ``deaf`` also stops reading."""
        self._hub.silence(_channel(channel), on=on, deaf=deaf)

    def push_ticker_fields(self, symbol: str, fields: Mapping[str, object]) -> None:
        """Send a ``tickers`` delta with exactly ``fields`` (e.g. ``{"lastPrice": "NaN"}``)."""
        now = self.now_ms()
        data: JsonDict = {"symbol": symbol, **fields}
        message = self._ticker_message(Symbol(symbol), data, "delta", now)
        self._hub.publish(PUBLIC, f"tickers.{symbol}", message)

    def publish_raw(self, channel: str, message: JsonDict) -> None:
        """Send ``message`` as is to every socket of ``channel``, subscribed or not."""
        path = _channel(channel)
        if path is None:
            raise ValueError("publish_raw needs a channel")
        self._hub.publish(path, None, message)

    # -- inspection ------------------------------------------------------------------------

    def requests(self, path: str | None = None) -> list[LoggedRequest]:
        """Requests received so far (to ``path``), oldest first."""
        with self._rest_state.lock:
            return [r for r in self._rest_state.log if path is None or r.path == path]

    def orders(self) -> list[JsonDict]:
        """Every order the fake holds, as ``/v5/order/realtime`` items, oldest first."""
        with self._lock:
            return [r.item() for r in self.desk.records]

    def subscribers(self, topic: str) -> int:
        """How many sockets are subscribed to ``topic``."""
        return self._hub.subscribers(topic)

    @property
    def ws_connections(self) -> int:
        """How many WebSocket connections were ever accepted."""
        return self._hub.connections

    def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``condition`` every 10 ms until true or ``timeout``; returns the last value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.01)
        return condition()

    def wait_subscribed(self, topic: str, count: int = 1, timeout: float = 5.0) -> bool:
        """Wait until ``count`` sockets are subscribed to ``topic``."""
        return self.wait_for(lambda: self.subscribers(topic) >= count, timeout)
