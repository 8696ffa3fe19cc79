"""The EMA cross in backtesting.py 0.6.6, with the semantics of our ``ema_cross``.

Shared by the cross-check test and ``benchmarks/bench_backtest.py``:

- :func:`ema`: alpha = 2/(period+1), seeded with the simple average of the first
  ``period`` values (NaN before), the same arithmetic as our indicator.
- :class:`PeerEmaCross`: above (was ``fast <= slow``, now ``fast > slow``) buys, below
  (was ``fast > slow``, now ``fast <= slow``) sells one unit; with ``exclusive_orders`` each
  order first closes the open trade, so the strategy reverses and stays in the market.
- :func:`run_peer`: one run with market orders at the next bar's open
  (``trade_on_close=False``), no spread, ``commission`` as a fraction, no hedging.
"""

from __future__ import annotations

import warnings
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from backtesting import Backtest, Strategy  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]
#: Every trade is one whole unit: the fees of thousands of trades never eat the cash,
#: which a size in percent of equity would (the peer then stops trading).
UNITS: Final = 1
#: The peer's cash: one unit at any price, and its fees, for every trade.
PEER_CASH: Final = 1_000_000_000


def ema(values: FloatArray, period: int) -> FloatArray:
    """EMA seeded with the simple average of the first ``period`` values (NaN before)."""
    out = np.full(len(values), np.nan)
    if len(values) < period:
        return out
    alpha = 2.0 / (period + 1)
    total = 0.0
    for x in values[:period].tolist():
        total += x
    y = total / period
    smoothed = [y]
    append = smoothed.append
    for x in values[period:].tolist():
        y += alpha * (x - y)
        append(y)
    out[period - 1 :] = smoothed
    return out


class PeerEmaCross(Strategy):  # type: ignore[misc]
    """The EMA cross in backtesting.py: reverse on every cross, at the next open."""

    fast_period = 12
    slow_period = 26

    def init(self) -> None:
        """Both EMAs of the close, computed once."""
        close = np.asarray(self.data.Close, dtype=np.float64)
        self.fast = self.I(ema, close, self.fast_period)
        self.slow = self.I(ema, close, self.slow_period)

    def next(self) -> None:
        """At the close: buy on a cross above, sell on a cross below."""
        was, now = self.fast[-2] - self.slow[-2], self.fast[-1] - self.slow[-1]
        if was <= 0 < now and not self.position.is_long:
            self.buy(size=UNITS)
        elif was > 0 >= now and not self.position.is_short:
            self.sell(size=UNITS)


def run_peer(frame: pd.DataFrame, *, fast: int, slow: int, commission: float) -> pd.Series:
    """backtesting.py's stats of :class:`PeerEmaCross` on ``frame`` (OHLCV columns)."""
    test = Backtest(
        frame,
        PeerEmaCross,
        cash=PEER_CASH,
        spread=0.0,
        commission=commission,
        margin=1.0,
        trade_on_close=False,
        hedging=False,
        exclusive_orders=True,
        finalize_trades=False,
    )
    with warnings.catch_warnings():
        # the trade still open at the end stays open, as ours does
        warnings.filterwarnings("ignore", message="Some trades remain open")
        # backtesting.py 0.6.6 calls pandas APIs that pandas 3 deprecates
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"backtesting\.")
        return test.run(fast_period=fast, slow_period=slow)
