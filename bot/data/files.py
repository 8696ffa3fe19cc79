"""Candles from CSV and Parquet files, checked once, all or nothing.

Both formats hold exactly the columns ``timestamp,open,high,low,close,volume`` (any
order, names as written; a missing, repeated or unknown column refuses the file, so a
file laid out differently is never half understood). ``timestamp`` is the candle's open
time, either epoch milliseconds (integers) or ISO 8601 with a zone (``Z`` or an offset
such as ``+02:00``); times without a zone are refused rather than guessed. Parquet may
also store it as a timestamp type with a time zone.

Errors name the file, the row and the column. Rows count candles from 1; in a CSV file
row ``r`` is on line ``r + 1`` (the header is line 1), and a blank line in the middle is
refused (blank lines at the very end are ignored).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from bot.data.candles import (
    COLUMNS,
    Candles,
    Column,
    RowLocator,
    Timestamps,
    csv_rows,
    data_rows,
)
from bot.errors import DataError

#: File name endings read as CSV and as Parquet.
CSV_SUFFIXES: Final = (".csv",)
PARQUET_SUFFIXES: Final = (".parquet", ".pq")
_HEADER: Final = ",".join(COLUMNS)
_TIMESTAMP_RULE: Final = (
    "neither epoch milliseconds (an integer) nor ISO 8601 with a zone, "
    "e.g. 2024-01-01T00:00:00Z or 2024-01-01T02:00:00+02:00 (times without a zone are refused)"
)
_AS_FIRST: Final = "(an integer, like the first row's)"
_SCAN: Final = 4096


def read_candles(path: Path) -> Candles:
    """Read and check the candles of a ``.csv`` or ``.parquet`` file, or raise DataError."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        allowed = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES)
        raise DataError(source, f"unknown file type {suffix!r}; use one of {allowed}")
    if not path.is_file():
        raise DataError(source, "no such file")
    if suffix in CSV_SUFFIXES:
        table, rows = _csv_table(path), csv_rows
    else:
        table, rows = _parquet_table(path), data_rows
    _check_header(table, source)
    if table.num_rows == 0:
        raise DataError(source, f"no candles: the file has the header {_HEADER} but no rows")
    ts = _timestamps(table.column("timestamp"), source, rows)
    open_, high, low, close, volume = (
        _floats(table.column(name), name, source, rows) for name in COLUMNS[1:]
    )
    return Candles.checked((ts, open_, high, low, close, volume), source, rows)


def write_csv(candles: Candles, path: Path) -> None:
    """Write ``candles`` as CSV with epoch-millisecond timestamps (reads back exactly)."""
    options = pa_csv.WriteOptions(quoting_style="none", quoting_header="none")
    pa_csv.write_csv(_table(candles), str(path), write_options=options)


def write_parquet(candles: Candles, path: Path) -> None:
    """Write ``candles`` as Parquet with epoch-millisecond int64 timestamps."""
    pq.write_table(_table(candles), str(path))


def _table(candles: Candles) -> pa.Table:
    columns = (candles.ts_ms, candles.open, candles.high, candles.low, candles.close)
    return pa.table(dict(zip(COLUMNS, (*columns, candles.volume), strict=True)))


def _csv_table(path: Path) -> pa.Table:
    """The file's cells: numbers parsed on all cores when the file is clean, else as text.

    Any problem sends the file down the slow path (one thread, every cell as text), where
    the first bad cell or row is found and named.
    """
    source = str(path)
    with contextlib.suppress(pa.ArrowInvalid):
        return _parse_csv(path, threads=True, numbers=True)
    try:
        return _parse_csv(path, threads=False, numbers=False)
    except pa.ArrowInvalid as error:
        if "Empty CSV file" in str(error):
            raise DataError(source, f"the file is empty; expected the header {_HEADER}") from None
        bad: list[object] = []
        with contextlib.suppress(pa.ArrowInvalid):  # expected: the same error, now with a row
            _parse_csv(path, threads=False, numbers=False, bad_rows=bad)
        if bad:
            row = bad[0]
            line = int(row.number)  # type: ignore[attr-defined]
            got, expected = row.actual_columns, row.expected_columns  # type: ignore[attr-defined]
            raise DataError(
                source, f"{got} cells where the header has {expected}", row=line - 1, line=line
            ) from None
        raise DataError(source, f"cannot be read as CSV: {error}") from None


