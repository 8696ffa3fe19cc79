"""The equity of a one-symbol account over many closes at once, as the venue reports it.

Between two fills the venue's equity at a close ``P`` is
``money(wallet + sign * (size * P - cost))`` in Decimal, and the backtest records
``float`` of it. With ``P = ticks * tick`` that is ``A + B * ticks`` for two Decimals
fixed by the position, so the whole stretch is computed in exact integer arithmetic
(scaled by a power of ten, rounded half-even to the money quantum like the venue) and
divided once, correctly rounded, into floats: the same floats the venue's Decimals give.
Numbers too long for the venue's 28-digit Decimal context (where the venue itself would
round) fall back to float arithmetic, equal to float precision.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.exchange.sim.marking import Marking

#: Decimal places of the money the venue books (``bot.exchange.sim.fees.MONEY_QUANTUM``).
MONEY_PLACES: Final = 12
#: Digits the venue's Decimal context keeps exactly.
_EXACT_DIGITS: Final = 27


def _scaled(value: Decimal, places: int) -> int:
    """``value * 10**places`` as an int (exact: ``value`` has at most ``places`` places,
    and moving the exponent never rounds the coefficient)."""
    return int(value.scaleb(places))


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def marked_equity(
    marking: Marking, ticks: npt.NDArray[np.float64], tick: Decimal
) -> npt.NDArray[np.float64]:
    """Equity at each close of ``ticks`` (whole ticks, as floats) for this account."""
    if not marking.sign:
        return np.full(len(ticks), float(marking.wallet))
    base = marking.wallet - marking.sign * marking.cost
    slope = marking.sign * marking.size * tick
    places = max(MONEY_PLACES, _places(base), _places(slope))
    a, b = _scaled(base, places), _scaled(slope, places)
    farthest = int(np.abs(ticks).max()) if len(ticks) else 0
    if abs(a) + abs(b) * farthest >= 10**_EXACT_DIGITS:
        return float(base) + float(slope) * ticks
    whole = ticks.astype(np.int64).tolist()
    unit = 10**MONEY_PLACES
    if places == MONEY_PLACES:
        return np.array([(a + b * t) / unit for t in whole], dtype=np.float64)
    step = 10 ** (places - MONEY_PLACES)
    return np.array([_half_even(a + b * t, step) / unit for t in whole], dtype=np.float64)


def _half_even(value: int, step: int) -> int:
    """``value / step`` rounded half to even."""
    quotient, rest = divmod(value, step)
    twice = 2 * rest
    if twice > step or (twice == step and quotient % 2):
        quotient += 1
    return quotient
