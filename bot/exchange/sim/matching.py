"""When a resting order fills against the market, and at what reference price.

A price update is a degenerate bar (open = high = low = last), so one set of rules
serves ticks and candles. Limit orders fill at their own price as makers when the
range touches it. Stop-market orders trigger on the last-price range and fill as
takers from the trigger, or from the open when the market gapped past the trigger.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain import Order, Price, Side, TriggerDirection
from bot.exchange.protocol import OrderRequest


@dataclass(slots=True)
class RestingOrder:
    """An order the venue holds: the request, its live :class:`Order`, reserved margin."""

    request: OrderRequest
    order: Order
    reserved: Decimal


def crosses(side: Side, limit: Price, last: Price) -> bool:
    """True when a limit order at ``limit`` would take liquidity at ``last``."""
    return limit >= last if side is Side.BUY else limit <= last


def limit_touched(side: Side, limit: Price, low: Price, high: Price) -> bool:
    """True when a resting limit order is reached by a range from ``low`` to ``high``."""
    return low <= limit if side is Side.BUY else high >= limit


def stop_fires(direction: TriggerDirection, trigger: Price, low: Price, high: Price) -> bool:
    """True when the range reaches the trigger: RISE at high >= trigger, FALL at low <= it."""
    if direction is TriggerDirection.RISE:
        return high >= trigger
    return low <= trigger


def stop_reference(direction: TriggerDirection, trigger: Price, open_: Price) -> Price:
    """The price a fired stop fills from before slippage: the trigger, or a gapped open."""
    if direction is TriggerDirection.RISE:
        return open_ if open_ > trigger else trigger
    return open_ if open_ < trigger else trigger


def taker_limit_cap(side: Side, price: Price, limit: Price) -> Price:
    """A crossing limit order never fills worse than its limit."""
    if side is Side.BUY:
        return price if price <= limit else limit
    return price if price >= limit else limit
