"""Small hand-made runs for the report tests."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
from numpy.typing import ArrayLike

from bot.domain import Side, Symbol
from bot.report.record import RunRecord, TradeRecord

T0 = 1_700_000_000_000
MINUTE = 60_000
DAY = 86_400_000
BTC = Symbol("BTCUSDT")


def make_run(
    equity: ArrayLike,
    *,
    initial: str = "100",
    step_ms: int = MINUTE,
    position: ArrayLike | None = None,
    close: ArrayLike | None = None,
    trades: Sequence[TradeRecord] = (),
    fees: str = "0",
    funding: str = "0",
) -> RunRecord:
    """A run with one bar per equity point, ``step_ms`` apart from ``T0``."""
    curve = np.asarray(equity, dtype=np.float64)
    count = len(curve)
    return RunRecord(
        symbol=BTC,
        timeframe="1m",
        ts_ms=T0 + np.arange(count, dtype=np.int64) * step_ms,
        close=np.asarray(close if close is not None else [100.0] * count, dtype=np.float64),
        equity=curve,
        position=np.asarray(position if position is not None else [0.0] * count, dtype=np.float64),
        trades=tuple(trades),
        initial=Decimal(initial),
        fees=Decimal(fees),
        funding=Decimal(funding),
        rejections=0,
    )


def trade(
    pnl: str,
    fees: str = "1",
    *,
    side: Side = Side.BUY,
    entry_bar: int = 0,
    exit_bar: int = 1,
    entry_price: str = "100",
    exit_price: str = "101",
    qty: str = "0.5",
) -> TradeRecord:
    """A round trip between two bars of :func:`make_run`'s clock."""
    return TradeRecord(
        symbol=BTC,
        side=side,
        qty=Decimal(qty),
        entry_ts_ms=T0 + entry_bar * MINUTE,
        entry_price=Decimal(entry_price),
        exit_ts_ms=T0 + exit_bar * MINUTE,
        exit_price=Decimal(exit_price),
        pnl=Decimal(pnl),
        fees=Decimal(fees),
    )
