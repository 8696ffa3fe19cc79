"""What a strategy may ask for (intents) and what becomes of it (orders and fills).

Entries open or add exposure and are sized by notional or qty. Closes are reduce-only
by construction: :class:`CloseIntent` has no way to say anything else, statically
(``reduce_only: Literal[True]``) or at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Final, Literal

from bot.domain.hotpath import hot_path
from bot.domain.market import Side, Symbol, timestamp_ms
from bot.domain.numbers import Amount, Fraction, Money, Price, Qty, fraction
from bot.errors import InvalidTransition, InvalidValue

#: Bybit's batch limit that is safe on every documented version (see reference).
MAX_BATCH: Final = 10


class OrderType(Enum):
    """How an order executes; a trigger price turns either into a conditional order."""

    MARKET = "Market"
    LIMIT = "Limit"


class TimeInForce(Enum):
    """How long a limit order rests; market orders are always IOC."""

    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    POST_ONLY = "PostOnly"


class TriggerDirection(Enum):
    """Bybit's triggerDirection: fire when the price rises to, or falls to, the trigger."""

    RISE = 1
    FALL = 2


@hot_path
def _check_pricing(
    order_type: OrderType,
    limit_price: Price | None,
    tif: TimeInForce,
    trigger_price: Price | None,
    trigger_direction: TriggerDirection | None,
) -> None:
    if order_type is OrderType.LIMIT and limit_price is None:
        raise InvalidValue("limit_price", None, "a limit order needs a limit price")
    if order_type is OrderType.MARKET and limit_price is not None:
        raise InvalidValue("limit_price", str(limit_price), "a market order takes no price")
    if order_type is OrderType.MARKET and tif is not TimeInForce.IOC:
        raise InvalidValue("time_in_force", tif.value, "market orders are IOC")
    if (trigger_price is None) != (trigger_direction is None):
        raise InvalidValue(
            "trigger_direction",
            None if trigger_direction is None else trigger_direction.value,
            "a trigger price and a trigger direction go together",
        )


@dataclass(frozen=True, slots=True)
class EntryIntent:
    """Open or add to a position: sized by ``notional`` (quote) or ``qty`` (contracts)."""

    symbol: Symbol
    side: Side
    notional: Money | None = None
    qty: Qty | None = None
    order_type: OrderType = OrderType.MARKET
    limit_price: Price | None = None
    time_in_force: TimeInForce = TimeInForce.IOC
    trigger_price: Price | None = None
    trigger_direction: TriggerDirection | None = None
    tag: str = ""

    @hot_path
    def __post_init__(self) -> None:
        if (self.notional is None) == (self.qty is None):
            raise InvalidValue("entry.size", None, "give exactly one of notional or qty")
        _check_pricing(
            self.order_type,
            self.limit_price,
            self.time_in_force,
            self.trigger_price,
            self.trigger_direction,
        )

    @property
    def reduce_only(self) -> Literal[False]:
        """Entries are never reduce-only."""
        return False


@dataclass(frozen=True, slots=True)
class CloseIntent:
    """Close ``fraction`` of the live position in ``symbol``; always reduce-only.

    The side is not given: it is the opposite of the live position at send time, so a
    close can never open the other side.
    """

    symbol: Symbol
    fraction: Fraction = Decimal(1)
    order_type: OrderType = OrderType.MARKET
    limit_price: Price | None = None
    time_in_force: TimeInForce = TimeInForce.IOC
    trigger_price: Price | None = None
    trigger_direction: TriggerDirection | None = None
    tag: str = ""
    reduce_only: Literal[True] = True

    @hot_path
    def __post_init__(self) -> None:
        if self.reduce_only is not True:
            raise InvalidValue("close.reduce_only", self.reduce_only, "a close is reduce-only")
        fraction(self.fraction)
        _check_pricing(
            self.order_type,
            self.limit_price,
            self.time_in_force,
            self.trigger_price,
            self.trigger_direction,
        )


Intent = EntryIntent | CloseIntent


@dataclass(frozen=True, slots=True)
class BatchIntent:
    """Several intents sent together; each gets its own result, in input order."""

    items: tuple[Intent, ...]

    @hot_path
    def __post_init__(self) -> None:
        if not self.items:
            raise InvalidValue("batch.items", self.items, "at least one intent")
        for index, item in enumerate(self.items):
            if not isinstance(item, EntryIntent | CloseIntent):
                raise InvalidValue(f"batch.items[{index}]", item, "an EntryIntent or CloseIntent")


