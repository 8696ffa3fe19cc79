"""The equity of a one-symbol account over many closes at once, as the venue reports it.

Between two fills the venue's equity at a close ``P`` is
``money(wallet + sign * (size * P - cost))`` in Decimal (:func:`marked_value`), and the
backtest records ``float`` of it. With ``P = ticks * tick`` that is ``A + B * ticks``
for two Decimals fixed by the position, so the whole stretch is computed in exact
integer arithmetic (scaled by a power of ten, rounded half-even to the money quantum
like the venue) and divided once, correctly rounded, into floats: the same floats the
venue's Decimals give. Numbers too long for the venue's 28-digit Decimal context (where
the venue itself would round) fall back to float arithmetic, equal to float precision.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.domain.hotpath import hot_path
from bot.exchange.sim.fees import money
from bot.exchange.sim.marking import Marking

#: Decimal places of the money the venue books (``bot.exchange.sim.fees.MONEY_QUANTUM``).
MONEY_PLACES: Final = 12
#: Digits the venue's Decimal context keeps exactly.
_EXACT_DIGITS: Final = 27
_UNIT: Final = 10**MONEY_PLACES


@hot_path
def _scaled(value: Decimal, places: int) -> int:
    """``value * 10**places`` as an int (exact: ``value`` has at most ``places`` places,
    and moving the exponent never rounds the coefficient)."""
    return int(value.scaleb(places))


@hot_path
def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def marked_value(marking: Marking, price: Decimal) -> Decimal:
    """The equity the venue reports for this account (no other symbol held) when the
    last price is ``price``: :meth:`SimExchange.equity_at
    <bot.exchange.sim.SimExchange.equity_at>`'s own Decimal operations, in its order."""
    if not marking.sign:
        return money(marking.wallet)
    return money(marking.wallet + marking.sign * (marking.size * price - marking.cost))


def marked_stretch(
    marking: Marking, ticks: npt.NDArray[np.float64], tick: Decimal
) -> tuple[npt.NDArray[np.float64], float, float]:
    """Equity at each close of ``ticks`` (whole ticks, as floats, at least one) for this
    account, with its lowest and highest value. The equity moves with the close one way
    (up for a long, down for a short) and correct rounding keeps that order, so they are
    the values at the extreme closes."""
    if not marking.sign:
        flat = float(marking.wallet)
        return np.full(len(ticks), flat), flat, flat
    base = marking.wallet - marking.sign * marking.cost
    slope = marking.sign * marking.size * tick
    scaled_base, scaled_slope = base.scaleb(MONEY_PLACES), slope.scaleb(MONEY_PLACES)
    a, b = int(scaled_base), int(scaled_slope)
    places = MONEY_PLACES
    if a != scaled_base or b != scaled_slope:  # more places than the money quantum
        places = max(MONEY_PLACES, _places(base), _places(slope))
        a, b = _scaled(base, places), _scaled(slope, places)
    whole = ticks.astype(np.int64).tolist()
    least, most = min(whole), max(whole)
    if b < 0:
        least, most = most, least
    if abs(a) + abs(b) * max(most, least, -most, -least) >= 10**_EXACT_DIGITS:
        equity = float(base) + float(slope) * ticks
        return equity, float(base) + float(slope) * least, float(base) + float(slope) * most
    if places == MONEY_PLACES:
        values = [(a + b * t) / _UNIT for t in whole]
        return np.array(values), (a + b * least) / _UNIT, (a + b * most) / _UNIT
    step = 10 ** (places - MONEY_PLACES)
    values = [_half_even(a + b * t, step) / _UNIT for t in whole]
    low, high = _half_even(a + b * least, step) / _UNIT, _half_even(a + b * most, step) / _UNIT
    return np.array(values), low, high


@hot_path
def _half_even(value: int, step: int) -> int:
    """``value / step`` rounded half to even."""
    quotient, rest = divmod(value, step)
    twice = 2 * rest
    if twice > step or (twice == step and quotient % 2):
        quotient += 1
    return quotient
