"""Bybit's order rules as the sim enforces them: each refusal is a code and a message.

Codes and texts follow Bybit V5 (see the reference notes): 10001 parameter errors
(grid, min and max qty), 110094 notional below the minimum, 110017 reduce-only
against the position, 110007 balance, 110072 duplicate ``orderLinkId``, 110092/110093
a trigger already on the wrong side of the market, 110001 cancel of an unknown order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.domain import Instrument, OrderStatus, OrderType, Price, TriggerDirection
from bot.domain.hotpath import hot_path
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.exchange.sim.ledger import PositionBook

PARAM_ERROR: Final = 10001
ORDER_NOT_FOUND: Final = 110001
INSUFFICIENT_BALANCE: Final = 110007
REDUCE_ONLY: Final = 110017
DUPLICATE_LINK_ID: Final = 110072
TRIGGER_BELOW_RISING: Final = 110092
TRIGGER_ABOVE_FALLING: Final = 110093
BELOW_MIN_NOTIONAL: Final = 110094
#: Bybit has no retCode for this: it accepts a crossing PostOnly order and cancels it at
#: once with rejectReason ``EC_PostOnlyWillTakeLiquidity``. The sim answers REJECTED
#: with this code and that reason, so the caller sees the refusal synchronously.
POST_ONLY_WOULD_TAKE: Final = -1

_MARKET: Final = OrderType.MARKET  # an enum member read through its class costs ~70 ns in 3.11


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the venue refused a request: Bybit's code and a message with the numbers."""

    code: int
    message: str


@hot_path
def refused(request: OrderRequest, refusal: Refusal, order_id: str = "") -> SubmitResult:
    """The REJECTED answer to ``request`` for ``refusal``."""
    return SubmitResult(
        request.order_link_id,
        OrderStatus.REJECTED,
        order_id=order_id,
        code=refusal.code,
        message=refusal.message,
    )


@hot_path
def _off_grid(value: Decimal, step: Decimal) -> bool:
    return value % step != 0


@hot_path
def check_instrument_rules(
    request: OrderRequest, instrument: Instrument, last: Price
) -> Refusal | None:
    """Check ``request`` against the lot and price rules of ``instrument``.

    ``last`` prices the notional of market and stop-market orders. Returns the first
    rule broken, or None.
    """
    qty = request.qty
    if _off_grid(qty, instrument.qty_step):
        return Refusal(
            PARAM_ERROR, f"Qty invalid: {qty} is not a multiple of qty step {instrument.qty_step}"
        )
    if request.price is not None or request.trigger_price is not None:  # not plain market
        for name, price in (("price", request.price), ("trigger price", request.trigger_price)):
            if price is not None and _off_grid(price, instrument.tick_size):
                return Refusal(
                    PARAM_ERROR,
                    f"{name} invalid: {price} is not a multiple of tick size "
                    f"{instrument.tick_size}",
                )
    if qty < instrument.min_order_qty:
        return Refusal(
            PARAM_ERROR,
            f"The number of contracts exceeds minimum limit allowed: "
            f"qty {qty} < min order qty {instrument.min_order_qty}",
        )
    market = request.order_type is _MARKET
    limit = instrument.max_mkt_order_qty if market else instrument.max_order_qty
    if qty > limit:
        kind = "max market order qty" if market else "max order qty"
        return Refusal(
            PARAM_ERROR,
            f"The number of contracts exceeds maximum limit allowed: qty {qty} > {kind} {limit}",
        )
    reference = request.price or request.trigger_price or last
    notional = qty * reference
    # Exits are exempt, so a position worth less than the minimum can still be closed
    # (a design choice, as on other venues; not verified against Bybit itself).
    if notional < instrument.min_notional and not request.reduce_only:
        return Refusal(
            BELOW_MIN_NOTIONAL,
            f"Order notional value below the lower limit: {qty} x {reference} = {notional} "
            f"< min notional {instrument.min_notional}",
        )
    return None


@hot_path
def check_request_shape(request: OrderRequest, last: Price) -> Refusal | None:
    """Refuse combinations the sim does not model and triggers already passed."""
    trigger = request.trigger_price
    direction = request.trigger_direction
    if (trigger is None) != (direction is None):
        return Refusal(
            PARAM_ERROR, "params error: triggerPrice and triggerDirection must be given together"
        )
    if trigger is None or direction is None:
        return None
    if request.order_type is not _MARKET:
        return Refusal(PARAM_ERROR, "params error: the sim supports stop-market orders only")
    if direction is TriggerDirection.RISE and trigger <= last:
        return Refusal(
            TRIGGER_BELOW_RISING,
            f"expect Rising, but trigger_price[{trigger}] <= current[{last}]",
        )
    if direction is TriggerDirection.FALL and trigger >= last:
        return Refusal(
            TRIGGER_ABOVE_FALLING,
            f"expect Falling, but trigger_price[{trigger}] >= current[{last}]",
        )
    return None


@hot_path
def check_reduce_only(request: OrderRequest, book: PositionBook | None) -> Refusal | None:
    """Refuse a reduce-only ``request`` that the position ``book`` (None: flat) cannot take."""
    if book is None:
        return Refusal(REDUCE_ONLY, "current position is zero, cannot fix reduce-only order qty")
    if book.side is request.side:
        return Refusal(
            REDUCE_ONLY,
            f"reduce-only order has same side with current position: "
            f"{request.side.value} {request.qty} would increase a {book.side.value} "
            f"position of {book.size}",
        )
    return None


@hot_path
def check_balance(cost: Decimal, available: Decimal, leverage: int) -> Refusal | None:
    """Refuse an order whose ``cost`` (margin at ``leverage`` plus fee) exceeds ``available``."""
    if cost <= available:
        return None
    return Refusal(
        INSUFFICIENT_BALANCE,
        f"ab not enough for new order: order cost {cost} (margin at leverage "
        f"{leverage} plus fee) > available balance {available}",
    )
