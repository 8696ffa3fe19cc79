"""BybitRest against a stub of pybit's HTTP: outcomes, batches, leverage, secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
from pybit.exceptions import FailedRequestError, InvalidRequestError

from bot.domain import OrderStatus, OrderType, Price, Qty, Side, Symbol
from bot.errors import AmbiguousOutcome, ExchangeError, MalformedResponse, VenueRejected
from bot.exchange.bybit import BybitRest, RateLimiter
from bot.exchange.protocol import Exchange, OrderRequest
from tests.unit.exchange.bybit.payloads import (
    API_KEY,
    API_SECRET,
    EXECUTION,
    FLAT_POSITION,
    INSTRUMENT,
    ORDER,
    POSITION,
    T0,
    TICKER,
    WALLET,
    envelope,
    fresh,
    settings,
)

BTC = Symbol("BTCUSDT")
Answer = dict[str, Any] | BaseException | Callable[..., Any]


def failed(status: int, message: str = "HTTP status code is not 200.") -> FailedRequestError:
    return FailedRequestError("POST /v5/order/create: {}", message, status, "00:00:00", None)


def invalid(code: int, message: str) -> InvalidRequestError:
    return InvalidRequestError("POST /v5/order/create: {}", message, code, "00:00:00", None)


class StubHttp:
    """pybit's HTTP method names answering canned dicts or raising canned errors."""

    def __init__(self, **answers: Answer) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _answer(self, name: str, kwargs: dict[str, Any]) -> Any:
        self.calls.append((name, kwargs))
        answer = self.answers[name]
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(**kwargs)
        return answer

    def get_server_time(self) -> Any:
        return self._answer("get_server_time", {})

    def get_tickers(self, **kw: Any) -> Any:
        return self._answer("get_tickers", kw)

    def get_instruments_info(self, **kw: Any) -> Any:
        return self._answer("get_instruments_info", kw)

    def get_kline(self, **kw: Any) -> Any:
        return self._answer("get_kline", kw)

    def get_positions(self, **kw: Any) -> Any:
        return self._answer("get_positions", kw)

    def get_open_orders(self, **kw: Any) -> Any:
        return self._answer("get_open_orders", kw)

    def get_executions(self, **kw: Any) -> Any:
        return self._answer("get_executions", kw)

    def get_wallet_balance(self, **kw: Any) -> Any:
        return self._answer("get_wallet_balance", kw)

    def place_order(self, **kw: Any) -> Any:
        return self._answer("place_order", kw)

    def place_batch_order(self, **kw: Any) -> Any:
        return self._answer("place_batch_order", kw)

    def cancel_order(self, **kw: Any) -> Any:
        return self._answer("cancel_order", kw)

    def cancel_all_orders(self, **kw: Any) -> Any:
        return self._answer("cancel_all_orders", kw)

    def set_leverage(self, **kw: Any) -> Any:
        return self._answer("set_leverage", kw)


def rest(stub: StubHttp, now_ms: Callable[[], int] | None = None) -> BybitRest:
    limiter = RateLimiter(clock=lambda: 0.0, sleep=lambda s: None, max_wait_s=1e9)
    if now_ms is None:
        return BybitRest(settings(), http=stub, limiter=limiter)
    return BybitRest(settings(), http=stub, limiter=limiter, now_ms=now_ms)


def market(link: str = "bot-1") -> OrderRequest:
    return OrderRequest(link, BTC, Side.BUY, Qty("0.01"), OrderType.MARKET, False)


def test_the_adapter_is_an_exchange() -> None:
    assert isinstance(rest(StubHttp()), Exchange)


# -- submit ----------------------------------------------------------------------------


def test_accepted_create_is_new_with_the_order_id_and_string_decimals() -> None:
    stub = StubHttp(place_order=envelope({"orderId": "42", "orderLinkId": "bot-1"}))
    result = rest(stub).submit(market())
    assert (result.status, result.order_id) == (OrderStatus.NEW, "42")
    sent = stub.calls[0][1]
    assert sent["qty"] == "0.01"
    assert sent["reduceOnly"] is False
    assert sent["orderLinkId"] == "bot-1"


AMBIGUOUS: list[BaseException | dict[str, Any]] = [
    requests.ReadTimeout("read timed out"),
    requests.ConnectionError("connection reset"),
    requests.exceptions.ChunkedEncodingError("broken"),
    failed(500),
    failed(502),
    failed(503),
    failed(409, "Conflict. Could not decode JSON."),
    invalid(10000, "Server Timeout"),
    invalid(10016, "Server error"),
    invalid(110072, "OrderLinkedID is duplicate"),
    RuntimeError("something pybit did not expect"),
    {"retCode": 0, "retMsg": "OK", "result": {}},
    {"retCode": 0, "retMsg": "OK"},
    ["not", "an", "envelope"],  # type: ignore[list-item]
]


