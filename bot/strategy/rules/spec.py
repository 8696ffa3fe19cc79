"""A declarative strategy once parsed and checked: plain frozen values, no behaviour.

:func:`bot.strategy.rules.parse_rules` builds a :class:`StrategyRules` from the YAML;
:class:`bot.strategy.rules.RuleStrategy` compiles it into a running strategy. An
operand is a number or the name of a value known on every bar: a bar field
(``close``), a one-output indicator (``fast``) or an output of a several-output one
(``macd.hist``).
"""

# no `from __future__ import annotations`: beartype resolves the dataclass hints eagerly
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Union

from bot.domain import Money
from bot.strategy.indicators import ParamValue

Operand = str | float
Comparison = Literal[">", "<", ">=", "<="]
Direction = Literal["long", "short", "both"]


@dataclass(frozen=True, slots=True)
class Compare:
    """``left <op> right`` on this bar's values."""

    op: Comparison
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Cross:
    """``left`` crosses ``right``.

    ``above``: ``left`` was at or below ``right`` on the previous bar and is above it
    now. ``below``: it was above and is now at or below (so the two always alternate).
    """

    above: bool
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    """``low <= value <= high`` on this bar's values."""

    value: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every condition holds (evaluated left to right, stops at the first false)."""

    items: "tuple[Condition, ...]"


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one condition holds (evaluated left to right, stops at the first true)."""

    items: "tuple[Condition, ...]"


@dataclass(frozen=True, slots=True)
class Not:
    """The condition does not hold."""

    item: "Condition"


Condition = Union[Compare, Cross, Between, AllOf, AnyOf, Not]  # noqa: UP007 (forward refs)


@dataclass(frozen=True, slots=True)
class IndicatorUse:
    """An indicator the strategy computes: its name in the YAML, its kind and parameters."""

    name: str
    kind: str
    params: tuple[tuple[str, ParamValue], ...]


@dataclass(frozen=True, slots=True)
class StopRule:
    """A price distance from the entry: ``percent`` of the entry price or ``atr`` multiples.

    ``atr`` names the indicator output whose value at the entry signal sets the distance.
    """

    kind: Literal["percent", "atr"]
    value: float
    atr: str | None = None


@dataclass(frozen=True, slots=True)
class ExitRules:
    """Protective and time exits; each is optional."""

    stop_loss: StopRule | None = None
    take_profit: StopRule | None = None
    trailing_stop: StopRule | None = None
    max_bars: int | None = None


@dataclass(frozen=True, slots=True)
class SizingRule:
    """How large an entry is.

    ``fixed``: ``notional`` USDT. ``percent_of_equity``: ``percent`` of the equity as
    notional. ``risk``: the notional that loses ``percent`` of the equity if the stop
    (stop-loss, else trailing stop) is hit.
    """

    kind: Literal["fixed", "percent_of_equity", "risk"]
    notional: Money | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class StrategyRules:
    """A whole declarative strategy, checked: what :class:`RuleStrategy` runs."""

    name: str
    direction: Direction
    indicators: tuple[IndicatorUse, ...]
    entry_long: Condition | None
    entry_short: Condition | None
    exit_long: Condition | None
    exit_short: Condition | None
    exits: ExitRules
    sizing: SizingRule
