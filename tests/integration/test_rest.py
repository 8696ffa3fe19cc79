"""The real pybit HTTP client against the fake: market data, orders, account, auth errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import cast
from unittest import mock

import pytest
import requests
from pybit.exceptions import InvalidRequestError

from bot.domain import Bar, Price
from tests.fakes import FakeBybit
from tests.fakes.clients import LoopbackHTTP

pytestmark = [pytest.mark.integration, pytest.mark.timeout(20)]
LINEAR = {"category": "linear"}
Clients = Callable[..., LoopbackHTTP]


def _limit(
    link: str, price: str = "60000", side: str = "Buy", qty: str = "0.01"
) -> dict[str, object]:
    return {
        **LINEAR,
        "symbol": "BTCUSDT",
        "side": side,
        "orderType": "Limit",
        "qty": qty,
        "price": price,
        "timeInForce": "GTC",
        "orderLinkId": link,
    }


def _market(link: str, side: str = "Buy", qty: str = "0.01", **extra: object) -> dict[str, object]:
    return {
        **LINEAR,
        "symbol": "BTCUSDT",
        "side": side,
        "orderType": "Market",
        "qty": qty,
        "orderLinkId": link,
        **extra,
    }


def test_server_time_follows_the_fake_clock(fake: FakeBybit, http: LoopbackHTTP) -> None:
    fake.freeze_clock(1_700_000_000_123)
    result = http.get_server_time()["result"]
    assert result == {"timeSecond": "1700000000", "timeNano": "1700000000123000000"}


def test_tickers_are_strings_with_the_last_and_mark_price(
    fake: FakeBybit, http: LoopbackHTTP
) -> None:
    fake.set_price("BTCUSDT", "65100.5", mark="65090")
    [item] = http.get_tickers(**LINEAR, symbol="BTCUSDT")["result"]["list"]
    assert (item["lastPrice"], item["markPrice"]) == ("65100.5", "65090")
    assert all(isinstance(v, str) for v in item.values())
    both = http.get_tickers(**LINEAR)["result"]["list"]
    assert {i["symbol"] for i in both} == {"BTCUSDT", "ETHUSDT"}


def test_instruments_info_carries_the_lot_and_price_filters(http: LoopbackHTTP) -> None:
    result = http.get_instruments_info(**LINEAR, symbol="BTCUSDT")["result"]
    [item] = result["list"]
    assert item["priceFilter"]["tickSize"] == "0.1"
    assert item["lotSizeFilter"]["qtyStep"] == "0.001"
    assert item["lotSizeFilter"]["minNotionalValue"] == "5"
    assert result["nextPageCursor"] == ""


def test_kline_lists_candles_newest_first(fake: FakeBybit, http: LoopbackHTTP) -> None:
    start = 1_900_000_000_000 // 60_000 * 60_000
    for n in range(3):
        price = Price(65000 + n)
        fake.push_bar("BTCUSDT", Bar(start + n * 60_000, price, price, price, price, Decimal(1)))
    rows = http.get_kline(**LINEAR, symbol="BTCUSDT", interval="1", start=start)["result"]["list"]
    assert [r[0] for r in rows] == [str(start + n * 60_000) for n in (2, 1, 0)]
    assert rows[0][4] == "65002"
    assert all(len(r) == 7 and all(isinstance(x, str) for x in r) for r in rows)


def test_place_then_cancel_a_resting_limit_order(http: LoopbackHTTP) -> None:
    placed = http.place_order(**_limit("rest-1"))["result"]
    [open_order] = http.get_open_orders(**LINEAR, symbol="BTCUSDT")["result"]["list"]
    assert open_order["orderId"] == placed["orderId"]
    assert (open_order["orderStatus"], open_order["leavesQty"]) == ("New", "0.01")
    http.cancel_order(**LINEAR, symbol="BTCUSDT", orderLinkId="rest-1")
    [closed] = http.get_open_orders(**LINEAR, symbol="BTCUSDT", orderLinkId="rest-1")["result"][
        "list"
    ]
    assert (closed["orderStatus"], closed["cancelType"]) == ("Cancelled", "CancelByUser")
    assert http.get_open_orders(**LINEAR, symbol="BTCUSDT")["result"]["list"] == []
    with pytest.raises(InvalidRequestError) as again:
        http.cancel_order(**LINEAR, symbol="BTCUSDT", orderLinkId="rest-1")
    assert again.value.status_code == 110001


def test_cancel_all_cancels_every_open_order_of_the_symbol(http: LoopbackHTTP) -> None:
    http.place_order(**_limit("all-1"))
    http.place_order(**_limit("all-2", price="59000"))
    result = http.cancel_all_orders(**LINEAR, symbol="BTCUSDT")["result"]
    assert sorted(i["orderLinkId"] for i in result["list"]) == ["all-1", "all-2"]
    assert result["success"] == "1"
    assert http.get_open_orders(**LINEAR, symbol="BTCUSDT")["result"]["list"] == []


def test_a_market_order_fills_and_shows_in_position_executions_and_wallet(
    http: LoopbackHTTP,
) -> None:
    http.place_order(**_market("mkt-1", qty="0.1"))
    [position] = http.get_positions(**LINEAR, symbol="BTCUSDT")["result"]["list"]
    assert (position["side"], position["size"], position["avgPrice"]) == ("Buy", "0.1", "65000")
    [fill] = http.get_executions(**LINEAR, symbol="BTCUSDT")["result"]["list"]
    assert (fill["orderLinkId"], fill["execQty"], fill["execType"]) == ("mkt-1", "0.1", "Trade")
    wallet = http.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
    assert Decimal(wallet["totalWalletBalance"]) == Decimal("10000") - Decimal("3.575")
    flat = http.get_positions(**LINEAR, symbol="ETHUSDT")["result"]["list"][0]
    assert (flat["side"], flat["size"]) == ("", "0")


def test_a_duplicate_order_link_id_is_refused_with_110072(http: LoopbackHTTP) -> None:
    http.place_order(**_limit("dup-1"))
    with pytest.raises(InvalidRequestError) as refused:
        http.place_order(**_limit("dup-1"))
    assert refused.value.status_code == 110072
    assert len(http.get_open_orders(**LINEAR, symbol="BTCUSDT")["result"]["list"]) == 1


def test_reduce_only_without_a_position_is_refused_with_110017(http: LoopbackHTTP) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        http.place_order(**_market("ro-1", side="Sell", reduceOnly=True))
    assert refused.value.status_code == 110017
    assert "current position is zero" in refused.value.message


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"qty": "1"}, 110007),  # 65k notional at leverage 1 against 10k USDT
        ({"qty": "0.0015"}, 10001),  # off the qty step
        ({"qty": "0.0001"}, 10001),  # off the step and below the minimum
        ({"orderType": "Limit", "price": "60000.05", "timeInForce": "GTC"}, 10001),  # tick
        ({"orderType": "Limit", "price": "100", "qty": "0.001"}, 110094),  # 0.1 USDT notional
        ({"symbol": "DOGEUSDT"}, 10001),
    ],
)
def test_venue_rules_refuse_with_bybit_codes(
    http: LoopbackHTTP, fields: dict[str, object], code: int
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        http.place_order(**{**_market("rule-1"), **fields})
    assert refused.value.status_code == code


def test_a_batch_answers_retcode_0_with_per_item_errors(http: LoopbackHTTP) -> None:
    good = {k: v for k, v in _limit("b-1").items() if k != "category"}
    bad = {**good, "orderLinkId": "b-2", "price": "60000.05"}
    answer = http.place_batch_order(**LINEAR, request=[good, bad])
    assert answer["retCode"] == 0
    ids = [i["orderId"] for i in answer["result"]["list"]]
    assert ids[0] != ""
    assert ids[1] == ""
    assert [e["code"] for e in answer["retExtInfo"]["list"]] == [0, 10001]


def test_a_batch_item_with_a_json_number_is_refused_by_design(http: LoopbackHTTP) -> None:
    item = {k: v for k, v in _limit("num-1").items() if k != "category"}
    answer = http.place_batch_order(**LINEAR, request=[{**item, "qty": 0.01}])
    [error] = answer["retExtInfo"]["list"]
    assert error["code"] == 10001
    assert "must be a string" in error["msg"]


def test_a_batch_over_ten_orders_is_refused_with_10001(http: LoopbackHTTP) -> None:
    item = {k: v for k, v in _limit("x").items() if k != "category"}
    items = [{**item, "orderLinkId": f"big-{n}"} for n in range(11)]
    with pytest.raises(InvalidRequestError) as refused:
        http.place_batch_order(**LINEAR, request=items)
    assert refused.value.status_code == 10001


def test_an_unknown_api_key_is_refused_with_10003(clients: Clients) -> None:
    client = clients(api_key="nope", api_secret="x")
    with pytest.raises(InvalidRequestError) as refused:
        client.get_positions(**LINEAR, symbol="BTCUSDT")
    assert (refused.value.status_code, refused.value.message) == (10003, "API key is invalid.")


def test_a_wrong_secret_is_refused_with_10004_and_the_origin_string(clients: Clients) -> None:
    client = clients(api_secret="wrong")
    with pytest.raises(InvalidRequestError) as refused:
        client.get_positions(**LINEAR, symbol="BTCUSDT")
    assert refused.value.status_code == 10004
    assert refused.value.message.startswith("Error sign, please check your signature")
    assert "category=linear&symbol=BTCUSDT]" in refused.value.message


def test_a_skewed_client_clock_is_refused_with_10002(fake: FakeBybit, http: LoopbackHTTP) -> None:
    skewed = fake.now_ms() - 60_000
    with (
        mock.patch("pybit._helpers.generate_timestamp", return_value=skewed),
        pytest.raises(InvalidRequestError) as refused,
    ):
        http.get_wallet_balance(accountType="UNIFIED")
    assert refused.value.status_code == 10002
    assert "recv_window[5000]" in refused.value.message


def test_missing_auth_headers_get_http_401(fake: FakeBybit) -> None:
    with requests.Session() as session:
        answer = session.get(
            f"{fake.rest_url}/v5/position/list?category=linear&symbol=BTCUSDT", timeout=2
        )
    assert answer.status_code == 401


def test_leverage_set_twice_is_110043(http: LoopbackHTTP) -> None:
    http.set_leverage(**LINEAR, symbol="BTCUSDT", buyLeverage="5", sellLeverage="5")
    with pytest.raises(InvalidRequestError) as refused:
        http.set_leverage(**LINEAR, symbol="BTCUSDT", buyLeverage="5", sellLeverage="5")
    assert refused.value.status_code == 110043
    [position] = http.get_positions(**LINEAR, symbol="BTCUSDT")["result"]["list"]
    assert position["leverage"] == "5"


def test_trading_stop_closes_the_position_at_the_take_profit(
    fake: FakeBybit, http: LoopbackHTTP
) -> None:
    http.place_order(**_market("tp-1", qty="0.01"))
    stop = {**LINEAR, "symbol": "BTCUSDT", "tpslMode": "Full", "positionIdx": 0}
    http.set_trading_stop(**stop, takeProfit="66000")
    with pytest.raises(InvalidRequestError) as unchanged:
        http.set_trading_stop(**stop, takeProfit="66000")
    assert unchanged.value.status_code == 34040
    fake.set_price("BTCUSDT", "66000")
    [position] = http.get_positions(**LINEAR, symbol="BTCUSDT")["result"]["list"]
    assert position["size"] == "0"
    closing = http.get_open_orders(**LINEAR, symbol="BTCUSDT", openOnly=1)["result"]["list"][0]
    assert (closing["stopOrderType"], closing["reduceOnly"]) == ("TakeProfit", True)


def test_private_answers_carry_the_rate_limit_headers(fake: FakeBybit, clients: Clients) -> None:
    client = clients(return_response_headers=True)
    # return_response_headers turns the answer into (json, elapsed, headers)
    answer = cast(
        tuple[object, object, Mapping[str, str]], client.get_positions(**LINEAR, symbol="BTCUSDT")
    )
    headers = answer[2]
    assert headers["X-Bapi-Limit"] == "50"
    assert headers["X-Bapi-Limit-Status"] == "49"
    assert int(headers["X-Bapi-Limit-Reset-Timestamp"]) > fake.now_ms() - 1000
