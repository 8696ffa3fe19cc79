"""EMA cross: entries on crosses, reversal as close-then-entry, direction limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import CloseIntent, EntryIntent, Money, Position, Price, Qty, Side, Symbol
from bot.errors import InvalidValue
from bot.strategy.base import Book, ClosedBar
from bot.strategy.ema_cross import Direction, EmaCross

BTC = Symbol("BTCUSDT")


def _feed(strategy: EmaCross, closes: list[float], position: Position | None = None):
    out = []
    for i, close in enumerate(closes):
        bar = ClosedBar(1_704_067_200_000 + i * 60_000, close, close, close, close, 1.0)
        out.append(list(strategy.on_bar(bar, Book(position, Decimal(10_000)))))
    return out


UP_THEN_DOWN = [100.0] * 5 + [101, 102, 103, 104] + [100, 96, 92, 88]


def _strategy(direction: Direction) -> EmaCross:
    return EmaCross(BTC, fast=2, slow=4, notional=Money(100), direction=direction)


def test_crossing_down_while_long_closes_then_goes_short() -> None:
    long = Position(BTC, Side.BUY, Qty("0.01"), Price(100))
    answers = [a for a in _feed(_strategy("both"), UP_THEN_DOWN, long) if a]
    close, entry = answers[-1]
    assert isinstance(close, CloseIntent)
    assert close.fraction == Decimal(1)
    assert isinstance(entry, EntryIntent)
    assert entry.side is Side.SELL


def test_long_only_goes_flat_instead_of_short() -> None:
    long = Position(BTC, Side.BUY, Qty("0.01"), Price(100))
    answers = [a for a in _feed(_strategy("long"), UP_THEN_DOWN, long) if a]
    assert all(isinstance(i, CloseIntent) for i in answers[-1])


def test_no_signal_during_warm_up_or_without_a_cross() -> None:
    assert not any(_feed(_strategy("both"), [100.0] * 20))


def test_fast_must_be_below_slow() -> None:
    with pytest.raises(InvalidValue, match=r"strategy\.fast"):
        EmaCross(BTC, fast=5, slow=5, notional=Money(1), direction="both")
