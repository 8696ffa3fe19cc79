"""Bybit V5 market data over REST, and the plumbing every REST call goes through.

:class:`BybitMarket` reads the public market (instruments, tickers, server time and
skew, klines); :class:`~bot.exchange.bybit.rest.BybitRest` adds the account and the
orders. Reads raise on anything they cannot vouch for: :class:`~bot.errors.VenueRejected`
with Bybit's code, :class:`~bot.errors.MalformedResponse` from the codec, or
:class:`~bot.errors.ExchangeError` when no answer came.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final, Protocol, runtime_checkable

import requests
from pybit.exceptions import FailedRequestError, InvalidRequestError

from bot.config.settings import BybitSettings
from bot.domain import Bar, Instrument, Symbol, Ticker
from bot.errors import ExchangeError, VenueRejected
from bot.exchange.bybit import codec
from bot.exchange.bybit.limits import EndpointGroup, RateLimiter
from bot.exchange.bybit.wire import Json, integer, next_cursor, result, result_list

CATEGORY: Final = "linear"
#: Pages followed before a listing is refused as suspiciously long.
MAX_PAGES: Final = 50


@runtime_checkable
class BybitHttp(Protocol):
    """The pybit ``HTTP`` methods this adapter calls (a test stub has the same names)."""

    def get_server_time(self) -> object: ...
    def get_tickers(self, **kwargs: object) -> object: ...
    def get_instruments_info(self, **kwargs: object) -> object: ...
    def get_kline(self, **kwargs: object) -> object: ...
    def get_positions(self, **kwargs: object) -> object: ...
    def get_open_orders(self, **kwargs: object) -> object: ...
    def get_executions(self, **kwargs: object) -> object: ...
    def get_wallet_balance(self, **kwargs: object) -> object: ...
    def place_order(self, **kwargs: object) -> object: ...
    def place_batch_order(self, **kwargs: object) -> object: ...
    def cancel_order(self, **kwargs: object) -> object: ...
    def cancel_all_orders(self, **kwargs: object) -> object: ...
    def set_leverage(self, **kwargs: object) -> object: ...


def wall_ms() -> int:
    """The local wall clock, epoch ms."""
    return time.time_ns() // 1_000_000


class BybitMarket:
    """Bybit V5 market data through pybit's HTTP client, and the REST plumbing.

    ``http`` replaces the pybit client (tests); ``limiter`` the client-side rate limits;
    ``now_ms`` the local wall clock used for skew measurement.
    """

    def __init__(
        self,
        settings: BybitSettings,
        *,
        http: BybitHttp | None = None,
        limiter: RateLimiter | None = None,
        now_ms: Callable[[], int] = wall_ms,
    ) -> None:
        if http is None:
            from bot.exchange.bybit.clients import make_http

            http = make_http(settings)
        self._http = http
        self._limiter = RateLimiter() if limiter is None else limiter
        self._now_ms = now_ms
        self._instruments: dict[Symbol, Instrument] = {}
        self._lock = threading.Lock()
        self.rest_url = settings.endpoints.rest

    def __repr__(self) -> str:
        return f"{type(self).__name__}(rest_url={self.rest_url!r})"

    def close(self) -> None:
        """Close pybit's HTTP session (its pooled sockets); idempotent, a client without
        a session is left as is."""
        session = getattr(self._http, "client", None)
        close = getattr(session, "close", None)
        if callable(close):
            close()

    # -- plumbing ------------------------------------------------------------------

    def _read(
        self, group: EndpointGroup, endpoint: str, call: Callable[..., object], **params: object
    ) -> object:
        """Call a read endpoint; every failure becomes a bot error naming the endpoint."""
        self._limiter.acquire(group)
        try:
            return call(**params)
        except InvalidRequestError as error:
            raise VenueRejected(error.status_code, f"{endpoint}: {error.message}") from None
        except FailedRequestError as error:
            raise ExchangeError(f"{endpoint}: HTTP {error.status_code}: {error.message}") from None
        except requests.RequestException as error:
            raise ExchangeError(f"{endpoint}: no answer ({type(error).__name__})") from None

    def _pages(
        self, group: EndpointGroup, endpoint: str, call: Callable[..., object], **params: object
    ) -> list[Json]:
        """Every ``result.list`` item across ``nextPageCursor`` pages."""
        items: list[Json] = []
        cursor = ""
        for _ in range(MAX_PAGES):
            page_params = dict(params, cursor=cursor) if cursor else params
            answer = self._read(group, endpoint, call, **page_params)
            items.extend(result_list(answer, endpoint))
            cursor = next_cursor(result(answer, endpoint), endpoint)
            if not cursor:
                return items
        raise ExchangeError(f"{endpoint}: more than {MAX_PAGES} pages; refusing a partial list")

    # -- market --------------------------------------------------------------------

    def instrument(self, symbol: Symbol) -> Instrument:
        """Trading rules of ``symbol`` (cached); VenueRejected(10001) if not trading."""
        with self._lock:
            cached = self._instruments.get(symbol)
        if cached is not None:
            return cached
        endpoint = "GET /v5/market/instruments-info"
        answer = self._read(
            EndpointGroup.IP,
            endpoint,
            self._http.get_instruments_info,
            category=CATEGORY,
            symbol=symbol,
        )
        rows = [row for row in result_list(answer, endpoint) if row.get("symbol") == symbol]
        if len(rows) != 1 or rows[0].get("status") != "Trading":
            raise VenueRejected(10001, f"{endpoint}: {symbol} is not listed or not trading")
        found = codec.instrument(rows[0], endpoint)
        with self._lock:
            self._instruments[symbol] = found
        return found

    def ticker(self, symbol: Symbol) -> Ticker | None:
        """Latest ticker of ``symbol``; None when the venue lists no ticker for it."""
        endpoint = "GET /v5/market/tickers"
        answer = self._read(
            EndpointGroup.IP, endpoint, self._http.get_tickers, category=CATEGORY, symbol=symbol
        )
        rows = [row for row in result_list(answer, endpoint) if row.get("symbol") == symbol]
        if not rows:
            return None
        envelope = answer if isinstance(answer, dict) else {}
        return codec.ticker(rows[0], integer(envelope, "time", endpoint), endpoint)

    def server_time_ms(self) -> int:
        """The venue's clock (``/v5/market/time``), epoch ms."""
        endpoint = "GET /v5/market/time"
        return codec.server_time_ms(
            self._read(EndpointGroup.IP, endpoint, self._http.get_server_time), endpoint
        )

    def measure_skew_ms(self) -> int:
        """Local minus venue time in ms: the midpoint of the round trip minus server time."""
        sent = self._now_ms()
        server = self.server_time_ms()
        received = self._now_ms()
        return (sent + received) // 2 - server

    def klines(self, symbol: Symbol, interval: str, *, limit: int = 200) -> list[Bar]:
        """The latest ``limit`` candles of ``interval`` (1, 5, 60, D...), oldest first.

        The newest may still be open (its close is the last price).
        """
        return self._klines(symbol=symbol, interval=interval, limit=limit)

    def klines_range(
        self, symbol: Symbol, interval: str, start_ms: int, end_ms: int, *, limit: int
    ) -> list[Bar]:
        """The newest ``limit`` candles whose start is in ``[start_ms, end_ms]``, oldest first
        (one request; :mod:`bot.exchange.bybit.history` pages through longer ranges)."""
        return self._klines(
            symbol=symbol, interval=interval, start=start_ms, end=end_ms, limit=limit
        )

    def _klines(self, **params: object) -> list[Bar]:
        endpoint = "GET /v5/market/kline"
        answer = self._read(
            EndpointGroup.IP, endpoint, self._http.get_kline, category=CATEGORY, **params
        )
        return codec.klines(answer, endpoint)
