"""The vectorised equity equals float() of the venue's own Decimal equity, bit for bit."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from bot.engine.marks import marked_stretch, marked_value
from bot.exchange.sim.fees import money
from bot.exchange.sim.marking import Marking


def _venue_equity(marking: Marking, price: Decimal) -> float:
    value = marking.wallet + marking.sign * (marking.size * price - marking.cost)
    return float(money(value))


@pytest.mark.parametrize(
    ("wallet", "sign", "size", "cost", "tick"),
    [
        ("10000", 0, "0", "0", "0.1"),
        ("9987.123456789012", 1, "0.011", "462.8503", "0.1"),
        ("1000000000.000000000001", -1, "0.023", "1001.0651", "0.1"),
        ("12.5", 1, "1234.5678901", "1371.7284027311", "0.00001"),  # 16 places: rounds
        ("100", -1, "3", "300.3", "0.5"),
    ],
)
def test_marked_equity_is_the_venues_number(
    wallet: str, sign: int, size: str, cost: str, tick: str
) -> None:
    marking = Marking(Decimal(wallet), sign, Decimal(size), Decimal(cost), None, False, False)
    rng = np.random.default_rng(len(wallet))
    ticks = np.round(rng.uniform(1, 2_000_000, 500))
    got = marked_stretch(marking, ticks, Decimal(tick))[0]
    expected = [_venue_equity(marking, Decimal(int(t)) * Decimal(tick)) for t in ticks]
    assert got.tolist() == expected


@pytest.mark.parametrize(
    ("wallet", "sign", "size", "cost", "tick"),
    [
        ("10000", 0, "0", "0", "0.1"),
        ("9987.123456789012", 1, "0.011", "462.8503", "0.1"),
        ("1000000000.000000000001", -1, "0.023", "1001.0651", "0.1"),
        ("12.5", 1, "1234.5678901", "1371.7284027311", "0.00001"),
        ("1e20", -1, "123456.789", "1e15", "0.1"),  # too long for exact: float fallback
    ],
)
def test_the_stretch_extremes_are_its_lowest_and_highest_equity(
    wallet: str, sign: int, size: str, cost: str, tick: str
) -> None:
    marking = Marking(Decimal(wallet), sign, Decimal(size), Decimal(cost), None, False, False)
    ticks = np.round(np.random.default_rng(sign + 2).uniform(1, 2_000_000, 300))
    equity, low, high = marked_stretch(marking, ticks, Decimal(tick))
    assert equity.tolist() == marked_stretch(marking, ticks, Decimal(tick))[0].tolist()
    assert (low, high) == (float(equity.min()), float(equity.max()))


def test_the_marked_value_is_the_venues_decimal() -> None:
    marking = Marking(
        Decimal("9987.5"), -1, Decimal("0.011"), Decimal("462.8503"), None, False, False
    )
    price = Decimal("42000.1")
    assert marked_value(marking, price) == money(
        Decimal("9987.5") - (Decimal("0.011") * price - Decimal("462.8503"))
    )
    flat = Marking(Decimal("100.5"), 0, Decimal(0), Decimal(0), None, False, False)
    assert marked_value(flat, price) == money(Decimal("100.5"))
