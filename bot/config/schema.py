"""Structured-config schemas behind every config group, registered in Hydra's ConfigStore.

Each YAML file in ``conf/<group>/`` starts with ``defaults: [<schema name>, _self_]``,
so Hydra checks types and refuses unknown keys while it composes. Money, prices and
quantities are ``str`` here because OmegaConf cannot hold a ``Decimal``; ranges and
parsing live in :mod:`bot.config.validate`, which turns a schema into typed settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final, TypeAlias

from beartype.vale import IsInstance
from omegaconf import MISSING, DictConfig

#: A composed config node (an OmegaConf ``DictConfig``) in a bot function's signature.
if TYPE_CHECKING:
    ConfigNode: TypeAlias = DictConfig
else:
    # A plain isinstance check: DictConfig subclasses typing.MutableMapping[Any, Any],
    # which beartype would otherwise report as a deprecated PEP 484 hint.
    ConfigNode = Annotated[object, IsInstance[DictConfig]]


class Network(Enum):
    """Which Bybit environment to talk to. ``mainnet`` trades real money."""

    demo = "demo"
    testnet = "testnet"
    mainnet = "mainnet"


class LossLimitAction(Enum):
    """Trading state the bot moves to when the daily loss limit or max drawdown is hit."""

    reducing = "reducing"
    halted = "halted"


class CloseRemainder(Enum):
    """What a partial close does when it would leave less than the minimum order qty."""

    close_all = "close_all"
    keep = "keep"


class Direction(Enum):
    """Which side a strategy may open positions on."""

    long = "long"
    short = "short"
    both = "both"


@dataclass
class InstrumentSchema:
    """Lot and price rules of the simulated instrument (Bybit ``lotSizeFilter`` names)."""

    tick_size: str = "0.10"
    qty_step: str = "0.001"
    min_order_qty: str = "0.001"
    max_order_qty: str = "1190"
    max_mkt_order_qty: str = "500"
    min_notional: str = "5"


@dataclass
class SimExchangeSchema:
    """``exchange=sim``: the built-in simulated venue (no network, no keys)."""

    name: str = "sim"
    initial_balance: str = "10000"
    taker_fee_bps: str = "5.5"
    maker_fee_bps: str = "2"
    slippage_bps: str = "1"
    leverage: int = 5
    instrument: InstrumentSchema = field(default_factory=InstrumentSchema)


@dataclass
class BybitExchangeSchema:
    """``exchange=bybit``: Bybit V5 through pybit. Keys come from the environment only."""

    name: str = "bybit"
    network: Network = Network.demo
    rest_url: str = ""
    ws_public_url: str = ""
    ws_private_url: str = ""
    api_key: str = MISSING
    api_secret: str = MISSING
    confirm_mainnet: bool = False
    recv_window_ms: int = 5000
    timeout_s: int = 10
    category: str = "linear"


@dataclass
class RiskSchema:
    """``risk=...``: portfolio limits checked after the guards, before sizing."""

    max_leverage: int = MISSING
    max_order_notional: str = MISSING
    max_position_notional: str = MISSING
    max_total_exposure: str = MISSING
    max_open_positions: int = MISSING
    daily_loss_limit: str = MISSING
    max_drawdown_pct: str = MISSING
    on_loss_limit: LossLimitAction = MISSING
    cooldown_after_losses: int = MISSING
    cooldown_minutes: int = MISSING
    max_orders_per_minute: int = MISSING
    allow_shrink: bool = MISSING


@dataclass
class GuardSchema:
    """``guard=...``: pre-trade guards on entries (exits always pass them)."""

    price_band_bps: int = MISSING
    max_feed_age_ms: int = MISSING
    max_stream_silence_ms: int = MISSING
    max_clock_skew_ms: int = MISSING
    check_stop_side: bool = MISSING
    use_mark_price: bool = MISSING


@dataclass
class RuleStrategySchema:
    """``strategy=...``: a declarative rule strategy (:mod:`bot.strategy.rules`).

    The sections are free-form here and checked by :func:`bot.strategy.rules.parse_rules`
    with the key path and the choices. A built-in adds its tunable numbers as top-level
    fields (``strategy.fast``), which its sections use by interpolation
    (``period: ${strategy.fast}``), so ``-m strategy.fast=5,10,20`` sweeps them.
    ``ORDERED`` pairs of tunables must be strictly increasing (``fast < slow``).
    """

    ORDERED: ClassVar[tuple[tuple[str, str], ...]] = ()

    name: str = MISSING
    direction: Direction = Direction.both
    indicators: dict[str, Any] = field(default_factory=dict)
    entry: dict[str, Any] = field(default_factory=dict)
    exit: dict[str, Any] = field(default_factory=dict)
    exits: dict[str, Any] = field(default_factory=dict)
    sizing: dict[str, Any] = field(default_factory=dict)


@dataclass
class EmaCrossSchema(RuleStrategySchema):
    """``strategy=ema_cross``: fast/slow EMA crossover."""

    ORDERED: ClassVar[tuple[tuple[str, str], ...]] = (("fast", "slow"),)

    name: str = "ema_cross"
    fast: int = 12
    slow: int = 26


@dataclass
class RsiReversionSchema(RuleStrategySchema):
    """``strategy=rsi_reversion``: RSI leaving the oversold / overbought zone."""

    ORDERED: ClassVar[tuple[tuple[str, str], ...]] = (("oversold", "overbought"),)

    name: str = "rsi_reversion"
    period: int = 14
    oversold: float = 30.0
    overbought: float = 70.0


@dataclass
class BollingerBreakoutSchema(RuleStrategySchema):
    """``strategy=bollinger_breakout``: close breaking out of the Bollinger Bands."""

    name: str = "bollinger_breakout"
    period: int = 20
    stddev: float = 2.0


@dataclass
class DonchianTrendSchema(RuleStrategySchema):
    """``strategy=donchian_trend``: Donchian channel breakout with an ADX trend filter."""

    ORDERED: ClassVar[tuple[tuple[str, str], ...]] = (("exit_period", "entry_period"),)

    name: str = "donchian_trend"
    entry_period: int = 55
    exit_period: int = 20
    min_adx: float = 20.0


@dataclass
class SyntheticDataSchema:
    """``data=synthetic``: seeded random-walk candles, offline."""

    name: str = "synthetic"
    days: int = 30
    timeframe: str = "1m"
    start: str = "2024-01-01T00:00:00Z"


@dataclass
class FileDataSchema:
    """``data=file``: candles from a CSV or Parquet file."""

    name: str = "file"
    path: str = MISSING
    timeframe: str = "1m"


class ReconcilePolicyChoice(Enum):
    """What a live start does when the journal and the exchange disagree."""

    refuse = "refuse"
    adopt = "adopt"
    flatten = "flatten"


class OnStop(Enum):
    """What SIGINT/SIGTERM does with open positions (entry orders are always cancelled)."""

    keep = "keep"
    flatten = "flatten"


class LogFormat(Enum):
    """How a live run writes its log lines."""

    text = "text"
    json = "json"


@dataclass
class LiveSchema:
    """``live``: how ``exchange=bybit`` runs (journal, reconciliation, stop, logs)."""

    journal: str = "state/journal.sqlite"
    leverage: int = 3
    reconcile_policy: ReconcilePolicyChoice = ReconcilePolicyChoice.refuse
    reconcile_every_s: int = 60
    on_stop: OnStop = OnStop.keep
    warmup_bars: int = 200
    log_format: LogFormat = LogFormat.text
    write_outputs: bool = False
    max_runtime_s: int = 0


@dataclass
class RunTaskSchema:
    """``task=run``: trade the strategy on the data and return the objective."""

    name: str = "run"
    objective: str = "sharpe"


@dataclass
class StatusTaskSchema:
    """``task=status``: positions, orders, balance, trading state and feed ages."""

    name: str = "status"


@dataclass
class CloseTaskSchema:
    """``task=close``: reduce-only close of ``fraction`` of the live position."""

    name: str = "close"
    symbol: str = "${symbol}"
    fraction: str = "1"


@dataclass
class PanicTaskSchema:
    """``task=panic``: HALTED, cancel all, flatten all; needs ``task.confirm=true``."""

    name: str = "panic"
    confirm: bool = False


@dataclass
class ResetTaskSchema:
    """``task=reset``: leave HALTED (back to ACTIVE), recorded with the operator's reason."""

    name: str = "reset"
    reason: str = MISSING


