"""The vectorised equity equals float() of the venue's own Decimal equity, bit for bit."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from bot.engine.marks import EquityBackfill, EquityLine, marked_value
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
    ticks = np.round(rng.uniform(1, 2_000_000, 500)).astype(np.int64)
    got = EquityLine(marking, Decimal(tick)).stretch(ticks)[0]
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
    ticks = np.round(np.random.default_rng(sign + 2).uniform(1, 2_000_000, 300)).astype(np.int64)
    equity, low, high = EquityLine(marking, Decimal(tick)).stretch(ticks)
    assert equity.tolist() == EquityLine(marking, Decimal(tick)).stretch(ticks)[0].tolist()
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


def _line(wallet: str, sign: int, size: str, cost: str, tick: str = "0.1") -> EquityLine:
    marking = Marking(Decimal(wallet), sign, Decimal(size), Decimal(cost), None, False, False)
    return EquityLine(marking, Decimal(tick))


LINES = [
    # (wallet, sign, size, cost): large accounts (worked in int64 and floats), one whose
    # equity crosses 2**27 within a stretch, a 10,000 USDT one (Python integers), small
    # ones (|a + b * t| below 2**53: one float division), shorts and a negative equity
    ("999999667.688045610000", 1, "0.025", "982.9825"),
    ("1000000000.000000000001", -1, "0.023", "1001.0651"),
    ("134217700.5", 1, "3.5", "350000"),
    ("134217800.25", -1, "2.125", "212500"),
    ("9987.123456789012", 1, "0.011", "462.8503"),
    ("9987.123456789012", -1, "0.011", "462.8503"),
    ("12.5", 1, "0.001", "0.1"),
    ("0.000000000123", -1, "0.001", "0.1"),
    ("-50.5", 1, "0.3", "30"),
    ("4503599627.370496", 1, "1", "1"),
]


@pytest.mark.parametrize(("wallet", "sign", "size", "cost"), LINES)
def test_the_backfill_writes_what_the_stretch_gives(
    wallet: str, sign: int, size: str, cost: str
) -> None:
    line = _line(wallet, sign, size, cost)
    rng = np.random.default_rng(sum(map(ord, wallet)))
    closes = np.round(1000 + np.cumsum(rng.normal(0, 40, 3000))).astype(np.int64)
    closes = np.maximum(closes, 0)
    backfill = EquityBackfill()
    expected = np.full(len(closes), np.nan)
    start = 0
    while start < len(closes):
        stop = min(len(closes), start + int(rng.integers(1, 90)))
        stretch = closes[start:stop]
        expected[start:stop] = line.stretch(stretch)[0]
        assert backfill.keep(start, stop, line, int(stretch.min()), int(stretch.max()))
        start = stop + int(rng.integers(0, 3))  # some bars are not passed
    equity = np.full(len(closes), np.nan)
    backfill.write(equity, closes)
    assert np.array_equal(equity, expected, equal_nan=True)
    assert len(backfill) == 0  # written once, then forgotten
    backfill.write(equity, closes)  # nothing left to write
    assert np.array_equal(equity, expected, equal_nan=True)


def test_the_backfill_is_exact_around_its_float_thresholds() -> None:
    # whole parts right at 2**27 and near the longest exact numbers, and |a + b * t|
    # right at 2**53 (in units of 10**-12)
    tick = Decimal("0.000001")
    for wallet in ("134217728", "134217727.999999999999", "999999999999.5", "9007.199254740"):
        for sign in (1, -1):
            marking = Marking(
                Decimal(wallet), sign, Decimal("0.000001"), Decimal("0.0000001"), None, False, False
            )
            line = EquityLine(marking, tick)
            closes = np.arange(0, 4000, dtype=np.int64)
            backfill = EquityBackfill()
            assert backfill.keep(0, len(closes), line, 0, 3999)
            equity = np.empty(len(closes))
            backfill.write(equity, closes)
            expected = [_venue_equity(marking, Decimal(int(t)) * tick) for t in closes]
            assert equity.tolist() == expected


def test_the_backfill_keeps_only_lines_it_can_write_exactly() -> None:
    backfill = EquityBackfill()
    assert not backfill.keep(0, 5, _line("100", 0, "0", "0"), 10, 20)  # flat: write it now
    finer = _line("12.5", 1, "1234.56789012", "1371.7284027311", "0.00001")
    assert finer.places == 13  # past the money quantum: rounded bar by bar, now
    assert not backfill.keep(0, 5, finer, 1, 9)
    assert not backfill.keep(0, 5, _line("1e20", -1, "123456.789", "1e15"), 1, 2_000_000)
    assert not backfill.keep(0, 5, _line("100", 1, "1", "1"), 0, 2**60)  # past an int64
    assert not backfill.keep(5, 5, _line("100", 1, "1", "1"), 1, 2)  # no bars
    assert len(backfill) == 0


@pytest.mark.parametrize(
    ("wallet", "sign", "size", "cost", "tick"),
    [
        *((*line, "0.1") for line in LINES),
        ("1e20", -1, "123456.789", "1e15", "0.1"),  # too long for exact: float fallback
        ("100", 0, "0", "0", "0.1"),
        ("12.5", 1, "1234.56789012", "1371.7284027311", "0.00001"),  # 13 places: rounds
    ],
)
def test_the_line_bounds_hold_every_close_between_them(
    wallet: str, sign: int, size: str, cost: str, tick: str
) -> None:
    line = _line(wallet, sign, size, cost, tick)
    closes = np.round(np.random.default_rng(4).uniform(1, 2_000_000, 300)).astype(np.int64)
    equity, low, high = line.stretch(closes)
    least, most = int(closes.min()), int(closes.max())
    bounds = line.bounds(least, most)
    if bounds is None:  # numbers too long: the stretch is worked in floats
        assert abs(line.a) + abs(line.b) * most >= 10**27
        return
    assert bounds == (low, high)
    wider = line.bounds(least - 7, most + 11)
    assert wider is not None
    assert wider[0] <= equity.min() <= equity.max() <= wider[1]
