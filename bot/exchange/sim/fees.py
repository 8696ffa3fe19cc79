"""Fee and slippage arithmetic, exact in Decimal.

Money the venue books (fees, PnL, funding, margin) is kept to :data:`MONEY_QUANTUM`
so that every total is an exact sum of the amounts booked.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Final

from bot.domain import Instrument, Price, Side
from bot.domain.hotpath import hot_path

BPS: Final = Decimal(10_000)
#: Precision of every amount of money the venue books: 1e-12 USDT.
MONEY_QUANTUM: Final = Decimal("1e-12")


@hot_path
def money(value: Decimal) -> Decimal:
    """``value`` rounded half-even to :data:`MONEY_QUANTUM`."""
    return value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_EVEN)


@hot_path
def fee_for(notional: Decimal, bps: Decimal) -> Decimal:
    """The fee on ``notional`` at ``bps`` basis points (negative for a rebate)."""
    return money(notional * bps / BPS)


@hot_path
def taker_price(base: Decimal, side: Side, slippage_bps: Decimal, instrument: Instrument) -> Price:
    """Where a taker of ``side`` fills when the reference price is ``base``.

    The price moves against the taker by ``slippage_bps`` and lands on the tick grid
    in the adverse direction: up for a buy, down for a sell (never below one tick).
    """
    moved = base * (1 + side.sign * slippage_bps / BPS)
    rounding = ROUND_CEILING if side is Side.BUY else ROUND_FLOOR
    ticks = (moved / instrument.tick_size).to_integral_value(rounding=rounding)
    return Price(max(ticks, Decimal(1)) * instrument.tick_size)
