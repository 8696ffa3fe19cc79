"""CSV and Parquet candles: each bad file is refused with the file, row, column and reason."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from bot.data import read_candles, write_csv, write_parquet
from bot.errors import DataError

from .samples import (
    HEADER,
    MINUTE,
    T0,
    Row,
    candles_of,
    good_rows,
    write_csv_rows,
    write_parquet_rows,
)

# (row to break (1-based), change, column blamed, reason)
RULES = [
    (2, {1: float("nan")}, "open", "open nan is not finite"),
    (3, {2: float("inf")}, "high", "high inf is not finite"),
    (2, {5: float("nan")}, "volume", "volume nan is not finite"),
    (3, {1: 0.0, 3: 0.0}, "open", "open 0.0 is not above 0"),
    (2, {3: -1.0}, "low", "low -1.0 is not above 0"),
    (3, {5: -2.0}, "volume", "volume -2.0 is negative"),
    (2, {3: 100.5}, "low", "low 100.5 is above open 100.0"),
    (3, {4: 98.5}, "low", "low 99.0 is above close 98.5"),
    (2, {1: 102.5}, "high", "high 102.0 is below open 102.5"),
    (3, {4: 102.25}, "high", "high 102.0 is below close 102.25"),
    (
        3,
        {0: T0 + MINUTE},
        "timestamp",
        "timestamp 1704067260000 (2024-01-01T00:01:00.000Z) repeats",
    ),
    (2, {0: T0 - MINUTE}, "timestamp", "is before the previous row's 1704067200000"),
    (1, {0: T0 // 1000}, "timestamp", "seconds given?"),
]


def _broken(row: int, change: dict[int, float]) -> list[Row]:
    rows = [list(r) for r in good_rows(4)]
    for index, value in change.items():
        rows[row - 1][index] = value
    return [(int(r[0]), *(float(x) for x in r[1:])) for r in rows]  # type: ignore[misc]


@pytest.mark.parametrize(("row", "change", "column", "reason"), RULES)
def test_csv_rule_is_refused_with_row_line_and_reason(tmp_path, row, change, column, reason):
    path = write_csv_rows(tmp_path / "c.csv", _broken(row, change))
    with pytest.raises(DataError) as caught:
        read_candles(path)
    error = caught.value
    assert (error.row, error.line, error.column) == (row, row + 1, column)
    assert reason in error.reason
    assert str(error).startswith(f"{path}: row {row} (line {row + 1} of the file), column {column}")


@pytest.mark.parametrize(("row", "change", "column", "reason"), RULES)
def test_parquet_rule_is_refused_with_row_and_reason(tmp_path, row, change, column, reason):
    path = write_parquet_rows(tmp_path / "c.parquet", _broken(row, change))
    with pytest.raises(DataError) as caught:
        read_candles(path)
    error = caught.value
    assert (error.row, error.line, error.column) == (row, None, column)
    assert reason in error.reason
    assert str(error).startswith(f"{path}: row {row}, column {column}: ")


def _csv(tmp_path: Path, text: str, name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _refusal(path: Path) -> DataError:
    with pytest.raises(DataError) as caught:
        read_candles(path)
    return caught.value


def test_iso_timestamps_with_z_and_offsets_read_as_epoch_ms(tmp_path):
    text = (
        f"{HEADER}\n"
        "2024-01-01T00:00:00Z,1,2,0.5,1.5,3\n"
        "2024-01-01T00:01:00+00:00,1,2,0.5,1.5,3\n"
        "2024-01-01T02:02:00+02:00,1,2,0.5,1.5,3\n"
    )
    candles = read_candles(_csv(tmp_path, text))
    assert candles.ts_ms.tolist() == [T0, T0 + MINUTE, T0 + 2 * MINUTE]
    assert candles.close.tolist() == [1.5, 1.5, 1.5]


def test_epoch_ms_timestamps_and_any_column_order(tmp_path):
    header = "volume,close,low,high,open,timestamp"
    text = f"{header}\n3,1.5,0.5,2,1,{T0}\n4,1.25,0.5,2,1.5,{T0 + MINUTE}\n"
    candles = read_candles(_csv(tmp_path, text))
    assert candles.ts_ms.tolist() == [T0, T0 + MINUTE]
    assert candles.open.tolist() == [1.0, 1.5]
    assert candles.volume.tolist() == [3.0, 4.0]


@pytest.mark.parametrize(
    "stamp", ["2024-01-01T00:01:00", "2024-01-01", "yesterday", str(T0 + MINUTE)]
)
def test_naive_or_unreadable_iso_timestamp_is_refused(tmp_path, stamp):
    text = f"{HEADER}\n2024-01-01T00:00:00Z,1,2,0.5,1.5,3\n{stamp},1,2,0.5,1.5,3\n"
    error = _refusal(_csv(tmp_path, text))
    assert (error.row, error.line, error.column) == (2, 3, "timestamp")
    assert f"'{stamp}' is neither epoch milliseconds" in error.reason
    assert "without a zone are refused" in error.reason


def test_iso_after_epoch_ms_is_refused(tmp_path):
    text = f"{HEADER}\n{T0},1,2,0.5,1.5,3\n2024-01-01T00:01:00Z,1,2,0.5,1.5,3\n"
    error = _refusal(_csv(tmp_path, text))
    assert (error.row, error.column) == (2, "timestamp")
    assert "'2024-01-01T00:01:00Z' is not epoch milliseconds" in error.reason


@pytest.mark.parametrize(
    ("cell", "shown"), [("abc", "'abc'"), ("", "an empty cell"), ("1,5", None)]
)
def test_non_numeric_cell_names_row_and_column(tmp_path, cell, shown):
    text = f"{HEADER}\n{T0},1,2,0.5,1.5,3\n{T0 + MINUTE},1,2,0.5,{cell},3\n"
    error = _refusal(_csv(tmp_path, text))
    assert (error.row, error.line) == (2, 3)
    if shown is None:  # a stray comma: one cell too many
        assert error.reason == "7 cells where the header has 6"
    else:
        assert error.column == "close"
        assert error.reason == f"{shown} is not a number"


def test_short_row_is_refused_with_its_line(tmp_path):
    text = f"{HEADER}\n{T0},1,2,0.5,1.5,3\n{T0 + MINUTE},1,2,0.5,1.5\n"
    error = _refusal(_csv(tmp_path, text))
    assert (error.row, error.line, error.reason) == (2, 3, "5 cells where the header has 6")


def test_blank_line_inside_is_refused_but_trailing_blank_lines_are_ignored(tmp_path):
    inside = f"{HEADER}\n{T0},1,2,0.5,1.5,3\n\n{T0 + MINUTE},1,2,0.5,1.5,3\n"
    error = _refusal(_csv(tmp_path, inside))
    assert (error.row, error.line, error.reason) == (2, 3, "blank line between candles")
    trailing = f"{HEADER}\n{T0},1,2,0.5,1.5,3\n{T0 + MINUTE},1,2,0.5,1.5,3\n\n\n"
    assert len(read_candles(_csv(tmp_path, trailing, "t.csv"))) == 2


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("timestamp,open,high,low,close", "missing column(s) volume"),
        (
            "ts_ms,open,high,low,close,volume",
            "missing column(s) timestamp; unknown column(s) ts_ms",
        ),
        (f"{HEADER},turnover", "unknown column(s) turnover"),
        (f"{HEADER},volume", "repeated column(s) volume"),
    ],
)
def test_wrong_columns_are_refused_naming_them(tmp_path, header, problem):
    cells = ",".join(["1"] * len(header.split(",")))
    error = _refusal(_csv(tmp_path, f"{header}\n{cells}\n"))
    assert error.row is None
    assert error.reason.startswith(problem)
    assert f"the columns must be {HEADER}" in error.reason


def test_empty_file_and_header_only_are_refused(tmp_path):
    assert "the file is empty" in _refusal(_csv(tmp_path, "")).reason
    assert "no candles" in _refusal(_csv(tmp_path, f"{HEADER}\n", "h.csv")).reason
    empty = pa.table({name: pa.array([], pa.float64()) for name in HEADER.split(",")})
    pq.write_table(empty, str(tmp_path / "e.parquet"))
    assert "no candles" in _refusal(tmp_path / "e.parquet").reason


def test_unknown_suffix_missing_file_and_garbage_parquet(tmp_path):
    assert "unknown file type '.txt'" in _refusal(_csv(tmp_path, HEADER, "c.txt")).reason
    assert _refusal(tmp_path / "absent.csv").reason == "no such file"
    junk = _csv(tmp_path, "not parquet at all", "j.parquet")
    assert "cannot be read as Parquet" in _refusal(junk).reason


def _parquet(tmp_path: Path, timestamp: pa.Array) -> Path:
    prices = {name: pa.array([1.0, 1.0], pa.float64()) for name in ("open", "high", "low", "close")}
    table = pa.table({"timestamp": timestamp, **prices, "volume": pa.array([0.0, 0.0])})
    path = tmp_path / "t.parquet"
    pq.write_table(table, str(path))
    return path


def test_parquet_timestamp_types(tmp_path):
    aware = pa.array([T0, T0 + MINUTE], pa.timestamp("ms", tz="UTC"))
    assert read_candles(_parquet(tmp_path, aware)).ts_ms.tolist() == [T0, T0 + MINUTE]
    in_ns = pa.array([T0 * 10**6, (T0 + MINUTE) * 10**6], pa.timestamp("ns", tz="Europe/Paris"))
    assert read_candles(_parquet(tmp_path, in_ns)).ts_ms.tolist() == [T0, T0 + MINUTE]
    text = pa.array(["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z"])
    assert read_candles(_parquet(tmp_path, text)).ts_ms.tolist() == [T0, T0 + MINUTE]
    naive = pa.array([T0, T0 + MINUTE], pa.timestamp("ms"))
    error = _refusal(_parquet(tmp_path, naive))
    assert error.column == "timestamp"
    assert "without a zone" in error.reason
    sub_ms = pa.array([T0 * 1000, T0 * 1000 + 1], pa.timestamp("us", tz="UTC"))
    error = _refusal(_parquet(tmp_path, sub_ms))
    assert (error.row, error.reason) == (
        2,
        "2024-01-01T00:00:00.000001+00:00 is not a whole millisecond",
    )


def test_parquet_null_cell_is_refused(tmp_path):
    table = pa.table(
        {
            "timestamp": pa.array([T0, T0 + MINUTE], pa.int64()),
            "open": pa.array([1.0, None], pa.float64()),
            **{n: pa.array([1.0, 1.0]) for n in ("high", "low", "close", "volume")},
        }
    )
    pq.write_table(table, str(tmp_path / "n.parquet"))
    error = _refusal(tmp_path / "n.parquet")
    assert (error.row, error.column, error.reason) == (2, "open", "an empty cell is not a number")


def test_written_files_read_back_identical(tmp_path):
    candles = candles_of(good_rows(3))
    write_csv(candles, tmp_path / "w.csv")
    write_parquet(candles, tmp_path / "w.parquet")
    assert (tmp_path / "w.csv").read_text().splitlines()[0] == HEADER
    assert read_candles(tmp_path / "w.csv").identical(candles)
    assert read_candles(tmp_path / "w.parquet").identical(candles)
    assert np.array_equal(read_candles(tmp_path / "w.parquet").close, candles.close)