@pytest.mark.failclosed
@pytest.mark.parametrize("answer", AMBIGUOUS, ids=repr)
def test_ambiguous_create_is_unknown_and_says_look_it_up(answer: Any) -> None:
    result = rest(StubHttp(place_order=answer)).submit(market())
    assert result.status is OrderStatus.UNKNOWN
    assert not result.accepted
    assert "look the order up by orderLinkId" in result.message


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (invalid(110007, "ab not enough for new order"), 110007),
        (invalid(110017, "current position is zero, cannot fix reduce-only order qty"), 110017),
        (invalid(10001, "Qty invalid"), 10001),
        (failed(403, "You have breached the IP rate limit"), 403),
        (failed(429), 429),
        (failed(400, "Bad Request. Retries exceeded maximum."), 400),
    ],
)
def test_definite_refusal_is_rejected_with_code(answer: BaseException, code: int) -> None:
    result = rest(StubHttp(place_order=answer)).submit(market())
    assert (result.status, result.code) == (OrderStatus.REJECTED, code)
    assert result.message


def test_client_rate_limit_refuses_without_sending() -> None:
    stub = StubHttp(place_order=envelope({"orderId": "1"}))
    limiter = RateLimiter(clock=lambda: 0.0, sleep=lambda s: None, max_wait_s=0.0)
    adapter = BybitRest(settings(), http=stub, limiter=limiter)
    results = [adapter.submit(market(f"bot-{i}")) for i in range(11)]
    assert [r.status for r in results[:10]] == [OrderStatus.NEW] * 10
    assert results[10].status is OrderStatus.REJECTED
    assert "rate limit" in results[10].message
    assert len(stub.calls) == 10


# -- batch -----------------------------------------------------------------------------


def batch_answer(links: list[str], codes: list[tuple[int, str]]) -> dict[str, Any]:
    items = [
        {
            "category": "linear",
            "symbol": "BTCUSDT",
            "orderId": "" if code else f"id-{link}",
            "orderLinkId": link,
            "createAt": "" if code else str(T0),
        }
        for link, (code, _) in zip(links, codes, strict=True)
    ]
    ext = {"list": [{"code": code, "msg": msg} for code, msg in codes]}
    return envelope({"list": items}, retExtInfo=ext)


def test_batch_reads_each_item_with_a_failed_one_in_the_middle() -> None:
    links = ["a", "b", "c"]
    codes = [(0, "OK"), (110007, "ab not enough for new order"), (0, "OK")]
    stub = StubHttp(place_batch_order=batch_answer(links, codes))
    results = rest(stub).submit_batch([market(link) for link in links])
    assert [r.order_link_id for r in results] == links
    assert [r.status for r in results] == [
        OrderStatus.NEW,
        OrderStatus.REJECTED,
        OrderStatus.NEW,
    ]
    assert (results[0].order_id, results[1].code) == ("id-a", 110007)
    request = stub.calls[0][1]["request"]
    assert all(isinstance(item["qty"], str) for item in request)
    assert "category" not in request[0]


@pytest.mark.failclosed
def test_batch_item_missing_from_the_answer_is_unknown() -> None:
    answer = batch_answer(["a", "b"], [(0, "OK"), (0, "OK")])
    stub = StubHttp(place_batch_order=answer)
    results = rest(stub).submit_batch([market("a"), market("b"), market("c")])
    assert [r.status for r in results] == [OrderStatus.NEW, OrderStatus.NEW, OrderStatus.UNKNOWN]


@pytest.mark.failclosed
def test_batch_item_answering_for_another_link_is_unknown() -> None:
    answer = batch_answer(["b", "a"], [(0, "OK"), (0, "OK")])
    results = rest(StubHttp(place_batch_order=answer)).submit_batch([market("a"), market("b")])
    assert [r.status for r in results] == [OrderStatus.UNKNOWN, OrderStatus.UNKNOWN]


@pytest.mark.failclosed
def test_batch_timeout_makes_every_item_unknown() -> None:
    stub = StubHttp(place_batch_order=requests.ReadTimeout("timed out"))
    results = rest(stub).submit_batch([market("a"), market("b")])
    assert [r.status for r in results] == [OrderStatus.UNKNOWN] * 2


def test_batch_is_sent_in_chunks_of_at_most_ten() -> None:
    def answer(**kw: Any) -> dict[str, Any]:
        links = [item["orderLinkId"] for item in kw["request"]]
        return batch_answer(links, [(0, "OK")] * len(links))

    stub = StubHttp(place_batch_order=answer)
    results = rest(stub).submit_batch([market(f"o-{i}") for i in range(23)])
    assert [len(call[1]["request"]) for call in stub.calls] == [10, 10, 3]
    assert [r.order_link_id for r in results] == [f"o-{i}" for i in range(23)]
    assert all(r.status is OrderStatus.NEW for r in results)


