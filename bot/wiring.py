"""The one typed wiring module: composed config in, validated settings and objects out.

:func:`build_settings` turns Hydra's composed ``DictConfig`` into :class:`Settings`,
built from each component's own settings type (refusing unknown keys, resolving secrets from the
environment in memory only, checking every range). :func:`instantiate_checked` is the
only place in ``bot`` that calls ``hydra.utils.instantiate``.
:func:`user_config_error` says which Hydra composition errors are the user's doing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any, Final, TypeVar, get_origin, get_type_hints

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import (
    InterpolationResolutionError,
    MissingMandatoryValue,
    OmegaConfBaseException,
)

from bot.config import validate
from bot.config.schema import (
    BotSchema,
    BybitExchangeSchema,
    CloseTaskSchema,
    ConfigNode,
    DownloadTaskSchema,
    FileDataSchema,
    GuardSchema,
    LiveSchema,
    PanicTaskSchema,
    ResetTaskSchema,
    RiskSchema,
    RuleStrategySchema,
    RunTaskSchema,
    SimExchangeSchema,
    StatusTaskSchema,
    SyntheticDataSchema,
)
from bot.config.settings import (
    DataSettings,
    ExchangeSettings,
    StrategySettings,
    TaskSettings,
)
from bot.domain import Symbol
from bot.engine.settings import Settings
from bot.errors import BotError, ConfigError, InvalidValue
from bot.execution.closing import RemainderPolicy
from bot.guards import GuardSettings
from bot.risk import LossAction, RiskSettings

T = TypeVar("T")

#: A secret must be exactly one environment interpolation, e.g. ``${oc.env:BYBIT_API_KEY}``.
_ENV_SECRET: Final = re.compile(r"\$\{oc\.env:([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_KEYS: Final = ("api_key", "api_secret")
#: A value that is exactly a top-level strategy tunable, e.g. ``${strategy.fast}``.
_TUNABLE: Final = re.compile(r"\$\{(strategy\.[A-Za-z_][A-Za-z0-9_]*)\}")


def build_settings(cfg: ConfigNode) -> Settings:
    """Validate the composed config and return typed settings, or raise ConfigError."""
    check_known_keys(cfg)
    exchange_node = cfg["exchange"]
    if OmegaConf.get_type(exchange_node) is BybitExchangeSchema:
        for name in _SECRET_KEYS:
            _check_env_secret(exchange_node, name)
    symbol = validate.symbol("symbol", _plain(cfg, "symbol"))
    exchange = _typed(cfg, "exchange")
    if isinstance(exchange, SimExchangeSchema):
        exchange_settings: ExchangeSettings = validate.sim_exchange(exchange, symbol)
    elif isinstance(exchange, BybitExchangeSchema):
        exchange_settings = validate.bybit_exchange(exchange)
    else:
        raise _unknown_option("exchange", exchange)
    data = _typed(cfg, "data")
    if isinstance(data, SyntheticDataSchema):
        data_settings: DataSettings = validate.synthetic_data(data)
    elif isinstance(data, FileDataSchema):
        data_settings = validate.file_data(data)
    else:
        raise _unknown_option("data", data)
    risk = _risk(_expect(cfg, "risk", RiskSchema))
    return Settings(
        exchange=exchange_settings,
        risk=risk,
        guard=_guard(_expect(cfg, "guard", GuardSchema)),
        strategy=_strategy(cfg, symbol),
        data=data_settings,
        task=_task(cfg),
        seed=validate.seed(_plain(cfg, "seed")),
        symbol=symbol,
        close_remainder=RemainderPolicy(_plain(cfg, "close_remainder").value),
        live=validate.live(_expect(cfg, "live", LiveSchema), risk.max_leverage),
    )


#: ``task=<name>``: its schema and its validation.
_TASKS: Final[dict[type, Callable[[Any], TaskSettings]]] = {
    RunTaskSchema: validate.run_task,
    StatusTaskSchema: validate.status_task,
    CloseTaskSchema: validate.close_task,
    PanicTaskSchema: validate.panic_task,
    ResetTaskSchema: validate.reset_task,
    DownloadTaskSchema: validate.download_task,
}


def _task(cfg: ConfigNode) -> TaskSettings:
    node = _typed(cfg, "task")
    check = _TASKS.get(type(node))
    if check is None:
        raise _unknown_option("task", node)
    return check(node)


def _risk(node: RiskSchema) -> RiskSettings:
    """The risk engine's settings; also order <= position <= total exposure."""
    order = validate.money("risk.max_order_notional", node.max_order_notional)
    position = validate.money("risk.max_position_notional", node.max_position_notional)
    total = validate.money("risk.max_total_exposure", node.max_total_exposure)
    if order > position:
        raise ConfigError("risk.max_order_notional", node.max_order_notional, f"at most {position}")
    if position > total:
        raise ConfigError(
            "risk.max_position_notional", node.max_position_notional, f"at most {total}"
        )
    with _ranges_are_config_errors():
        return RiskSettings(
            max_leverage=node.max_leverage,
            max_order_notional=order,
            max_position_notional=position,
            max_total_exposure=total,
            max_open_positions=node.max_open_positions,
            daily_loss_limit=validate.money("risk.daily_loss_limit", node.daily_loss_limit),
            max_drawdown_pct=validate.positive("risk.max_drawdown_pct", node.max_drawdown_pct),
            on_loss_limit=LossAction(node.on_loss_limit.value),
            cooldown_after_losses=node.cooldown_after_losses,
            cooldown_minutes=node.cooldown_minutes,
            max_orders_per_minute=node.max_orders_per_minute,
            allow_shrink=node.allow_shrink,
        )


