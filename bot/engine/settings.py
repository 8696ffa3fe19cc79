"""Everything a run needs, typed and validated: one settings object per component.

Built by :func:`bot.wiring.build_settings` from the composed Hydra config; the
components' own settings types (:class:`~bot.risk.RiskSettings`,
:class:`~bot.guards.GuardSettings`) are used as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config.schema import LogFormat, OnStop, ReconcilePolicyChoice
from bot.config.settings import (
    DataSettings,
    ExchangeSettings,
    LiveSettings,
    StrategySettings,
    TaskSettings,
)
from bot.domain import Symbol
from bot.execution.closing import RemainderPolicy
from bot.guards import GuardSettings
from bot.risk import RiskSettings

#: The ``live`` node's defaults (``conf/config.yaml``), for settings built in code.
DEFAULT_LIVE = LiveSettings(
    journal=Path("state/journal.sqlite"),
    leverage=3,
    reconcile_policy=ReconcilePolicyChoice.refuse,
    reconcile_every_s=60,
    on_stop=OnStop.keep,
    warmup_bars=200,
    log_format=LogFormat.text,
    write_outputs=False,
    max_runtime_s=0,
)


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
    live: LiveSettings = DEFAULT_LIVE
