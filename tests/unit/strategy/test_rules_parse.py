"""A strategy YAML is refused at parse time with the key path and the choices."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain import Money
from bot.errors import ConfigError
from bot.strategy.rules import (
    AllOf,
    Between,
    Compare,
    Cross,
    Not,
    StopRule,
    parse_rules,
)

from .rules_support import definition


def _refused(**sections: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_rules(definition(**sections))
    assert "\n" not in str(caught.value)
    return caught.value


def test_a_valid_definition_parses_into_rules() -> None:
    rules = parse_rules(
        definition(
            direction="both",
            indicators={
                "bb": {"kind": "bbands", "period": 20},
                "atr": {"kind": "atr"},
            },
            entry={
                "long": {"all": [{"cross_above": ["close", "bb.upper"]}, {"not": {"<": [5, 3]}}]},
                "short": {"between": ["close", "bb.lower", "bb.middle"]},
            },
            exits={"stop_loss": {"atr": 2}, "time": {"bars": 10}},
        )
    )
    assert rules.direction == "both"
    assert rules.indicators[0].params == (("period", 20), ("stddev", 2.0), ("source", "close"))
    assert rules.entry_long == AllOf(
        (Cross(True, "close", "bb.upper"), Not(Compare("<", 5.0, 3.0)))
    )
    assert rules.entry_short == Between("close", "bb.lower", "bb.middle")
    assert rules.exits.stop_loss == StopRule("atr", 2.0, "atr")
    assert rules.exits.max_bars == 10
    assert rules.sizing.notional == Money("1000")


def test_unknown_indicator_lists_the_choices() -> None:
    error = _refused(indicators={"fast": {"kind": "emaa", "period": 3}})
    assert error.key == "strategy.indicators.fast.kind"
    assert error.value == "emaa"
    assert "one of: adx, atr, bbands" in error.allowed
    assert str(error).startswith("config error: strategy.indicators.fast.kind='emaa'")


def test_missing_indicator_parameter_names_its_key() -> None:
    error = _refused(indicators={"fast": {"kind": "ema"}})
    assert error.key == "strategy.indicators.fast.period"
    assert "required" in error.allowed


@pytest.mark.parametrize(
    ("indicators", "key"),
    [
        ({"fast": {"kind": "ema", "period": "12"}}, "strategy.indicators.fast.period"),
        ({"fast": {"kind": "ema", "period": 0}}, "strategy.indicators.fast.period"),
        ({"fast": {"kind": "ema", "period": 3, "lenght": 3}}, "strategy.indicators.fast.lenght"),
        ({"fast": {"period": 3}}, "strategy.indicators.fast.kind"),
        ({"close": {"kind": "ema", "period": 3}}, "strategy.indicators.close"),
        ({"fast": 12}, "strategy.indicators.fast"),
    ],
)
def test_wrong_indicator_declarations_name_the_key(indicators: Any, key: str) -> None:
    assert _refused(indicators=indicators).key == key


def test_bad_operator_lists_the_operators() -> None:
    error = _refused(entry={"long": {"all": [{">": ["close", 1]}, {"gt": ["close", 2]}]}})
    assert error.key == "strategy.entry.long.all[1]"
    assert error.value == "gt"
    assert "cross_above, cross_below, between, all, any, not" in error.allowed


@pytest.mark.parametrize(
    ("entry", "key", "shown"),
    [
        ({"long": {">": ["close", "fastt"]}}, "strategy.entry.long.>[1]", "close"),
        ({"long": {">": ["close"]}}, "strategy.entry.long.>", "a list of 2 operands"),
        ({"long": {"between": ["close", 1]}}, "strategy.entry.long.between", "3 operands"),
        ({"long": {"all": []}}, "strategy.entry.long.all", "non-empty list"),
        ({"long": {">": ["close", True]}}, "strategy.entry.long.>[1]", "a number"),
        ({"long": {">": [1, 2], "<": [1, 2]}}, "strategy.entry.long", "exactly one operator"),
        ({"long": {">": ["close", 1]}, "flat": {}}, "strategy.entry.flat", "long, short"),
        ({"long": {">": ["close", "atr.value2"]}}, "strategy.entry.long.>[1]", "volume"),
    ],
)
def test_bad_conditions_name_the_key_and_the_choices(entry: Any, key: str, shown: str) -> None:
    error = _refused(entry=entry)
    assert error.key == key
    assert shown in error.allowed


def test_a_side_the_direction_allows_needs_an_entry() -> None:
    error = _refused(direction="both")
    assert error.key == "strategy.entry.short"


def test_bad_direction_lists_the_choices() -> None:
    error = _refused(direction="sideways")
    assert (error.key, error.allowed) == ("strategy.direction", "one of: long, short, both")


@pytest.mark.parametrize(
    ("exits", "key"),
    [
        ({"stop_los": {"percent": 1}}, "strategy.exits.stop_los"),
        ({"stop_loss": {"percent": 0}}, "strategy.exits.stop_loss.percent"),
        ({"stop_loss": {"percent": "2"}}, "strategy.exits.stop_loss.percent"),
        ({"stop_loss": {"percent": 1, "atr": 2}}, "strategy.exits.stop_loss"),
        ({"stop_loss": {"atr": 2, "indicator": "fast"}}, "strategy.exits.stop_loss.indicator"),
        ({"stop_loss": {"percent": 2, "indicator": "atr"}}, "strategy.exits.stop_loss.indicator"),
        ({"take_profit": {"points": 2}}, "strategy.exits.take_profit.points"),
        ({"time": {"bars": 0}}, "strategy.exits.time.bars"),
    ],
)
def test_bad_exits_name_the_key(exits: Any, key: str) -> None:
    assert _refused(exits=exits).key == key


def test_atr_exit_without_an_atr_indicator_says_none_is_declared() -> None:
    error = _refused(exits={"stop_loss": {"atr": 2}})
    assert error.key == "strategy.exits.stop_loss.indicator"
    assert "none declared" in error.allowed


@pytest.mark.parametrize(
    ("sizing", "key"),
    [
        ({"kind": "all_in"}, "strategy.sizing.kind"),
        ({"kind": "fixed", "notional": "-5"}, "strategy.sizing.notional"),
        ({"kind": "fixed", "notional": 1.5}, "strategy.sizing.notional"),
        ({"kind": "fixed"}, "strategy.sizing.notional"),
        ({"kind": "percent_of_equity", "percent": 0}, "strategy.sizing.percent"),
        ({"kind": "risk", "percent": 101}, "strategy.sizing.percent"),
        ({"kind": "fixed", "notional": "5", "percent": 1}, "strategy.sizing.percent"),
    ],
)
def test_bad_sizing_names_the_key(sizing: Any, key: str) -> None:
    assert _refused(sizing=sizing).key == key


def test_risk_sizing_without_a_stop_is_refused() -> None:
    error = _refused(sizing={"kind": "risk", "percent": 1})
    assert error.key == "strategy.sizing.kind"
    assert "needs a stop" in error.allowed


def test_unknown_section_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules({**definition(), "entries": {}})
    assert caught.value.key == "strategy.entries"
