"""Config schemas (Hydra ConfigStore), their validation, and the typed settings they become.

Public surface: :func:`register_schemas` and the schema dataclasses in
:mod:`bot.config.schema`; one settings class per group in :mod:`bot.config.settings`; range checks
in :mod:`bot.config.validate`. The wiring
from Hydra's composed config to :class:`Settings` is :func:`bot.wiring.build_settings`.
"""

from typing import TYPE_CHECKING

from bot.config.schema import (
    ConfigNode,
    Direction,
    LossLimitAction,
    Network,
    register_schemas,
)

if TYPE_CHECKING:  # imported lazily below: ``python -m bot --help`` must stay fast
    from bot.config.settings import (
        OBJECTIVES,
        OFFICIAL_ENDPOINTS,
        TIMEFRAME_SECONDS,
        BybitEndpoints,
        BybitSettings,
        DataSettings,
        ExchangeSettings,
        FileDataSettings,
        RunTaskSettings,
        Secret,
        SimSettings,
        StrategySettings,
        SyntheticDataSettings,
        TaskSettings,
    )

__all__ = [
    "OBJECTIVES",
    "OFFICIAL_ENDPOINTS",
    "TIMEFRAME_SECONDS",
    "BybitEndpoints",
    "BybitSettings",
    "ConfigNode",
    "DataSettings",
    "Direction",
    "ExchangeSettings",
    "FileDataSettings",
    "LossLimitAction",
    "Network",
    "RunTaskSettings",
    "Secret",
    "SimSettings",
    "StrategySettings",
    "SyntheticDataSettings",
    "TaskSettings",
    "register_schemas",
]


def __getattr__(name: str) -> object:
    """Import the settings classes on first use (they pull in the domain types)."""
    if name in __all__:
        from bot.config import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'bot.config' has no attribute {name!r}")
