"""Task dispatch: run the task the config names (placeholder until the engine lands)."""

from __future__ import annotations

from bot.config import SimSettings
from bot.engine.settings import Settings


def run_task(settings: Settings) -> float | None:
    """Run ``settings.task`` and return its objective for a sweeper (None: nothing ran)."""
    exchange = settings.exchange
    venue = (
        f"sim (balance {exchange.initial_balance} USDT, leverage {exchange.leverage}x)"
        if isinstance(exchange, SimSettings)
        else f"bybit {exchange.network.value} at {exchange.endpoints.rest}"
    )
    print(
        f"task {settings.task.name} on {settings.symbol}: exchange {venue}; "
        f"risk max leverage {settings.risk.max_leverage}x, max order "
        f"{settings.risk.max_order_notional} USDT; guard price band "
        f"{settings.guard.price_band_bps} bps; strategy {settings.strategy.name} "
        f"({settings.strategy.fast}/{settings.strategy.slow}, "
        f"{settings.strategy.notional} USDT, {settings.strategy.direction.value}); "
        f"data {settings.data.name} {settings.data.timeframe}; seed {settings.seed}. "
        "Nothing is traded yet: the engine is not built."
    )
    return None
