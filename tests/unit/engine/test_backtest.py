"""The backtest drives the strategy through the one road, deterministically."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.data import load_candles
from bot.engine.assemble import SimRoad, build_sim_road
from bot.engine.backtest import Rejection, run_backtest
from bot.report.record import RunRecord
from bot.strategy.base import Strategy
from tests.support.settings import settings_for


@dataclass
class _Run:
    record: RunRecord
    links: list[str]
    road: SimRoad
    rejections: list[Rejection]


def _run(*overrides: str) -> _Run:
    settings = settings_for("data.days=2", "strategy.fast=5", "strategy.slow=20", *overrides)
    candles = load_candles(settings.data, seed=settings.seed)
    road = build_sim_road(settings, run_id="t", start_ms=int(candles.ts_ms[0]))
    strategy = settings.strategy.build()
    assert isinstance(strategy, Strategy)
    exchange = settings.exchange
    record, rejections = run_backtest(
        road,
        strategy,
        candles,
        symbol=settings.symbol,
        timeframe="1m",
        tick=exchange.instrument.tick_size,  # type: ignore[union-attr]
        initial=exchange.initial_balance,  # type: ignore[union-attr]
    )
    links = [r.request.order_link_id for r in road.venue.accepted_log]
    return _Run(record, links, road, rejections)


def _digest(record: RunRecord) -> str:
    text = "\n".join(repr(t) for t in record.trades)
    return hashlib.sha256(text.encode()).hexdigest()


def test_same_config_data_and_seed_give_identical_trades() -> None:
    first, second = _run(), _run()
    assert first.record.trades
    assert _digest(first.record) == _digest(second.record)
    assert first.links == second.links
    assert (first.record.equity == second.record.equity).all()


def test_a_different_seed_gives_different_trades() -> None:
    assert _digest(_run().record) != _digest(_run("seed=8").record)


def test_every_order_went_through_the_executor_and_exits_are_reduce_only() -> None:
    run = _run()
    assert run.links
    assert all(link.startswith("t-") for link in run.links)
    closes = [r.request for r in run.road.venue.accepted_log if r.request.reduce_only]
    assert closes
    assert len(run.record.equity) == len(run.record.ts_ms) == 2 * 1440
    assert run.record.fees > 0


def test_risk_refusals_are_reported_not_dropped() -> None:
    run = _run("risk=strict", "risk.cooldown_after_losses=1")
    assert run.record.rejections == len(run.rejections)
    assert run.rejections
    assert all(r.result.stage.value in {"risk", "trading_state"} for r in run.rejections)
