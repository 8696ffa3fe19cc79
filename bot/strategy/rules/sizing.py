"""The notional of an entry: fixed, a percent of equity, or the risk at the stop distance.

Money is Decimal: the float signals (close, ATR) only set the stop distance as a
fraction of the price; the notional is rounded down to the cent. A size that comes out
at zero or is not finite gives no entry (the strategy skips it).
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, Decimal

from bot.domain import Money
from bot.strategy.rules.exits import distance
from bot.strategy.rules.spec import ExitRules, SizingRule

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def entry_notional(
    sizing: SizingRule, exits: ExitRules, equity: Decimal, close: float, atrs: tuple[float, ...]
) -> Money | None:
    """The notional of an entry signalled at ``close``; None if it cannot be sized.

    ``atrs`` are the ATR values for the stop-loss, take-profit and trailing stop at the
    signal bar (risk sizing uses the stop-loss, else the trailing stop).
    """
    if sizing.kind == "fixed":
        return sizing.notional
    if sizing.percent is None:
        return None
    budget = equity * sizing.percent / _HUNDRED
    if sizing.kind == "risk":
        stop, atr = (
            (exits.stop_loss, atrs[0])
            if exits.stop_loss is not None
            else (exits.trailing_stop, atrs[2])
        )
        fraction = distance(stop, close, atr) / close if close > 0 else math.nan
        if not math.isfinite(fraction) or fraction <= 0:
            return None
        budget = budget / Decimal(repr(fraction))
    notional = budget.quantize(_CENT, rounding=ROUND_DOWN)
    return Money(notional) if notional > 0 else None
