"""The order desk: takes requests, rests orders, fills them and books every fill.

Not thread-safe by itself: :class:`~bot.exchange.sim.venue.SimExchange` holds one lock
around every call. Work per market update is proportional to the orders resting on
that symbol and its position; nothing here scans past orders or fills. A market order
that fills whole as it is placed is kept as what was asked and what it got, with no live
Order (:meth:`OrderDesk._fill_market`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from bot.domain import (
    Amount,
    Fill,
    Instrument,
    Order,
    OrderStatus,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
)
from bot.domain.hotpath import hot_path
from bot.exchange.protocol import OrderRequest, SubmitResult, pending_order
from bot.exchange.sim import matching, rules
from bot.exchange.sim.fees import Slippage, fee_for, money
from bot.exchange.sim.ledger import Ledger, PositionBook
from bot.exchange.sim.records import LIQUIDATION_PREFIX, FilledAtOnce, Liquidation, VenueClock
from bot.exchange.sim.rules import Refusal
from bot.exchange.sim.settings import SimSettings

# An enum member read through its class costs ~70 ns in Python 3.11: the order path reads
# these module constants instead.
_REJECTED: Final = OrderStatus.REJECTED
_FILLED: Final = OrderStatus.FILLED


class OrderDesk:
    """Orders, fills and the account of the simulated venue."""

    def __init__(
        self, instruments: dict[Symbol, Instrument], settings: SimSettings, clock: VenueClock
    ) -> None:
        self.instruments = instruments
        self.settings = settings
        self.clock = clock
        self.ledger = Ledger(Decimal(settings.initial_balance))
        self.slippage = Slippage(settings.slippage_bps)
        self.tickers: dict[Symbol, Ticker] = {}
        self.leverage: dict[Symbol, int] = dict.fromkeys(instruments, settings.leverage)
        self.resting: dict[Symbol, dict[str, matching.RestingOrder]] = {s: {} for s in instruments}
        self.open_by_link: dict[str, matching.RestingOrder] = {}
        # closed orders by link id; a market order filled whole at once is kept as FilledAtOnce
        self.closed: dict[str, Order | FilledAtOnce] = {}
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

    # -- requests -----------------------------------------------------------------

    @hot_path  # called only by SimExchange.submit, which checked the request
    def submit(self, request: OrderRequest) -> SubmitResult:
        """Validate, then place ``request``; a refusal is a REJECTED result."""
        refusal = self._validate(request)
        if refusal is not None:
            return rules.refused(request, refusal)
        self._order_seq += 1
        order_id = f"sim-{self._order_seq}"
        if request.price is None and request.trigger_price is None:
            result = self._fill_market(request, order_id)
        else:
            result = self._place(request, pending_order(request, order_id))
        self._quote = None
        if result.status is not _REJECTED:
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
            return rules.check_reduce_only(request, self.ledger.books.get(request.symbol))
        cost = self._entry_cost(request, last)
        return rules.check_balance(cost, self.ledger.available, self.leverage[request.symbol])

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
        price = self.slippage.taker_price(last, request.side, instrument)
        fee = fee_for(request.qty * price, self.settings.taker_fee_bps)
        self._quote = (request, last, price, fee)
        return price, fee

    @hot_path
    def _fill_market(self, request: OrderRequest, order_id: str) -> SubmitResult:
        """A market order fills at once as a taker: whole, unless it is a reduce-only one
        the position no longer takes whole (then :meth:`_place` cuts or cancels it, meeting
        the position as it is now, after any liquidation this meeting made).

        A whole fill keeps no live Order, only what was asked, the order id and the fill
        (:data:`~bot.exchange.sim.records.FilledAtOnce`); a lookup builds the Order from them.
        """
        symbol, side, link, qty = request.symbol, request.side, request.order_link_id, request.qty
        last = self.tickers[symbol].last_price
        price, fee = self._taker_quote(request, last, self.instruments[symbol])
        book = self._meet_position(symbol, side, price)
        if request.reduce_only and (book is None or book.side is side or qty > book.size):
            return self._place(request, pending_order(request, order_id))
        fill = self._book_fill(link, symbol, side, qty, price, fee=fee, maker=False)
        self._cancel_reduce_only_if_flat(symbol)
        self.closed[link] = (request, order_id, fill)
        return SubmitResult(link, _FILLED, order_id, 0, "", qty)

    @hot_path
    def _place(self, request: OrderRequest, order: Order) -> SubmitResult:
        last = self.tickers[request.symbol].last_price
        if request.trigger_price is not None:
            order.transition(OrderStatus.UNTRIGGERED)
            self._rest(request, order, Decimal(0))
        elif request.price is None:  # a reduce-only market order _fill_market cannot fill whole
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
                return rules.refused(request, refusal, order.order_id)
            instrument = self.instruments[request.symbol]
            slipped = self.slippage.taker_price(last, request.side, instrument)
            self._fill(order, matching.taker_limit_cap(request.side, slipped, limit), maker=False)
        elif tif in (TimeInForce.IOC, TimeInForce.FOK):
            order.transition(
                OrderStatus.CANCELLED, f"{tif.value} limit {limit} did not cross last {last}"
            )
        else:
            reserved = Decimal(0) if request.reduce_only else self._entry_cost(request, last)
            order.transition(OrderStatus.NEW)
            self._rest(request, order, reserved)
        return self._result(order)  # files the order as closed unless it rests

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
                    price = self.slippage.taker_price(reference, order.side, instrument)
                    self._fill_triggered(request, order, price)
            elif request.price is not None and matching.limit_touched(
                order.side, request.price, low, high
            ):
                self._unrest(resting)
                self._fill(order, request.price, maker=True)

    @hot_path
    def _fill_triggered(self, request: OrderRequest, order: Order, price: Price) -> None:
        if not request.reduce_only:
            cost, available = self._entry_cost(request, price), self.ledger.available
            refusal = rules.check_balance(cost, available, self.leverage[request.symbol])
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
        symbol, side = order.symbol, order.side
        book = self._meet_position(symbol, side, price)
        if order.filled_qty:
            qty = order.qty - order.filled_qty
            whole_fee = None
        else:
            qty = order.qty
        if order.reduce_only:
            if book is None or book.side is side:
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
        fill = self._book_fill(order.order_link_id, symbol, side, qty, price, fee=fee, maker=maker)
        order.apply_fill(fill)
        self._cancel_reduce_only_if_flat(symbol)

    @hot_path
    def _meet_position(self, symbol: Symbol, side: Side, price: Price) -> PositionBook | None:
        """The position a fill of ``side`` at ``price`` meets. One the fill would reduce is
        first liquidated if ``price`` is at or beyond its bankruptcy price (then None)."""
        book = self.ledger.books.get(symbol)
        if book is not None and book.side is not side and book.is_bankrupt_at(price):
            self.liquidate(symbol)
            return None
        return book

    @hot_path
    def _book_fill(
        self,
        link: str,
        symbol: Symbol,
        side: Side,
        qty: Decimal,
        price: Price,
        *,
        fee: Decimal,
        maker: bool,
    ) -> Fill:
        """Charge ``fee``, move the position by ``qty`` at ``price``, record the fill."""
        self.ledger.charge_fee(fee)
        self.ledger.apply_fill(symbol, side, qty, price, self.leverage[symbol])
        self._exec_seq += 1
        fill = Fill(
            f"sim-exec-{self._exec_seq}",
            link,
            symbol,
            side,
            qty if type(qty) is Qty else Qty(qty),
            price,
            Amount(fee),
            self.clock.now_ms(),
            maker,
        )
        self.fills.append(fill)
        return fill

    @hot_path
    def _cancel_reduce_only_if_flat(self, symbol: Symbol) -> None:
        if symbol not in self.ledger.books and self.resting[symbol]:
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