def _parse_csv(
    path: Path, *, threads: bool, numbers: bool, bad_rows: list[object] | None = None
) -> pa.Table:
    def keep(row: object) -> str:
        if bad_rows is not None:
            bad_rows.append(row)
        return "error"

    types = dict.fromkeys(COLUMNS, pa.float64() if numbers else pa.string())
    types["timestamp"] = pa.string()
    convert = pa_csv.ConvertOptions(
        column_types=types,
        null_values=[],
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    table = pa_csv.read_csv(
        str(path),
        read_options=pa_csv.ReadOptions(use_threads=threads),
        parse_options=pa_csv.ParseOptions(ignore_empty_lines=False, invalid_row_handler=keep),
        convert_options=convert,
    )
    return _drop_blank_lines(table, str(path))


def _drop_blank_lines(table: pa.Table, source: str) -> pa.Table:
    """Drop blank lines at the end of the file; refuse one anywhere else."""
    if table.num_rows == 0 or table.num_columns == 0:
        return table
    blank = np.ones(table.num_rows, dtype=np.bool_)
    for column in table.columns:
        if pa.types.is_string(column.type):
            blank &= np.asarray(pc.equal(column, "").to_numpy(zero_copy_only=False), np.bool_)
        else:
            return table  # an unknown, non-text column: the header check refuses the file
    if not blank.any():
        return table
    kept = int(np.flatnonzero(~blank)[-1]) + 1 if (~blank).any() else 0
    inside = np.flatnonzero(blank[:kept])
    if inside.size:
        row, line = csv_rows(int(inside[0]))
        raise DataError(source, "blank line between candles", row=row, line=line)
    return table.slice(0, kept)


def _parquet_table(path: Path) -> pa.Table:
    try:
        return pq.read_table(str(path))
    except (pa.ArrowException, OSError) as error:
        raise DataError(str(path), f"cannot be read as Parquet: {error}") from None


def _check_header(table: pa.Table, source: str) -> None:
    names: list[str] = list(table.column_names)
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repeated)}")
    if problems:
        found = ",".join(names)
        raise DataError(
            source, f"{'; '.join(problems)}: the columns must be {_HEADER} (found {found})"
        )


def _first_failure(values: pa.Array, target: pa.DataType) -> int:
    """Index of the first cell of ``values`` that does not cast to ``target``."""
    for start in range(0, len(values), _SCAN):
        chunk = values.slice(start, _SCAN)
        try:
            pc.cast(chunk, target)
        except pa.ArrowException:
            for offset in range(len(chunk)):
                try:
                    pc.cast(chunk.slice(offset, 1), target)
                except pa.ArrowException:
                    return start + offset
    return -1


@dataclass(frozen=True, slots=True)
class _Place:
    """Where cells come from, for messages: file, column and row numbering."""

    source: str
    column: str
    rows: RowLocator

    def refuse(self, values: pa.Array, index: int, reason: str) -> DataError:
        row, line = self.rows(index)
        cell = values[index].as_py()
        if cell in ("", None):
            shown = "an empty cell"
        else:
            shown = cell.isoformat() if isinstance(cell, datetime) else repr(cell)
        return DataError(
            self.source, f"{shown} is {reason}", row=row, line=line, column=self.column
        )


def _cast(values: pa.Array, target: pa.DataType, place: _Place, reason: str) -> pa.Array:
    """``values`` cast to ``target``, or DataError at the first cell that does not cast."""
    if values.null_count:
        first = int(np.flatnonzero(pc.is_null(values).to_numpy(zero_copy_only=False))[0])
        raise place.refuse(values, first, reason)
    try:
        return pc.cast(values, target)
    except pa.ArrowException:
        raise place.refuse(values, max(_first_failure(values, target), 0), reason) from None


def _floats(column: pa.ChunkedArray, name: str, source: str, rows: RowLocator) -> Column:
    values = column.combine_chunks()
    kind = values.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or _is_number(kind)):
        raise DataError(source, f"holds {kind}, not numbers", column=name)
    as_float = _cast(values, pa.float64(), _Place(source, name, rows), "not a number")
    return np.asarray(as_float.to_numpy(zero_copy_only=False), dtype=np.float64)


def _is_number(kind: pa.DataType) -> bool:
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind)) or bool(
        pa.types.is_decimal(kind)
    )


def _timestamps(column: pa.ChunkedArray, source: str, rows: RowLocator) -> Timestamps:
    values = column.combine_chunks()
    kind = values.type
    utc_ms = pa.timestamp("ms", tz="UTC")
    place = _Place(source, "timestamp", rows)
    if pa.types.is_integer(kind):
        result = _cast(values, pa.int64(), place, "not an int64 integer")
    elif pa.types.is_timestamp(kind):
        if kind.tz is None:
            raise DataError(
                source,
                f"holds times without a zone ({kind}); store them in UTC (tz='UTC') "
                "or as epoch milliseconds",
                column="timestamp",
            )
        result = _cast(values, utc_ms, place, "not a whole millisecond").cast(pa.int64())
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        # The first cell decides the format: epoch milliseconds or ISO 8601.
        first = values[0].as_py() if len(values) and values[0].is_valid else ""
        if first.isascii() and first.isdigit():
            result = _cast(values, pa.int64(), place, "not epoch milliseconds " + _AS_FIRST)
        else:
            result = _cast(values, utc_ms, place, _TIMESTAMP_RULE).cast(pa.int64())
    else:
        raise DataError(source, f"holds {kind}, not times", column="timestamp")
    return np.asarray(result.to_numpy(zero_copy_only=False), dtype=np.int64)
