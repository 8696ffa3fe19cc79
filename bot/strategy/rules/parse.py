"""Parse a strategy's YAML (as plain containers) into checked :class:`StrategyRules`.

Every refusal is a :class:`~bot.errors.ConfigError` naming the dotted key path
(``strategy.entry.long.all[1].cross_above[0]``), the value and the choices.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Final, Literal

from bot.domain import Money
from bot.errors import ConfigError, DomainError
from bot.strategy.indicators import BAR_FIELDS, INDICATORS, indicator_spec, validate_params
from bot.strategy.rules.layout import Layout
from bot.strategy.rules.spec import (
    AllOf,
    AnyOf,
    Between,
    Compare,
    Condition,
    Cross,
    Direction,
    ExitRules,
    IndicatorUse,
    Not,
    Operand,
    SizingRule,
    StopRule,
    StrategyRules,
)

#: Every operator a condition may use.
OPERATORS: Final = (
    ">",
    "<",
    ">=",
    "<=",
    "cross_above",
    "cross_below",
    "between",
    "all",
    "any",
    "not",
)
#: Keys of ``exits``.
EXIT_KINDS: Final = ("stop_loss", "take_profit", "trailing_stop", "time")
#: Values of ``sizing.kind``.
SIZING_KINDS: Final = ("fixed", "percent_of_equity", "risk")
#: Values of ``direction``.
DIRECTIONS: Final = ("long", "short", "both")
#: Top-level keys of a rule strategy.
SECTIONS: Final = ("name", "direction", "indicators", "entry", "exit", "exits", "sizing")

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_SIDES = ("long", "short")
_STOP_LIMITS = {"stop_loss": 100.0, "take_profit": 10_000.0, "trailing_stop": 100.0}


def parse_rules(node: Mapping[str, object], key: str = "strategy") -> StrategyRules:
    """The strategy described by ``node`` (keys :data:`SECTIONS`), checked."""
    _known_keys(key, node, SECTIONS)
    name = node.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(f"{key}.name", name, "a lower-case name, e.g. ema_cross")
    direction = _choice(f"{key}.direction", node.get("direction", "both"), DIRECTIONS)
    indicators = _indicators(f"{key}.indicators", node.get("indicators", {}))
    layout = Layout(indicators)
    entry = _sides(f"{key}.entry", node.get("entry", {}), layout)
    exit_ = _sides(f"{key}.exit", node.get("exit", {}), layout)
    for side in _SIDES:
        if direction in (side, "both") and entry[side] is None:
            raise ConfigError(
                f"{key}.entry.{side}", "<missing>", f"a condition: direction is {direction}"
            )
    exits = _exits(f"{key}.exits", node.get("exits", {}), layout)
    sizing = _sizing(f"{key}.sizing", node.get("sizing", {}), exits)
    return StrategyRules(
        name=name,
        direction=_direction(direction),
        indicators=indicators,
        entry_long=entry["long"],
        entry_short=entry["short"],
        exit_long=exit_["long"],
        exit_short=exit_["short"],
        exits=exits,
        sizing=sizing,
    )


def _direction(value: str) -> Direction:
    if value == "long":
        return "long"
    return "short" if value == "short" else "both"


def _mapping(key: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ConfigError(key, value, "a mapping of names to values")
    return value


def _known_keys(key: str, node: Mapping[str, object], known: tuple[str, ...]) -> None:
    for name in node:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}", node[name], f"unknown key; one of: {', '.join(known)}"
            )


def _choice(key: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(key, value, f"one of: {', '.join(choices)}")
    return value


def _number(key: str, value: object, low: float, high: float) -> float:
    """A number in ``(low, high]``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low < value <= high
    ):
        raise ConfigError(key, value, f"a number above {low:g} up to {high:g}")
    return float(value)


def _indicators(key: str, value: object) -> tuple[IndicatorUse, ...]:
    uses = []
    for name, declared in _mapping(key, value).items():
        path = f"{key}.{name}"
        if not _NAME.fullmatch(name) or name in BAR_FIELDS:
            raise ConfigError(
                path, name, f"a lower-case name that is not a bar field ({', '.join(BAR_FIELDS)})"
            )
        params = _mapping(path, declared)
        kind = params.get("kind")
        if not isinstance(kind, str):
            raise ConfigError(f"{path}.kind", kind, f"one of: {', '.join(sorted(INDICATORS))}")
        indicator_spec(kind, f"{path}.kind")
        checked = validate_params(kind, params, path)
        uses.append(IndicatorUse(name, kind, tuple(checked.items())))
    return tuple(uses)


def _sides(key: str, value: object, layout: Layout) -> dict[str, Condition | None]:
    node = _mapping(key, value)
    _known_keys(key, node, _SIDES)
    return {
        side: None if node.get(side) is None else condition(f"{key}.{side}", node[side], layout)
        for side in _SIDES
    }


