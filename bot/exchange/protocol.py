"""The contract every venue implements: read the market and account, place orders.

Everything crossing this boundary is a validated domain value. Venues never raise for
a refused order: they answer with a :class:`SubmitResult` whose status says what
happened, including ``UNKNOWN`` when the outcome is ambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.domain import (
    Amount,
    Fill,
    Instrument,
    Order,
    OrderStatus,
    OrderType,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    TriggerDirection,
)
from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """One fully sized order as it goes to a venue (Bybit ``/v5/order/create`` fields)."""

    order_link_id: str
    symbol: Symbol
    side: Side
    qty: Qty
    order_type: OrderType
    reduce_only: bool
    price: Price | None = None
    time_in_force: TimeInForce = TimeInForce.IOC
    trigger_price: Price | None = None
    trigger_direction: TriggerDirection | None = None

    @hot_path
    def __post_init__(self) -> None:
        # the fields were checked by ``__init__``; this checks how they fit together
        if not self.order_link_id or len(self.order_link_id) > 36:
            raise InvalidValue("order_link_id", self.order_link_id, "1 to 36 characters")
        if (self.order_type is OrderType.LIMIT) != (self.price is not None):
            raise InvalidValue("price", self.price, "limit orders, and only they, have a price")

    def to_order(self, order_id: str = "") -> Order:
        """The order this request asks for, in status PENDING."""
        return pending_order(self, order_id)


@hot_path
def pending_order(request: OrderRequest, order_id: str = "") -> Order:
    """The order ``request`` asks for, in status PENDING (what :meth:`OrderRequest.to_order`
    answers). For the order path: ``request`` was checked when it was built, and the
    :class:`~bot.domain.Order` constructor checks every field again."""
    return Order(
        request.order_link_id,
        request.symbol,
        request.side,
        request.qty,
        request.order_type,
        request.reduce_only,
        request.price,
        request.trigger_price,
        OrderStatus.PENDING,
        order_id,
    )


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """A venue's answer to one :class:`OrderRequest`.

    ``status`` is NEW, UNTRIGGERED, PARTIALLY_FILLED or FILLED when accepted, REJECTED
    with ``code``/``message`` when refused, UNKNOWN when the outcome is ambiguous.
    """

    order_link_id: str
    status: OrderStatus
    order_id: str = ""
    code: int = 0
    message: str = ""
    qty: Qty | None = None

    @property
    def accepted(self) -> bool:
        """True when the venue holds the order (or already filled it)."""
        return self.status not in (OrderStatus.REJECTED, OrderStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Balance:
    """Account money in quote currency: equity includes unrealised PnL."""

    wallet: Amount
    equity: Amount
    available: Amount


@runtime_checkable
class MarketView(Protocol):
    """The read side of a venue. Any method may raise; callers treat that as unknown."""

    def instrument(self, symbol: Symbol) -> Instrument:
        """Trading rules of ``symbol``; raises if the venue does not list it."""
        ...

    def ticker(self, symbol: Symbol) -> Ticker | None:
        """Latest ticker of ``symbol``, or None when the venue has none."""
        ...

    def server_time_ms(self) -> int:
        """The venue's clock, in epoch milliseconds."""
        ...


@runtime_checkable
class AccountView(Protocol):
    """Positions, orders and money of the account."""

    def positions(self) -> dict[Symbol, Position]:
        """Every non-flat position."""
        ...

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Orders that may still fill, optionally of one symbol."""
        ...

    def lookup(self, order_link_id: str) -> Order | None:
        """The order with this link id, open or recently closed, or None if never seen."""
        ...

    def balance(self) -> Balance:
        """Wallet, equity and available balance."""
        ...

    def fills_since(self, cursor: int) -> tuple[list[Fill], int]:
        """Fills after ``cursor`` (0 = from the start) and the cursor to ask with next."""
        ...


@runtime_checkable
class OrderGateway(Protocol):
    """The order-placing side of a venue. Only :mod:`bot.execution` calls it."""

    def submit(self, request: OrderRequest) -> SubmitResult:
        """Place one order; never raises for a refusal (see :class:`SubmitResult`)."""
        ...

    def submit_batch(self, requests: Sequence[OrderRequest]) -> list[SubmitResult]:
        """Place several orders; one result per request, in request order."""
        ...

    def cancel(self, symbol: Symbol, order_link_id: str) -> SubmitResult:
        """Cancel one open order."""
        ...

    def cancel_all(self, symbol: Symbol | None = None) -> list[str]:
        """Cancel every open order (of ``symbol``); returns the cancelled link ids."""
        ...

    def set_leverage(self, symbol: Symbol, leverage: int) -> None:
        """Set the leverage used for new positions of ``symbol``."""
        ...


@runtime_checkable
class Exchange(MarketView, AccountView, OrderGateway, Protocol):
    """A whole venue: market data, account and order placing."""
