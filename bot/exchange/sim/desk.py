"""The order desk: takes requests, rests orders, fills them and books every fill.

Not thread-safe by itself: :class:`~bot.exchange.sim.venue.SimExchange` holds one lock
around every call. Work per market update is proportional to the orders resting on
that symbol and its position; nothing here scans past orders or fills.
"""

from __future__ import annotations

from decimal import Decimal

from bot.domain import (
    Amount,
    Fill,
    Instrument,
    Order,
    OrderStatus,
    Price,
    Qty,
    Symbol,
    Ticker,
    TimeInForce,
)
from bot.domain.hotpath import hot_path
from bot.exchange.protocol import OrderRequest, SubmitResult, pending_order
from bot.exchange.sim import matching, rules
from bot.exchange.sim.fees import fee_for, money, taker_price
from bot.exchange.sim.ledger import Ledger
from bot.exchange.sim.records import LIQUIDATION_PREFIX, AcceptedOrder, Liquidation, VenueClock
from bot.exchange.sim.rules import Refusal
from bot.exchange.sim.settings import SimSettings


def _refused(request: OrderRequest, refusal: Refusal, order_id: str = "") -> SubmitResult:
    return SubmitResult(
        request.order_link_id,
        OrderStatus.REJECTED,
        order_id=order_id,
        code=refusal.code,
        message=refusal.message,
    )


