"""The simulated venue: Bybit linear perpetuals in one-way mode, driven by a script.

Every public method that changes anything or reads more than one value takes one lock,
so many threads may call it at once (the others read one value that is replaced whole:
an instrument, the clock, a ticker). Nothing reads the wall clock or draws random
numbers: the venue's time is the time of the last market update, and ids are counters,
so the same script always gives the same fills.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Final

from bot.domain import (
    MAX_BATCH,
    Amount,
    Bar,
    Fill,
    Instrument,
    Order,
    OrderStatus,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
)
from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue, VenueRejected
from bot.exchange.protocol import Balance, OrderRequest, SubmitResult
from bot.exchange.sim import rules
from bot.exchange.sim.desk import OrderDesk
from bot.exchange.sim.fees import money
from bot.exchange.sim.ledger import AccountTotals
from bot.exchange.sim.marking import Marking
from bot.exchange.sim.records import (
    AcceptedOrder,
    FundingPayment,
    Liquidation,
    VenueClock,
    filled_order,
)
from bot.exchange.sim.settings import MAX_LEVERAGE, MIN_LEVERAGE, SimSettings

_BUY: Final = Side.BUY  # an enum member read through its class costs ~70 ns in 3.11


def _copy(order: Order) -> Order:
    return replace(order)  # fill_ids is a tuple: nothing inside needs copying


class SimExchange:
    """A deterministic, thread-safe simulated venue implementing ``Exchange``.

    Drive it with :meth:`update_market` (one price) or :meth:`on_bar` (one candle);
    each advances the venue clock, fills what the market reaches, settles funding due
    and liquidates bankrupt positions, in that order.
    """

    def __init__(self, instruments: Sequence[Instrument], settings: SimSettings) -> None:
        listed: dict[Symbol, Instrument] = {}
        for instrument in instruments:
            if not isinstance(instrument, Instrument):
                raise InvalidValue("sim.instruments", instrument, "Instrument values")
            if instrument.symbol in listed:
                raise InvalidValue("sim.instruments", instrument.symbol, "each symbol once")
            listed[instrument.symbol] = instrument
        if not listed:
            raise InvalidValue("sim.instruments", instruments, "at least one instrument")
        self._lock = threading.Lock()
        self._settings = settings
        self._clock = VenueClock(settings.start_ms)
        self._desk = OrderDesk(listed, settings, self._clock)
        self._funding: list[FundingPayment] = []
        interval = settings.funding_interval_ms
        self._next_funding_ms = (settings.start_ms // interval + 1) * interval

    # -- market view --------------------------------------------------------------

    @property
    def clock(self) -> VenueClock:
        """The venue clock (``now_ms()``), for guards and the backtest."""
        return self._clock

    @property
    def settings(self) -> SimSettings:
        """The settings this venue runs with."""
        return self._settings

    def instrument(self, symbol: Symbol) -> Instrument:
        """Trading rules of ``symbol``; raises VenueRejected(10001) if not listed."""
        instrument = self._desk.instruments.get(symbol)
        if instrument is None:
            raise VenueRejected(rules.PARAM_ERROR, f"params error: symbol invalid: {symbol}")
        return instrument

    def ticker(self, symbol: Symbol) -> Ticker | None:
        """Latest ticker of ``symbol``, or None before its first price."""
        # No lock: one dict read of an immutable Ticker, which a market update replaces
        # whole. Read during an update, it is the new price a moment before that update's
        # fills are booked; every account read still waits for them, so no caller can see
        # a combination that locked reads could not give.
        return self._desk.tickers.get(symbol)

    def server_time_ms(self) -> int:
        """The venue clock in epoch milliseconds."""
        return self._clock.now_ms()

    # -- driving the market -------------------------------------------------------

    def update_market(
        self, symbol: Symbol, last: Price, mark: Price | None = None, *, ts_ms: int
    ) -> None:
        """One price update: fills at ``last``; liquidation is judged on ``mark`` if given."""
        with self._lock:
            self._listed(symbol)
            ticker = Ticker(symbol, last, mark, ts_ms)
            self._advance(ticker)
            self._desk.match(symbol, last, last, last)
            self._settle_funding(ts_ms)
            judge = last if mark is None else mark
            self._liquidate_if_bankrupt(symbol, judge, judge)

    def on_bar(self, symbol: Symbol, bar: Bar) -> None:
        """One candle: the clock moves to ``bar.ts_ms`` and the last price to the close.

        Resting orders the range reaches fill (limits at their price as makers, stops
        as takers from the trigger or a gapped open), then funding due is settled,
        then positions are liquidated if the range reached their bankruptcy price
        (judged on the whole bar, the pessimistic reading of a candle).
        """
        with self._lock:
            self._listed(symbol)
            self._advance(Ticker(symbol, bar.close, None, bar.ts_ms))
            self._desk.match(symbol, bar.open, bar.high, bar.low)
            self._settle_funding(bar.ts_ms)
            self._liquidate_if_bankrupt(symbol, bar.low, bar.high)

    @hot_path
    def _listed(self, symbol: Symbol) -> None:
        if symbol not in self._desk.instruments:
            raise InvalidValue("symbol", symbol, "a symbol this venue lists")

    @hot_path
    def _advance(self, ticker: Ticker) -> None:
        self._clock.advance_to(ticker.ts_ms)
        self._desk.tickers[ticker.symbol] = ticker

    @hot_path
    def _liquidate_if_bankrupt(self, symbol: Symbol, low: Price, high: Price) -> None:
        book = self._desk.ledger.books.get(symbol)
        if book is not None and book.is_bankrupt_at(low if book.side is _BUY else high):
            self._desk.liquidate(symbol)

    @hot_path
    def _settle_funding(self, now_ms: int) -> None:
        interval = self._settings.funding_interval_ms
        if now_ms < self._next_funding_ms:
            return
        ledger = self._desk.ledger
        while self._next_funding_ms <= now_ms and ledger.books:
            for symbol in list(ledger.books):
                self._fund(symbol, self._next_funding_ms)
            self._next_funding_ms += interval
        if self._next_funding_ms <= now_ms:
            self._next_funding_ms = (now_ms // interval + 1) * interval

    def _fund(self, symbol: Symbol, ts_ms: int) -> None:
        ticker = self._desk.tickers[symbol]
        price = ticker.last_price if ticker.mark_price is None else ticker.mark_price
        rate = self._settings.funding_rate
        book = self._desk.ledger.books[symbol]
        side, size = book.side, book.size
        amount = self._desk.ledger.apply_funding(symbol, rate, price)
        self._funding.append(
            FundingPayment(symbol, side, Qty(size), price, rate, Amount(amount), ts_ms)
        )

    # -- account view -------------------------------------------------------------

    def positions(self) -> dict[Symbol, Position]:
        """Every non-flat position."""
        with self._lock:
            books = self._desk.ledger.books
            if not books:
                return {}
            return {symbol: book.as_position() for symbol, book in books.items()}

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Copies of the orders that may still fill, in the order they were placed."""
        with self._lock:
            resting = self._desk.open_by_link.values()
            return [_copy(r.order) for r in resting if symbol is None or r.order.symbol == symbol]

    def lookup(self, order_link_id: str) -> Order | None:
        """A copy of the order with this link id, open or closed; None if never placed."""
        with self._lock:
            resting = self._desk.open_by_link.get(order_link_id)
            if resting is not None:
                return _copy(resting.order)
            closed = self._desk.closed.get(order_link_id)
            if closed is None:
                return None
            return _copy(closed) if isinstance(closed, Order) else filled_order(closed)

    def balance(self) -> Balance:
        """Wallet, equity (with unrealised PnL at the last price) and available balance."""
        with self._lock:
            ledger = self._desk.ledger
            equity = ledger.wallet
            if ledger.books:
                tickers = self._desk.tickers
                # only held symbols are marked; a held symbol without a price raises
                for symbol, book in ledger.books.items():
                    equity += book.unrealised(tickers[symbol].last_price)
            wallet = Amount(ledger.wallet)
            # Flat with nothing reserved, all three are the wallet: one Amount serves them
            # (only a number equal in value *and* exponent, compare_total 0, is the same).
            marked, available = money(equity), ledger.available
            return Balance(  # positional: a checked constructor is slower with keywords
                wallet,
                wallet if not marked.compare_total(wallet) else Amount(marked),
                wallet if not available.compare_total(wallet) else Amount(available),
            )

    def marking(self, symbol: Symbol) -> Marking:
        """Wallet, position and resting orders of ``symbol``: what prices its equity."""
        with self._lock:
            self._listed(symbol)
            ledger = self._desk.ledger
            books = ledger.books
            book = books.get(symbol)
            resting = bool(self._desk.resting[symbol])
            others = len(books) > (0 if book is None else 1)  # one book per symbol
            if book is None:
                zero = Decimal(0)
                return Marking(ledger.wallet, 0, zero, zero, None, resting, others)
            return Marking(
                ledger.wallet,
                book.side.sign,
                book.size,
                book.cost,
                book.bankruptcy_price,
                resting,
                others,
            )

    def equity_at(self, symbol: Symbol, last: Price) -> Amount:
        """The equity :meth:`balance` would report if the last price of ``symbol`` were
        ``last`` (other symbols at their own last price); nothing changes."""
        with self._lock:
            self._listed(symbol)
            ledger = self._desk.ledger
            tickers = self._desk.tickers
            lasts = {s: Decimal(tickers[s].last_price) for s in ledger.books if s != symbol}
            if symbol in ledger.books:
                lasts[symbol] = Decimal(last)
            return Amount(money(ledger.equity(lasts)))

    def fills_since(self, cursor: int) -> tuple[list[Fill], int]:
        """Fills after ``cursor`` (0 = from the start) and the cursor to ask with next."""
        if isinstance(cursor, bool) or cursor < 0:
            raise InvalidValue("cursor", cursor, "an int >= 0 from an earlier call")
        with self._lock:
            fills = self._desk.fills
            return fills[cursor:], len(fills)

    def totals(self) -> AccountTotals:
        """Wallet, realised PnL, fees, funding and margin totals."""
        with self._lock:
            return self._desk.ledger.totals()

    def leverage(self, symbol: Symbol) -> int:
        """The leverage new fills of ``symbol`` are margined at."""
        with self._lock:
            self._listed(symbol)
            return self._desk.leverage[symbol]

    @property
    def accepted_log(self) -> list[AcceptedOrder]:
        """Every request the venue accepted, in venue order (a copy)."""
        with self._lock:
            desk = self._desk
            columns = zip(
                desk.accepted_ts, desk.accepted_requests, desk.accepted_results, strict=True
            )
            return [
                AcceptedOrder(seq, ts_ms, request, result)
                for seq, (ts_ms, request, result) in enumerate(columns, start=1)
            ]

    @property
    def accepted_count(self) -> int:
        """How many requests the venue has accepted: the ``seq`` of the latest."""
        with self._lock:
            return len(self._desk.accepted_ts)

    @property
    def liquidations(self) -> list[Liquidation]:
        """Every liquidation, in order (a copy)."""
        with self._lock:
            return list(self._desk.liquidations)

    @property
    def funding_payments(self) -> list[FundingPayment]:
        """Every funding settlement, in order (a copy)."""
        with self._lock:
            return list(self._funding)

    def funding_total(self) -> Amount:
        """Funding received minus funding paid, over the life of the venue."""
        with self._lock:
            return Amount(self._desk.ledger.funding)

    # -- order gateway ------------------------------------------------------------

    def submit(self, request: OrderRequest) -> SubmitResult:
        """Place one order; refusals are REJECTED results with Bybit's code."""
        with self._lock:
            return self._desk.submit(request)

    def submit_batch(self, requests: Sequence[OrderRequest]) -> list[SubmitResult]:
        """Place up to ``MAX_BATCH`` orders atomically; one result per request, in order."""
        with self._lock:
            if len(requests) > MAX_BATCH:
                message = f"too many orders in one batch: {len(requests)} > {MAX_BATCH}"
                return [
                    SubmitResult(
                        r.order_link_id,
                        OrderStatus.REJECTED,
                        code=rules.PARAM_ERROR,
                        message=message,
                    )
                    for r in requests
                ]
            return [self._desk.submit(request) for request in requests]

    def cancel(self, symbol: Symbol, order_link_id: str) -> SubmitResult:
        """Cancel one open order; 110001 when it is not open."""
        with self._lock:
            return self._desk.cancel(symbol, order_link_id, "cancelled by user")

    def cancel_all(self, symbol: Symbol | None = None) -> list[str]:
        """Cancel every open order (of ``symbol``); returns the cancelled link ids."""
        with self._lock:
            return self._desk.cancel_all(symbol, "cancelled by cancel-all")

    def set_leverage(self, symbol: Symbol, leverage: int) -> None:
        """Set the leverage of later fills of ``symbol``; VenueRejected(10001) if not 1..100.

        The margin already posted for an open position is not changed.
        """
        with self._lock:
            if symbol not in self._desk.instruments:
                raise VenueRejected(rules.PARAM_ERROR, f"params error: symbol invalid: {symbol}")
            if isinstance(leverage, bool) or not MIN_LEVERAGE <= leverage <= MAX_LEVERAGE:
                raise VenueRejected(
                    rules.PARAM_ERROR,
                    f"leverage {leverage} invalid: allowed {MIN_LEVERAGE} to {MAX_LEVERAGE}",
                )
            self._desk.leverage[symbol] = leverage
