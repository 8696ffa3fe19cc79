"""Isolated-margin account: wallet, positions with their own margin, and every total.

One-way mode: at most one position per symbol, long or short. A position keeps its
cost (sum of qty x price of the open part) rather than a rounded average, so PnL over
a round trip is exact. Its margin is the initial margin posted on each add
(notional / leverage) and is all it can lose: the bankruptcy price is where the loss
equals the margin.

The wallet moves only by booked amounts, so at every moment
``wallet == initial + realised_pnl - fees + funding`` holds exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from bot.domain import Amount, Position, Price, Qty, Side, Symbol
from bot.domain.hotpath import hot_path
from bot.exchange.sim.fees import money

ZERO: Final = Decimal(0)
#: Precision of the average entry price reported in a :class:`Position`.
ENTRY_QUANTUM: Final = Decimal("1e-12")
_BUY: Final = Side.BUY  # an enum member read through its class costs ~70 ns in 3.11


@dataclass(slots=True)
class PositionBook:
    """The venue's own record of one open position (size > 0) of ``symbol``.

    Its side never changes (a flip closes it and opens another); size, cost and margin
    change only through :meth:`add` and :meth:`reduce`.
    """

    symbol: Symbol
    side: Side
    size: Decimal
    cost: Decimal
    margin: Decimal
    # The public view and the bankruptcy price, worked out on the first request: add()
    # and reduce(), the only changes of size, cost and margin, drop them.
    _position: Position | None = field(default=None, init=False, repr=False, compare=False)
    _bankruptcy: Decimal | None = field(default=None, init=False, repr=False, compare=False)

    @property
    @hot_path
    def entry_price(self) -> Decimal:
        """Average entry price of the open part."""
        return self.cost / self.size

    @property
    @hot_path
    def bankruptcy_price(self) -> Decimal:
        """Price at which the loss equals the margin: entry x (1 -/+ 1/leverage)."""
        price = self._bankruptcy
        if price is None:
            if self.side is _BUY:
                price = (self.cost - self.margin) / self.size
            else:
                price = (self.cost + self.margin) / self.size
            self._bankruptcy = price
        return price

    @hot_path
    def unrealised(self, price: Decimal) -> Decimal:
        """PnL if the position were closed at ``price`` with no fee."""
        return self.side.sign * (self.size * price - self.cost)

    @hot_path
    def is_bankrupt_at(self, price: Decimal) -> bool:
        """True when ``price`` is at or beyond the bankruptcy price."""
        if self.side is _BUY:
            return price <= self.bankruptcy_price
        return price >= self.bankruptcy_price

    @hot_path
    def add(self, qty: Decimal, cost: Decimal, margin: Decimal) -> None:
        """Grow the position by ``qty`` bought (long) or sold (short) for ``cost``."""
        self.size += qty
        self.cost += cost
        self.margin += margin
        self._position = self._bankruptcy = None

    @hot_path
    def reduce(self, qty: Decimal, cost: Decimal, margin: Decimal) -> None:
        """Shrink the position by ``qty``, releasing that part's ``cost`` and ``margin``."""
        self.size -= qty
        self.cost -= cost
        self.margin -= margin
        self._position = self._bankruptcy = None

    @hot_path
    def as_position(self) -> Position:
        """The public, immutable view of this position (one object until it changes)."""
        position = self._position
        if position is None:
            entry = (self.cost / self.size).quantize(ENTRY_QUANTUM)
            size = self.size
            position = Position(
                self.symbol, self.side, size if type(size) is Qty else Qty(size), Price(entry)
            )
            self._position = position
        return position


@dataclass(frozen=True, slots=True)
class AccountTotals:
    """Every total the wallet is made of; ``wallet = initial + realised - fees + funding``."""

    initial: Amount
    wallet: Amount
    realised_pnl: Amount
    fees: Amount
    funding: Amount
    liquidation_losses: Amount
    position_margin: Amount
    order_margin: Amount


