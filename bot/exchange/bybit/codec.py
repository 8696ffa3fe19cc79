"""The one place where Bybit V5 wire JSON becomes domain values, and back.

Every reader takes the decoded JSON (``dict``/``list``/``str`` as pybit hands it over)
and the endpoint it came from. Anything that is not exactly what the documentation
promises (a missing field, ``None``, ``""``, ``"NaN"``, ``"0"`` where a positive number
is needed, ``"1e400"``, a number where a string belongs) raises
:class:`~bot.errors.MalformedResponse` naming the endpoint, the field and the value.
A ``retCode`` other than 0 raises :class:`~bot.errors.VenueRejected`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.domain import (
    Amount,
    Bar,
    Fill,
    Instrument,
    Money,
    Order,
    OrderStatus,
    OrderType,
    Position,
    Price,
    Qty,
    Ticker,
)
from bot.errors import InvalidValue
from bot.exchange.bybit.wire import (
    MIN_TS_MS,
    Json,
    amount,
    boolean,
    field,
    integer,
    item_object,
    list_field,
    malformed,
    number,
    obj_field,
    optional_price,
    optional_text,
    positive,
    price,
    qty,
    result,
    side,
    symbol,
    text,
    timestamp,
    wire_decimal,
)
from bot.exchange.protocol import Balance, OrderRequest

#: Bybit ``orderStatus`` -> domain status. ``Triggered`` is the instant a conditional
#: order becomes active; ``Deactivated`` is a conditional order cancelled before it fired.
ORDER_STATUS: Final[dict[str, OrderStatus]] = {
    "New": OrderStatus.NEW,
    "PartiallyFilled": OrderStatus.PARTIALLY_FILLED,
    "Untriggered": OrderStatus.UNTRIGGERED,
    "Triggered": OrderStatus.NEW,
    "Filled": OrderStatus.FILLED,
    "Cancelled": OrderStatus.CANCELLED,
    "PartiallyFilledCanceled": OrderStatus.CANCELLED,
    "Deactivated": OrderStatus.CANCELLED,
    "Rejected": OrderStatus.REJECTED,
}

#: Execution types that move a position; funding and settlement are not fills.
TRADE_EXEC_TYPES: Final = frozenset({"Trade", "AdlTrade", "BustTrade"})
#: Link id given to a liquidation fill (same convention as the simulated venue).
LIQUIDATION_PREFIX: Final = "liquidation-"

_ORDER_TYPES: Final = {"Market": OrderType.MARKET, "Limit": OrderType.LIMIT}


# -- market ---------------------------------------------------------------------------


def server_time_ms(answer: object, endpoint: str = "GET /v5/market/time") -> int:
    """Server time in ms from ``timeNano`` (falls back to ``timeSecond``)."""
    body = result(answer, endpoint)
    if "timeNano" in body:
        nanos = integer(body, "timeNano", endpoint)
        millis = nanos // 1_000_000
    else:
        millis = integer(body, "timeSecond", endpoint) * 1000
    if millis < MIN_TS_MS:
        raise malformed(endpoint, "timeNano", body.get("timeNano"), "a time after 2015")
    return millis


def ticker(item: Json, ts_ms: int, endpoint: str) -> Ticker:
    """A tickers list item (REST) or merged snapshot (stream) -> :class:`Ticker`."""
    mark = price(item, "markPrice", endpoint)
    if isinstance(ts_ms, bool) or ts_ms < MIN_TS_MS:
        raise malformed(endpoint, "ts", ts_ms, "epoch milliseconds after 2015")
    return Ticker(symbol(item, "symbol", endpoint), price(item, "lastPrice", endpoint), mark, ts_ms)


def instrument(item: Json, endpoint: str) -> Instrument:
    """An instruments-info list item -> :class:`Instrument`."""
    prices = obj_field(item, "priceFilter", endpoint)
    lots = obj_field(item, "lotSizeFilter", endpoint)
    try:
        return Instrument(
            symbol=symbol(item, "symbol", endpoint),
            tick_size=price(prices, "tickSize", endpoint),
            qty_step=qty(lots, "qtyStep", endpoint),
            min_order_qty=qty(lots, "minOrderQty", endpoint),
            max_order_qty=qty(lots, "maxOrderQty", endpoint),
            max_mkt_order_qty=qty(lots, "maxMktOrderQty", endpoint),
            min_notional=Money(positive(lots, "minNotionalValue", endpoint)),
        )
    except InvalidValue as error:
        raise malformed(endpoint, error.field, error.value, error.allowed) from None


def klines(answer: object, endpoint: str = "GET /v5/market/kline") -> list[Bar]:
    """Kline rows (newest first on the wire) -> bars in time order, strictly increasing."""
    body = result(answer, endpoint)
    rows = list_field(body, "list", endpoint)
    bars: list[Bar] = []
    for index, row in enumerate(reversed(rows)):
        name = f"list[{len(rows) - 1 - index}]"
        if not isinstance(row, list) or len(row) < 6:
            raise malformed(endpoint, name, row, "[startTime, open, high, low, close, volume, ...]")
        cells = dict(zip(("start", "open", "high", "low", "close", "volume"), row, strict=False))
        bar = _bar(cells, endpoint, f"{name}.")
        if bars and bar.ts_ms <= bars[-1].ts_ms:
            raise malformed(endpoint, f"{name}.start", row[0], "rows sorted newest first")
        bars.append(bar)
    return bars


def stream_kline(item: Json, endpoint: str) -> tuple[Bar, bool]:
    """One ``kline.*`` stream item -> (bar, confirmed); confirmed means the candle closed."""
    return _bar(item, endpoint, ""), boolean(item, "confirm", endpoint)


def _bar(cells: Json, endpoint: str, where: str) -> Bar:
    """A candle from its wire cells (start, open, high, low, close, volume).

    ``where`` prefixes the field in errors (e.g. ``list[3].``) so the row is named.
    """
    volume = number(cells, "volume", endpoint)
    if volume < 0:
        raise malformed(endpoint, f"{where}volume", cells["volume"], "a volume >= 0")
    try:
        return Bar(
            timestamp(cells, "start", endpoint),
            price(cells, "open", endpoint),
            price(cells, "high", endpoint),
            price(cells, "low", endpoint),
            price(cells, "close", endpoint),
            volume,
        )
    except InvalidValue as error:
        raise malformed(endpoint, f"{where}{error.field}", error.value, error.allowed) from None


# -- account --------------------------------------------------------------------------


def position(item: Json, endpoint: str, entry_field: str = "avgPrice") -> Position | None:
    """A position list item -> :class:`Position`, or None when flat (size ``"0"``).

    REST names the entry price ``avgPrice``; the private stream names it ``entryPrice``.
    A non-flat position outside one-way mode (``positionIdx`` not 0) is refused.
    """
    name = symbol(item, "symbol", endpoint)
    size = number(item, "size", endpoint)
    if size < 0:
        raise malformed(endpoint, "size", item["size"], "a size >= 0 (the side gives direction)")
    if size == 0:
        return None
    if integer(item, "positionIdx", endpoint) != 0:
        raise malformed(endpoint, "positionIdx", item["positionIdx"], "0 (one-way mode)")
    return Position(
        name, side(item, "side", endpoint), Qty(size), price(item, entry_field, endpoint)
    )


@dataclass(frozen=True, slots=True)
class PositionDetail:
    """A position with the venue's figures an operator reads (``task=status``).

    ``mark_price``, ``liq_price`` and ``leverage`` are None when the venue leaves them
    empty (``liqPrice`` is ``""`` when there is no liquidation price);
    ``unrealised_pnl`` is None when ``unrealisedPnl`` is empty.
    """

    position: Position
    mark_price: Price | None
    unrealised_pnl: Amount | None
    liq_price: Price | None
    leverage: Decimal | None


def position_detail(item: Json, endpoint: str) -> PositionDetail | None:
    """A position list item -> :class:`PositionDetail`, or None when flat.

    The position itself is read as strictly as :func:`position`; the extra figures may
    be empty, but a value that is present must be a valid number.
    """
    held = position(item, endpoint)
    if held is None:
        return None
    pnl = None if item.get("unrealisedPnl", "") == "" else amount(item, "unrealisedPnl", endpoint)
    lev = None if item.get("leverage", "") == "" else positive(item, "leverage", endpoint)
    return PositionDetail(
        position=held,
        mark_price=_optional(item, "markPrice", endpoint),
        unrealised_pnl=pnl,
        liq_price=_optional(item, "liqPrice", endpoint),
        leverage=lev,
    )


def _optional(item: Json, name: str, endpoint: str) -> Price | None:
    """A price that may be absent, ``""`` or ``"0"`` (none)."""
    return optional_price(item, name, endpoint) if name in item else None


def order_status(item: Json, endpoint: str) -> OrderStatus:
    """``orderStatus`` through :data:`ORDER_STATUS`."""
    value = field(item, "orderStatus", endpoint)
    if not isinstance(value, str) or value not in ORDER_STATUS:
        raise malformed(endpoint, "orderStatus", value, f"one of {', '.join(ORDER_STATUS)}")
    return ORDER_STATUS[value]


def link_id(item: Json, endpoint: str) -> str:
    """``orderLinkId``, or the ``orderId`` for an order placed without one (by hand)."""
    value = optional_text(item, "orderLinkId", endpoint)
    return value or text(item, "orderId", endpoint)


def order(item: Json, endpoint: str) -> Order:
    """An order realtime item (REST) or ``order`` stream item -> :class:`Order`."""
    kind = field(item, "orderType", endpoint)
    if not isinstance(kind, str) or kind not in _ORDER_TYPES:
        raise malformed(endpoint, "orderType", kind, "Market or Limit")
    order_type = _ORDER_TYPES[kind]
    filled = number(item, "cumExecQty", endpoint)
    if filled < 0:
        raise malformed(endpoint, "cumExecQty", item["cumExecQty"], "a quantity >= 0")
    reject = item.get("rejectReason", "")
    reason = reject if isinstance(reject, str) and reject not in ("", "EC_NoError") else ""
    try:
        built = Order(
            order_link_id=link_id(item, endpoint),
            symbol=symbol(item, "symbol", endpoint),
            side=side(item, "side", endpoint),
            qty=qty(item, "qty", endpoint),
            order_type=order_type,
            reduce_only=boolean(item, "reduceOnly", endpoint),
            price=price(item, "price", endpoint) if order_type is OrderType.LIMIT else None,
            trigger_price=optional_price(item, "triggerPrice", endpoint),
            status=order_status(item, endpoint),
            order_id=text(item, "orderId", endpoint),
            filled_qty=filled,
            reason=reason,
        )
    except InvalidValue as error:
        raise malformed(endpoint, error.field, error.value, error.allowed) from None
    if built.filled_qty > built.qty:
        raise malformed(endpoint, "cumExecQty", item["cumExecQty"], f"at most qty {built.qty}")
    return built


def exec_type(item: Json, endpoint: str) -> str:
    """``execType`` (Trade, Funding, AdlTrade, BustTrade, ...)."""
    return text(item, "execType", endpoint)


def fill(item: Json, endpoint: str) -> Fill:
    """An execution item (REST list or ``execution`` stream) of a trade -> :class:`Fill`.

    A liquidation (``BustTrade``) gets the link id ``liquidation-<orderId>``; an order
    placed without a link id is named by its ``orderId``. Check :func:`exec_type` against
    :data:`TRADE_EXEC_TYPES` first: funding is not a fill.
    """
    kind = exec_type(item, endpoint)
    if kind not in TRADE_EXEC_TYPES:
        raise malformed(endpoint, "execType", kind, f"one of {sorted(TRADE_EXEC_TYPES)}")
    if kind == "BustTrade":
        link = LIQUIDATION_PREFIX + text(item, "orderId", endpoint)
    else:
        link = link_id(item, endpoint)
    maker = boolean(item, "isMaker", endpoint) if "isMaker" in item else False
    try:
        return Fill(
            exec_id=text(item, "execId", endpoint),
            order_link_id=link,
            symbol=symbol(item, "symbol", endpoint),
            side=side(item, "side", endpoint),
            qty=qty(item, "execQty", endpoint),
            price=price(item, "execPrice", endpoint),
            fee=amount(item, "execFee", endpoint),
            ts_ms=timestamp(item, "execTime", endpoint),
            is_maker=maker,
        )
    except InvalidValue as error:
        raise malformed(endpoint, error.field, error.value, error.allowed) from None


def balance(account: Json, endpoint: str, coin: str = "USDT") -> Balance:
    """A wallet-balance ``list[]`` item -> :class:`Balance` in ``coin``.

    Wallet and equity come from the coin's row. Available is the account's
    ``totalAvailableBalance``; Bybit leaves it ``""`` in isolated-margin mode, and then
    it is the coin's wallet minus its position and order margin.
    """
    coins = list_field(account, "coin", endpoint)
    rows = [item_object(row, f"coin[{i}]", endpoint) for i, row in enumerate(coins)]
    matching = [row for row in rows if row.get("coin") == coin]
    if len(matching) != 1:
        raise malformed(endpoint, "coin", [row.get("coin") for row in rows], f"one {coin} row")
    row = matching[0]
    wallet = amount(row, "walletBalance", endpoint)
    equity = amount(row, "equity", endpoint)
    if account.get("totalAvailableBalance", "") != "":
        available = amount(account, "totalAvailableBalance", endpoint)
    else:
        margin = number(row, "totalPositionIM", endpoint) + number(row, "totalOrderIM", endpoint)
        available = Amount(wallet - margin)
    return Balance(wallet=wallet, equity=equity, available=available)


# -- requests -------------------------------------------------------------------------


def create_params(request: OrderRequest) -> dict[str, str | int | bool]:
    """``/v5/order/create`` parameters of one request: every decimal as a plain string.

    One-way mode (``positionIdx`` 0); ``reduceOnly`` always present as a bool so a close
    is never sent without it. Without ``category`` it is also one batch item.
    """
    params: dict[str, str | int | bool] = {
        "category": "linear",
        "symbol": str(request.symbol),
        "side": request.side.value,
        "orderType": request.order_type.value,
        "qty": wire_decimal(request.qty),
        "timeInForce": request.time_in_force.value,
        "reduceOnly": request.reduce_only,
        "positionIdx": 0,
        "orderLinkId": request.order_link_id,
    }
    if request.order_type is OrderType.MARKET:
        params["timeInForce"] = "IOC"
    if request.price is not None:
        params["price"] = wire_decimal(request.price)
    if request.trigger_price is not None:
        params["triggerPrice"] = wire_decimal(request.trigger_price)
        if request.trigger_direction is None:
            raise InvalidValue(
                "trigger_direction", None, "a trigger price needs a trigger direction"
            )
        params["triggerDirection"] = request.trigger_direction.value
    return params


def batch_item(request: OrderRequest) -> dict[str, str | int | bool]:
    """One ``request[]`` element of ``/v5/order/create-batch`` (no ``category``)."""
    params = create_params(request)
    del params["category"]
    return params
