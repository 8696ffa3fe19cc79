"""Our backtest and backtesting.py 0.6.6 make the same EMA-cross trades on the same bars.

The strategy is the declarative default ``conf/strategy/ema_cross.yaml`` (EMA 12/26 on
the close, ``direction: both``): long when the fast EMA crosses above the slow one,
short when it crosses below, each reversal a close then an entry, so the strategy is in
the market from the first cross on. Both sides decide at a bar's close and trade at the
next bar's open with market orders; the peer runs the same rule
(:mod:`tests.crosscheck.peer`: EMA seeded with the simple average of the first
``period`` closes; above: was ``fast <= slow``, now ``fast > slow``; below: was
``fast > slow``, now ``fast <= slow``) in a ``backtesting.Strategy`` with
``trade_on_close=False``, ``exclusive_orders=True`` (a new order closes the open trade
first), ``hedging=False``, ``spread=0`` and ``commission`` equal to our taker fee.

Our side goes through the real road (``build_sim_road``: executor, guards, risk) with
these overrides, each so the road does not interfere with the strategy's orders:

- ``exchange.slippage_bps=0``: the peer has no slippage; ``exchange.taker_fee_bps=5.5``
  is the peer's ``commission=0.00055``.
- ``exchange.leverage=1`` and a 1,000,000,000 USDT wallet: a 1,000 USDT position can
  neither run out of margin nor be liquidated (the peer has no liquidation); the test
  asserts the venue liquidated nothing.
- ``exchange.instrument.tick_size``: the data set's price grid (0.01 for GOOG and
  BTCUSD, 0.00001 for EURUSD, 0.1 for the random walks), so every open is on the grid
  and both sides fill at exactly the bar's open; ``qty_step=0.001`` and quantity caps of
  100,000,000 so a 1,000 USDT entry fits at any price from 1.07 (EURUSD) to 100,000.
- ``risk.cooldown_after_losses=0``, ``risk.daily_loss_limit=1000000000``,
  ``risk.max_drawdown_pct=100``: no loss brake pauses entries (the peer has none).
- Guards keep their standard settings: the venue's price moves to the bar's open just
  before the orders go, so the feed is fresh and the price band (200 bps around the
  mark, which is the open) is met even across the 19 % gaps of the daily GOOG data.

Sizes differ (the peer trades one whole unit, ours a fixed 1,000 USDT), so
the test compares entry and exit times, sides and prices, exactly: both fill at the
bar's open, and the prices are the same decimal (ours is the open rounded to the tick,
which is the open itself on these grids). The trade still open at the end is compared
too (side, entry time and price).

Data: backtesting.py's bundled real sets GOOG (daily, 2,148 bars), EURUSD (hourly,
5,000 bars) and BTCUSD (monthly, 156 bars), each with EMA 12/26 and EMA 3/8 (12/26
crosses only twice on the monthly BTCUSD), and random walks on a 0.1 grid (5,000
1-minute bars, four seeds, EMA 12/26).

Every bundled set passes our candle checks (positive, low <= open, close <= high,
strictly increasing times) except for the time rule: GOOG (2004-2013) and BTCUSD
(2012-2024) open before 2015-01-01, the earliest time our candles accept (row 1 of each
is refused; a test below shows it). Their open times are shifted forward by exactly
7,305 days (20 years, so UTC days and funding hours stay aligned) before they become
our candles, and shifted back before the comparison; prices are untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from backtesting.test import BTCUSD, EURUSD, GOOG  # type: ignore[import-untyped]

from bot.data import Candles, check_candles
from bot.data.candles import CandleColumns
from bot.domain import Side
from bot.domain.market import MIN_TIMESTAMP_MS
from bot.engine.assemble import build_sim_road
from bot.engine.backtest import run_backtest
from bot.errors import DataError
from bot.strategy.base import Strategy as OurStrategy
from tests.crosscheck.peer import run_peer
from tests.support.settings import settings_for

FAST: Final = 12
SLOW: Final = 26
FEE_BPS: Final = Decimal("5.5")
DAY_MS: Final = 86_400_000
#: Shift of data sets that open before 2015 (our earliest accepted time): 20 years.
SHIFT_MS: Final = 7_305 * DAY_MS


@dataclass(frozen=True, slots=True)
class Trade:
    """One round trip as both sides see it: times in epoch ms of the data set."""

    side: Side
    entry_ms: int
    entry_price: Decimal
    exit_ms: int | None
    exit_price: Decimal | None


def peer_trades(frame: pd.DataFrame, fast: int, slow: int) -> list[Trade]:
    """Trades of :class:`PeerEmaCross` on ``frame`` (closed ones, then the open one)."""
    stats = run_peer(frame, fast=fast, slow=slow, commission=float(FEE_BPS) / 10_000)
    trades = [
        Trade(
            Side.BUY if row.Size > 0 else Side.SELL,
            _ms(row.EntryTime),
            _decimal(row.EntryPrice),
            _ms(row.ExitTime),
            _decimal(row.ExitPrice),
        )
        for row in stats["_trades"].itertuples()
    ]
    for trade in stats["_strategy"]._broker.trades:
        trades.append(
            Trade(
                Side.BUY if trade.size > 0 else Side.SELL,
                _ms(trade.entry_time),
                _decimal(trade.entry_price),
                None,
                None,
            )
        )
    return trades


def our_trades(frame: pd.DataFrame, tick: str, fast: int, slow: int) -> list[Trade]:
    """Trades of the declarative ema_cross on ``frame`` through the whole road."""
    candles, shift = to_candles(frame)
    settings = settings_for(
        f"strategy.fast={fast}",
        f"strategy.slow={slow}",
        "exchange.slippage_bps=0",
        f"exchange.taker_fee_bps={FEE_BPS}",
        "exchange.leverage=1",
        "exchange.initial_balance=1000000000",
        f"exchange.instrument.tick_size={tick}",
        "exchange.instrument.qty_step=0.001",
        "exchange.instrument.min_order_qty=0.001",
        "exchange.instrument.max_order_qty=100000000",
        "exchange.instrument.max_mkt_order_qty=100000000",
        "risk.cooldown_after_losses=0",
        "risk.daily_loss_limit=1000000000",
        "risk.max_drawdown_pct=100",
    )
    road = build_sim_road(settings, run_id="xc", start_ms=int(candles.ts_ms[0]))
    strategy = settings.strategy.build()
    assert isinstance(strategy, OurStrategy)
    record, rejections = run_backtest(
        road,
        strategy,
        candles,
        symbol=settings.symbol,
        timeframe="1m",
        tick=Decimal(tick),
        initial=Decimal(1_000_000_000),
    )
    assert rejections == []
    assert road.venue.liquidations == []
    trades = [
        Trade(t.side, t.entry_ts_ms - shift, t.entry_price, t.exit_ts_ms - shift, t.exit_price)
        for t in record.trades
    ]
    position = road.venue.positions().get(settings.symbol)
    if position is not None:
        last = record.trades[-1].exit_ts_ms if record.trades else None
        assert last is not None
        trades.append(Trade(position.side, last - shift, position.entry_price, None, None))
    return trades


def to_candles(frame: pd.DataFrame) -> tuple[Candles, int]:
    """``frame`` (backtesting.py's OHLCV) as our candles, and the shift of its times."""
    ts, o, h, low, c, v = columns(frame)
    shift = SHIFT_MS if int(ts[0]) < MIN_TIMESTAMP_MS else 0
    return Candles.checked((ts + shift, o, h, low, c, v), "backtesting.py data"), shift


def columns(frame: pd.DataFrame) -> CandleColumns:
    """``frame``'s open times in epoch ms (UTC) and its OHLCV as float64 columns."""
    ts = np.asarray(frame.index.as_unit("ms").asi8, dtype=np.int64)
    o, h, low, c, v = (
        np.asarray(frame[name].to_numpy(), dtype=np.float64)
        for name in ("Open", "High", "Low", "Close", "Volume")
    )
    return ts, o, h, low, c, v


def random_walk(seed: int, bars: int) -> pd.DataFrame:
    """1-minute OHLCV on a 0.1 price grid from 2025-01-01 UTC, opens at the last close."""
    rng = np.random.default_rng(seed)
    close = np.round(20_000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.002, bars))), 1)
    open_ = np.concatenate(([20_000.0], close[:-1]))
    reach = np.round(np.abs(rng.normal(0.0, 15.0, (2, bars))), 1)
    high = np.round(np.maximum(open_, close) + reach[0], 1)
    low = np.round(np.minimum(open_, close) - reach[1], 1)
    index = pd.date_range("2025-01-01", periods=bars, freq="min")
    volume = np.round(rng.uniform(1.0, 100.0, bars), 3)
    return pd.DataFrame(
        {"Open": open_, "High": high, "Low": low, "Close": close, "Volume": volume}, index=index
    )