class Ledger:
    """Wallet, positions and reserved margin of the account. Not thread-safe by itself."""

    def __init__(self, initial: Decimal) -> None:
        self.initial = initial
        self.wallet = initial
        self.realised_pnl = ZERO
        self.fees = ZERO
        self.funding = ZERO
        self.liquidation_losses = ZERO
        self.position_margin = ZERO
        self.order_margin = ZERO
        self.books: dict[Symbol, PositionBook] = {}

    @property
    @hot_path
    def available(self) -> Decimal:
        """Wallet minus the margin held by positions and resting entry orders."""
        return self.wallet - self.position_margin - self.order_margin

    @hot_path
    def opening_qty(self, symbol: Symbol, side: Side, qty: Decimal) -> Decimal:
        """The part of an order of ``side`` that would open or add exposure."""
        book = self.books.get(symbol)
        if book is None or book.side is side:
            return qty
        return max(qty - book.size, ZERO)

    @hot_path
    def charge_fee(self, fee: Decimal) -> None:
        """Book a trading fee (negative: a rebate)."""
        self.fees += fee
        self.wallet -= fee

    @hot_path
    def apply_fill(
        self, symbol: Symbol, side: Side, qty: Decimal, price: Decimal, leverage: int
    ) -> Decimal:
        """Move the position by a fill of ``qty`` at ``price``; returns the realised PnL.

        A fill against the position closes first; any rest opens the other side
        (reduce-only callers cut ``qty`` beforehand so that never happens to them).
        """
        book = self.books.get(symbol)
        realised = ZERO
        if book is not None and book.side is not side:
            closing = min(qty, book.size)
            realised = self._close(symbol, book, closing, price)
            qty -= closing
        if qty > 0:
            self._open(symbol, side, qty, price, leverage)
        return realised

    @hot_path
    def _close(self, symbol: Symbol, book: PositionBook, qty: Decimal, price: Decimal) -> Decimal:
        if qty == book.size:
            released_cost, released_margin = book.cost, book.margin
        else:
            released_cost = book.cost * qty / book.size
            released_margin = money(book.margin * qty / book.size)
        realised = money(book.side.sign * (qty * price - released_cost))
        book.reduce(qty, released_cost, released_margin)
        self.position_margin -= released_margin
        self.realised_pnl += realised
        self.wallet += realised
        if book.size == 0:
            del self.books[symbol]
        return realised

    @hot_path
    def _open(
        self, symbol: Symbol, side: Side, qty: Decimal, price: Decimal, leverage: int
    ) -> None:
        notional = qty * price
        margin = money(notional / leverage)
        book = self.books.get(symbol)
        if book is None:
            self.books[symbol] = PositionBook(symbol, side, qty, notional, margin)
        else:
            book.add(qty, notional, margin)
        self.position_margin += margin

    def liquidate(self, symbol: Symbol) -> PositionBook:
        """Close the position at its bankruptcy price: its whole margin is lost."""
        book = self.books.pop(symbol)
        self.position_margin -= book.margin
        self.realised_pnl -= book.margin
        self.liquidation_losses += book.margin
        self.wallet -= book.margin
        return book

    def apply_funding(self, symbol: Symbol, rate: Decimal, price: Decimal) -> Decimal:
        """Book one funding payment for the position; positive rates: longs pay shorts."""
        book = self.books[symbol]
        amount = money(-book.side.sign * book.size * price * rate)
        self.funding += amount
        self.wallet += amount
        return amount

    @hot_path
    def equity(self, marks: Mapping[Symbol, Decimal]) -> Decimal:
        """Wallet plus the unrealised PnL of every position at ``marks``."""
        equity = self.wallet
        for symbol, book in self.books.items():
            equity += book.unrealised(marks[symbol])
        return equity

    def totals(self) -> AccountTotals:
        """A snapshot of every total."""
        return AccountTotals(
            initial=Amount(self.initial),
            wallet=Amount(self.wallet),
            realised_pnl=Amount(self.realised_pnl),
            fees=Amount(self.fees),
            funding=Amount(self.funding),
            liquidation_losses=Amount(self.liquidation_losses),
            position_margin=Amount(self.position_margin),
            order_margin=Amount(self.order_margin),
        )