class OrderDesk:
    """Orders, fills and the account of the simulated venue."""

    def __init__(
        self, instruments: dict[Symbol, Instrument], settings: SimSettings, clock: VenueClock
    ) -> None:
        self.instruments = instruments
        self.settings = settings
        self.clock = clock
        self.ledger = Ledger(Decimal(settings.initial_balance))
        self.tickers: dict[Symbol, Ticker] = {}
        self.leverage: dict[Symbol, int] = dict.fromkeys(instruments, settings.leverage)
        self.resting: dict[Symbol, dict[str, matching.RestingOrder]] = {s: {} for s in instruments}
        self.open_by_link: dict[str, matching.RestingOrder] = {}
        self.closed: dict[str, Order] = {}
        self.fills: list[Fill] = []
        # The accepted log as three parallel lists: appending keeps no record object alive
        # per order (one survivor fewer for the collector on the order path).
        self.accepted_ts: list[int] = []
        self.accepted_requests: list[OrderRequest] = []
        self.accepted_results: list[SubmitResult] = []
        self.liquidations: list[Liquidation] = []
        self._order_seq = 0
        self._exec_seq = 0
        # the taker price and fee of the request being placed, worked out once per submit
        self._quote: tuple[OrderRequest, Price, Price, Decimal] | None = None

    def accepted_log(self) -> list[AcceptedOrder]:
        """Every request the venue accepted, in venue order, numbered from 1."""
        return [
            AcceptedOrder(seq, ts_ms, request, result)
            for seq, (ts_ms, request, result) in enumerate(
                zip(self.accepted_ts, self.accepted_requests, self.accepted_results, strict=True),
                start=1,
            )
        ]

    # -- requests -----------------------------------------------------------------

    @hot_path  # called only by SimExchange.submit, which checked the request
    def submit(self, request: OrderRequest) -> SubmitResult:
        """Validate, then place ``request``; a refusal is a REJECTED result."""
        refusal = self._validate(request)
        if refusal is not None:
            return _refused(request, refusal)
        self._order_seq += 1
        order = pending_order(request, f"sim-{self._order_seq}")
        result = self._place(request, order)
        self._quote = None
        if result.status is not OrderStatus.REJECTED:
            self.accepted_ts.append(self.clock.now_ms())
            self.accepted_requests.append(request)
            self.accepted_results.append(result)
        return result

    @hot_path
    def _validate(self, request: OrderRequest) -> Refusal | None:
        instrument = self.instruments.get(request.symbol)
        if instrument is None:
            return Refusal(rules.PARAM_ERROR, f"params error: symbol invalid: {request.symbol}")
        link = request.order_link_id
        if link in self.open_by_link or link in self.closed:
            return Refusal(rules.DUPLICATE_LINK_ID, f"OrderLinkedID is duplicate: {link}")
        ticker = self.tickers.get(request.symbol)
        if ticker is None:
            return Refusal(
                rules.PARAM_ERROR, f"params error: no market price for {request.symbol} yet"
            )
        last = ticker.last_price
        refusal = rules.check_request_shape(request, last) or rules.check_instrument_rules(
            request, instrument, last
        )
        if refusal is not None:
            return refusal
        if request.reduce_only:
            return self._check_reduce_only(request)
        return self._check_balance(request, self._entry_cost(request, last))

    @hot_path
    def _check_reduce_only(self, request: OrderRequest) -> Refusal | None:
        book = self.ledger.books.get(request.symbol)
        if book is None:
            return Refusal(
                rules.REDUCE_ONLY, "current position is zero, cannot fix reduce-only order qty"
            )
        if book.side is request.side:
            return Refusal(
                rules.REDUCE_ONLY,
                f"reduce-only order has same side with current position: "
                f"{request.side.value} {request.qty} would increase a {book.side.value} "
                f"position of {book.size}",
            )
        return None

    @hot_path
    def _entry_cost(self, request: OrderRequest, last: Price) -> Decimal:
        """Initial margin of the opening part plus the taker fee on the whole order."""
        symbol = request.symbol
        price = request.price if request.price is not None else request.trigger_price
        if price is None:
            price, fee = self._taker_quote(request, last, self.instruments[symbol])
        else:
            fee = fee_for(request.qty * price, self.settings.taker_fee_bps)
        opening = self.ledger.opening_qty(symbol, request.side, request.qty)
        return money(opening * price / self.leverage[symbol]) + fee

    @hot_path
    def _taker_quote(
        self, request: OrderRequest, last: Price, instrument: Instrument
    ) -> tuple[Price, Decimal]:
        """Where a market ``request`` fills at ``last``, and the taker fee on its whole qty
        there; the same request at the same last price (validation, then placing, within
        one submit) is priced once."""
        quote = self._quote
        if quote is not None and quote[0] is request and quote[1] is last:
            return quote[2], quote[3]
        price = taker_price(last, request.side, self.settings.slippage_bps, instrument)
        fee = fee_for(request.qty * price, self.settings.taker_fee_bps)
        self._quote = (request, last, price, fee)
        return price, fee

    @hot_path
    def _check_balance(self, request: OrderRequest, cost: Decimal) -> Refusal | None:
        available = self.ledger.available
        if cost <= available:
            return None
        return Refusal(
            rules.INSUFFICIENT_BALANCE,
            f"ab not enough for new order: order cost {cost} (margin at leverage "
            f"{self.leverage[request.symbol]} plus fee) > available balance {available}",
        )

    @hot_path
    def _place(self, request: OrderRequest, order: Order) -> SubmitResult:
        last = self.tickers[request.symbol].last_price
        if request.trigger_price is not None:
            order.transition(OrderStatus.UNTRIGGERED)
            self._rest(request, order, Decimal(0))
        elif request.price is None:
            price, fee = self._taker_quote(request, last, self.instruments[request.symbol])
            self._fill(order, price, maker=False, whole_fee=fee)
        else:
            return self._place_limit(request, order, request.price, last)
        return self._result(order)

    @hot_path
    def _place_limit(
        self, request: OrderRequest, order: Order, limit: Price, last: Price
    ) -> SubmitResult:
        tif = request.time_in_force
        if matching.crosses(request.side, limit, last):
            if tif is TimeInForce.POST_ONLY:
                order.transition(OrderStatus.REJECTED, "EC_PostOnlyWillTakeLiquidity")
                self.closed[order.order_link_id] = order
                refusal = Refusal(
                    rules.POST_ONLY_WOULD_TAKE,
                    f"EC_PostOnlyWillTakeLiquidity: post-only {request.side.value} at {limit} "
                    f"would take liquidity at last price {last}",
                )
                return _refused(request, refusal, order.order_id)
            instrument = self.instruments[request.symbol]
            slipped = taker_price(last, request.side, self.settings.slippage_bps, instrument)
            self._fill(order, matching.taker_limit_cap(request.side, slipped, limit), maker=False)
        elif tif in (TimeInForce.IOC, TimeInForce.FOK):
            order.transition(
                OrderStatus.CANCELLED, f"{tif.value} limit {limit} did not cross last {last}"
            )
        else:
            reserved = Decimal(0) if request.reduce_only else self._entry_cost(request, last)
            order.transition(OrderStatus.NEW)
            self._rest(request, order, reserved)
        if not order.status.is_open:
            self.closed[order.order_link_id] = order
        return self._result(order)

    @hot_path
    def _result(self, order: Order) -> SubmitResult:
        if not order.status.is_open and order.order_link_id not in self.closed:
            self.closed[order.order_link_id] = order
        return SubmitResult(
            order.order_link_id, order.status, order.order_id, 0, order.reason, order.qty
        )

    @hot_path
    def _rest(self, request: OrderRequest, order: Order, reserved: Decimal) -> None:
        resting = matching.RestingOrder(request, order, reserved)
        self.resting[request.symbol][order.order_link_id] = resting
        self.open_by_link[order.order_link_id] = resting
        self.ledger.order_margin += reserved

    @hot_path
    def _unrest(self, resting: matching.RestingOrder) -> None:
        order = resting.order
        del self.resting[order.symbol][order.order_link_id]
        del self.open_by_link[order.order_link_id]
        self.ledger.order_margin -= resting.reserved
        self.closed[order.order_link_id] = order

    def cancel(self, symbol: Symbol, order_link_id: str, reason: str) -> SubmitResult:
        """Cancel one open order, or answer 110001 when there is none."""
        resting = self.open_by_link.get(order_link_id)
        if resting is None or resting.order.symbol != symbol:
            return SubmitResult(
                order_link_id,
                OrderStatus.REJECTED,
                code=rules.ORDER_NOT_FOUND,
                message=f"order not exists or too late to cancel: {order_link_id} on {symbol}",
            )
        resting.order.transition(OrderStatus.CANCELLED, reason)
        self._unrest(resting)
        return self._result(resting.order)

    def cancel_all(self, symbol: Symbol | None, reason: str) -> list[str]:
        """Cancel every open order (of ``symbol``); the cancelled link ids in order."""
        symbols = list(self.resting) if symbol is None else [symbol]
        cancelled: list[str] = []
        for each in symbols:
            for link in list(self.resting.get(each, {})):
                self.cancel(each, link, reason)
                cancelled.append(link)
        return cancelled

    # -- market -------------------------------------------------------------------

    @hot_path
    def match(self, symbol: Symbol, open_: Price, high: Price, low: Price) -> None:
        """Fill or trigger every resting order of ``symbol`` that the range reaches."""
        book = self.resting[symbol]
        if not book:
            return
        instrument = self.instruments[symbol]
        for resting in list(book.values()):
            order = resting.order
            if not order.status.is_open:
                continue
            request = resting.request
            if request.trigger_price is not None and request.trigger_direction is not None:
                trigger, direction = request.trigger_price, request.trigger_direction
                if matching.stop_fires(direction, trigger, low, high):
                    self._unrest(resting)
                    reference = matching.stop_reference(direction, trigger, open_)
                    price = taker_price(
                        reference, order.side, self.settings.slippage_bps, instrument
                    )
                    self._fill_triggered(request, order, price)
            elif request.price is not None and matching.limit_touched(
                order.side, request.price, low, high
            ):
                self._unrest(resting)
                self._fill(order, request.price, maker=True)

    @hot_path
    def _fill_triggered(self, request: OrderRequest, order: Order, price: Price) -> None:
        if not request.reduce_only:
            refusal = self._check_balance(request, self._entry_cost(request, price))
            if refusal is not None:
                order.transition(OrderStatus.CANCELLED, f"triggered but {refusal.message}")
                return
        self._fill(order, price, maker=False)

    @hot_path
    def _fill(
        self, order: Order, price: Price, *, maker: bool, whole_fee: Decimal | None = None
    ) -> None:
        """Execute the rest of ``order`` at ``price``; reduce-only is cut, never flipped.

        ``whole_fee`` is the fee on the whole order qty at ``price`` when already known.
        """
        symbol = order.symbol
        ledger = self.ledger
        book = ledger.books.get(symbol)
        if book is not None and book.side is not order.side and book.is_bankrupt_at(price):
            self.liquidate(symbol)
            book = None
        if order.filled_qty:
            qty = order.qty - order.filled_qty
            whole_fee = None
        else:
            qty = order.qty
        if order.reduce_only:
            if book is None or book.side is order.side:
                order.transition(
                    OrderStatus.CANCELLED, "reduce-only order cancelled: no position to reduce"
                )
                return
            if qty > book.size:
                order.reason = f"reduce-only qty {order.qty} cut to position size {book.size}"
                order.qty = Qty(order.filled_qty + book.size)
                qty = book.size
                whole_fee = None
        if whole_fee is None or maker:
            bps = self.settings.maker_fee_bps if maker else self.settings.taker_fee_bps
            fee = fee_for(qty * price, bps)
        else:
            fee = whole_fee
        ledger.charge_fee(fee)
        ledger.apply_fill(symbol, order.side, qty, price, self.leverage[symbol])
        self._exec_seq += 1
        fill = Fill(
            f"sim-exec-{self._exec_seq}",
            order.order_link_id,
            symbol,
            order.side,
            qty if type(qty) is Qty else Qty(qty),
            price,
            Amount(fee),
            self.clock.now_ms(),
            maker,
        )
        self.fills.append(fill)
        order.apply_fill(fill)
        if symbol not in ledger.books and self.resting[symbol]:
            self.cancel_reduce_only(symbol)  # only resting orders can be reduce-only ones

    def cancel_reduce_only(self, symbol: Symbol) -> None:
        """A flat symbol keeps no reduce-only orders: Bybit cancels them."""
        for resting in list(self.resting[symbol].values()):
            if resting.order.reduce_only:
                resting.order.transition(
                    OrderStatus.CANCELLED, "reduce-only order cancelled: position closed"
                )
                self._unrest(resting)

    def liquidate(self, symbol: Symbol) -> None:
        """Close the position of ``symbol`` at its bankruptcy price and record it."""
        book = self.ledger.books[symbol]
        instrument = self.instruments[symbol]
        bankruptcy = instrument.round_price(max(book.bankruptcy_price, instrument.tick_size))
        self.ledger.liquidate(symbol)
        count = len(self.liquidations) + 1
        exec_id = f"sim-liq-{count}"
        ts_ms = self.clock.now_ms()
        side = book.side.opposite
        self.fills.append(
            Fill(
                exec_id,
                f"{LIQUIDATION_PREFIX}{count}",
                symbol,
                side,
                Qty(book.size),
                bankruptcy,
                Amount(0),
                ts_ms,
            )
        )
        self.liquidations.append(
            Liquidation(
                symbol, book.side, Qty(book.size), bankruptcy, Amount(book.margin), ts_ms, exec_id
            )
        )
        self.cancel_reduce_only(symbol)
