"""Exits close at the next open via a reduce-only close; sizing; direction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.domain import CloseIntent, EntryIntent, Money, Position, Price, Qty, Side
from bot.strategy.base import Book

from .rules_support import ATR, BTC, bar, feed, strategy

LONG = Position(BTC, Side.BUY, Qty("1"), Price("100"))
SHORT = Position(BTC, Side.SELL, Qty("1"), Price("100"))
#: never enters on its own: exits are tested on a position given in the book
QUIET: dict[str, Any] = {"entry": {"long": {">": ["close", 1e9]}}}


def _closes(answers: list[list[Any]]) -> list[str]:
    return [next((i.tag for i in a if isinstance(i, CloseIntent)), "") for a in answers]


def _run(exits: dict[str, Any], bars: list[Any], position: Position = LONG) -> list[str]:
    running = strategy(exits=exits, **QUIET)
    answers = feed(running, bars, position)
    assert all(i.reduce_only for a in answers for i in a if isinstance(i, CloseIntent))
    return _closes(answers)


def test_stop_loss_percent_closes_on_the_bar_whose_low_touches_it() -> None:
    bars = [bar(0, 100, 101, 99), bar(1, 99, 100, 98.5), bar(2, 98.5, 99, 97.9)]
    assert _run({"stop_loss": {"percent": 2}}, bars) == ["", "", "probe stop_loss"]


def test_stop_loss_percent_on_a_short_watches_the_highs() -> None:
    bars = [bar(0, 100, 101, 99), bar(1, 101, 102.1, 100)]
    assert _run({"stop_loss": {"percent": 2}}, bars, SHORT) == ["", "probe stop_loss"]


#: ATR(2) reads 2 on the third bar of range 2; the fourth bar signals an entry (close 101)
WARM_THEN_SIGNAL = [bar(0, 100), bar(1, 100), bar(2, 100), bar(3, 101)]
SIGNAL: dict[str, Any] = {"indicators": ATR, "entry": {"long": {">": ["close", 100.5]}}}


def test_stop_loss_atr_uses_the_atr_at_the_entry_signal() -> None:
    running = strategy(exits={"stop_loss": {"atr": 1.5}}, **SIGNAL)  # 3 below entry 100
    before = feed(running, WARM_THEN_SIGNAL)
    assert isinstance(before[-1][0], EntryIntent)
    held = feed(running, [bar(4, 98, 99, 97.5), bar(5, 97.5, 98, 96.9)], LONG)
    assert _closes(held) == ["", "probe stop_loss"]  # ATR grew since: the entry's holds


def test_take_profit_percent_closes_on_the_bar_whose_high_reaches_it() -> None:
    bars = [bar(0, 101, 102, 100), bar(1, 103, 103.1, 102)]
    assert _run({"take_profit": {"percent": 3}}, bars) == ["", "probe take_profit"]


def test_stop_wins_when_stop_and_target_share_a_bar() -> None:
    bars = [bar(0, 100, 110, 90)]
    exits = {"stop_loss": {"percent": 5}, "take_profit": {"percent": 5}}
    assert _run(exits, bars) == ["probe stop_loss"]


def test_trailing_stop_follows_finished_highs() -> None:
    bars = [
        bar(0, 104, 105, 103),  # extreme -> 105 after this bar; level was 99
        bar(1, 104, 104.5, 103.1),  # level 105 - 2 = 103: low 103.1 holds
        bar(2, 103.5, 104, 102.9),  # low 102.9 <= 103: out
    ]
    assert _run({"trailing_stop": {"percent": 2}}, bars) == ["", "", "probe trailing_stop"]


def test_trailing_stop_atr() -> None:
    running = strategy(exits={"trailing_stop": {"atr": 1}}, **SIGNAL)  # 2 from the best
    feed(running, WARM_THEN_SIGNAL)
    held = feed(running, [bar(4, 106, 107, 105), bar(5, 105.5, 106, 104.9)], LONG)
    assert _closes(held) == ["", "probe trailing_stop"]


def test_time_exit_after_the_bars_held() -> None:
    bars = [bar(i, 100, 100.5, 99.5) for i in range(4)]
    assert _run({"time": {"bars": 3}}, bars) == ["", "", "probe time_exit", "probe time_exit"]


def test_signal_exit_uses_the_exit_condition_of_the_side() -> None:
    running = strategy(exit={"long": {"<": ["close", 99]}, "short": {">": ["close", 0]}}, **QUIET)
    answers = feed(running, [bar(0, 100), bar(1, 98.5)], LONG)
    assert _closes(answers) == ["", "probe exit"]


def test_entry_and_reversal_and_direction() -> None:
    both = {
        "direction": "both",
        "entry": {"long": {">": ["close", 100]}, "short": {"<": ["close", 100]}},
    }
    flat = feed(strategy(**both), [bar(0, 101)])[0]
    assert [type(i) for i in flat] == [EntryIntent]
    assert flat[0].side is Side.BUY  # type: ignore[union-attr]
    reverse = feed(strategy(**both), [bar(0, 99)], LONG)[0]
    assert [type(i) for i in reverse] == [CloseIntent, EntryIntent]
    assert reverse[1].side is Side.SELL  # type: ignore[union-attr]
    same_side = feed(strategy(**both), [bar(0, 101)], LONG)[0]
    assert same_side == []  # never adds to a position
    long_only = feed(strategy(**{**both, "direction": "long"}), [bar(0, 99)], LONG)[0]
    assert long_only == []  # short entries are off; no exit rule
    short_only = feed(strategy(**{**both, "direction": "short"}), [bar(0, 101), bar(1, 99)])
    assert short_only[0] == []
    assert short_only[1][0].side is Side.SELL  # type: ignore[union-attr]


def test_a_close_is_asked_again_while_the_position_stays() -> None:
    bars = [bar(0, 100, 100.5, 97), bar(1, 100, 101, 99.5)]
    assert _run({"stop_loss": {"percent": 2}}, bars) == ["probe stop_loss"] * 2


@pytest.mark.parametrize(
    ("sizing", "exits", "expected"),
    [
        ({"kind": "fixed", "notional": "250"}, {}, Money("250")),
        ({"kind": "percent_of_equity", "percent": 10}, {}, Money("800")),
        # 1% of 8000 = 80 at risk; stop 2% of close 101 away -> 80 / 0.02 = 4000
        ({"kind": "risk", "percent": 1}, {"stop_loss": {"percent": 2}}, Money("4000")),
        # ATR(2) = 2 on a close of 101, stop 1.5 ATR = 3 -> 80 / (3 / 101) = 2693.33
        ({"kind": "risk", "percent": 1}, {"stop_loss": {"atr": 1.5}}, Money("2693.33")),
        ({"kind": "risk", "percent": 1}, {"trailing_stop": {"percent": 4}}, Money("2000")),
    ],
)
def test_sizing_gives_the_notional(sizing: Any, exits: Any, expected: Money) -> None:
    running = strategy(sizing=sizing, exits=exits, **SIGNAL)
    book = Book(None, Decimal("8000"))
    answers = [i for b in WARM_THEN_SIGNAL for i in running.on_bar(b, book)]
    entries = [i for i in answers if isinstance(i, EntryIntent)]
    assert [e.notional for e in entries] == [expected]
