"""Range checks that turn schema objects into typed settings, or raise ConfigError.

Hydra checks types while it composes; everything it cannot express (ranges, decimal
strings, cross-field rules, the mainnet confirmation) is checked here. Each failure is
a :class:`~bot.errors.ConfigError` naming the dotted key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bot.config.schema import (
    BybitExchangeSchema,
    CloseTaskSchema,
    DownloadTaskSchema,
    FileDataSchema,
    InstrumentSchema,
    LiveSchema,
    Network,
    PanicTaskSchema,
    ResetTaskSchema,
    RuleStrategySchema,
    RunTaskSchema,
    SimExchangeSchema,
    StatusTaskSchema,
    SyntheticDataSchema,
)
from bot.config.settings import (
    OBJECTIVES,
    OFFICIAL_ENDPOINTS,
    TIMEFRAME_SECONDS,
    BybitEndpoints,
    BybitSettings,
    CloseTaskSettings,
    DownloadTaskSettings,
    FileDataSettings,
    LiveSettings,
    PanicTaskSettings,
    ResetTaskSettings,
    RunTaskSettings,
    Secret,
    SimSettings,
    StatusTaskSettings,
    SyntheticDataSettings,
)
from bot.domain import Instrument, Money, Price, Qty, Symbol, parse_decimal
from bot.errors import ConfigError, DomainError, InvalidValue

_RULES = (
    "tick_size",
    "qty_step",
    "min_order_qty",
    "max_order_qty",
    "max_mkt_order_qty",
    "min_notional",
)
_MONEY = "a positive amount of USDT as a decimal string, e.g. '1000'"


def int_in(key: str, value: int, low: int, high: int) -> int:
    """``value`` if ``low <= value <= high``; otherwise a ConfigError naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(key, value, f"an integer from {low} to {high}")
    return value


def money(key: str, value: str) -> Money:
    """``value`` parsed as positive :class:`~bot.domain.Money`, or a ConfigError."""
    try:
        return Money(value)
    except DomainError:
        raise ConfigError(key, value, _MONEY) from None


def decimal_in(key: str, value: str, low: Decimal, high: Decimal, *, low_open: bool) -> Decimal:
    """``value`` parsed as a Decimal in ``(low, high]`` (or ``[low, high]``), or a ConfigError."""
    allowed = f"a decimal string {'above' if low_open else 'from'} {low} up to {high}"
    try:
        number = parse_decimal(key, value)
    except DomainError:
        raise ConfigError(key, value, allowed) from None
    below = number <= low if low_open else number < low
    if below or number > high:
        raise ConfigError(key, value, allowed)
    return number


