"""Candles: the vectorised check names the first bad row and the rule it breaks."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from bot.data import Candles
from bot.data.candles import CandleColumns, csv_rows
from bot.domain import Bar, Price
from bot.errors import DataError, TypeViolation

from .samples import MINUTE, T0, Row, candles_of, good_rows


def _columns(rows: list[Row]) -> CandleColumns:
    ts, o, h, lo, c, v = (list(column) for column in zip(*rows, strict=True))
    as_floats = (np.array(x, dtype=np.float64) for x in (o, h, lo, c, v))
    return (np.array(ts, dtype=np.int64), *as_floats)  # type: ignore[return-value]


def _with(index: int, **changes: float) -> list[Row]:
    rows = [list(r) for r in good_rows(4)]
    names = ["timestamp", "open", "high", "low", "close", "volume"]
    for name, value in changes.items():
        rows[index][names.index(name)] = value
    return [tuple(r) for r in rows]  # type: ignore[misc]


RULES = [
    ({"open": float("nan")}, "open", "open nan is not finite"),
    ({"high": float("inf")}, "high", "high inf is not finite"),
    ({"volume": float("-inf")}, "volume", "volume -inf is not finite"),
    ({"open": 0.0, "low": 0.0}, "open", "open 0.0 is not above 0"),
    ({"low": -1.0}, "low", "low -1.0 is not above 0"),
    ({"volume": -0.5}, "volume", "volume -0.5 is negative"),
    ({"low": 100.5}, "low", "low 100.5 is above open 100.0"),
    ({"open": 103.0}, "high", "high 102.0 is below open 103.0"),
    ({"close": 98.0}, "low", "low 99.0 is above close 98.0"),
    ({"close": 102.5}, "high", "high 102.0 is below close 102.5"),
]


@pytest.mark.parametrize(("changes", "column", "reason"), RULES)
def test_each_rule_names_row_column_and_numbers(changes, column, reason):
    with pytest.raises(DataError) as caught:
        Candles.checked(_columns(_with(2, **changes)), "sample")
    error = caught.value
    assert (error.row, error.column, error.reason) == (3, column, reason)
    assert str(error) == f"sample: row 3, column {column}: {reason}; nothing was loaded"


def test_csv_numbering_gives_the_line_too():
    with pytest.raises(DataError, match=r"row 3 \(line 4 of the file\), column high"):
        Candles.checked(_columns(_with(2, close=102.5)), "f.csv", csv_rows)


def test_repeated_and_backward_timestamps():
    with pytest.raises(DataError) as caught:
        Candles.checked(_columns(_with(3, timestamp=T0 + 2 * MINUTE)), "s")
    assert caught.value.row == 4
    assert "timestamp 1704067320000 (2024-01-01T00:02:00.000Z) repeats" in caught.value.reason
    with pytest.raises(DataError) as caught:
        Candles.checked(_columns(_with(1, timestamp=T0 - MINUTE)), "s")
    assert caught.value.row == 2
    assert "is before the previous row's 1704067200000" in caught.value.reason


@pytest.mark.parametrize(
    ("value", "hint"), [(1_704_067_200, "seconds given?"), (T0 * 1000, "micro")]
)
def test_timestamps_outside_2015_to_2100_are_refused(value, hint):
    rows = [(value, 100.0, 102.0, 99.0, 101.0, 5.0)]
    with pytest.raises(DataError) as caught:
        Candles.checked(_columns(rows), "s")
    assert caught.value.row == 1
    assert caught.value.column == "timestamp"
    assert hint in caught.value.reason


def test_the_first_bad_row_wins_whatever_the_rule():
    rows = _with(1, volume=-1.0)
    rows[3] = (rows[3][0], float("nan"), *rows[3][2:])
    with pytest.raises(DataError) as caught:
        Candles.checked(_columns(rows), "s")
    assert (caught.value.row, caught.value.column) == (2, "volume")


def test_constructor_checks_too_and_wrong_dtype_is_refused():
    with pytest.raises(DataError, match="candles: row 1, column low"):
        candles_of([(T0, 100.0, 102.0, 100.5, 101.0, 1.0)])
    ts, *rest = _columns(good_rows(2))
    with pytest.raises((DataError, TypeViolation)):
        Candles(ts.astype(np.int32), *rest)
    with pytest.raises(DataError, match="differ in length"):
        Candles(ts, rest[0][:1], *rest[1:])


def test_columns_are_read_only_and_slices_are_candles():
    candles = candles_of(good_rows(5))
    with pytest.raises(ValueError, match="read-only"):
        candles.close[0] = 1.0
    part = candles[1:3]
    assert isinstance(part, Candles)
    assert len(part) == 2
    assert part.ts_ms.tolist() == [T0 + MINUTE, T0 + 2 * MINUTE]
    assert part.step_ms == MINUTE
    assert candles[0:1].step_ms is None
    with pytest.raises(TypeError, match="bar"):
        candles[::2]


def test_bar_builds_a_validated_bar_with_decimal_prices():
    candles = candles_of([(T0, 40000.1, 40010.3, 39990.7, 40005.5, 12.345)])
    bar = candles.bar(0)
    assert bar == Bar(
        T0,
        Price("40000.1"),
        Price("40010.3"),
        Price("39990.7"),
        Price("40005.5"),
        Decimal("12.345"),
    )
    on_tick = candles.bar(-1, tick=Decimal("0.5"))
    assert (on_tick.open, on_tick.high, on_tick.low) == (
        Price("40000.0"),
        Price("40010.5"),
        Price("39990.5"),
    )
    with pytest.raises(IndexError):
        candles.bar(1)


def test_identical_compares_bit_for_bit():
    a, b = candles_of(good_rows(3)), candles_of(good_rows(3))
    assert a.identical(b)
    assert not a.identical(a[0:2])
