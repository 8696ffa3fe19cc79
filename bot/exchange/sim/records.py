"""What the venue remembers for tests and reports: accepted orders, liquidations,
funding payments, and the venue clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.domain import Amount, Fill, Order, Price, Qty, Side, Symbol
from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue
from bot.exchange.protocol import OrderRequest, SubmitResult, pending_order

#: Prefix of the ``order_link_id`` of every liquidation fill (``liquidation-<n>``).
LIQUIDATION_PREFIX: Final = "liquidation-"


def is_liquidation(fill: Fill) -> bool:
    """True for a fill the venue made by liquidating a position."""
    return fill.order_link_id.startswith(LIQUIDATION_PREFIX)


#: What the venue keeps of a market order (an entry or a reduce-only one) that filled
#: whole when it was placed: the request, its order id and its one fill. A plain tuple:
#: the order path builds no Order (and no checked record) for it; :func:`filled_order`
#: builds the Order.
FilledAtOnce = tuple[OrderRequest, str, Fill]


def filled_order(record: FilledAtOnce) -> Order:
    """The Order of a market order filled at once: what the order path builds for any
    other order (pending, then its fill applied), built only when someone asks."""
    request, order_id, fill = record
    order = pending_order(request, order_id)
    order.apply_fill(fill)
    return order


@dataclass(frozen=True, slots=True)
class AcceptedOrder:
    """One request the venue accepted: its place in the venue's order and its answer.

    ``seq`` counts accepted requests from 1; ``ts_ms`` is the venue clock at acceptance.
    """

    seq: int
    ts_ms: int
    request: OrderRequest
    result: SubmitResult

    @property
    def is_entry(self) -> bool:
        """True when the request may open or add exposure (not reduce-only)."""
        return not self.request.reduce_only


@dataclass(frozen=True, slots=True)
class Liquidation:
    """A position closed at its bankruptcy price; ``margin_lost`` left the wallet."""

    symbol: Symbol
    side: Side
    qty: Qty
    bankruptcy_price: Price
    margin_lost: Amount
    ts_ms: int
    exec_id: str


@dataclass(frozen=True, slots=True)
class FundingPayment:
    """One funding settlement; ``amount`` is what the account received (negative: paid)."""

    symbol: Symbol
    side: Side
    size: Qty
    price: Price
    rate: Decimal
    amount: Amount
    ts_ms: int


class VenueClock:
    """The venue's clock, moved only by market data; satisfies ``bot.guards.base.Clock``."""

    __slots__ = ("_now_ms",)

    def __init__(self, start_ms: int) -> None:
        self._now_ms = start_ms

    @hot_path
    def now_ms(self) -> int:
        """The venue time in epoch milliseconds."""
        return self._now_ms

    @hot_path
    def advance_to(self, ts_ms: int) -> None:
        """Move the clock to ``ts_ms``; the venue's time never goes back."""
        if ts_ms < self._now_ms:
            raise InvalidValue("ts_ms", ts_ms, f"venue time never goes back (now {self._now_ms})")
        self._now_ms = ts_ms