def condition(key: str, value: object, layout: Layout) -> Condition:
    """One condition tree: ``{op: arguments}`` with ``op`` one of :data:`OPERATORS`."""
    node = _mapping(key, value)
    if len(node) != 1:
        raise ConfigError(key, dict(node), f"exactly one operator, one of: {', '.join(OPERATORS)}")
    ((op, args),) = node.items()
    if op not in OPERATORS:
        raise ConfigError(key, op, f"an operator, one of: {', '.join(OPERATORS)}")
    path = f"{key}.{op}"
    if op == "not":
        return Not(condition(path, args, layout))
    if op in ("all", "any"):
        if not isinstance(args, list) or not args:
            raise ConfigError(path, args, "a non-empty list of conditions")
        items = tuple(condition(f"{path}[{i}]", item, layout) for i, item in enumerate(args))
        return AllOf(items) if op == "all" else AnyOf(items)
    count = 3 if op == "between" else 2
    if not isinstance(args, list) or len(args) != count:
        example = "[close, bb.lower, bb.upper]" if count == 3 else "[close, fast]"
        raise ConfigError(path, args, f"a list of {count} operands, e.g. {example}")
    operands = [_operand(f"{path}[{i}]", arg, layout) for i, arg in enumerate(args)]
    if op == "between":
        return Between(*operands)
    if op in ("cross_above", "cross_below"):
        return Cross(op == "cross_above", operands[0], operands[1])
    return Compare(_comparison(op), operands[0], operands[1])


def _comparison(op: str) -> Literal[">", "<", ">=", "<="]:
    for known in (">", "<", ">=", "<="):
        if op == known:
            return known
    raise ConfigError("operator", op, "one of: >, <, >=, <=")


def _operand(key: str, value: object, layout: Layout) -> Operand:
    if isinstance(value, str) and value in layout.index:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    raise ConfigError(
        key, value, f"a number, a bar field or an indicator output, one of: {layout.choices()}"
    )


def _exits(key: str, value: object, layout: Layout) -> ExitRules:
    node = _mapping(key, value)
    _known_keys(key, node, EXIT_KINDS)
    stops = {
        kind: _stop(f"{key}.{kind}", node[kind], layout, _STOP_LIMITS[kind])
        for kind in ("stop_loss", "take_profit", "trailing_stop")
        if node.get(kind) is not None
    }
    max_bars = None
    if node.get("time") is not None:
        time = _mapping(f"{key}.time", node["time"])
        _known_keys(f"{key}.time", time, ("bars",))
        bars = time.get("bars")
        if isinstance(bars, bool) or not isinstance(bars, int) or not 1 <= bars <= 10_000_000:
            raise ConfigError(f"{key}.time.bars", bars, "an integer from 1 to 10000000")
        max_bars = bars
    return ExitRules(
        stop_loss=stops.get("stop_loss"),
        take_profit=stops.get("take_profit"),
        trailing_stop=stops.get("trailing_stop"),
        max_bars=max_bars,
    )


def _stop(key: str, value: object, layout: Layout, limit: float) -> StopRule:
    node = _mapping(key, value)
    _known_keys(key, node, ("percent", "atr", "indicator"))
    if ("percent" in node) == ("atr" in node):
        raise ConfigError(key, dict(node), "exactly one of percent or atr, e.g. {percent: 2}")
    if "percent" in node:
        if "indicator" in node:
            raise ConfigError(f"{key}.indicator", node["indicator"], "only with atr")
        return StopRule("percent", _number(f"{key}.percent", node["percent"], 0.0, limit))
    multiple = _number(f"{key}.atr", node["atr"], 0.0, 1000.0)
    indicator = node.get("indicator", "atr")
    atrs = [name for name, kind in layout.kinds.items() if kind == "atr"]
    if indicator not in atrs:
        declared = ", ".join(atrs) or "none declared"
        raise ConfigError(
            f"{key}.indicator", indicator, f"an atr indicator in strategy.indicators: {declared}"
        )
    return StopRule("atr", multiple, str(indicator))


def _money(raw: str | int) -> Money | None:
    try:
        return Money(raw)
    except DomainError:
        return None


def _sizing(key: str, value: object, exits: ExitRules) -> SizingRule:
    node = _mapping(key, value)
    kind = _choice(f"{key}.kind", node.get("kind"), SIZING_KINDS)
    if kind == "fixed":
        _known_keys(key, node, ("kind", "notional"))
        raw = node.get("notional")
        notional = _money(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
        if notional is None:
            raise ConfigError(f"{key}.notional", raw, "a positive amount of USDT, e.g. '1000'")
        return SizingRule("fixed", notional=notional)
    _known_keys(key, node, ("kind", "percent"))
    limit = 100.0 if kind == "risk" else 1000.0
    percent = Decimal(repr(_number(f"{key}.percent", node.get("percent"), 0.0, limit)))
    if kind == "risk":
        if exits.stop_loss is None and exits.trailing_stop is None:
            raise ConfigError(
                f"{key}.kind",
                kind,
                "risk sizing needs a stop: set strategy.exits.stop_loss or trailing_stop",
            )
        return SizingRule("risk", percent=percent)
    return SizingRule("percent_of_equity", percent=percent)
