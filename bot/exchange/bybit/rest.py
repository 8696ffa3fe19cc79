"""Bybit V5 over REST: the :class:`~bot.exchange.protocol.Exchange` protocol on pybit's HTTP.

The market reads and the request plumbing live in :mod:`bot.exchange.bybit.market`;
this module adds the account (positions, orders, balance, fills) and the orders.

Reads raise on anything they cannot vouch for: :class:`~bot.errors.VenueRejected` with
Bybit's code, :class:`~bot.errors.MalformedResponse` from the codec, or
:class:`~bot.errors.ExchangeError` when no answer came. Order placing never raises for
a refusal: it answers a :class:`~bot.exchange.protocol.SubmitResult` (see
:mod:`bot.exchange.bybit.outcome` for what counts as REJECTED and what as UNKNOWN).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Final

from pybit.exceptions import InvalidRequestError

from bot.config.settings import BybitSettings
from bot.domain import (
    MAX_BATCH,
    Fill,
    Order,
    OrderStatus,
    Position,
    Symbol,
)
from bot.errors import AmbiguousOutcome, ExchangeError, MalformedResponse, VenueRejected
from bot.exchange.bybit import codec, outcome
from bot.exchange.bybit.batch import batch_results
from bot.exchange.bybit.limits import EndpointGroup, RateLimiter, RateLimitExceeded
from bot.exchange.bybit.market import CATEGORY, BybitHttp, BybitMarket, wall_ms
from bot.exchange.bybit.wire import (
    Json,
    malformed,
    result,
    result_list,
    text,
)
from bot.exchange.protocol import Balance, OrderRequest, SubmitResult

__all__ = ["CATEGORY", "SETTLE_COIN", "BybitHttp", "BybitRest"]

SETTLE_COIN: Final = "USDT"
#: ``leverage not modified``: the leverage already is what was asked for.
LEVERAGE_NOT_MODIFIED: Final = 110043
#: Added to ``recv_window`` before an in-flight create counts as never placed: the
#: largest clock skew the guards accept (``guard.max_clock_skew_ms`` <= 1 s) and a margin.
IN_FLIGHT_MARGIN_MS: Final = 2_000


class BybitRest(BybitMarket):
    """Bybit V5 linear perpetuals through pybit's HTTP client (one-way mode, USDT).

    The market reads, the plumbing and the constructor's arguments are
    :class:`~bot.exchange.bybit.market.BybitMarket`'s; this adds the account and orders.
    """

    def __init__(
        self,
        settings: BybitSettings,
        *,
        http: BybitHttp | None = None,
        limiter: RateLimiter | None = None,
        now_ms: Callable[[], int] = wall_ms,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(settings, http=http, limiter=limiter, now_ms=now_ms)
        self._seen_at_cursor: tuple[int, frozenset[str]] = (0, frozenset())
        self._sleep = sleep
        self._settle_ms = settings.recv_window_ms + IN_FLIGHT_MARGIN_MS
        #: link id -> local time it was signed, for creates whose outcome is UNKNOWN
        self._in_flight: dict[str, int] = {}

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
        """The order with this link id, open or recently closed; None if the venue has none.

        For a create whose answer was ambiguous, None means "never placed": Bybit can
        still place a request until its ``recv_window`` has passed, so a lookup that
        finds nothing waits that out (plus :data:`IN_FLIGHT_MARGIN_MS`) and looks again.
        """
        found = self._lookup_once(order_link_id)
        with self._lock:
            sent = self._in_flight.get(order_link_id)
        if found is None and sent is not None:
            wait_ms = sent + self._settle_ms - self._now_ms()
            if wait_ms > 0:
                self._sleep(wait_ms / 1000)
            found = self._lookup_once(order_link_id)
        with self._lock:
            self._in_flight.pop(order_link_id, None)
        return found

    def _lookup_once(self, order_link_id: str) -> Order | None:
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
        sent = self._now_ms()
        try:
            answer = self._http.place_order(**params)
        except Exception as error:  # noqa: BLE001 -- sent, perhaps placed: UNKNOWN
            return self._in_flight_if_unknown(outcome.from_failure(link, error), sent)
        return self._in_flight_if_unknown(
            _create_answer(link, answer, "POST /v5/order/create"), sent
        )

    def _in_flight_if_unknown(self, result: SubmitResult, sent_ms: int) -> SubmitResult:
        """Remember when an UNKNOWN create was signed (see :meth:`lookup`)."""
        if result.status is OrderStatus.UNKNOWN:
            with self._lock:
                self._in_flight[result.order_link_id] = sent_ms
        return result

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
        sent = self._now_ms()
        try:
            answer = self._http.place_batch_order(category=CATEGORY, request=items)
        except Exception as error:  # noqa: BLE001 -- sent, perhaps placed: UNKNOWN
            failed = [outcome.from_failure(r.order_link_id, error) for r in chunk]
            return [self._in_flight_if_unknown(r, sent) for r in failed]
        results = batch_results([r.order_link_id for r in chunk], answer)
        return [self._in_flight_if_unknown(r, sent) for r in results]

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
