"""Helpers for rule-strategy tests: a definition builder and a bar feeder."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.domain import Intent, Position, Symbol
from bot.strategy.base import Book, ClosedBar
from bot.strategy.rules import RuleStrategy, parse_rules

BTC = Symbol("BTCUSDT")
T0 = 1_704_067_200_000


#: an ATR(2): on bars of range 2 it reads 2 from the second bar on
ATR: dict[str, Any] = {"atr": {"kind": "atr", "period": 2}}


def definition(**sections: Any) -> dict[str, Any]:
    """A valid long-only strategy on ``close > 100``, with ``sections`` replaced."""
    base: dict[str, Any] = {
        "name": "probe",
        "direction": "long",
        "indicators": {},
        "entry": {"long": {">": ["close", 100]}},
        "exit": {},
        "exits": {},
        "sizing": {"kind": "fixed", "notional": "1000"},
    }
    base.update(sections)
    return base


def strategy(**sections: Any) -> RuleStrategy:
    """A running strategy from :func:`definition`."""
    return RuleStrategy(BTC, parse_rules(definition(**sections)))


def bar(i: int, close: float, high: float | None = None, low: float | None = None) -> ClosedBar:
    """Bar ``i`` with the given close (and range, default close +- 1)."""
    return ClosedBar(
        T0 + i * 60_000,
        close,
        close + 1 if high is None else high,
        close - 1 if low is None else low,
        close,
        1.0,
    )


def feed(
    running: RuleStrategy,
    bars: Sequence[ClosedBar],
    position: Position | None = None,
    equity: str = "10000",
) -> list[list[Intent]]:
    """The strategy's answer to each bar, with a fixed book."""
    book = Book(position, Decimal(equity))
    return [list(running.on_bar(b, book)) for b in bars]