@dataclass
class DownloadTaskSchema:
    """``task=download``: klines through pybit into a Parquet file ``data=file`` reads."""

    name: str = "download"
    symbol: str = "${symbol}"
    timeframe: str = "1m"
    days: int = 30
    end: str = ""
    path: str = MISSING


@dataclass
class BotSchema:
    """The root config: one node per group plus the run-wide settings."""

    seed: int = 7
    symbol: str = "BTCUSDT"
    close_remainder: CloseRemainder = CloseRemainder.close_all
    exchange: Any = MISSING
    risk: Any = MISSING
    guard: Any = MISSING
    strategy: Any = MISSING
    data: Any = MISSING
    task: Any = MISSING
    live: LiveSchema = field(default_factory=LiveSchema)


#: Name of the root schema in the ConfigStore (first entry of ``config.yaml`` defaults).
ROOT_SCHEMA: Final = "bot_schema"

#: (group, schema name used in the YAML defaults list, schema class)
SCHEMAS: Final[tuple[tuple[str, str, type], ...]] = (
    ("exchange", "sim_schema", SimExchangeSchema),
    ("exchange", "bybit_schema", BybitExchangeSchema),
    ("risk", "risk_schema", RiskSchema),
    ("guard", "guard_schema", GuardSchema),
    ("strategy", "rule_schema", RuleStrategySchema),
    ("strategy", "ema_cross_schema", EmaCrossSchema),
    ("strategy", "rsi_reversion_schema", RsiReversionSchema),
    ("strategy", "bollinger_breakout_schema", BollingerBreakoutSchema),
    ("strategy", "donchian_trend_schema", DonchianTrendSchema),
    ("data", "synthetic_schema", SyntheticDataSchema),
    ("data", "file_schema", FileDataSchema),
    ("task", "run_schema", RunTaskSchema),
    ("task", "status_schema", StatusTaskSchema),
    ("task", "close_schema", CloseTaskSchema),
    ("task", "panic_schema", PanicTaskSchema),
    ("task", "reset_schema", ResetTaskSchema),
    ("task", "download_schema", DownloadTaskSchema),
)


def register_schemas() -> None:
    """Store every schema in Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    store.store(name=ROOT_SCHEMA, node=BotSchema)
    for group, name, schema in SCHEMAS:
        store.store(group=group, name=name, node=schema)
