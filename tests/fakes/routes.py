"""The fake's V5 routes: path -> :class:`~tests.fakes.rest.Route`.

Market routes are public; the rest are signed and carry Bybit's per-second limits
(``docs/v5/rate-limit``: 10/s for order writes, leverage and TP/SL, 50/s for reads;
a batch counts each of its orders).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tests.fakes import queries
from tests.fakes.faults import Fault, Kind
from tests.fakes.market import INTERVAL_MS, instrument_item
from tests.fakes.rest import Route
from tests.fakes.wire import (
    MAX_BATCH,
    PARAM_ERROR,
    JsonDict,
    V5Error,
    check_linear,
    int_param,
    limit_param,
    page,
    text_param,
)

if TYPE_CHECKING:
    from tests.fakes.exchange import FakeBybit

Result = tuple[object, JsonDict | None]


def market_routes(fake: FakeBybit) -> dict[str, Route]:
    """``/v5/market/*``: time, tickers, instruments-info, kline."""

    def server_time(_params: Mapping[str, object], _fault: Fault | None) -> Result:
        now = fake.now_ms()
        return {"timeSecond": str(now // 1000), "timeNano": str(now * 1_000_000)}, None

    def tickers(params: Mapping[str, object], _fault: Fault | None) -> Result:
        check_linear(params)
        with fake.lock:
            symbols = [fake.desk.symbol(params)] if params.get("symbol") else list(fake.tickers)
            items = [fake.ticker_item(s) for s in symbols if s in fake.tickers]
        return {"category": "linear", "list": items}, None

    def instruments(params: Mapping[str, object], _fault: Fault | None) -> Result:
        check_linear(params)
        limit = limit_param(params, 500, 1000)
        status = text_param(params, "status", required=False) or "Trading"
        wanted = text_param(params, "symbol", required=False)
        listed = [
            instrument_item(i)
            for i in fake.instruments
            if (not wanted or i.symbol == wanted) and status == "Trading"
        ]
        rows, cursor = page(listed, params, limit)
        return {"category": "linear", "list": rows, "nextPageCursor": cursor}, None

    def kline(params: Mapping[str, object], _fault: Fault | None) -> Result:
        if params.get("category", "linear") != "linear":
            raise V5Error(PARAM_ERROR, "params error: category not supported (linear)")
        interval = text_param(params, "interval")
        if interval not in INTERVAL_MS:
            raise V5Error(PARAM_ERROR, f"params error: interval {interval!r} invalid")
        with fake.lock:
            symbol = fake.desk.symbol(params)
            start = int_param(params, "start", -1)
            end = int_param(params, "end", -1)
            limit = limit_param(params, 200, 1000)
            rows = fake.candles.rows(
                symbol, interval, None if start < 0 else start, None if end < 0 else end, limit
            )
        return {"symbol": symbol, "category": "linear", "list": rows}, None

    return {
        "/v5/market/time": Route("GET", server_time),
        "/v5/market/tickers": Route("GET", tickers),
        "/v5/market/instruments-info": Route("GET", instruments),
        "/v5/market/kline": Route("GET", kline),
    }


def _batch_size(params: Mapping[str, object]) -> int:
    items = params.get("request")
    # Capped so an oversized batch is refused for its size (10001), not its rate.
    return min(max(len(items), 1), MAX_BATCH) if isinstance(items, list) else 1


def trading_routes(fake: FakeBybit) -> dict[str, Route]:
    """Orders, executions, positions, wallet, leverage and TP/SL (all signed)."""

    def locked(work: Callable[[Mapping[str, object]], JsonDict]) -> Callable[..., Result]:
        def run(params: Mapping[str, object], _fault: Fault | None) -> Result:
            with fake.lock:
                result = work(params)
                fake.publish_private()
            return result, None

        return run

    def create(params: Mapping[str, object], fault: Fault | None) -> Result:
        check_linear(params)
        partial = fault.qty if fault is not None and fault.kind is Kind.PARTIAL_FILL else None
        early = fault is not None and fault.kind is Kind.FILLS_BEFORE_ACK
        with fake.lock:
            result = fake.desk.create(params, partial)
        fake.publish_private(wait=early)
        if early and fault is not None:
            time.sleep(fault.seconds)
        return result, None

    def create_batch(params: Mapping[str, object], _fault: Fault | None) -> Result:
        check_linear(params)
        items = params.get("request")
        if not isinstance(items, list) or not items:
            raise V5Error(PARAM_ERROR, "params error: request must be a non-empty list")
        if len(items) > MAX_BATCH:
            raise V5Error(PARAM_ERROR, f"params error: batch of {len(items)} > {MAX_BATCH} orders")
        results: list[JsonDict] = []
        errors: list[JsonDict] = []
        with fake.lock:
            for item in items:
                fields = item if isinstance(item, dict) else {}
                base = {"category": "linear", "symbol": fields.get("symbol", "")}
                try:
                    if not fields:
                        raise V5Error(PARAM_ERROR, "params error: each request must be an object")
                    ack = fake.desk.create({**fields, "category": "linear"})
                    results.append({**base, **ack, "createAt": str(fake.now_ms())})
                    errors.append({"code": 0, "msg": "OK"})
                except V5Error as error:
                    link = fields.get("orderLinkId", "")
                    results.append({**base, "orderId": "", "orderLinkId": link, "createAt": ""})
                    errors.append({"code": error.code, "msg": error.message})
            fake.publish_private()
        return {"list": results}, {"list": errors}

    def cancel(params: Mapping[str, object]) -> JsonDict:
        check_linear(params)
        return fake.desk.cancel(params)

    def cancel_all(params: Mapping[str, object]) -> JsonDict:
        check_linear(params)
        return fake.desk.cancel_all(params)

    def read(work: Callable[..., JsonDict]) -> Callable[..., Result]:
        return locked(lambda params: work(fake.desk, params))

    return {
        "/v5/order/create": Route("POST", create, auth=True, limit=10),
        "/v5/order/create-batch": Route(
            "POST", create_batch, auth=True, limit=10, cost=_batch_size
        ),
        "/v5/order/cancel": Route("POST", locked(cancel), auth=True, limit=10),
        "/v5/order/cancel-all": Route("POST", locked(cancel_all), auth=True, limit=10),
        "/v5/order/realtime": Route("GET", read(queries.order_list), auth=True, limit=50),
        "/v5/execution/list": Route("GET", read(queries.execution_list), auth=True, limit=50),
        "/v5/position/list": Route("GET", read(queries.position_list), auth=True, limit=50),
        "/v5/account/wallet-balance": Route(
            "GET", read(queries.wallet_balance), auth=True, limit=50
        ),
        "/v5/position/set-leverage": Route("POST", read(queries.set_leverage), auth=True, limit=10),
        "/v5/position/trading-stop": Route("POST", read(queries.trading_stop), auth=True, limit=10),
    }