def _ms(value: pd.Timestamp) -> int:
    return int((pd.Timestamp(value) - pd.Timestamp(0)) // pd.Timedelta(milliseconds=1))


def _decimal(value: float) -> Decimal:
    if not math.isfinite(value):
        raise ValueError(f"price {value} is not finite")
    return Decimal(repr(float(value)))


def _check_same(frame: pd.DataFrame, tick: str, fast: int = FAST, slow: int = SLOW) -> list[Trade]:
    ours, theirs = our_trades(frame, tick, fast, slow), peer_trades(frame, fast, slow)
    assert len(ours) == len(theirs)
    for k, (mine, peer) in enumerate(zip(ours, theirs, strict=True)):
        assert mine == peer, f"trade {k}: ours {mine}, backtesting.py {peer}"
    return ours


BUNDLED: Final = {"GOOG": (GOOG, "0.01"), "EURUSD": (EURUSD, "0.00001"), "BTCUSD": (BTCUSD, "0.01")}
#: Closed trades with EMA 12/26 and with EMA 3/8 (the monthly BTCUSD has few crosses at 12/26).
CLOSED: Final = {"GOOG": (49, 218), "EURUSD": (158, 587), "BTCUSD": (1, 9)}


def test_bundled_sets_break_only_our_time_rule_and_only_before_2015() -> None:
    for name, (frame, _) in BUNDLED.items():
        ts, o, h, low, c, v = columns(frame)
        if int(ts[0]) >= MIN_TIMESTAMP_MS:
            check_candles((ts, o, h, low, c, v), name)
            continue
        with pytest.raises(DataError) as refused:
            check_candles((ts, o, h, low, c, v), name)
        assert (refused.value.row, refused.value.column) == (1, "timestamp"), name
        check_candles((ts + SHIFT_MS, o, h, low, c, v), name)
    assert [n for n, (f, _) in BUNDLED.items() if _ms(f.index[0]) < MIN_TIMESTAMP_MS] == [
        "GOOG",
        "BTCUSD",
    ]


@pytest.mark.parametrize(("fast", "slow"), [(FAST, SLOW), (3, 8)])
@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_same_trades_as_backtesting_py_on_its_bundled_data(name: str, fast: int, slow: int) -> None:
    frame, tick = BUNDLED[name]
    trades = _check_same(frame, tick, fast, slow)
    closed = sum(trade.exit_ms is not None for trade in trades)
    assert closed == CLOSED[name][0 if fast == FAST else 1]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_same_trades_as_backtesting_py_on_random_walks(seed: int) -> None:
    trades = _check_same(random_walk(seed, 5_000), "0.1")
    assert len(trades) >= 150
