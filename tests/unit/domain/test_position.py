"""Position: a non-flat position in one-way mode; flat is no position at all."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import Position, Price, Qty, Side
from bot.errors import InvalidValue, TypeViolation
from tests.unit.domain.samples import BTC


def test_long_and_short_sizes_and_notional() -> None:
    long = Position(BTC, Side.BUY, Qty("0.5"), Price("60000"))
    short = Position(BTC, Side.SELL, Qty("0.5"), Price("60000"))
    assert long.signed_size == Decimal("0.5")
    assert short.signed_size == Decimal("-0.5")
    assert long.notional(Price("62000")) == Decimal("31000.0")
    assert short.notional(Price("62000")) == Decimal("31000.0")


def test_a_flat_position_cannot_be_built() -> None:
    with pytest.raises(InvalidValue):
        Position(BTC, Side.BUY, Qty("0"), Price("60000"))


@pytest.mark.parametrize(
    ("size", "entry"),
    [(Decimal("1"), Price("1")), (Qty("1"), Decimal("1")), (Price("1"), Qty("1"))],
    ids=["plain-size", "plain-entry", "swapped"],
)
def test_position_refuses_unvalidated_or_swapped_numbers(size: object, entry: object) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        Position(BTC, Side.BUY, size, entry)  # type: ignore[arg-type]
