"""The codec on documented payloads and on every kind of malformed value."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.domain import (
    OrderStatus,
    OrderType,
    Price,
    Qty,
    Side,
    Symbol,
    TimeInForce,
    TriggerDirection,
)
from bot.errors import MalformedResponse, VenueRejected
from bot.exchange.bybit import codec, wire
from bot.exchange.protocol import OrderRequest
from tests.unit.exchange.bybit.payloads import (
    EXECUTION,
    FLAT_POSITION,
    INSTRUMENT,
    KLINES,
    ORDER,
    POSITION,
    T0,
    TICKER,
    WALLET,
    envelope,
    fresh,
)

EP = "GET /test"
BAD_NUMBERS = [None, "", "NaN", "1e400", "abc", 65000, 1.5, True, "Infinity"]


def test_ticker_from_documented_item() -> None:
    ticker = codec.ticker(fresh(TICKER), T0, EP)
    assert ticker.symbol == "BTCUSDT"
    assert ticker.last_price == Price("65000.10")
    assert ticker.mark_price == Price("65000.50")
    assert ticker.ts_ms == T0


def test_instrument_from_documented_item() -> None:
    found = codec.instrument(fresh(INSTRUMENT), EP)
    assert (found.tick_size, found.qty_step) == (Price("0.10"), Qty("0.001"))
    assert (found.min_order_qty, found.max_order_qty) == (Qty("0.001"), Qty("1190"))
    assert found.max_mkt_order_qty == Qty("500")
    assert found.min_notional == Decimal(5)


def test_position_long_and_flat() -> None:
    held = codec.position(fresh(POSITION), EP)
    assert held is not None
    assert (held.side, held.size, held.entry_price) == (Side.BUY, Qty("0.01"), Price("64000.5"))
    assert codec.position(fresh(FLAT_POSITION), EP) is None


def test_stream_position_reads_entry_price() -> None:
    item = fresh(POSITION)
    item["entryPrice"] = item.pop("avgPrice")
    held = codec.position(item, "stream position", "entryPrice")
    assert held is not None
    assert held.entry_price == Price("64000.5")


def test_hedge_mode_position_is_refused() -> None:
    item = fresh(POSITION)
    item["positionIdx"] = 1
    with pytest.raises(MalformedResponse, match="positionIdx"):
        codec.position(item, EP)


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        ("New", OrderStatus.NEW),
        ("PartiallyFilled", OrderStatus.PARTIALLY_FILLED),
        ("Untriggered", OrderStatus.UNTRIGGERED),
        ("Triggered", OrderStatus.NEW),
        ("Deactivated", OrderStatus.CANCELLED),
        ("Filled", OrderStatus.FILLED),
        ("Cancelled", OrderStatus.CANCELLED),
        ("PartiallyFilledCanceled", OrderStatus.CANCELLED),
        ("Rejected", OrderStatus.REJECTED),
    ],
)
def test_order_status_mapping(wire: str, status: OrderStatus) -> None:
    item = fresh(ORDER)
    item["orderStatus"] = wire
    assert codec.order(item, EP).status is status


def test_order_from_documented_item() -> None:
    built = codec.order(fresh(ORDER), EP)
    assert built.order_link_id == "bot-1"
    assert built.order_id == "1321003749386327552"
    assert built.order_type is OrderType.LIMIT
    assert built.price == Price("60000")
    assert built.filled_qty == Decimal("0.004")
    assert built.trigger_price is None
    assert built.reason == ""


def test_order_without_link_id_is_named_by_order_id() -> None:
    item = fresh(ORDER)
    item["orderLinkId"] = ""
    assert codec.order(item, EP).order_link_id == "1321003749386327552"


def test_unknown_order_status_is_malformed() -> None:
    item = fresh(ORDER)
    item["orderStatus"] = "Exploded"
    with pytest.raises(MalformedResponse, match="orderStatus='Exploded'"):
        codec.order(item, EP)


def test_fill_from_documented_item_keeps_rebate_sign() -> None:
    found = codec.fill(fresh(EXECUTION), EP)
    assert (found.exec_id, found.order_link_id, found.side) == ("e-1", "bot-1", Side.BUY)
    assert (found.qty, found.price, found.fee) == (Qty("0.004"), Price("60000"), Decimal("-0.006"))
    assert found.ts_ms == T0
    assert found.is_maker is True


def test_liquidation_fill_gets_the_liquidation_link_id() -> None:
    item = fresh(EXECUTION)
    item["execType"], item["orderLinkId"] = "BustTrade", ""
    assert codec.fill(item, EP).order_link_id == "liquidation-1321003749386327552"


def test_funding_is_not_a_fill() -> None:
    item = fresh(EXECUTION)
    item["execType"] = "Funding"
    with pytest.raises(MalformedResponse, match="execType"):
        codec.fill(item, EP)


def test_balance_prefers_account_available_and_falls_back_in_isolated_mode() -> None:
    found = codec.balance(fresh(WALLET), EP)
    assert (found.wallet, found.equity, found.available) == (
        Decimal("10000"),
        Decimal("10050.5"),
        Decimal("9000.25"),
    )
    isolated = fresh(WALLET)
    isolated["totalAvailableBalance"] = ""
    assert codec.balance(isolated, EP).available == Decimal("9000")


def test_klines_come_back_in_time_order() -> None:
    bars = codec.klines(envelope({"symbol": "BTCUSDT", "category": "linear", "list": KLINES}))
    assert [b.ts_ms for b in bars] == [T0, T0 + 60_000, T0 + 120_000]
    assert bars[0].close == Price("101")


def test_klines_out_of_order_are_malformed() -> None:
    rows = list(reversed(KLINES))
    with pytest.raises(MalformedResponse, match="sorted newest first"):
        codec.klines(envelope({"list": rows}))


def test_server_time_from_nanos() -> None:
    answer = envelope({"timeSecond": "1688639403", "timeNano": "1688639403423213947"})
    assert codec.server_time_ms(answer) == 1688639403423


def test_non_zero_ret_code_is_venue_rejected() -> None:
    with pytest.raises(VenueRejected) as raised:
        wire.result({"retCode": 10001, "retMsg": "params error", "result": {}}, EP)
    assert (raised.value.code, raised.value.message) == (10001, "params error")


@pytest.mark.parametrize("answer", [None, [], "oops", {"retMsg": "OK"}, {"retCode": 0}])
def test_broken_envelope_is_malformed(answer: object) -> None:
    with pytest.raises(MalformedResponse):
        wire.result(answer, EP)


# -- malformed fields, parametrised -----------------------------------------------------

CASES: list[tuple[str, dict[str, Any], list[str], str]] = [
    ("ticker", TICKER, ["lastPrice"], "price"),
    ("ticker", TICKER, ["markPrice"], "price"),
    ("instrument", INSTRUMENT, ["priceFilter", "tickSize"], "price"),
    ("instrument", INSTRUMENT, ["lotSizeFilter", "qtyStep"], "price"),
    ("instrument", INSTRUMENT, ["lotSizeFilter", "minOrderQty"], "price"),
    ("instrument", INSTRUMENT, ["lotSizeFilter", "minNotionalValue"], "price"),
    ("position", POSITION, ["avgPrice"], "price"),
    ("position", POSITION, ["size"], "number"),
    ("order", ORDER, ["qty"], "price"),
    ("order", ORDER, ["price"], "price"),
    ("order", ORDER, ["cumExecQty"], "number"),
    ("fill", EXECUTION, ["execQty"], "price"),
    ("fill", EXECUTION, ["execPrice"], "price"),
    ("fill", EXECUTION, ["execFee"], "number"),
    ("balance", WALLET, ["coin", "0", "walletBalance"], "number"),
]


def _decode(kind: str, item: dict[str, Any]) -> object:
    if kind == "ticker":
        return codec.ticker(item, T0, EP)
    if kind == "instrument":
        return codec.instrument(item, EP)
    if kind == "position":
        return codec.position(item, EP)
    if kind == "order":
        return codec.order(item, EP)
    if kind == "fill":
        return codec.fill(item, EP)
    return codec.balance(item, EP)


def _set(item: dict[str, Any], path: list[str], value: object) -> None:
    target: Any = item
    for key in path[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is _MISSING:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_MISSING = object()


def _valid_anyway(path: list[str], rule: str, bad: object) -> bool:
    """Values that are not malformed for this field: left out of the refusal matrix."""
    signed = rule == "number" and bad in ("0", "-1") and path[-1] in ("execFee", "walletBalance")
    return signed or (bad == "0" and path[-1] in ("size", "cumExecQty"))


MALFORMED = [
    pytest.param(kind, payload, path, rule, bad)
    for (kind, payload, path, rule) in CASES
    for bad in [*BAD_NUMBERS, _MISSING, "0", "-1"]
    if not _valid_anyway(path, rule, bad)
]


@pytest.mark.parametrize(("kind", "payload", "path", "rule", "bad"), MALFORMED)
def test_malformed_field_names_endpoint_field_and_value(
    kind: str, payload: dict[str, Any], path: list[str], rule: str, bad: object
) -> None:
    item = fresh(payload)
    _set(item, path, bad)
    with pytest.raises(MalformedResponse) as raised:
        _decode(kind, item)
    text = str(raised.value)
    assert EP in text
    assert path[-1] in text


@pytest.mark.parametrize("field", ["symbol", "side", "orderId", "reduceOnly", "orderType"])
@pytest.mark.parametrize("bad", [None, "", 7, _MISSING])
def test_malformed_order_identity_fields(field: str, bad: object) -> None:
    item = fresh(ORDER)
    _set(item, [field], bad)
    with pytest.raises(MalformedResponse, match=field):
        codec.order(item, EP)


def test_create_params_send_every_decimal_as_a_plain_string() -> None:
    request = OrderRequest(
        order_link_id="bot-7",
        symbol=Symbol("BTCUSDT"),
        side=Side.SELL,
        qty=Qty(Decimal("1E+1")),
        order_type=OrderType.LIMIT,
        reduce_only=True,
        price=Price(Decimal("6.5E+4")),
        time_in_force=TimeInForce.POST_ONLY,
        trigger_price=Price("64000.5"),
        trigger_direction=TriggerDirection.FALL,
    )
    assert codec.create_params(request) == {
        "category": "linear",
        "symbol": "BTCUSDT",
        "side": "Sell",
        "orderType": "Limit",
        "qty": "10",
        "price": "65000",
        "timeInForce": "PostOnly",
        "reduceOnly": True,
        "positionIdx": 0,
        "orderLinkId": "bot-7",
        "triggerPrice": "64000.5",
        "triggerDirection": 2,
    }


def test_market_create_params_are_ioc_without_price_and_batch_item_has_no_category() -> None:
    request = OrderRequest(
        "bot-8", Symbol("BTCUSDT"), Side.BUY, Qty("0.001"), OrderType.MARKET, False
    )
    params = codec.batch_item(request)
    assert "category" not in params
    assert "price" not in params
    assert params["timeInForce"] == "IOC"
    assert params["reduceOnly"] is False
    assert params["qty"] == "0.001"
