"""Each operator, compiled, on small series of closes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain import EntryIntent

from .rules_support import bar, feed, strategy

CLOSES = [99.0, 101.0, 101.0, 99.0, 102.0]


def _signals(condition: Any, closes: list[float] = CLOSES, **sections: Any) -> list[bool]:
    running = strategy(entry={"long": condition}, **sections)
    answers = feed(running, [bar(i, c) for i, c in enumerate(closes)])
    return [any(isinstance(i, EntryIntent) for i in answer) for answer in answers]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({">": ["close", 100]}, [False, True, True, False, True]),
        ({"<": ["close", 100]}, [True, False, False, True, False]),
        ({">=": ["close", 101]}, [False, True, True, False, True]),
        ({"<=": ["close", 101]}, [True, True, True, True, False]),
        ({">": [101, "close"]}, [True, False, False, True, False]),
        ({"cross_above": ["close", 100]}, [False, True, False, False, True]),
        ({"cross_below": ["close", 100]}, [False, False, False, True, False]),
        ({"cross_above": [100, "close"]}, [False, False, False, True, False]),
        ({"between": ["close", 100, 101.5]}, [False, True, True, False, False]),
        ({"not": {">": ["close", 100]}}, [True, False, False, True, False]),
        (
            {"all": [{">": ["close", 100]}, {"<": ["close", 101.5]}]},
            [False, True, True, False, False],
        ),
        (
            {"any": [{"<": ["close", 100]}, {">": ["close", 101.5]}]},
            [True, False, False, True, True],
        ),
        ({">": [2, 1]}, [True] * 5),
    ],
)
def test_operator_on_closes(condition: Any, expected: list[bool]) -> None:
    assert _signals(condition) == expected


def test_cross_between_two_bar_fields_and_at_equality() -> None:
    # high - close flips around low - close + ...: use open/close of bars directly
    closes = [100.0, 100.0, 101.0, 101.0, 100.0]
    # close against a 2-bar SMA: equal, equal, above (cross), equal-ish, below
    signals = _signals(
        {"cross_above": ["close", "mean"]},
        closes,
        indicators={"mean": {"kind": "sma", "period": 2}},
    )
    assert signals == [False, False, True, False, False]


def test_cross_below_fires_when_going_from_above_to_equal() -> None:
    closes = [99.0, 101.0, 100.0, 101.0]
    running = strategy(
        direction="short",
        entry={"short": {"cross_below": ["close", 100]}},
    )
    answers = feed(running, [bar(i, c) for i, c in enumerate(closes)])
    assert [bool(a) for a in answers] == [False, False, True, False]


def test_indicator_outputs_are_operands() -> None:
    closes = [100.0 + (i % 3) for i in range(30)]
    signals = _signals(
        {">": ["bb.upper", "bb.lower"]},
        closes,
        indicators={"bb": {"kind": "bbands", "period": 5}},
    )
    assert signals[:4] == [False] * 4  # warm-up: NaN compares false
    assert all(signals[4:])


def test_nothing_is_signalled_during_warm_up_even_under_not() -> None:
    signals = _signals(
        {"not": {">": ["slow", 1_000]}},
        [100.0] * 6,
        indicators={"slow": {"kind": "sma", "period": 4}},
    )
    assert signals == [False, False, False, True, True, True]
