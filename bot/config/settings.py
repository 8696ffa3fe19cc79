"""Typed, validated settings: what the rest of the bot reads instead of raw config.

Every class is a frozen dataclass built by :mod:`bot.config.validate` from a schema
object; numbers of money are :class:`~bot.domain.Money`, rules are an
:class:`~bot.domain.Instrument`. Nothing here touches Hydra or OmegaConf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal

from bot.config.schema import LogFormat, Network, OnStop, ReconcilePolicyChoice
from bot.domain import Instrument, Money, Symbol

#: Candle lengths the bot understands, in seconds (Bybit kline intervals).
TIMEFRAME_SECONDS: Final[dict[str, int]] = {
    "1m": 60,
    "3m": 180,
    "5m": 300,
    "15m": 900,
    "30m": 1800,
    "1h": 3600,
    "2h": 7200,
    "4h": 14400,
    "6h": 21600,
    "12h": 43200,
    "1d": 86400,
}

#: Metrics a run can return to a sweeper (higher is better for each).
OBJECTIVES: Final = ("sharpe", "sortino", "total_return", "calmar")


class Secret:
    """A credential that never shows its value in ``repr``, ``str`` or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the one place that signs requests."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class SimSettings:
    """The simulated venue: wallet, fees, slippage, leverage and instrument rules."""

    initial_balance: Money
    taker_fee_bps: Decimal
    maker_fee_bps: Decimal
    slippage_bps: Decimal
    leverage: int
    instrument: Instrument
    name: Literal["sim"] = "sim"


@dataclass(frozen=True, slots=True)
class BybitEndpoints:
    """The URLs one Bybit network is reached at."""

    rest: str
    ws_public: str
    ws_private: str


#: Bybit's official endpoints per network (demo trading reads public data from mainnet).
OFFICIAL_ENDPOINTS: Final[dict[Network, BybitEndpoints]] = {
    Network.mainnet: BybitEndpoints(
        "https://api.bybit.com",
        "wss://stream.bybit.com/v5/public/linear",
        "wss://stream.bybit.com/v5/private",
    ),
    Network.testnet: BybitEndpoints(
        "https://api-testnet.bybit.com",
        "wss://stream-testnet.bybit.com/v5/public/linear",
        "wss://stream-testnet.bybit.com/v5/private",
    ),
    Network.demo: BybitEndpoints(
        "https://api-demo.bybit.com",
        "wss://stream.bybit.com/v5/public/linear",
        "wss://stream-demo.bybit.com/v5/private",
    ),
}


@dataclass(frozen=True, slots=True)
class BybitSettings:
    """Bybit V5: network, resolved endpoints, credentials and request limits."""

    network: Network
    endpoints: BybitEndpoints
    api_key: Secret
    api_secret: Secret
    confirm_mainnet: bool
    recv_window_ms: int
    timeout_s: int
    category: Literal["linear"] = "linear"
    name: Literal["bybit"] = "bybit"


ExchangeSettings = SimSettings | BybitSettings


@dataclass(frozen=True, slots=True)
class StrategySettings:
    """A strategy checked at start: its name, its tunable numbers and how to build it.

    ``build`` returns a fresh strategy object for one run (a
    :class:`bot.strategy.base.Strategy`, which this layer cannot name; the engine
    checks it). ``params`` are the top-level tunables (``fast``, ``slow``) in
    declaration order; empty for a plug-in class.
    """

    name: str
    params: tuple[tuple[str, int | float], ...]
    build: Callable[[], object]

    @property
    def title(self) -> str:
        """The strategy in a few characters, e.g. ``ema_cross 12/26``."""
        if not self.params:
            return self.name
        return f"{self.name} {'/'.join(f'{value:g}' for _, value in self.params)}"


@dataclass(frozen=True, slots=True)
class SyntheticDataSettings:
    """Seeded synthetic candles."""

    days: int
    timeframe: str
    start: datetime
    name: Literal["synthetic"] = "synthetic"

    @property
    def bar_seconds(self) -> int:
        """Length of one candle in seconds."""
        return TIMEFRAME_SECONDS[self.timeframe]


@dataclass(frozen=True, slots=True)
class FileDataSettings:
    """Candles read from a CSV or Parquet file."""

    path: Path
    timeframe: str
    name: Literal["file"] = "file"

    @property
    def bar_seconds(self) -> int:
        """Length of one candle in seconds."""
        return TIMEFRAME_SECONDS[self.timeframe]


DataSettings = SyntheticDataSettings | FileDataSettings


@dataclass(frozen=True, slots=True)
class RunTaskSettings:
    """Run the strategy and return the objective."""

    objective: str
    name: Literal["run"] = "run"


@dataclass(frozen=True, slots=True)
class StatusTaskSettings:
    """Show positions, orders, balance, trading state and feed ages."""

    name: Literal["status"] = "status"


@dataclass(frozen=True, slots=True)
class CloseTaskSettings:
    """Close ``fraction`` (0 < f <= 1) of the live position of ``symbol``, reduce-only."""

    symbol: Symbol
    fraction: Decimal
    name: Literal["close"] = "close"


@dataclass(frozen=True, slots=True)
class PanicTaskSettings:
    """HALTED, cancel every order, close every position; ``confirm`` must be True."""

    confirm: bool
    name: Literal["panic"] = "panic"


@dataclass(frozen=True, slots=True)
class ResetTaskSettings:
    """Leave HALTED: the operator's explicit action, with the reason recorded."""

    reason: str
    name: Literal["reset"] = "reset"


@dataclass(frozen=True, slots=True)
class DownloadTaskSettings:
    """Klines of ``symbol`` for ``days`` up to ``end`` (None = now) into ``path``."""

    symbol: Symbol
    timeframe: str
    days: int
    end: datetime | None
    path: Path
    name: Literal["download"] = "download"


TaskSettings = (
    RunTaskSettings
    | StatusTaskSettings
    | CloseTaskSettings
    | PanicTaskSettings
    | ResetTaskSettings
    | DownloadTaskSettings
)

#: Tasks that talk to a live exchange (they need ``exchange=bybit``).
LIVE_TASKS: Final = ("status", "close", "panic", "reset")


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """How a live run behaves: journal, leverage, reconciliation, stop, logs, runtime.

    ``reconcile_policy`` is ``refuse``, ``adopt`` or ``flatten``; ``on_stop`` is ``keep``
    or ``flatten``; ``log_format`` is ``text`` or ``json``; ``max_runtime_s`` 0 runs
    until stopped.
    """

    journal: Path
    leverage: int
    reconcile_policy: ReconcilePolicyChoice
    reconcile_every_s: int
    on_stop: OnStop
    warmup_bars: int
    log_format: LogFormat
    write_outputs: bool
    max_runtime_s: int
