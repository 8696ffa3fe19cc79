"""The event-driven engine plays every run exactly as the bar-by-bar reference does."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import numpy as np
import pytest

from bot.config import SimSettings
from bot.data import Candles, load_candles
from bot.domain import Intent
from bot.engine.assemble import build_sim_road
from bot.engine.backtest import run_backtest
from bot.engine.events import EventRun
from bot.engine.extremes import BankruptcyReach
from bot.engine.marks import whole_ticks
from bot.engine.settings import Settings
from bot.errors import InvalidValue
from bot.exchange.sim.marking import Marking
from bot.risk import TradingState
from bot.strategy.base import Book, ClosedBar, PlannedStrategy, Strategy
from tests.unit.engine.engines import assert_same_run, play, random_candles, settings

BUILT_INS = ("ema_cross", "rsi_reversion", "bollinger_breakout", "donchian_trend")


@pytest.mark.parametrize("strategy", BUILT_INS)
def test_every_built_in_strategy_gives_the_same_run(strategy: str) -> None:
    config = settings(f"strategy={strategy}", "data.days=4")
    candles = load_candles(config.data, seed=config.seed)
    reference = play(config, candles, "bars")
    fast = play(config, candles, "auto")
    assert reference.record.trades
    assert_same_run(reference, fast)


@pytest.mark.parametrize(
    "overrides",
    [
        # loss limits: drawdown and daily loss breach, the state escalates mid-run
        ("risk.max_drawdown_pct=0.5",),
        ("risk.daily_loss_limit=2", "risk.on_loss_limit=halted"),
        # leverage 100 on 10,000 USDT: positions get liquidated
        ("exchange.leverage=100", "strategy.sizing.notional=10000"),
        ("exchange.leverage=100", "strategy.sizing.notional=10000", "strategy.direction=long"),
        ("exchange.leverage=100", "strategy.sizing.notional=10000", "strategy.direction=short"),
        # strict risk: cooldowns after losses, order pace
        ("risk=strict",),
    ],
)
def test_limits_liquidations_and_funding_give_the_same_run(overrides: tuple[str, ...]) -> None:
    config = settings("data.days=6", *overrides)
    candles = load_candles(config.data, seed=config.seed)
    reference = play(config, candles, "bars")
    assert_same_run(reference, play(config, candles, "auto"))


def test_a_liquidation_mid_run_gives_the_same_run() -> None:
    config = settings("data.days=20", "exchange.leverage=100", "strategy.sizing.notional=10000")
    candles = load_candles(config.data, seed=config.seed)
    reference = play(config, candles, "bars")
    fast = play(config, candles, "auto")
    assert fast.road.venue.liquidations
    assert_same_run(reference, fast)


def test_a_loss_limit_case_does_escalate() -> None:
    config = settings("data.days=6", "risk.max_drawdown_pct=0.5")
    candles = load_candles(config.data, seed=config.seed)
    fast = play(config, candles, "auto")
    assert fast.road.state.state.name == "REDUCING"
    assert "drawdown" in fast.road.state.reason


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gappy_jumpy_walks_give_the_same_run(seed: int) -> None:
    config = settings("strategy.fast=3", "strategy.slow=9", "exchange.leverage=20")
    candles = random_candles(seed, 3_000)
    assert_same_run(play(config, candles, "bars"), play(config, candles, "auto"))


class _Unplanned:
    """A strategy without ``plan``: it can only be run bar by bar."""

    name = "unplanned"

    def __init__(self, inner: Strategy) -> None:
        self._inner = inner

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        return self._inner.on_bar(bar, book)


def test_a_strategy_without_a_plan_runs_bar_by_bar() -> None:
    config = settings("data.days=1")
    candles = load_candles(config.data, seed=config.seed)
    reference = play(config, candles, "bars")
    inner = config.strategy.build()
    assert isinstance(inner, Strategy)
    assert not isinstance(_Unplanned(inner), PlannedStrategy)
    exchange = config.exchange
    assert isinstance(exchange, SimSettings)
    record, _ = run_backtest(
        build_sim_road(config, run_id="cmp", start_ms=int(candles.ts_ms[0])),
        _Unplanned(inner),
        candles,
        symbol=config.symbol,
        timeframe="1m",
        tick=exchange.instrument.tick_size,
        initial=exchange.initial_balance,
    )
    assert record.trades == reference.record.trades
    assert (record.equity == reference.record.equity).all()


def _event_run(config: Settings, candles: Candles) -> EventRun:
    road = build_sim_road(config, run_id="cmp", start_ms=int(candles.ts_ms[0]))
    strategy = config.strategy.build()
    assert isinstance(strategy, PlannedStrategy)
    plan = strategy.plan(candles.open, candles.high, candles.low, candles.close, candles.volume)
    assert plan is not None
    tick = Decimal("0.1")
    return EventRun(road, plan, candles, symbol=config.symbol, tick=tick, on_progress=None)


def test_closes_are_counted_in_ticks_as_the_bars_round_them() -> None:
    candles = random_candles(4, 500)
    run = _event_run(settings(), candles)
    tick = Decimal("0.1")
    for i in range(len(candles)):
        assert run._close_price(i) == candles.bar(i, tick).close


@pytest.mark.parametrize("sign", [1, -1])
def test_one_bar_liquidation_check_is_the_stretch_check_on_that_bar(sign: int) -> None:
    candles = random_candles(5, 400)
    reach = BankruptcyReach(candles.high, candles.low, 0.1)
    levels = np.linspace(float(candles.low.min()) - 1, float(candles.high.max()) + 1, 60)
    for level in levels.tolist():
        marking = Marking(
            Decimal(1000), sign, Decimal(1), Decimal(100), Decimal(repr(level)), False, False
        )
        for i in range(0, len(candles), 7):
            assert reach.may_reach(i, marking) == (reach.clear_bars(i, i + 1, marking) < 1)
    unbounded = Marking(Decimal(1000), sign, Decimal(1), Decimal(100), None, False, False)
    assert not reach.may_reach(3, unbounded)
    assert reach.clear_bars(3, 40, unbounded) == 37


@pytest.mark.parametrize("on_loss_limit", ["reducing", "halted"])
def test_a_loss_limit_stays_open_until_the_state_it_would_set(on_loss_limit: str) -> None:
    run = _event_run(settings(f"risk.on_loss_limit={on_loss_limit}"), random_candles(6, 50))
    state = run._road.state
    assert run._loss_limit_open()
    state.escalate(TradingState.REDUCING, "test")
    assert run._loss_limit_open() == (on_loss_limit == "halted")
    state.escalate(TradingState.HALTED, "test")
    assert not run._loss_limit_open()


@pytest.mark.failclosed
def test_closes_too_far_from_the_tick_to_count_refuse_the_run() -> None:
    candles = random_candles(7, 20)
    huge = candles.close.copy()
    huge[3] = 2.0**53  # 2**54 ticks of 0.1: past what a float counts exactly
    with pytest.raises(InvalidValue):
        whole_ticks(huge, 0.1)
    assert whole_ticks(candles.close, 0.1).tolist() == [
        round(c / 0.1) for c in candles.close.tolist()
    ]
