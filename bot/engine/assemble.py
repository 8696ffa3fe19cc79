"""Builds the whole road on the simulated venue from validated settings.

Venue, trading state, guard chain, risk engine, executor and panic: the same parts a
live run uses, pointed at :class:`~bot.exchange.sim.SimExchange`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import SimSettings as SimConfig
from bot.engine.settings import Settings
from bot.exchange.sim import SimExchange, SimSettings
from bot.exchange.sim.health import SimClockSkew, SimStreamHealth
from bot.execution import Executor
from bot.guards import GuardChain, build_guard_chain
from bot.risk import RiskEngine, RiskSettings, TradingStateHolder
from bot.safety.panic import Panic


@dataclass(frozen=True, slots=True)
class SimRoad:
    """The assembled parts of one run on the simulated venue."""

    venue: SimExchange
    state: TradingStateHolder
    guards: GuardChain
    risk: RiskEngine
    executor: Executor
    panic: Panic
    #: the limits ``risk`` enforces (the backtest reads when a loss limit can be hit)
    risk_settings: RiskSettings


def build_sim_road(settings: Settings, *, run_id: str, start_ms: int) -> SimRoad:
    """Every part of the road, on a fresh simulated venue whose clock starts at ``start_ms``."""
    config = settings.exchange
    if not isinstance(config, SimConfig):
        raise TypeError(f"build_sim_road needs exchange=sim, not {config.name}")
    venue = SimExchange(
        [config.instrument],
        SimSettings(
            initial_balance=config.initial_balance,
            taker_fee_bps=config.taker_fee_bps,
            maker_fee_bps=config.maker_fee_bps,
            slippage_bps=config.slippage_bps,
            leverage=config.leverage,
            start_ms=start_ms,
        ),
    )
    state = TradingStateHolder()
    guards = build_guard_chain(
        settings.guard,
        state=state,
        prices=venue,
        stream=SimStreamHealth(venue),
        skew=SimClockSkew(),
        clock=venue.clock,
    )
    risk = RiskEngine(settings.risk, state, venue.clock)
    executor = Executor(
        venue, guards, risk, state, run_id=run_id, remainder=settings.close_remainder
    )
    return SimRoad(venue, state, guards, risk, executor, Panic(executor, state), settings.risk)
