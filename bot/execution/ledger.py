"""The bot's own record of its orders and the fills counted against them.

Every order is recorded before it is sent, so a fill that arrives on the stream before
the venue's acknowledgement still finds its order. Fills are counted once per
execution id, whichever path (stream, REST poll, venue push) brings them first. A fill
for an order the ledger has not recorded yet is held and applied when it is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

from bot.domain import Fill, Order, OrderStatus
from bot.domain.hotpath import hot_path
from bot.errors import InvalidTransition, TypeViolation


class OrderLedger:
    """Orders by ``orderLinkId`` and the set of execution ids already counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, Order] = {}
        self._seen: set[str] = set()
        self._held: dict[str, list[Fill]] = {}
        self._fill_count = 0
        self._filled_qty = Decimal(0)

    @hot_path  # its callers built ``order`` with the checked Order constructor
    def record(self, order: Order) -> None:
        """Record ``order`` (status PENDING) before it is sent; applies held fills."""
        with self._lock:
            if order.order_link_id in self._orders:
                raise InvalidTransition(f"order {order.order_link_id} is already recorded")
            self._orders[order.order_link_id] = order
            held = self._held.pop(order.order_link_id, None) if self._held else None
            for fill in held or ():
                self._apply(order, fill)

    @hot_path  # its callers pass a checked answer's fields; ``transition`` checks the status
    def acknowledge(self, order_link_id: str, status: OrderStatus, order_id: str) -> Order:
        """Apply the venue's answer to a recorded order.

        Fills, not acknowledgements, move an order to partially filled or filled, so an
        answer of "Filled" only marks the order as live; a cancel is applied to a live
        order; anything else only moves an order that is still awaiting its answer.
        """
        with self._lock:
            order = self._orders[order_link_id]
            if order_id:
                order.order_id = order_id
            if status in _BY_FILLS:
                status = OrderStatus.NEW
            awaiting = order.status in _AWAITING_ACK and status is not order.status
            cancelling = status is OrderStatus.CANCELLED and order.status.is_open
            if awaiting or cancelling:
                order.transition(status)
            return order

    def on_fill(self, fill: Fill) -> bool:
        """Count ``fill`` once; False if its execution id was already counted."""
        with self._lock:
            return self._count(fill)

    def on_fills(self, fills: list[Fill]) -> list[Fill]:
        """Count each of ``fills`` once (as :meth:`on_fill`, under one hold of the lock);
        returns the ones that were new, in order. Every item is checked to be a
        :class:`Fill` (a run-time check of the list looks at one item only): anything
        else raises before any of them is counted."""
        for fill in fills:
            if not isinstance(fill, Fill):
                raise TypeViolation(f"OrderLedger.on_fills: {fill!r} is not a Fill")
        with self._lock:
            return [fill for fill in fills if self._count(fill)]

    @hot_path  # on_fill and on_fills checked ``fill``; they hold the lock
    def _count(self, fill: Fill) -> bool:
        if fill.exec_id in self._seen:
            return False
        order = self._orders.get(fill.order_link_id)
        if order is None:
            held = self._held.setdefault(fill.order_link_id, [])
            if any(f.exec_id == fill.exec_id for f in held):
                return False
            held.append(fill)
            return True
        return self._apply(order, fill)

    @hot_path  # a recorded order (checked constructor) and a checked fill; under the lock
    def _apply(self, order: Order, fill: Fill) -> bool:
        applied = order.apply_fill(fill)
        if applied:
            self._seen.add(fill.exec_id)
            self._fill_count += 1
            self._filled_qty += fill.qty
        return applied

    def get(self, order_link_id: str) -> Order | None:
        """The recorded order with this link id, if any."""
        with self._lock:
            return self._orders.get(order_link_id)

    def __iter__(self) -> Iterator[Order]:
        with self._lock:
            return iter(list(self._orders.values()))

    @property
    def fill_count(self) -> int:
        """How many distinct fills were counted."""
        return self._fill_count

    @property
    def filled_qty(self) -> Decimal:
        """Total qty over every counted fill."""
        return self._filled_qty


_BY_FILLS = frozenset({OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED})
_AWAITING_ACK = frozenset({OrderStatus.PENDING, OrderStatus.UNKNOWN})