# -- cancel, leverage ------------------------------------------------------------------


def test_cancel_outcomes() -> None:
    ok = rest(StubHttp(cancel_order=envelope({"orderId": "9", "orderLinkId": "x"})))
    assert ok.cancel(BTC, "x").status is OrderStatus.CANCELLED
    gone = rest(StubHttp(cancel_order=invalid(110001, "order not exists or too late to cancel")))
    assert (gone.cancel(BTC, "x").status, gone.cancel(BTC, "x").code) == (
        OrderStatus.REJECTED,
        110001,
    )
    lost = rest(StubHttp(cancel_order=requests.ReadTimeout("timed out")))
    assert lost.cancel(BTC, "x").status is OrderStatus.UNKNOWN


def test_cancel_all_returns_link_ids_and_a_timeout_is_ambiguous() -> None:
    answer = envelope({"list": [{"orderId": "1", "orderLinkId": "a"}], "success": "1"})
    assert rest(StubHttp(cancel_all_orders=answer)).cancel_all() == ["a"]
    with pytest.raises(AmbiguousOutcome):
        rest(StubHttp(cancel_all_orders=failed(502))).cancel_all(BTC)


def test_leverage_not_modified_is_success_and_other_codes_raise() -> None:
    stub = StubHttp(set_leverage=invalid(110043, "leverage not modified"))
    rest(stub).set_leverage(BTC, 10)
    assert stub.calls[0][1]["buyLeverage"] == "10"
    assert stub.calls[0][1]["sellLeverage"] == "10"
    with pytest.raises(VenueRejected) as raised:
        rest(StubHttp(set_leverage=invalid(10001, "leverage invalid"))).set_leverage(BTC, 500)
    assert raised.value.code == 10001


# -- reads -----------------------------------------------------------------------------


def test_reads_decode_documented_answers() -> None:
    stub = StubHttp(
        get_instruments_info=envelope({"category": "linear", "list": [fresh(INSTRUMENT)]}),
        get_tickers=envelope({"category": "linear", "list": [fresh(TICKER)]}),
        get_positions=envelope({"list": [fresh(POSITION), fresh(FLAT_POSITION)]}),
        get_wallet_balance=envelope({"list": [fresh(WALLET)]}),
        get_open_orders=envelope({"list": [fresh(ORDER)], "nextPageCursor": ""}),
    )
    adapter = rest(stub)
    assert adapter.instrument(BTC).tick_size == Price("0.10")
    adapter.instrument(BTC)
    assert [c[0] for c in stub.calls].count("get_instruments_info") == 1  # cached
    ticker = adapter.ticker(BTC)
    assert ticker is not None
    assert ticker.ts_ms == T0
    assert list(adapter.positions()) == [BTC]
    assert adapter.balance().available == 9000.25
    assert [o.order_link_id for o in adapter.open_orders()] == ["bot-1"]
    found = adapter.lookup("bot-1")
    assert found is not None
    assert found.status is OrderStatus.PARTIALLY_FILLED


def test_lookup_of_an_unknown_link_is_none() -> None:
    stub = StubHttp(get_open_orders=envelope({"list": [], "nextPageCursor": ""}))
    assert rest(stub).lookup("never") is None
    assert stub.calls[0][1]["orderLinkId"] == "never"


def test_pages_are_followed() -> None:
    pages = iter(
        [
            envelope({"list": [fresh(POSITION)], "nextPageCursor": "page2"}),
            envelope({"list": [{**fresh(POSITION), "symbol": "ETHUSDT"}], "nextPageCursor": ""}),
        ]
    )
    stub = StubHttp(get_positions=lambda **kw: next(pages))
    assert sorted(rest(stub).positions()) == ["BTCUSDT", "ETHUSDT"]
    assert stub.calls[1][1]["cursor"] == "page2"