class OrderStatus(Enum):
    """Life of an order. UNKNOWN: the venue may or may not have it (look it up)."""

    PENDING = "Pending"
    UNKNOWN = "Unknown"
    NEW = "New"
    UNTRIGGERED = "Untriggered"
    PARTIALLY_FILLED = "PartiallyFilled"
    FILLED = "Filled"
    CANCELLED = "Cancelled"
    REJECTED = "Rejected"

    # Members are singletons compared by identity; hash them by identity too, in C.
    # (Enum's own __hash__ is Python code, run on every set or dict lookup of a status.)
    __hash__ = object.__hash__

    @property
    @hot_path
    def is_terminal(self) -> bool:
        """True once nothing more can happen to the order."""
        return self in _TERMINAL

    @property
    @hot_path
    def is_open(self) -> bool:
        """True while the order may still fill on the venue."""
        return self in _OPEN


_TERMINAL: Final = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED})
_OPEN: Final = frozenset({OrderStatus.NEW, OrderStatus.UNTRIGGERED, OrderStatus.PARTIALLY_FILLED})
_S = OrderStatus
_LIVE: Final = frozenset({_S.NEW, _S.UNTRIGGERED, _S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED})
TRANSITIONS: Final[dict[OrderStatus, frozenset[OrderStatus]]] = {
    _S.PENDING: _LIVE | {_S.REJECTED, _S.UNKNOWN},
    _S.UNKNOWN: _LIVE | {_S.REJECTED},
    _S.UNTRIGGERED: frozenset({_S.NEW, _S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED}),
    _S.NEW: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED}),
    _S.PARTIALLY_FILLED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.CANCELLED}),
    _S.FILLED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.REJECTED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution: ``qty`` at ``price``; ``fee`` is signed (a rebate is negative)."""

    exec_id: str
    order_link_id: str
    symbol: Symbol
    side: Side
    qty: Qty
    price: Price
    fee: Amount
    ts_ms: int
    is_maker: bool = False

    @hot_path
    def __post_init__(self) -> None:
        if not self.exec_id:
            raise InvalidValue("fill.exec_id", self.exec_id, "a non-empty execution id")
        if not self.order_link_id:
            raise InvalidValue("fill.order_link_id", self.order_link_id, "a non-empty id")
        timestamp_ms("fill.ts_ms", self.ts_ms)


@dataclass(slots=True)
class Order:
    """An order the bot sent, with its status machine. Mutated by the engine thread only."""

    order_link_id: str
    symbol: Symbol
    side: Side
    qty: Qty
    order_type: OrderType
    reduce_only: bool
    price: Price | None = None
    trigger_price: Price | None = None
    status: OrderStatus = OrderStatus.PENDING
    order_id: str = ""
    filled_qty: Decimal = Decimal(0)
    reason: str = ""
    fill_ids: tuple[str, ...] = ()  # in fill order; immutable, so copies share it

    @hot_path
    def __post_init__(self) -> None:
        if not self.order_link_id or len(self.order_link_id) > 36:
            raise InvalidValue("order.order_link_id", self.order_link_id, "1 to 36 characters")

    def transition(self, new: OrderStatus, reason: str = "") -> None:
        """Move to ``new`` or raise :class:`InvalidTransition`; terminal states are final."""
        self._move(new, reason)

    @hot_path
    def _move(self, new: OrderStatus, reason: str) -> None:
        if new not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"order {self.order_link_id}: {self.status.value} -> {new.value} is not allowed"
            )
        self.status = new
        if reason:
            self.reason = reason

    def apply_fill(self, fill: Fill) -> bool:
        """Count ``fill`` once; returns False for a fill already counted.

        Raises :class:`InvalidValue` if the fill belongs to another order or would
        overfill this one.
        """
        if fill.order_link_id != self.order_link_id or fill.side is not self.side:
            raise InvalidValue("fill", fill.exec_id, f"a fill of order {self.order_link_id}")
        if fill.exec_id in self.fill_ids:
            return False
        filled = self.filled_qty + fill.qty
        if filled > self.qty:
            raise InvalidValue("fill.qty", str(fill.qty), f"at most {self.qty - self.filled_qty}")
        self.fill_ids = (*self.fill_ids, fill.exec_id)
        self.filled_qty = filled
        if self.status is OrderStatus.CANCELLED:
            return True  # a fill racing the cancel: counted, the order stays cancelled
        target = OrderStatus.FILLED if filled == self.qty else OrderStatus.PARTIALLY_FILLED
        self._move(target, "")
        return True