def _guard(node: GuardSchema) -> GuardSettings:
    """The guards' settings; their ranges live in :class:`~bot.guards.GuardSettings`."""
    with _ranges_are_config_errors():
        return GuardSettings(
            price_band_bps=node.price_band_bps,
            max_feed_age_ms=node.max_feed_age_ms,
            max_stream_silence_ms=node.max_stream_silence_ms,
            max_clock_skew_ms=node.max_clock_skew_ms,
            check_stop_side=node.check_stop_side,
            use_mark_price=node.use_mark_price,
        )


def _strategy(cfg: ConfigNode, symbol: Symbol) -> StrategySettings:
    """The strategy: a plug-in class (``_target_``) or a declarative rule strategy.

    A rule strategy is parsed and compiled once here, so a bad indicator, operator or
    parameter stops the bot at start. An error on a value that came from a top-level
    tunable by interpolation (``period: ${strategy.fast}``) names the tunable.
    """
    from bot.strategy.rules import RuleStrategy, parse_rules

    node = _plain(cfg, "strategy")
    if isinstance(node, DictConfig) and "_target_" in node:
        return _plugin_strategy(node)
    schema = _expect(cfg, "strategy", RuleStrategySchema)
    params = validate.strategy_params(schema)
    definition = {
        "name": schema.name,
        "direction": schema.direction.value,
        "indicators": schema.indicators,
        "entry": schema.entry,
        "exit": schema.exit,
        "exits": schema.exits,
        "sizing": schema.sizing,
    }
    try:
        rules = parse_rules(definition, "strategy")
    except ConfigError as error:
        source = _interpolated_from(node, "strategy").get(error.key)
        if source is None:
            raise
        raise ConfigError(source, error.value, f"{error.allowed} (used as {error.key})") from None
    RuleStrategy(symbol, rules)  # compiles every condition once: refuse now, not mid-run
    return StrategySettings(
        name=rules.name, params=params, build=functools.partial(RuleStrategy, symbol, rules)
    )


