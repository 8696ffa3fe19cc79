"""How much a close or partial close sends: a fraction of the live position, never more.

The quantity is ``position.size * fraction`` rounded down to the qty step and clamped to
the position. A remainder that would be left below the minimum order qty (it could
never be closed on its own) is handled as configured: ``close_all`` sends the whole
position instead, ``keep`` sends the rounded qty and says that the remainder stays.
One order never exceeds the instrument's maximum qty for its kind (the venue would
refuse it whole): a larger close sends the maximum and notes that the rest stays. The
order side is always the opposite of the live position, and every request built here
is reduce-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from bot.domain import Instrument, Position, Qty, Side
from bot.domain.hotpath import hot_path
from bot.errors import BelowMinQty, InvalidValue


class RemainderPolicy(Enum):
    """What to do when a partial close would leave less than the minimum order qty."""

    CLOSE_ALL = "close_all"
    KEEP = "keep"


@dataclass(frozen=True, slots=True)
class ClosePlan:
    """The side and qty a close sends, and a note when the remainder rule applied."""

    side: Side
    qty: Qty
    note: str = ""


@hot_path  # the executor's close path: a checked intent's fraction, checked rules and policy
def plan_close(
    position: Position,
    fraction: Decimal,
    instrument: Instrument,
    policy: RemainderPolicy,
    *,
    market: bool = True,
) -> ClosePlan:
    """The reduce-only order that closes ``fraction`` of ``position``.

    One order never asks for more than the instrument's maximum for its kind (``market``
    or limit): the venue would refuse the whole close. A larger close sends that
    maximum and says so in the note; the next close takes the rest (a panic closes
    until the account is flat).

    Raises :class:`~bot.errors.BelowMinQty` when the rounded qty is zero or below the
    instrument's minimum and the policy does not turn it into a full close, and
    :class:`~bot.errors.InvalidValue` when ``position`` is not a :class:`Position` (the
    one input read from a venue's container, of which beartype checks a single item).
    """
    if not isinstance(position, Position):
        raise InvalidValue("position", position, "the live Position to close")
    size = position.size
    qty = min(instrument.floor_qty(size * fraction), size)
    remainder = size - qty
    note = ""
    if qty == size:
        pass
    elif remainder < instrument.min_order_qty and policy is RemainderPolicy.CLOSE_ALL:
        note = (
            f"closing all {size}: the remainder {remainder} would be below the minimum "
            f"order qty {instrument.min_order_qty}"
        )
        qty = size
    elif remainder < instrument.min_order_qty:
        note = (
            f"keeping a remainder of {remainder}, below the minimum order qty "
            f"{instrument.min_order_qty}; it can only be closed with the whole position"
        )
    if qty <= 0 or (qty < instrument.min_order_qty and qty != size):
        raise BelowMinQty(
            "the part of the position to close is below the minimum order qty",
            {
                "position": str(size),
                "fraction": str(fraction),
                "qty": str(qty),
                "min_order_qty": str(instrument.min_order_qty),
            },
        )
    cap = instrument.max_qty(market=market)
    if qty > cap:
        note = (
            f"closing {cap} of {size} now: one {'market' if market else 'limit'} order may "
            f"not exceed {cap}; the rest stays open until the next close"
        )
        qty = cap
    # positional (a checked constructor is slower with keywords); a qty that already is
    # a Qty (the position's own size) is not built again
    return ClosePlan(position.side.opposite, qty if type(qty) is Qty else Qty(qty), note)
