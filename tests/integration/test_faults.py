"""Scripted HTTP faults, each once, seen through the real pybit client."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
import requests
from pybit.exceptions import FailedRequestError, InvalidRequestError

from tests.fakes import DROP, FakeBybit, Fault, When
from tests.fakes.clients import LoopbackHTTP, LoopbackWebSocket

pytestmark = [pytest.mark.integration, pytest.mark.timeout(20)]
LINEAR = {"category": "linear"}
CREATE = "/v5/order/create"


def _buy(link: str, qty: str = "0.01") -> dict[str, object]:
    return {
        **LINEAR,
        "symbol": "BTCUSDT",
        "side": "Buy",
        "orderType": "Market",
        "qty": qty,
        "orderLinkId": link,
    }


def _found(http: LoopbackHTTP, link: str) -> list[dict[str, object]]:
    answer = http.get_open_orders(**LINEAR, symbol="BTCUSDT", orderLinkId=link)
    found: list[dict[str, object]] = answer["result"]["list"]
    return found


def test_5xx_before_placing_leaves_no_order(fake: FakeBybit, http: LoopbackHTTP) -> None:
    fake.inject(CREATE, Fault.http_status(502, when=When.BEFORE))
    with pytest.raises(FailedRequestError) as failed:
        http.place_order(**_buy("b5-1"))
    assert failed.value.status_code == 502
    assert _found(http, "b5-1") == []


def test_next_two_creates_5xx_after_placing_are_ambiguous(
    fake: FakeBybit, http: LoopbackHTTP
) -> None:
    fake.inject(CREATE, Fault.http_status(503, when=When.AFTER), times=2)
    for link in ("a5-1", "a5-2"):
        with pytest.raises(FailedRequestError):
            http.place_order(**_buy(link))
        [order] = _found(http, link)
        assert order["orderStatus"] == "Filled"
    assert http.place_order(**_buy("a5-3"))["retCode"] == 0
    assert fake.faults.pending() == 0


def test_a_stall_past_the_client_timeout_after_placing(fake: FakeBybit, http: LoopbackHTTP) -> None:
    fake.inject(CREATE, Fault.stall(3.0))
    with pytest.raises(requests.exceptions.ReadTimeout):
        http.place_order(**_buy("st-1"))
    [order] = _found(http, "st-1")
    assert order["orderStatus"] == "Filled"


def test_a_non_json_200_is_a_decode_failure(fake: FakeBybit, http: LoopbackHTTP) -> None:
    fake.inject("/v5/market/tickers", Fault.non_json())
    with pytest.raises(FailedRequestError) as failed:
        http.get_tickers(**LINEAR, symbol="BTCUSDT")
    assert failed.value.status_code == 409


@pytest.mark.parametrize("status", [403, 429])
def test_403_and_429_are_http_failures(fake: FakeBybit, http: LoopbackHTTP, status: int) -> None:
    fake.inject("*", Fault.http_status(status))
    with pytest.raises(FailedRequestError) as failed:
        http.get_server_time()
    assert failed.value.status_code == status


def test_a_dropped_connection_raises_a_connection_error(
    fake: FakeBybit, http: LoopbackHTTP
) -> None:
    fake.inject(CREATE, Fault.drop_connection(when=When.AFTER))
    with pytest.raises(requests.exceptions.ConnectionError):
        http.place_order(**_buy("dr-1"))
    assert len(_found(http, "dr-1")) == 1


def test_retcode_10016_is_a_server_error(fake: FakeBybit, http: LoopbackHTTP) -> None:
    fake.inject(CREATE, Fault.ret_code(10016, "Server error"))
    with pytest.raises(InvalidRequestError) as failed:
        http.place_order(**_buy("se-1"))
    assert failed.value.status_code == 10016


def test_10006_carries_a_future_reset_and_pybit_retries_after_it(
    fake: FakeBybit, clients: Callable[..., LoopbackHTTP]
) -> None:
    fake.inject("/v5/position/list", Fault.rate_limited(reset_in_ms=300))
    client = clients()  # pybit's default retry codes: 10006 sleeps until the reset
    answer = client.get_positions(**LINEAR, symbol="BTCUSDT")
    assert answer["retCode"] == 0
    assert len(fake.requests("/v5/position/list")) == 2


def test_10006_without_retry_shows_the_reset_header(fake: FakeBybit, http: LoopbackHTTP) -> None:
    fake.inject("/v5/position/list", Fault.rate_limited(reset_in_ms=500))
    with pytest.raises(InvalidRequestError) as limited:
        http.get_positions(**LINEAR, symbol="BTCUSDT")
    assert limited.value.status_code == 10006
    headers = limited.value.resp_headers
    assert headers is not None
    assert int(headers["X-Bapi-Limit-Reset-Timestamp"]) > fake.now_ms()


@pytest.mark.parametrize("bad", ["", "NaN", DROP])
def test_a_malformed_ticker_field_reaches_the_client(
    fake: FakeBybit, http: LoopbackHTTP, bad: object
) -> None:
    fake.inject("/v5/market/tickers", Fault.edit({"result.list.*.lastPrice": bad}))
    [item] = http.get_tickers(**LINEAR, symbol="BTCUSDT")["result"]["list"]
    if bad is DROP:
        assert "lastPrice" not in item
    else:
        assert item["lastPrice"] == bad
    assert item["markPrice"] == "65000"


def test_a_partial_fill_then_the_remainder(fake: FakeBybit, http: LoopbackHTTP) -> None:
    fake.inject(CREATE, Fault.partial_fill(Decimal("0.004")))
    http.place_order(**_buy("pf-1", qty="0.01"))
    [order] = _found(http, "pf-1")
    assert (order["orderStatus"], order["cumExecQty"], order["leavesQty"]) == (
        "PartiallyFilled",
        "0.004",
        "0.006",
    )
    fake.fill_remainder("pf-1")
    [order] = _found(http, "pf-1")
    assert (order["orderStatus"], order["cumExecQty"]) == ("Filled", "0.01")
    fills = http.get_executions(**LINEAR, orderLinkId="pf-1")["result"]["list"]
    assert sorted(f["execQty"] for f in fills) == ["0.004", "0.006"]


def test_fills_arrive_on_the_stream_before_the_rest_ack(
    fake: FakeBybit, http: LoopbackHTTP, streams: Callable[..., LoopbackWebSocket]
) -> None:
    seen: list[str] = []
    private = streams("private")
    private.execution_stream(lambda message: seen.append(f"ws:{message['data'][0]['execQty']}"))
    assert fake.wait_subscribed("execution")
    fake.inject(CREATE, Fault.fills_before_ack(delay_s=0.3))
    http.place_order(**_buy("fa-1"))
    seen.append("rest")
    assert seen == ["ws:0.01", "rest"]