@pytest.mark.failclosed
@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (failed(502), ExchangeError),
        (requests.ConnectionError("down"), ExchangeError),
        (invalid(10003, "API key is invalid."), VenueRejected),
        (envelope({"list": [{**fresh(POSITION), "size": "NaN"}]}), MalformedResponse),
    ],
)
def test_failed_reads_raise(answer: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        rest(StubHttp(get_positions=answer)).positions()


def test_fills_since_skips_funding_and_repeats_nothing_at_the_cursor() -> None:
    funding = {**fresh(EXECUTION), "execType": "Funding", "execId": "f-1", "orderLinkId": ""}
    second = {**fresh(EXECUTION), "execId": "e-2", "execTime": str(T0 + 5)}
    rows = [fresh(EXECUTION), funding, second]
    stub = StubHttp(get_executions=lambda **kw: envelope({"list": rows, "nextPageCursor": ""}))
    adapter = rest(stub)
    fills, cursor = adapter.fills_since(0)
    assert [f.exec_id for f in fills] == ["e-1", "e-2"]
    assert cursor == T0 + 5
    again, cursor2 = adapter.fills_since(cursor)
    assert again == []
    assert cursor2 == cursor
    assert stub.calls[1][1]["startTime"] == T0 + 5


def test_skew_is_the_round_trip_midpoint_minus_server_time() -> None:
    clock = iter([T0 + 100, T0 + 300])
    server = {"timeSecond": str(T0 // 1000), "timeNano": str((T0 + 50) * 1_000_000)}
    stub = StubHttp(get_server_time=envelope(server))
    assert rest(stub, now_ms=lambda: next(clock)).measure_skew_ms() == 150


# -- secrets ---------------------------------------------------------------------------


@pytest.mark.failclosed
def test_the_secret_never_shows_in_repr_results_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    adapter = BybitRest(settings("http://127.0.0.1:1"))  # real pybit client, nothing listens
    result = adapter.submit(market())
    assert result.status is OrderStatus.UNKNOWN
    with pytest.raises(ExchangeError) as raised:
        adapter.positions()
    seen = " ".join([repr(adapter), str(adapter), repr(result), str(raised.value), caplog.text])
    assert API_SECRET not in seen
    assert API_KEY not in seen


def test_fills_since_an_old_cursor_is_read_in_seven_day_slices_up_to_now() -> None:
    week = 7 * 24 * 3600 * 1000
    late = {**fresh(EXECUTION), "execId": "e-late", "execTime": str(T0 + 16 * 24 * 3600 * 1000)}
    asked: list[dict[str, object]] = []

    def executions(**kw: object) -> object:
        asked.append(kw)
        start = int(str(kw["startTime"]))
        end = int(str(kw.get("endTime", start + week)))
        rows = [r for r in (late,) if start <= int(str(r["execTime"])) <= end]
        return envelope({"list": rows, "nextPageCursor": ""})

    adapter = rest(StubHttp(get_executions=executions), now_ms=lambda: T0 + 17 * 24 * 3600 * 1000)
    fills, cursor = adapter.fills_since(T0)
    # one query from T0 alone would cover only T0..T0+7d and never see the fill on day 16
    assert [f.exec_id for f in fills] == ["e-late"]
    assert cursor == T0 + 16 * 24 * 3600 * 1000
    assert [(w["startTime"], w.get("endTime")) for w in asked] == [
        (T0, T0 + week - 1),
        (T0 + week, T0 + 2 * week - 1),
        (T0 + 2 * week, None),
    ]


# -- an ambiguous create is "never placed" only after recv_window ---------------------


def _in_flight_adapter(
    pages: list[list[dict[str, Any]]], now: list[int], slept: list[float]
) -> tuple[BybitRest, StubHttp]:
    """An adapter whose create dies without an answer and whose lookups answer ``pages``."""
    answers = iter(pages)

    def open_orders(**kw: object) -> object:
        return envelope({"list": next(answers), "nextPageCursor": ""})

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += int(seconds * 1000)

    stub = StubHttp(
        place_order=requests.exceptions.ConnectionError("reset"), get_open_orders=open_orders
    )
    limiter = RateLimiter(clock=lambda: 0.0, sleep=lambda s: None, max_wait_s=1e9)
    adapter = BybitRest(settings(), http=stub, limiter=limiter, now_ms=lambda: now[0], sleep=sleep)
    return adapter, stub


@pytest.mark.failclosed
def test_a_create_in_flight_is_looked_up_again_after_recv_window() -> None:
    now: list[int] = [T0]
    slept: list[float] = []
    adapter, _ = _in_flight_adapter([[], [fresh(ORDER)]], now, slept)
    assert adapter.submit(market()).status is OrderStatus.UNKNOWN
    now[0] += 300  # the executor looks it up 0.3 s later: the venue may still place it
    found = adapter.lookup("bot-1")
    assert found is not None
    assert found.order_link_id == "bot-1"
    assert slept == [(5000 + 2000 - 300) / 1000]  # recv_window + margin after signing


@pytest.mark.failclosed
def test_a_create_in_flight_not_found_after_recv_window_was_never_placed() -> None:
    now: list[int] = [T0]
    slept: list[float] = []
    adapter, stub = _in_flight_adapter([[], []], now, slept)
    adapter.submit(market())
    assert adapter.lookup("bot-1") is None
    assert len(slept) == 1
    assert [name for name, _ in stub.calls].count("get_open_orders") == 2


def test_a_lookup_of_an_order_that_was_answered_does_not_wait() -> None:
    now: list[int] = [T0]
    slept: list[float] = []
    adapter, stub = _in_flight_adapter([[]], now, slept)
    assert adapter.lookup("bot-9") is None
    assert slept == []
    assert [name for name, _ in stub.calls] == ["get_open_orders"]
