"""The V5 trading facade over the sim venue: requests in, V5 JSON and stream events out.

V5 create parameters become an :class:`~bot.exchange.protocol.OrderRequest` for
:class:`~bot.exchange.sim.SimExchange`, which matches, fills and keeps the account.
The venue's answers and fills come back as V5 order, execution, position and wallet
items; each change is also queued as a private-stream event (``take_events``).
Not thread-safe by itself: the fake holds one lock around every call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Final

from bot.domain import OrderStatus, OrderType, Price, Qty, Side, Symbol, TimeInForce
from bot.domain import TriggerDirection as Direction
from bot.errors import BotError, VenueRejected
from bot.exchange.protocol import OrderRequest
from bot.exchange.sim import POST_ONLY_WOULD_TAKE, SimExchange
from tests.fakes.views import (
    OrderRecord,
    PositionFacts,
    execution_item,
    position_item,
    wallet_item,
)
from tests.fakes.wire import (
    DUPLICATE_LINK_ID,
    ORDER_NOT_FOUND,
    PARAM_ERROR,
    JsonDict,
    V5Error,
    bool_param,
    decimal_param,
    int_param,
    text_param,
)

LINK_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
Event = tuple[str, list[JsonDict]]


def _choice(params: Mapping[str, object], name: str, allowed: Iterable[str], default: str) -> str:
    value = text_param(params, name, required=not default) or default
    if value not in allowed:
        raise V5Error(PARAM_ERROR, f"params error: {name} {value!r} invalid")
    return value


class TradingDesk:
    """Orders, executions and stream events of the fake, backed by ``venue``."""

    def __init__(self, venue: SimExchange, clock: Callable[[], int]) -> None:
        self.venue = venue
        self._now = clock
        self.records: list[OrderRecord] = []
        self.by_id: dict[str, OrderRecord] = {}
        self._by_link: dict[str, OrderRecord] = {}
        self._leg_owner: dict[str, OrderRecord] = {}
        self._open: dict[str, OrderRecord] = {}
        self.executions: list[JsonDict] = []
        self._cursor = 0
        self._serial = 0
        self._seq = 0
        self._events: list[Event] = []
        self.tpsl: dict[Symbol, tuple[str, str]] = {}

    # -- helpers --------------------------------------------------------------------

    def now_ms(self) -> int:
        """The fake's wall clock in epoch ms (what ``/v5/market/time`` answers)."""
        return self._now()

    def _next(self) -> int:
        self._serial += 1
        return self._serial

    def symbol(self, params: Mapping[str, object]) -> Symbol:
        """The ``symbol`` parameter, which must be listed (else 10001)."""
        raw = text_param(params, "symbol")
        try:
            symbol = Symbol(raw)
            self.venue.instrument(symbol)
        except (BotError, ValueError):
            raise V5Error(PARAM_ERROR, f"params error: symbol invalid: {raw}") from None
        return symbol

    def record(self, params: Mapping[str, object]) -> OrderRecord | None:
        """The order named by ``orderId`` or ``orderLinkId`` (10001 if neither is given)."""
        order_id = text_param(params, "orderId", required=False)
        link = text_param(params, "orderLinkId", required=False)
        if not order_id and not link:
            raise V5Error(PARAM_ERROR, "params error: orderId or orderLinkId is required")
        return self.by_id.get(order_id) if order_id else self._by_link.get(link)

    def mark(self, symbol: Symbol) -> Decimal:
        """The mark price of ``symbol`` (the last price when no mark was set); 0 if none."""
        ticker = self.venue.ticker(symbol)
        if ticker is None:
            return Decimal(0)
        return ticker.mark_price if ticker.mark_price is not None else ticker.last_price

    # -- orders ---------------------------------------------------------------------

    def _request(self, params: Mapping[str, object]) -> tuple[OrderRequest, str, str]:
        symbol = self.symbol(params)
        side = Side(_choice(params, "side", ("Buy", "Sell"), ""))
        kind = OrderType(_choice(params, "orderType", ("Market", "Limit"), ""))
        qty = decimal_param(params, "qty", required=True)
        price = decimal_param(params, "price") if kind is OrderType.LIMIT else None
        if kind is OrderType.LIMIT and price is None:
            raise V5Error(PARAM_ERROR, "params error: price is required for a Limit order")
        tif = (
            "IOC"
            if kind is OrderType.MARKET
            else _choice(params, "timeInForce", ("GTC", "IOC", "FOK", "PostOnly"), "GTC")
        )
        trigger = decimal_param(params, "triggerPrice")
        direction = int_param(params, "triggerDirection", 0) if trigger is not None else 0
        if trigger is not None and direction not in (1, 2):
            raise V5Error(PARAM_ERROR, "params error: triggerDirection must be 1 or 2")
        if int_param(params, "positionIdx", 0) != 0:
            raise V5Error(PARAM_ERROR, "position idx not match position mode")
        for name in ("takeProfit", "stopLoss"):
            if params.get(name) not in (None, "", "0"):
                raise V5Error(PARAM_ERROR, f"params error: {name} on create is not modelled")
        reduce_only = bool_param(params, "reduceOnly") or bool_param(params, "closeOnTrigger")
        link = text_param(params, "orderLinkId", required=False)
        if link and not LINK_ID.match(link):
            raise V5Error(PARAM_ERROR, f"params error: orderLinkId {link!r} invalid")
        if link in self._by_link:
            raise V5Error(DUPLICATE_LINK_ID, "OrderLinkedID is duplicate")
        if qty is None:  # decimal_param(required=True) never returns None
            raise V5Error(PARAM_ERROR, "params error: qty is required")
        try:
            request = OrderRequest(
                order_link_id=link or f"auto-{self._next()}",
                symbol=symbol,
                side=side,
                qty=Qty(qty),
                order_type=kind,
                reduce_only=reduce_only,
                price=None if price is None else Price(price),
                time_in_force=TimeInForce(tif),
                trigger_price=None if trigger is None else Price(trigger),
                trigger_direction=Direction(direction) if direction else None,
            )
        except BotError as error:
            raise V5Error(PARAM_ERROR, f"params error: {error}") from None
        return request, tif, link

    def create(self, params: Mapping[str, object], partial: Decimal | None = None) -> JsonDict:
        """Place one order; returns ``{orderId, orderLinkId}`` or raises :class:`V5Error`.

        ``partial``: execute only this much now (a partial-fill fault); the rest is held
        until :meth:`fill_remainder` or a cancel.
        """
        request, tif, link = self._request(params)
        placed, held = request, Decimal(0)
        if partial is not None:
            if not 0 < partial < request.qty:
                raise ValueError(f"partial fill {partial} must be inside (0, {request.qty})")
            placed, held = replace(request, qty=Qty(partial)), request.qty - partial
        result = self.venue.submit(placed)
        if result.status is OrderStatus.REJECTED and result.code != POST_ONLY_WOULD_TAKE:
            raise V5Error(result.code, result.message)
        record = self._remember(request, tif, link, held, result.code)
        return {"orderId": record.order_id, "orderLinkId": record.order_link_id}

    def _remember(
        self, request: OrderRequest, tif: str, link: str, held: Decimal, code: int
    ) -> OrderRecord:
        now = self._now()
        direction = request.trigger_direction
        record = OrderRecord(
            order_id=f"{self._next():08d}-fake-4000-8000-{now:012d}"[:36],
            order_link_id=link,
            symbol=request.symbol,
            side=request.side,
            order_type=request.order_type.value,
            qty=Decimal(request.qty),
            price=request.price,
            trigger_price=request.trigger_price,
            trigger_direction=direction.value if direction is not None else 0,
            time_in_force=tif,
            reduce_only=request.reduce_only,
            created_ms=now,
            legs=[request.order_link_id],
            stop_order_type="Stop" if request.trigger_price is not None else "UNKNOWN",
            held=held,
        )
        if code == POST_ONLY_WOULD_TAKE:
            record.reject_reason = "EC_PostOnlyWillTakeLiquidity"
        self._register(record)
        self.sync([record])
        self._position_event(request.symbol)
        return record

    def _register(self, record: OrderRecord) -> None:
        self.records.append(record)
        self.by_id[record.order_id] = record
        if record.order_link_id:
            self._by_link[record.order_link_id] = record
        for leg in record.legs:
            self._leg_owner[leg] = record
        self._open[record.order_id] = record

    def fill_remainder(self, order_link_id: str) -> None:
        """Execute what a partial-fill fault held back, as a market order now."""
        record = self._by_link.get(order_link_id)
        if record is None or record.held <= 0:
            raise ValueError(f"order {order_link_id!r} has no held remainder")
        leg = f"fake-rest-{self._next()}"
        request = OrderRequest(
            leg, record.symbol, record.side, Qty(record.held), OrderType.MARKET, record.reduce_only
        )
        record.legs.append(leg)
        self._leg_owner[leg] = record
        record.held = Decimal(0)
        result = self.venue.submit(request)
        if result.status is OrderStatus.REJECTED:
            record.cancelled = True
            record.reject_reason = f"EC_{result.code}"
        self.sync([record])
        self._position_event(record.symbol)

    def trigger_tpsl(self, symbol: Symbol) -> None:
        """Close the position with a reduce-only market order when its TP or SL is reached."""
        levels = self.tpsl.get(symbol)
        position = self.venue.positions().get(symbol)
        ticker = self.venue.ticker(symbol)
        if levels is None or position is None or ticker is None:
            return
        last, sign = ticker.last_price, position.side.sign
        take_profit, stop_loss = (Decimal(x) if x not in ("", "0") else None for x in levels)
        kind = ""
        if take_profit is not None and sign * (last - take_profit) >= 0:
            kind = "TakeProfit"
        elif stop_loss is not None and sign * (last - stop_loss) <= 0:
            kind = "StopLoss"
        if not kind:
            return
        del self.tpsl[symbol]
        leg = f"fake-tpsl-{self._next()}"
        request = OrderRequest(
            leg, symbol, position.side.opposite, position.size, OrderType.MARKET, True
        )
        result = self.venue.submit(request)
        if result.status is not OrderStatus.REJECTED:
            record = self._remember(request, "IOC", "", Decimal(0), 0)
            record.stop_order_type = kind

    def cancel(self, params: Mapping[str, object]) -> JsonDict:
        """Cancel one open order; 110001 when it is unknown or no longer open."""
        symbol = self.symbol(params)
        record = self.record(params)
        if record is None or record.symbol != symbol or not record.is_open:
            raise V5Error(ORDER_NOT_FOUND, "order not exists or too late to cancel")
        self._cancel(record)
        self.sync([record])
        self._position_event(symbol)
        return {"orderId": record.order_id, "orderLinkId": record.order_link_id}

    def _cancel(self, record: OrderRecord) -> None:
        for leg in record.legs:
            order = self.venue.lookup(leg)
            if order is not None and order.status.is_open:
                self.venue.cancel(record.symbol, leg)
        record.held = Decimal(0)
        record.cancelled = True
        record.cancel_type = "CancelByUser"

    def cancel_all(self, params: Mapping[str, object]) -> JsonDict:
        """Cancel every open order of ``symbol`` (or of the settle/base coin)."""
        symbol: Symbol | None = None
        if params.get("symbol"):
            symbol = self.symbol(params)
        elif not params.get("settleCoin") and not params.get("baseCoin"):
            raise V5Error(PARAM_ERROR, "params error: symbol, baseCoin or settleCoin is required")
        chosen = [r for r in self._open.values() if symbol is None or r.symbol == symbol]
        for record in chosen:
            self._cancel(record)
        self.sync(chosen)
        for each in {r.symbol for r in chosen}:
            self._position_event(each)
        items = [{"orderId": r.order_id, "orderLinkId": r.order_link_id} for r in chosen]
        return {"list": items, "success": "1"}

    # -- keeping up with the venue ----------------------------------------------------

    def sync(self, touched: Iterable[OrderRecord] = ()) -> None:
        """Read new venue fills, refresh order statuses, queue the stream events."""
        fills, self._cursor = self.venue.fills_since(self._cursor)
        changed = {r.order_id: r for r in touched}
        executions: list[JsonDict] = []
        for fill in fills:
            record = self._leg_owner.get(fill.order_link_id)
            if record is not None:
                record.cum_qty += fill.qty
                record.cum_value += fill.qty * fill.price
                record.cum_fee += fill.fee
                record.fills.append(fill.exec_id)
                changed[record.order_id] = record
            self._seq += 1
            bust = record is None
            item = execution_item(fill, record, self._seq, self.mark(fill.symbol), bust=bust)
            self.executions.append(item)
            executions.append(item)
        for record in [*self._open.values(), *changed.values()]:
            before = record.status
            self._refresh(record)
            if record.status != before:
                changed[record.order_id] = record
        if changed:
            self._events.append(("order", [r.item() for r in changed.values()]))
        if executions:
            self._events.append(("execution", executions))
            for symbol in {Symbol(str(e["symbol"])) for e in executions}:
                self._position_event(symbol)
                if symbol not in self.venue.positions():
                    self.tpsl.pop(symbol, None)
            self._events.append(("wallet", [self.wallet_item()]))

    def _refresh(self, record: OrderRecord) -> None:
        legs = [self.venue.lookup(leg) for leg in record.legs]
        status = "Cancelled"
        if not record.cancelled:
            open_leg = next((o for o in legs if o is not None and o.status.is_open), None)
            if open_leg is not None and open_leg.status is OrderStatus.UNTRIGGERED:
                status = "Untriggered"
            elif open_leg is not None or record.held > 0:
                status = "PartiallyFilled" if record.cum_qty > 0 else "New"
            elif all(o is not None and o.status is OrderStatus.FILLED for o in legs):
                status = "Filled"
        if status != record.status:
            record.status = status
            record.updated_ms = self._now()
        if not record.is_open:
            self._open.pop(record.order_id, None)

    def take_events(self) -> list[Event]:
        """The private-stream events queued since the last call, oldest first."""
        events, self._events = self._events, []
        return events

    # -- positions and money --------------------------------------------------------

    def position_facts(self, symbol: Symbol) -> PositionFacts:
        """Everything :func:`position_item` needs for ``symbol``."""
        take_profit, stop_loss = self.tpsl.get(symbol, ("", ""))
        self._seq += 1
        return PositionFacts(
            symbol=symbol,
            position=self.venue.positions().get(symbol),
            leverage=self.venue.leverage(symbol),
            mark=self.mark(symbol),
            tick=self.venue.instrument(symbol).tick_size,
            take_profit=take_profit,
            stop_loss=stop_loss,
            realised=Decimal(self.venue.totals().realised_pnl),
            now_ms=self._now(),
            seq=self._seq,
        )

    def _position_event(self, symbol: Symbol) -> None:
        self._events.append(("position", [position_item(self.position_facts(symbol), stream=True)]))

    def wallet_item(self) -> JsonDict:
        """The account's wallet item (REST ``list[0]`` and the ``wallet`` topic)."""
        return wallet_item(self.venue.balance(), self.venue.totals())

    def set_leverage(self, symbol: Symbol, leverage: int) -> None:
        """Set the venue's leverage; 10001 outside 1..100."""
        try:
            self.venue.set_leverage(symbol, leverage)
        except VenueRejected as error:
            raise V5Error(error.code, error.message) from None
        self._position_event(symbol)
