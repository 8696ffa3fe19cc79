"""Declarative rule strategies: a strategy written as YAML, checked at start, compiled once.

::

    name: ema_cross
    direction: both                      # long, short or both (both reverses)
    indicators:                          # name: {kind, parameters} (bot.strategy.indicators)
      fast: {kind: ema, period: 12}
      slow: {kind: ema, period: 26}
      atr: {kind: atr, period: 14}
    entry:                               # conditions; a side without one never enters
      long: {cross_above: [fast, slow]}
      short: {cross_below: [fast, slow]}
    exit:                                # signal exits of an open long / short
      long: {cross_below: [fast, slow]}
      short: {cross_above: [fast, slow]}
    exits:                               # protective and time exits, each optional
      stop_loss: {percent: 2}            # or {atr: 2.5} (indicator: atr by default)
      take_profit: {atr: 4}
      trailing_stop: {percent: 1.5}
      time: {bars: 240}
    sizing: {kind: fixed, notional: "1000"}   # or percent_of_equity / risk with percent

Conditions: ``{">": [a, b]}`` (also ``<``, ``>=``, ``<=``), ``{cross_above: [a, b]}``,
``{cross_below: [a, b]}``, ``{between: [x, low, high]}``, ``{all: [c, ...]}``,
``{any: [c, ...]}``, ``{not: c}``; an operand is a number, a bar field (``open``,
``high``, ``low``, ``close``, ``volume``), a one-output indicator (``fast``) or an output
(``macd.hist``, ``bb.upper``).

Public surface: :func:`parse_rules` (YAML as plain containers -> :class:`StrategyRules`,
ConfigError with the key path and the choices), :class:`RuleStrategy` (the running
strategy; :meth:`RuleStrategy.plan` prepares it for a whole backtest series, see
:mod:`bot.strategy.rules.plan`), :data:`OPERATORS`, and the rule values in
:mod:`bot.strategy.rules.spec`.
"""

from bot.strategy.rules.parse import (
    DIRECTIONS,
    EXIT_KINDS,
    OPERATORS,
    SECTIONS,
    SIZING_KINDS,
    parse_rules,
)
from bot.strategy.rules.spec import (
    AllOf,
    AnyOf,
    Between,
    Compare,
    Condition,
    Cross,
    ExitRules,
    IndicatorUse,
    Not,
    SizingRule,
    StopRule,
    StrategyRules,
)
from bot.strategy.rules.strategy import RuleStrategy

__all__ = [
    "DIRECTIONS",
    "EXIT_KINDS",
    "OPERATORS",
    "SECTIONS",
    "SIZING_KINDS",
    "AllOf",
    "AnyOf",
    "Between",
    "Compare",
    "Condition",
    "Cross",
    "ExitRules",
    "IndicatorUse",
    "Not",
    "RuleStrategy",
    "SizingRule",
    "StopRule",
    "StrategyRules",
    "parse_rules",
]
