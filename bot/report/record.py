"""What a finished run hands to the report: its trades, its equity curve and its costs.

Money stays :class:`~decimal.Decimal` in trades and totals; the equity curve is a float
array (one point per bar) because it feeds statistics and plots, never orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from bot.domain import Side, Symbol


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One round trip: from a position's opening fill to the fill that closed it.

    ``pnl`` is realised PnL before fees; ``fees`` is every fee paid on the way in and
    out (negative for a rebate); ``net`` is ``pnl - fees``.
    """

    symbol: Symbol
    side: Side
    qty: Decimal
    entry_ts_ms: int
    entry_price: Decimal
    exit_ts_ms: int
    exit_price: Decimal
    pnl: Decimal
    fees: Decimal

    @property
    def net(self) -> Decimal:
        """Realised PnL after fees."""
        return self.pnl - self.fees


@dataclass(frozen=True, slots=True)
class RunRecord:
    """Everything the report needs about one backtest run.

    ``ts_ms`` and ``equity`` have one entry per bar (equity marked at the bar's close);
    ``close`` is the bar's close price; ``position`` the signed position size at the
    close. ``initial`` is the starting wallet; ``fees`` and ``funding`` are totals over
    the run (funding received is positive).
    """

    symbol: Symbol
    timeframe: str
    ts_ms: NDArray[np.int64]
    close: NDArray[np.float64]
    equity: NDArray[np.float64]
    position: NDArray[np.float64]
    trades: tuple[TradeRecord, ...]
    initial: Decimal
    fees: Decimal
    funding: Decimal
    rejections: int
