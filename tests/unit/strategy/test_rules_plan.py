"""Conditions over whole columns agree with the compiled closures bar by bar, and a
rule strategy's plan answers on every bar what the strategy itself answers."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bot.domain import Money, Position, Price, Qty, Side, Symbol
from bot.strategy.base import Book, ClosedBar
from bot.strategy.indicators import indicator_spec
from bot.strategy.rules import RuleStrategy, parse_rules
from bot.strategy.rules.conditions import compile_condition
from bot.strategy.rules.exits import OpenTrade
from bot.strategy.rules.layout import Layout
from bot.strategy.rules.parse import condition as parse_condition
from bot.strategy.rules.plan import EXACT_KINDS, indicator_columns
from bot.strategy.rules.spec import ExitRules, IndicatorUse, StopRule
from bot.strategy.rules.vector import Columns, evaluate

CONDITIONS: list[Any] = [
    {">": ["close", "fast"]},
    {"<": ["fast", 100.5]},
    {">=": [100.5, "close"]},
    {"<=": ["open", "close"]},
    {">": [2, 1]},
    {"<": [2, 1]},
    {"cross_above": ["fast", "slow"]},
    {"cross_below": ["fast", "slow"]},
    {"cross_above": ["close", 100.5]},
    {"cross_below": [100.5, "close"]},
    {"cross_above": [1, 2]},
    {"between": ["close", "slow", "fast"]},
    {"between": ["close", 100, 101]},
    {"not": {"cross_above": ["fast", "slow"]}},
    {"all": [{">": ["close", 100]}, {"cross_below": ["close", "fast"]}]},
    {"any": [{"<": ["close", 99.5]}, {">": ["volume", 5]}, {"not": {">": ["open", 100]}}]},
]
USES = (
    IndicatorUse("fast", "ema", (("period", 3), ("source", "close"))),
    IndicatorUse("slow", "sma", (("period", 5), ("source", "close"))),
)


def _columns(seed: int, bars: int = 400) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100.0 + np.round(np.cumsum(rng.normal(0.0, 0.4, bars)), 1)
    open_ = np.round(close + rng.normal(0.0, 0.2, bars), 1)
    high = np.maximum(open_, close) + 0.3
    low = np.minimum(open_, close) - 0.3
    volume = rng.gamma(2.0, 3.0, bars)
    fast = close.copy()
    fast[:2] = math.nan  # warm-up, then NaN holes: every comparison with NaN is false
    fast[50:53] = math.nan
    slow = np.round(close + rng.normal(0.0, 0.3, bars), 1)
    slow[:4] = math.nan
    return [open_, high, low, close, volume, fast, slow]


@pytest.mark.parametrize("raw", CONDITIONS)
@pytest.mark.parametrize("seed", [0, 1])
def test_vectorised_condition_equals_the_compiled_one_on_every_bar(raw: Any, seed: int) -> None:
    layout = Layout(USES)
    condition = parse_condition("c", raw, layout)
    columns = _columns(seed)
    values = [math.nan] * layout.size
    previous = [math.nan] * layout.size
    check = compile_condition(condition, layout, values, previous)
    expected = []
    for i in range(len(columns[0])):
        previous[:] = values
        values[:] = [column.item(i) for column in columns]
        expected.append(check())
    assert evaluate(condition, layout, Columns(columns)).tolist() == expected


@pytest.mark.parametrize("kind", sorted(EXACT_KINDS | {"sma", "wma", "bbands", "stoch"}))
def test_plan_columns_equal_the_streaming_indicator_bit_for_bit(kind: str) -> None:
    spec = indicator_spec(kind)
    params = {p.name: p.default if p.default is not None else 7 for p in spec.params}
    bars = dict(zip(("open", "high", "low", "close", "volume"), _columns(3)[:5], strict=True))
    stream = spec.stream(params)
    rows = zip(*(bars[f].tolist() for f in ("open", "high", "low", "close", "volume")), strict=True)
    streamed = np.array([stream.update(*row) for row in rows]).T
    planned = np.array(indicator_columns(spec, params, bars))
    assert np.array_equal(planned, streamed, equal_nan=True)


RULES: dict[str, Any] = {
    "name": "mixed",
    "direction": "both",
    "indicators": {
        "fast": {"kind": "ema", "period": 4},
        "slow": {"kind": "sma", "period": 9},
        "atr": {"kind": "atr", "period": 5},
    },
    "entry": {
        "long": {"cross_above": ["fast", "slow"]},
        "short": {"cross_below": ["fast", "slow"]},
    },
    "exit": {"long": {"<": ["close", "slow"]}},
    "exits": {"stop_loss": {"atr": 1.5}, "trailing_stop": {"percent": 0.4}, "time": {"bars": 30}},
    "sizing": {"kind": "risk", "percent": 1},
}


def test_plan_answers_like_the_strategy_on_every_bar_and_keeps_its_state() -> None:
    symbol = Symbol("BTCUSDT")
    rules = parse_rules(RULES)
    streaming, planned = RuleStrategy(symbol, rules), RuleStrategy(symbol, rules)
    columns = _columns(5, 600)[:5]
    plan = planned.plan(*columns)
    seen = 0
    book = Book(None, Money(10_000))
    for i in range(len(columns[0])):
        bar = ClosedBar(1_704_067_200_000 + 60_000 * i, *(c.item(i) for c in columns))
        expected = streaming.on_bar(bar, book)
        assert plan.on_bar(i, bar, book) == expected
        if expected:
            # a bar with an answer is one the plan asks to see
            assert plan.next_bar(i, len(columns[0])) == i
            seen += 1
    assert seen


def test_a_flat_strategy_waits_for_its_next_entry_signal() -> None:
    symbol = Symbol("BTCUSDT")
    rules = parse_rules({**RULES, "exits": {}, "sizing": {"kind": "fixed", "notional": "100"}})
    planned = RuleStrategy(symbol, rules)
    plan = planned.plan(*_columns(6, 300)[:5])
    first = plan.next_bar(0, 300)
    assert 0 < first < 300  # the first entry signal, past the warm-up
    plan.skip(0, first)  # nothing open: nothing to count
    assert plan.next_bar(first, 300) == first


@pytest.mark.parametrize("sign", [1, -1])
@pytest.mark.parametrize(
    "exits",
    [
        ExitRules(stop_loss=StopRule("percent", 0.3)),
        ExitRules(take_profit=StopRule("percent", 0.4)),
        ExitRules(trailing_stop=StopRule("percent", 0.25)),
        ExitRules(max_bars=17),
        ExitRules(
            stop_loss=StopRule("atr", 2.0, "atr"),
            take_profit=StopRule("percent", 0.5),
            trailing_stop=StopRule("atr", 1.5, "atr"),
            max_bars=40,
        ),
        ExitRules(),
    ],
)
@pytest.mark.parametrize("seed", range(6))
def test_first_exit_is_where_exit_reason_first_fires(
    sign: int, exits: ExitRules, seed: int
) -> None:
    open_, high, low, _, _ = _columns(seed, 120)[:5]
    entry = float(open_[0])
    stepped = OpenTrade(sign, entry, exits, (0.3, math.nan, 0.2))
    stepped.bars = seed % 3  # a trade already a few bars old
    scanned = OpenTrade(sign, entry, exits, (0.3, math.nan, 0.2))
    scanned.bars = stepped.bars
    expected = len(high)
    for i in range(len(high)):
        if stepped.exit_reason(float(high[i]), float(low[i])):
            expected = i
            break
    assert scanned.first_exit(high, low) == expected
    # passing the bars before the exit leaves the trade where stepping them does
    if expected:
        again = OpenTrade(sign, entry, exits, (0.3, math.nan, 0.2))
        again.bars = scanned.bars
        for i in range(expected):
            assert again.exit_reason(float(high[i]), float(low[i])) == ""
        best = high[:expected].max() if sign > 0 else low[:expected].min()
        scanned.pass_bars(expected, float(best))
        assert (scanned.bars, scanned.extreme) == (again.bars, again.extreme)


def test_the_followed_trade_is_renewed_only_when_the_position_changes() -> None:
    symbol = Symbol("BTCUSDT")
    rules = parse_rules({**RULES, "exits": {"stop_loss": {"percent": 5}, "time": {"bars": 30}}})
    strategy = RuleStrategy(symbol, rules)
    bar = ClosedBar(1_704_067_200_000, 100.0, 100.5, 99.5, 100.2, 3.0)
    long = Position(symbol, Side.BUY, Qty("0.1"), Price("100.1"))
    strategy.decide_unsignalled(bar, Book(long, Money(10_000)))
    first = strategy.trade
    assert first is not None
    assert first.sign == 1
    # the same Position object: the same trade, which counts one more bar
    strategy.decide_unsignalled(bar, Book(long, Money(10_000)))
    same = strategy.trade
    assert same is first
    assert first.bars == 2
    # an equal position in a new object: still the same trade
    strategy.decide_unsignalled(bar, Book(replace(long), Money(10_000)))
    equal = strategy.trade
    assert equal is first
    # a new entry price, then a short: a new trade each time
    moved = Position(symbol, Side.BUY, Qty("0.1"), Price("100.3"))
    strategy.decide_unsignalled(bar, Book(moved, Money(10_000)))
    second = strategy.trade
    assert second is not first
    assert second is not None
    assert second.entry == 100.3
    short = Position(symbol, Side.SELL, Qty("0.1"), Price("100.3"))
    strategy.decide_unsignalled(bar, Book(short, Money(10_000)))
    third = strategy.trade
    assert third is not None
    assert third.sign == -1
    # flat forgets the trade; the old position object seen again starts a new one
    strategy.decide_unsignalled(bar, Book(None, Money(10_000)))
    flat = strategy.trade
    assert flat is None
    strategy.decide_unsignalled(bar, Book(short, Money(10_000)))
    again = strategy.trade
    assert again is not None
    assert again is not third


def test_the_plan_answers_with_a_list() -> None:
    symbol = Symbol("BTCUSDT")
    planned = RuleStrategy(symbol, parse_rules(RULES))
    columns = _columns(8, 200)[:5]
    plan = planned.plan(*columns)
    book = Book(None, Money(10_000))
    for i in range(len(columns[0])):
        bar = ClosedBar(1_704_067_200_000 + 60_000 * i, *(c.item(i) for c in columns))
        assert type(plan.on_bar(i, bar, book)) is list
