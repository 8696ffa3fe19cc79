"""Bybit V5 over REST: the :class:`~bot.exchange.protocol.Exchange` protocol on pybit's HTTP.

Reads raise on anything they cannot vouch for: :class:`~bot.errors.VenueRejected` with
Bybit's code, :class:`~bot.errors.MalformedResponse` from the codec, or
:class:`~bot.errors.ExchangeError` when no answer came. Order placing never raises for
a refusal: it answers a :class:`~bot.exchange.protocol.SubmitResult` (see
:mod:`bot.exchange.bybit.outcome` for what counts as REJECTED and what as UNKNOWN).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Final, Protocol, runtime_checkable

import requests
from pybit.exceptions import FailedRequestError, InvalidRequestError

from bot.config.settings import BybitSettings
from bot.domain import (
    MAX_BATCH,
    Bar,
    Fill,
    Instrument,
    Order,
    OrderStatus,
    Position,
    Symbol,
    Ticker,
)
from bot.errors import AmbiguousOutcome, ExchangeError, MalformedResponse, VenueRejected
from bot.exchange.bybit import codec, outcome
from bot.exchange.bybit.batch import batch_results
from bot.exchange.bybit.limits import EndpointGroup, RateLimiter, RateLimitExceeded
from bot.exchange.bybit.wire import (
    Json,
    integer,
    malformed,
    next_cursor,
    result,
    result_list,
    text,
)
from bot.exchange.protocol import Balance, OrderRequest, SubmitResult

CATEGORY: Final = "linear"
SETTLE_COIN: Final = "USDT"
#: ``leverage not modified``: the leverage already is what was asked for.
LEVERAGE_NOT_MODIFIED: Final = 110043
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


def _wall_ms() -> int:
    return time.time_ns() // 1_000_000


class BybitRest:
    """Bybit V5 linear perpetuals through pybit's HTTP client (one-way mode, USDT).

    ``http`` replaces the pybit client (tests); ``limiter`` the client-side rate limits;
    ``now_ms`` the local wall clock used for skew measurement.
    """

    def __init__(
        self,
        settings: BybitSettings,
        *,
        http: BybitHttp | None = None,
        limiter: RateLimiter | None = None,
        now_ms: Callable[[], int] = _wall_ms,
    ) -> None:
        if http is None:
            from bot.exchange.bybit.clients import make_http

            http = make_http(settings)
        self._http = http
        self._limiter = RateLimiter() if limiter is None else limiter
        self._now_ms = now_ms
        self._instruments: dict[Symbol, Instrument] = {}
        self._lock = threading.Lock()
        self._seen_at_cursor: tuple[int, frozenset[str]] = (0, frozenset())
        self.rest_url = settings.endpoints.rest

    def __repr__(self) -> str:
        return f"BybitRest(rest_url={self.rest_url!r})"

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
        endpoint = "GET /v5/market/kline"
        answer = self._read(
            EndpointGroup.IP,
            endpoint,
            self._http.get_kline,
            category=CATEGORY,
            symbol=symbol,
            interval=interval,
            limit=limit,
        )
        return codec.klines(answer, endpoint)

    def klines_range(
        self, symbol: Symbol, interval: str, start_ms: int, end_ms: int, *, limit: int
    ) -> list[Bar]:
        """The newest ``limit`` candles whose start is in ``[start_ms, end_ms]``, oldest first
        (one request; :mod:`bot.exchange.bybit.history` pages through longer ranges)."""
        endpoint = "GET /v5/market/kline"
        answer = self._read(
            EndpointGroup.IP,
            endpoint,
            self._http.get_kline,
            category=CATEGORY,
            symbol=symbol,
            interval=interval,
            start=start_ms,
            end=end_ms,
            limit=limit,
        )
        return codec.klines(answer, endpoint)

    # -- account -------------------------------------------------------------------

    def positions(self) -> dict[Symbol, Position]:
        """Every non-flat USDT position."""
        endpoint = "GET /v5/position/list"
        rows = self._pages(
            EndpointGroup.POSITION,
            endpoint,
            self._http.get_positions,
            category=CATEGORY,
            settleCoin=SETTLE_COIN,
            limit=200,
        )
        held: dict[Symbol, Position] = {}
        for row in rows:
            found = codec.position(row, endpoint)
            if found is None:
                continue
            if found.symbol in held:
                raise malformed(endpoint, "symbol", str(found.symbol), "one row per symbol")
            held[found.symbol] = found
        return held

    def position_details(self) -> dict[Symbol, codec.PositionDetail]:
        """Every non-flat USDT position with its mark, unrealised PnL, liq price, leverage."""
        endpoint = "GET /v5/position/list"
        rows = self._pages(
            EndpointGroup.POSITION,
            endpoint,
            self._http.get_positions,
            category=CATEGORY,
            settleCoin=SETTLE_COIN,
            limit=200,
        )
        held: dict[Symbol, codec.PositionDetail] = {}
        for row in rows:
            found = codec.position_detail(row, endpoint)
            if found is None:
                continue
            if found.position.symbol in held:
                raise malformed(endpoint, "symbol", str(found.position.symbol), "one per symbol")
            held[found.position.symbol] = found
        return held

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Orders that may still fill (of ``symbol``, else of every USDT symbol)."""
        endpoint = "GET /v5/order/realtime"
        scope: dict[str, object] = {"symbol": symbol} if symbol else {"settleCoin": SETTLE_COIN}
        rows = self._pages(
            EndpointGroup.ORDER_QUERY,
            endpoint,
            self._http.get_open_orders,
            category=CATEGORY,
            openOnly=0,
            limit=50,
            **scope,
        )
        orders = [codec.order(row, endpoint) for row in rows]
        return [each for each in orders if each.status.is_open]

    def lookup(self, order_link_id: str) -> Order | None:
        """The order with this link id, open or recently closed; None if the venue has none."""
        endpoint = "GET /v5/order/realtime"
        answer = self._read(
            EndpointGroup.ORDER_QUERY,
            endpoint,
            self._http.get_open_orders,
            category=CATEGORY,
            settleCoin=SETTLE_COIN,
            orderLinkId=order_link_id,
        )
        rows = [r for r in result_list(answer, endpoint) if r.get("orderLinkId") == order_link_id]
        if len(rows) > 1:
            raise malformed(endpoint, "orderLinkId", order_link_id, "at most one order")
        return codec.order(rows[0], endpoint) if rows else None

    def balance(self) -> Balance:
        """USDT wallet, equity and available balance of the unified account."""
        endpoint = "GET /v5/account/wallet-balance"
        rows = result_list(
            self._read(
                EndpointGroup.WALLET,
                endpoint,
                self._http.get_wallet_balance,
                accountType="UNIFIED",
                coin=SETTLE_COIN,
            ),
            endpoint,
        )
        if len(rows) != 1:
            raise malformed(endpoint, "list", len(rows), "one UNIFIED account")
        return codec.balance(rows[0], endpoint, SETTLE_COIN)

    def fills_since(self, cursor: int) -> tuple[list[Fill], int]:
        """Trade fills with ``execTime >= cursor`` (0: the venue's default 7 days).

        Bybit answers at most 7 days per query, so a cursor older than that is read in
        7-day slices up to now (a fill is never skipped for being in a later week).

        The cursor is the newest ``execTime`` returned. Fills at exactly that millisecond
        that this instance already returned are left out; a fresh instance may return
        them again, so callers count fills once by ``exec_id`` (at least once, never lost).
        """
        if isinstance(cursor, bool) or cursor < 0:
            raise ExchangeError(f"fills_since: cursor {cursor!r} is not an int >= 0")
        endpoint = "GET /v5/execution/list"
        rows: list[Json] = []
        for window in _exec_windows(cursor, self._now_ms()):
            rows += self._pages(
                EndpointGroup.ORDER_QUERY,
                endpoint,
                self._http.get_executions,
                category=CATEGORY,
                limit=100,
                **window,
            )
        trades = [row for row in rows if codec.exec_type(row, endpoint) in codec.TRADE_EXEC_TYPES]
        fills = sorted((codec.fill(row, endpoint) for row in trades), key=lambda f: f.ts_ms)
        with self._lock:
            seen_cursor, seen_ids = self._seen_at_cursor
            skip = seen_ids if seen_cursor == cursor else frozenset()
            fresh = [f for f in fills if f.ts_ms >= cursor and f.exec_id not in skip]
            newest = max((f.ts_ms for f in fills), default=cursor)
            at_newest = {f.exec_id for f in fills if f.ts_ms == newest}
            if newest == cursor:
                at_newest |= skip
            self._seen_at_cursor = (newest, frozenset(at_newest))
        return fresh, newest

    # -- orders --------------------------------------------------------------------

    def submit(self, request: OrderRequest) -> SubmitResult:
        """Place one order: NEW with Bybit's orderId, REJECTED with its code, or UNKNOWN."""
        link = request.order_link_id
        try:
            self._limiter.acquire(EndpointGroup.ORDER)
        except RateLimitExceeded as refused:
            return outcome.rejected(link, outcome.CLIENT_RATE_LIMITED, str(refused))
        params = codec.create_params(request)
        try:
            answer = self._http.place_order(**params)
        except Exception as error:  # noqa: BLE001 -- sent, perhaps placed: UNKNOWN
            return outcome.from_failure(link, error)
        return _create_answer(link, answer, "POST /v5/order/create")

    def submit_batch(self, requests: Sequence[OrderRequest]) -> list[SubmitResult]:
        """Place orders in chunks of at most 10; one result per request, in request order."""
        results: list[SubmitResult] = []
        for start in range(0, len(requests), MAX_BATCH):
            results.extend(self._submit_chunk(requests[start : start + MAX_BATCH]))
        return results

    def _submit_chunk(self, chunk: Sequence[OrderRequest]) -> list[SubmitResult]:
        try:
            self._limiter.acquire(EndpointGroup.BATCH, len(chunk))
        except RateLimitExceeded as refused:
            code = outcome.CLIENT_RATE_LIMITED
            return [outcome.rejected(r.order_link_id, code, str(refused)) for r in chunk]
        items = [codec.batch_item(request) for request in chunk]
        try:
            answer = self._http.place_batch_order(category=CATEGORY, request=items)
        except Exception as error:  # noqa: BLE001 -- sent, perhaps placed: UNKNOWN
            return [outcome.from_failure(r.order_link_id, error) for r in chunk]
        return batch_results([r.order_link_id for r in chunk], answer)

    def cancel(self, symbol: Symbol, order_link_id: str) -> SubmitResult:
        """Ask the venue to cancel one order: CANCELLED (request accepted; a fill may still
        race it), REJECTED with the code (110001: not open), or UNKNOWN."""
        try:
            self._limiter.acquire(EndpointGroup.ORDER)
        except RateLimitExceeded as refused:
            return outcome.rejected(order_link_id, outcome.CLIENT_RATE_LIMITED, str(refused))
        endpoint = "POST /v5/order/cancel"
        try:
            answer = self._http.cancel_order(
                category=CATEGORY, symbol=str(symbol), orderLinkId=order_link_id
            )
            body = result(answer, endpoint)
            order_id = text(body, "orderId", endpoint)
        except VenueRejected as refused:
            return outcome.from_code(order_link_id, refused.code, refused.message)
        except ExchangeError as error:
            return outcome.unknown(order_link_id, str(error))
        except Exception as error:  # noqa: BLE001 -- sent, perhaps cancelled: UNKNOWN
            return outcome.from_failure(order_link_id, error)
        return SubmitResult(order_link_id, OrderStatus.CANCELLED, order_id=order_id)

    def cancel_all(self, symbol: Symbol | None = None) -> list[str]:
        """Cancel every open order (of ``symbol``, else of every USDT symbol).

        Returns the cancelled link ids; raises VenueRejected when refused and
        AmbiguousOutcome when no usable answer came (some orders may be cancelled).
        """
        endpoint = "POST /v5/order/cancel-all"
        scope: dict[str, str] = {"symbol": str(symbol)} if symbol else {"settleCoin": SETTLE_COIN}
        self._limiter.acquire(EndpointGroup.ORDER)
        try:
            answer = self._http.cancel_all_orders(category=CATEGORY, **scope)
        except InvalidRequestError as error:
            raise VenueRejected(error.status_code, f"{endpoint}: {error.message}") from None
        except Exception as error:  # noqa: BLE001 -- some may be cancelled: ambiguous
            raise AmbiguousOutcome(f"{endpoint}: {type(error).__name__}: {error}") from None
        try:
            rows = result_list(answer, endpoint)
        except MalformedResponse as error:
            raise AmbiguousOutcome(f"{endpoint}: unreadable answer: {error}") from None
        return [codec.link_id(row, endpoint) for row in rows]

    def set_leverage(self, symbol: Symbol, leverage: int) -> None:
        """Set buy and sell leverage of ``symbol``; 110043 (already so) is success."""
        endpoint = "POST /v5/position/set-leverage"
        self._limiter.acquire(EndpointGroup.LEVERAGE)
        value = str(leverage)
        try:
            answer = self._http.set_leverage(
                category=CATEGORY, symbol=str(symbol), buyLeverage=value, sellLeverage=value
            )
        except InvalidRequestError as error:
            if error.status_code == LEVERAGE_NOT_MODIFIED:
                return
            raise VenueRejected(error.status_code, f"{endpoint}: {error.message}") from None
        except Exception as error:  # noqa: BLE001 -- perhaps applied: ambiguous
            raise AmbiguousOutcome(f"{endpoint}: {type(error).__name__}: {error}") from None
        try:
            result(answer, endpoint)
        except VenueRejected as refused:
            if refused.code != LEVERAGE_NOT_MODIFIED:
                raise


#: The longest span Bybit's execution list answers in one query.
EXEC_WINDOW_MS: Final = 7 * 24 * 3600 * 1000


def _exec_windows(cursor: int, now_ms: int) -> list[dict[str, object]]:
    """Query windows covering ``cursor``..now: whole 7-day slices, then ``startTime`` only."""
    if cursor <= 0:
        return [{}]
    windows: list[dict[str, object]] = []
    start = cursor
    while now_ms - start > EXEC_WINDOW_MS:
        windows.append({"startTime": start, "endTime": start + EXEC_WINDOW_MS - 1})
        start += EXEC_WINDOW_MS
    windows.append({"startTime": start})
    return windows


def _create_answer(link: str, answer: object, endpoint: str) -> SubmitResult:
    """NEW with the orderId from a create's envelope; anything unreadable is UNKNOWN."""
    try:
        body = result(answer, endpoint)
        order_id = text(body, "orderId", endpoint)
    except VenueRejected as refused:
        return outcome.from_code(link, refused.code, refused.message)
    except MalformedResponse as error:
        return outcome.unknown(link, f"unreadable answer: {error}")
    return SubmitResult(link, OrderStatus.NEW, order_id=order_id)
