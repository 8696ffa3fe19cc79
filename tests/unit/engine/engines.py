"""Run one backtest on both engines and compare everything a run leaves behind."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from bot.config import SimSettings
from bot.data import Candles
from bot.engine.assemble import SimRoad, build_sim_road
from bot.engine.backtest import Engine, Rejection, run_backtest
from bot.engine.settings import Settings
from bot.report.record import RunRecord
from bot.strategy.base import Strategy
from tests.support.settings import settings_for

MINUTE_MS = 60_000
#: 2024-01-01 00:00 UTC
START_MS = 1_704_067_200_000


@dataclass
class Played:
    """What one run left behind: its record, refusals and the road it ran on."""

    record: RunRecord
    rejections: list[Rejection]
    road: SimRoad
    progress: list[int]


@cache
def settings(*overrides: str) -> Settings:
    """The settings of ``python -m bot <overrides>`` (composed once per set)."""
    return settings_for(*overrides)


def play(config: Settings, candles: Candles, engine: Engine) -> Played:
    """``candles`` through a fresh road and strategy of ``config`` on ``engine``."""
    road = build_sim_road(config, run_id="cmp", start_ms=int(candles.ts_ms[0]))
    strategy = config.strategy.build()
    assert isinstance(strategy, Strategy)
    venue = config.exchange
    assert isinstance(venue, SimSettings)
    progress: list[int] = []
    record, rejections = run_backtest(
        road,
        strategy,
        candles,
        symbol=config.symbol,
        timeframe="1m",
        tick=venue.instrument.tick_size,
        initial=venue.initial_balance,
        on_progress=progress.append,
        engine=engine,
    )
    return Played(record, rejections, road, progress)


def assert_same_run(reference: Played, fast: Played) -> None:
    """Trades, orders, refusals, fills, funding, liquidations, state and curves agree."""
    ref, got = reference.record, fast.record
    assert got.trades == ref.trades
    assert got.fees == ref.fees
    assert got.funding == ref.funding
    assert got.rejections == ref.rejections
    assert np.array_equal(got.position, ref.position)
    assert np.array_equal(got.equity, ref.equity)
    assert [(r.ts_ms, r.intent, str(r.result)) for r in fast.rejections] == [
        (r.ts_ms, r.intent, str(r.result)) for r in reference.rejections
    ]
    ref_venue, venue = reference.road.venue, fast.road.venue
    assert [(a.seq, a.ts_ms, a.request, a.result) for a in venue.accepted_log] == [
        (a.seq, a.ts_ms, a.request, a.result) for a in ref_venue.accepted_log
    ]
    assert venue.fills_since(0)[0] == ref_venue.fills_since(0)[0]
    assert venue.liquidations == ref_venue.liquidations
    assert venue.funding_payments == ref_venue.funding_payments
    assert venue.totals() == ref_venue.totals()
    assert venue.positions() == ref_venue.positions()
    assert venue.server_time_ms() == ref_venue.server_time_ms()
    assert fast.road.state.state == reference.road.state.state
    assert fast.road.state.reason == reference.road.state.reason
    risk, ref_risk = fast.road.risk, reference.road.risk
    assert (risk.losing_streak, risk.cooldown_until_ms) == (
        ref_risk.losing_streak,
        ref_risk.cooldown_until_ms,
    )
    # the same day, day start, day result and peak (the last equity told may differ: the
    # event engine tells only the bars that change the risk engine's state)
    memory, ref_memory = risk.memory(), ref_risk.memory()
    assert replace(memory, last_equity=None) == replace(ref_memory, last_equity=None)
    assert fast.progress == reference.progress


def random_candles(
    seed: int, bars: int, *, gaps: bool = True, jumpy: bool = True, minutes: int = 1
) -> Candles:
    """A seeded random walk of candles of ``minutes`` (one by default) near 100 on a
    0.1 grid, with volatility regimes, optional gaps in time (some across funding hours)
    and jumps."""
    rng = np.random.default_rng(seed)
    steps = np.ones(bars, dtype=np.int64)
    if gaps:
        skip = rng.random(bars) < 0.01
        steps[skip] = rng.integers(2, 600, size=int(skip.sum()))
    ts = START_MS + minutes * MINUTE_MS * np.cumsum(steps)
    vol = np.repeat(rng.choice([0.0005, 0.002, 0.006], size=bars // 200 + 1), 200)[:bars]
    moves = rng.normal(0.0, 1.0, bars) * vol
    if jumpy:
        jump = rng.random(bars) < 0.002
        moves[jump] += rng.normal(0.0, 0.05, int(jump.sum()))
    close = 100.0 * np.exp(np.cumsum(moves))
    open_ = np.empty(bars)
    open_[0] = 100.0
    open_[1:] = close[:-1] * np.exp(rng.normal(0.0, 0.0002, bars - 1))
    wick = np.abs(rng.normal(0.0, 1.0, (2, bars))) * vol * close
    high = np.maximum(open_, close) + wick[0]
    low = np.minimum(open_, close) - wick[1]
    columns = [np.round(c, 1) for c in (open_, high, low, close)]
    low_r = np.minimum.reduce(columns)
    high_r = np.maximum.reduce(columns)
    volume = rng.gamma(2.0, 5.0, bars)
    return Candles.checked(
        (ts.astype(np.int64), columns[0], high_r, low_r, columns[3], volume), f"walk{seed}"
    )