def one_of(key: str, value: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, or a ConfigError listing them."""
    if value not in choices:
        raise ConfigError(key, value, f"one of: {', '.join(choices)}")
    return value


def symbol(key: str, value: str) -> Symbol:
    """``value`` as a :class:`~bot.domain.Symbol`, or a ConfigError."""
    try:
        return Symbol(value)
    except DomainError:
        raise ConfigError(key, value, "a USDT perpetual symbol, e.g. BTCUSDT") from None


def positive(key: str, value: str) -> Decimal:
    """``value`` parsed as a decimal greater than zero, or a ConfigError."""
    try:
        number = parse_decimal(key, value)
    except DomainError:
        number = Decimal(0)
    if number <= 0:
        raise ConfigError(key, value, "a positive decimal string, e.g. '0.001'")
    return number


def instrument(key: str, rules: InstrumentSchema, on: Symbol) -> Instrument:
    """The instrument rules under ``key`` as an :class:`~bot.domain.Instrument`."""
    grid = {name: positive(f"{key}.{name}", getattr(rules, name)) for name in _RULES}
    try:
        return Instrument(
            symbol=on,
            tick_size=Price(grid["tick_size"]),
            qty_step=Qty(grid["qty_step"]),
            min_order_qty=Qty(grid["min_order_qty"]),
            max_order_qty=Qty(grid["max_order_qty"]),
            max_mkt_order_qty=Qty(grid["max_mkt_order_qty"]),
            min_notional=Money(grid["min_notional"]),
        )
    except InvalidValue as error:  # a cross-rule check, e.g. min_order_qty > max_order_qty
        parent = key.rpartition(".")[0]
        raise ConfigError(f"{parent}.{error.field}", error.value, error.allowed) from None


def sim_exchange(node: SimExchangeSchema, on: Symbol) -> SimSettings:
    """Validate ``exchange=sim``."""
    fee_cap = Decimal(1000)
    return SimSettings(
        initial_balance=money("exchange.initial_balance", node.initial_balance),
        taker_fee_bps=decimal_in(
            "exchange.taker_fee_bps", node.taker_fee_bps, Decimal(0), fee_cap, low_open=False
        ),
        maker_fee_bps=decimal_in(
            "exchange.maker_fee_bps", node.maker_fee_bps, -fee_cap, fee_cap, low_open=False
        ),
        slippage_bps=decimal_in(
            "exchange.slippage_bps", node.slippage_bps, Decimal(0), fee_cap, low_open=False
        ),
        leverage=int_in("exchange.leverage", node.leverage, 1, 100),
        instrument=instrument("exchange.instrument", node.instrument, on),
    )


def _url(key: str, value: str, schemes: tuple[str, ...], official: str) -> str:
    if not value:
        return official
    if not value.startswith(schemes):
        raise ConfigError(key, value, f"empty (official endpoint) or a URL starting {schemes}")
    return value


def _secret(key: str, value: str) -> Secret:
    if not value.strip():
        raise ConfigError(key, "", "a non-empty value from the environment")
    return Secret(value)


def bybit_exchange(node: BybitExchangeSchema) -> BybitSettings:
    """Validate ``exchange=bybit``; ``node`` holds the secrets already resolved."""
    if node.network is Network.mainnet and not node.confirm_mainnet:
        raise ConfigError(
            "exchange.network",
            "mainnet",
            "mainnet trades real money: add exchange.confirm_mainnet=true to allow it",
        )
    one_of("exchange.category", node.category, ("linear",))
    official = OFFICIAL_ENDPOINTS[node.network]
    http, ws = ("http://", "https://"), ("ws://", "wss://")
    return BybitSettings(
        network=node.network,
        endpoints=BybitEndpoints(
            rest=_url("exchange.rest_url", node.rest_url, http, official.rest),
            ws_public=_url("exchange.ws_public_url", node.ws_public_url, ws, official.ws_public),
            ws_private=_url(
                "exchange.ws_private_url", node.ws_private_url, ws, official.ws_private
            ),
        ),
        api_key=_secret("exchange.api_key", node.api_key),
        api_secret=_secret("exchange.api_secret", node.api_secret),
        confirm_mainnet=node.confirm_mainnet,
        recv_window_ms=int_in("exchange.recv_window_ms", node.recv_window_ms, 1, 60_000),
        timeout_s=int_in("exchange.timeout_s", node.timeout_s, 1, 120),
    )


def strategy_params(node: RuleStrategySchema) -> tuple[tuple[str, int | float], ...]:
    """A rule strategy's top-level tunables (``fast``, ``slow``), with ``ORDERED`` checked.

    Their ranges are checked where they are used (an indicator's period, a level), and
    reported under their own key by the wiring.
    """
    common = {item.name for item in dataclasses.fields(RuleStrategySchema)}
    params: dict[str, int | float] = {}
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        if item.name in common:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"strategy.{item.name}", value, "a number")
        params[item.name] = value
    for lower, higher in node.ORDERED:
        if params[lower] >= params[higher]:
            raise ConfigError(
                f"strategy.{higher}",
                params[higher],
                f"greater than strategy.{lower} ({params[lower]})",
            )
    return tuple(params.items())


def _timeframe(value: str) -> str:
    return one_of("data.timeframe", value, tuple(TIMEFRAME_SECONDS))


def synthetic_data(node: SyntheticDataSchema) -> SyntheticDataSettings:
    """Validate ``data=synthetic``; ``start`` must be ISO 8601 with a UTC offset."""
    start = _utc("data.start", node.start)
    return SyntheticDataSettings(
        days=int_in("data.days", node.days, 1, 3650),
        timeframe=_timeframe(node.timeframe),
        start=start,
    )


def file_data(node: FileDataSchema) -> FileDataSettings:
    """Validate ``data=file``: an existing ``.csv`` or ``.parquet`` file."""
    path = Path(node.path)
    if path.suffix.lower() not in (".csv", ".parquet") or not path.is_file():
        raise ConfigError("data.path", node.path, "an existing .csv or .parquet file")
    return FileDataSettings(path=path, timeframe=_timeframe(node.timeframe))


def run_task(node: RunTaskSchema) -> RunTaskSettings:
    """Validate ``task=run``."""
    return RunTaskSettings(objective=one_of("task.objective", node.objective, OBJECTIVES))


def _utc(key: str, value: str) -> datetime:
    allowed = "an ISO 8601 time in UTC, e.g. 2024-01-01T00:00:00Z"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(key, value, allowed) from None
    if moment.utcoffset() is None or moment.utcoffset() != UTC.utcoffset(None):
        raise ConfigError(key, value, allowed)
    return moment.astimezone(UTC)


def status_task(node: StatusTaskSchema) -> StatusTaskSettings:
    """Validate ``task=status`` (nothing to choose)."""
    return StatusTaskSettings()


def close_task(node: CloseTaskSchema) -> CloseTaskSettings:
    """Validate ``task=close``: a symbol and a fraction in (0, 1]."""
    fraction = decimal_in("task.fraction", node.fraction, Decimal(0), Decimal(1), low_open=True)
    return CloseTaskSettings(symbol=symbol("task.symbol", node.symbol), fraction=fraction)


def panic_task(node: PanicTaskSchema) -> PanicTaskSettings:
    """Validate ``task=panic``: refused unless ``task.confirm=true``."""
    if not node.confirm:
        raise ConfigError(
            "task.confirm",
            node.confirm,
            "true: panic cancels every order and closes every position (task.confirm=true)",
        )
    return PanicTaskSettings(confirm=True)


def reset_task(node: ResetTaskSchema) -> ResetTaskSettings:
    """Validate ``task=reset``: the operator says why trading may resume."""
    reason = " ".join(node.reason.split())
    if not reason:
        raise ConfigError("task.reason", node.reason, "a few words on why trading may resume")
    return ResetTaskSettings(reason=reason)


def download_task(node: DownloadTaskSchema) -> DownloadTaskSettings:
    """Validate ``task=download``: symbol, timeframe, days, end time and a ``.parquet`` path."""
    path = Path(node.path)
    if path.suffix.lower() != ".parquet":
        raise ConfigError("task.path", node.path, "a file name ending in .parquet")
    return DownloadTaskSettings(
        symbol=symbol("task.symbol", node.symbol),
        timeframe=one_of("task.timeframe", node.timeframe, tuple(TIMEFRAME_SECONDS)),
        days=int_in("task.days", node.days, 1, 3650),
        end=_utc("task.end", node.end) if node.end else None,
        path=path,
    )


def live(node: LiveSchema, max_leverage: int) -> LiveSettings:
    """Validate the ``live`` node; ``live.leverage`` may not exceed ``risk.max_leverage``."""
    journal = Path(node.journal)
    if not node.journal.strip() or journal.suffix.lower() not in (".sqlite", ".db"):
        raise ConfigError("live.journal", node.journal, "a file path ending in .sqlite or .db")
    leverage = int_in("live.leverage", node.leverage, 1, 100)
    if leverage > max_leverage:
        raise ConfigError("live.leverage", leverage, f"at most risk.max_leverage ({max_leverage})")
    return LiveSettings(
        journal=journal,
        leverage=leverage,
        reconcile_policy=node.reconcile_policy,
        reconcile_every_s=int_in("live.reconcile_every_s", node.reconcile_every_s, 5, 86_400),
        on_stop=node.on_stop,
        warmup_bars=int_in("live.warmup_bars", node.warmup_bars, 0, 1000),
        log_format=node.log_format,
        write_outputs=node.write_outputs,
        max_runtime_s=int_in("live.max_runtime_s", node.max_runtime_s, 0, 10 * 365 * 86_400),
    )


def seed(value: int) -> int:
    """The run's seed: an integer that numpy's generators accept."""
    return int_in("seed", value, 0, 2**32 - 1)