def _plugin_strategy(node: ConfigNode) -> StrategySettings:
    """A Python strategy class named by ``_target_``, built once now to check it."""
    from bot.strategy.base import Strategy

    def build() -> object:
        return instantiate_checked(node, Strategy)  # type: ignore[type-abstract]

    first = instantiate_checked(node, Strategy)  # type: ignore[type-abstract]
    return StrategySettings(name=str(first.name), params=(), build=build)


def _interpolated_from(node: ConfigNode, prefix: str) -> dict[str, str]:
    """Key paths whose value is exactly ``${strategy.X}``, mapped to ``strategy.X``."""
    found: dict[str, str] = {}

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, f"{path}.{key}")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{path}[{index}]")
        elif isinstance(value, str):
            match = _TUNABLE.fullmatch(value.strip())
            if match is not None:
                found[path] = match.group(1)

    walk(OmegaConf.to_container(node, resolve=False), prefix)
    return found


@contextlib.contextmanager
def _ranges_are_config_errors() -> Iterator[None]:
    """A component's own range check, reported as a config error on the same key."""
    try:
        yield
    except InvalidValue as exc:
        raise ConfigError(exc.field, exc.value, exc.allowed) from None


def check_known_keys(cfg: ConfigNode) -> None:
    """Raise ConfigError for any key that no schema declares (e.g. ``+risk.max_levrage``)."""
    _check_node(cfg, "", BotSchema)


def _check_node(node: ConfigNode, prefix: str, schema: type) -> None:
    known = {field.name: field for field in dataclasses.fields(schema)}
    for key in node:
        name = str(key)
        full_key = f"{prefix}{name}"
        if name not in known:
            allowed = ", ".join(sorted(known))
            raise ConfigError(full_key, _raw(node, name), f"unknown key; known keys: {allowed}")
        child = node._get_node(name)
        if isinstance(child, DictConfig) and not child._is_missing():
            if "_target_" in child or _is_free_form(schema, name):
                continue  # a plug-in's arguments / a section checked by its own parser
            child_type = OmegaConf.get_type(child)
            if child_type is None or not dataclasses.is_dataclass(child_type):
                raise ConfigError(full_key, "<no schema>", "a config group backed by a schema")
            _check_node(child, f"{full_key}.", child_type)


def _is_free_form(schema: type, name: str) -> bool:
    """Whether the schema declares ``name`` as a plain ``dict`` (any keys)."""
    return get_origin(_fields(schema).get(name)) is dict


def _raw(node: ConfigNode, name: str) -> object:
    child = node._get_node(name)
    return "<node>" if isinstance(child, DictConfig) else child._value()  # type: ignore[union-attr]


def _check_env_secret(exchange: ConfigNode, name: str) -> None:
    key = f"exchange.{name}"
    raw = _raw(exchange, name)
    match = _ENV_SECRET.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        raise ConfigError(
            key, "<hidden>", "secrets come from the environment only: ${oc.env:VARIABLE}"
        )
    variable = match.group(1)
    if not os.environ.get(variable, "").strip():
        raise ConfigError(key, raw, f"set the environment variable {variable} (unset or empty)")


def _plain(cfg: ConfigNode, key: str) -> Any:
    return _guarded(key, lambda: cfg[key])


def _typed(cfg: ConfigNode, key: str) -> object:
    """The group node as its schema dataclass, with interpolations resolved in memory."""
    return _guarded(key, lambda: OmegaConf.to_object(cfg[key]))


def _expect(cfg: ConfigNode, key: str, schema: type[T]) -> T:
    node = _typed(cfg, key)
    if not isinstance(node, schema):
        raise _unknown_option(key, node)
    return node


