"""Everything a run needs, typed and validated: one settings object per component.

Built by :func:`bot.wiring.build_settings` from the composed Hydra config; the
components' own settings types (:class:`~bot.risk.RiskSettings`,
:class:`~bot.guards.GuardSettings`) are used as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.settings import DataSettings, ExchangeSettings, StrategySettings, TaskSettings
from bot.domain import Symbol
from bot.execution.closing import RemainderPolicy
from bot.guards import GuardSettings
from bot.risk import RiskSettings


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot needs to run, typed and validated."""

    exchange: ExchangeSettings
    risk: RiskSettings
    guard: GuardSettings
    strategy: StrategySettings
    data: DataSettings
    task: TaskSettings
    seed: int
    symbol: Symbol
    close_remainder: RemainderPolicy = RemainderPolicy.CLOSE_ALL
