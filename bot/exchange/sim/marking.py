"""What a backtest needs to mark one symbol's account between two market updates.

While no order fills, no funding falls due and no liquidation happens, a one-symbol
account changes only with the price: equity is ``wallet + sign * (size * price - cost)``.
:meth:`~bot.exchange.sim.SimExchange.marking` hands out those numbers, so a backtest
can price the bars in between in one vectorised step and visit the venue only where
something can happen (and :meth:`~bot.exchange.sim.SimExchange.equity_at` gives the
venue's own, exact, equity at any such bar).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Marking:
    """The account as seen from one symbol, at the last market update.

    ``sign`` is +1 (long), -1 (short) or 0 (flat, then ``size`` and ``cost`` are 0 and
    ``bankruptcy`` is None). ``others`` is True when another symbol holds a position;
    ``resting`` when orders of this symbol rest at the venue (they may fill on any bar).
    """

    wallet: Decimal
    sign: int
    size: Decimal
    cost: Decimal
    bankruptcy: Decimal | None
    resting: bool
    others: bool