def _guarded(key: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except MissingMandatoryValue as error:
        raise ConfigError(_full_key(error, key), "???", "a value is required here") from None
    except InterpolationResolutionError as error:
        raise ConfigError(_full_key(error, key), "<interpolation>", _first_line(error)) from None


def _unknown_option(key: str, node: object) -> ConfigError:
    return ConfigError(key, type(node).__name__, "a config of this group with a known schema")


def instantiate_checked(node: ConfigNode, expected_type: type[T]) -> T:
    """Build the object ``node`` describes (``_target_``) and check it is ``expected_type``.

    Every ``hydra.utils.instantiate`` of the project goes through here, with
    ``_convert_="all"`` so lists and dicts arrive as plain Python containers.
    """
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    key = _node_key(node)
    target = node.get("_target_", "<no _target_>")
    try:
        built = instantiate(node, _convert_="all")
    except InstantiationException as error:
        cause = error.__cause__
        if isinstance(cause, BotError):
            raise ConfigError(key, target, str(cause)) from None
        if isinstance(cause, TypeError):  # arguments the target does not take
            raise ConfigError(key, target, f"arguments the target accepts ({cause})") from None
        if str(error).startswith("Error locating target"):
            raise ConfigError(key, target, "an importable class or function") from None
        raise
    if not isinstance(built, expected_type):
        raise ConfigError(key, type(built).__name__, f"must build a {expected_type.__qualname__}")
    return built


def _node_key(node: ConfigNode) -> str:
    key = node._get_full_key(None)
    return key if key else "<root>"


def user_config_error(error: BaseException) -> ConfigError | None:
    """A ConfigError for a composition error the user caused, or None for anything else.

    Covers a bad group choice, an override that does not parse, a value of the wrong
    type and an override of a key no schema declares. Everything else is a bug.
    """
    from hydra.errors import (
        ConfigCompositionException,
        MissingConfigException,
        OverrideParseException,
    )

    if isinstance(error, ConfigError):
        return error
    if isinstance(error, MissingConfigException):
        group, _, choice = (error.missing_cfg_file or "").rpartition("/")
        choices = [option for option in error.options or () if not option.endswith("_schema")]
        options = ", ".join(choices) or "an existing config"
        return ConfigError(group or "config", choice, f"one of: {options}")
    if isinstance(error, OverrideParseException):
        return ConfigError("override", error.override, _first_line(error))
    if not isinstance(error, ConfigCompositionException):
        return None
    cause = error.__cause__
    if isinstance(cause, OmegaConfBaseException):
        return _from_omegaconf(cause, str(error))
    override = re.search(r"override '([^']+)'", str(error))
    if override is not None:
        key = override.group(1)
        return ConfigError(key, "<override>", f"unknown key ({_first_line(error)})")
    return ConfigError("config", "<composition>", _first_line(error))


def _from_omegaconf(cause: OmegaConfBaseException, composition: str) -> ConfigError:
    key = str(getattr(cause, "full_key", None) or "config")
    given = re.search(rf"\b{re.escape(key)}=(\S*)", composition)
    value = given.group(1) if given is not None else getattr(cause, "value", None)
    schema = getattr(cause, "object_type", None)
    name = key.rpartition(".")[2]
    known = _fields(schema)
    if known and name not in known:
        return ConfigError(key, value, f"unknown key; known keys: {', '.join(sorted(known))}")
    if name in known:
        return ConfigError(key, value, _describe(known[name]))
    return ConfigError(key, value, _first_line(getattr(cause, "msg", None) or cause))


def _fields(schema: object) -> dict[str, object]:
    if not isinstance(schema, type) or not dataclasses.is_dataclass(schema):
        return {}
    hints = get_type_hints(schema)
    return {field.name: hints[field.name] for field in dataclasses.fields(schema)}


def _describe(kind: object) -> str:
    """What a schema field type accepts, in words."""
    if kind is bool:
        return "true or false"
    if kind is int:
        return "an integer"
    if isinstance(kind, type) and issubclass(kind, Enum):
        return f"one of: {', '.join(member.name for member in kind)}"
    if kind is str:
        return "a string (decimals in quotes, e.g. '1000')"
    return f"a value of type {getattr(kind, '__name__', kind)}"


def _full_key(error: OmegaConfBaseException, fallback: str) -> str:
    return str(getattr(error, "full_key", None) or fallback)


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
