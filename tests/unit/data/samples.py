"""Small candle files for the data tests: rows as Python values, written as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from bot.data import Candles

HEADER = "timestamp,open,high,low,close,volume"
T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z
MINUTE = 60_000

Row = tuple[int, float, float, float, float, float]


def good_rows(count: int = 3) -> list[Row]:
    """``count`` valid one-minute rows from T0."""
    return [(T0 + i * MINUTE, 100.0, 102.0, 99.0, 101.0, 5.0) for i in range(count)]


def cell(value: object) -> str:
    """A cell as CSV text; floats as repr (nan, inf, 100.5)."""
    return repr(value) if isinstance(value, float) else str(value)


def write_csv_rows(path: Path, rows: list[Row], header: str = HEADER) -> Path:
    """Write ``rows`` under ``header`` as CSV text."""
    lines = [header, *(",".join(cell(v) for v in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_parquet_rows(path: Path, rows: list[Row]) -> Path:
    """Write ``rows`` as Parquet: int64 timestamps, float64 prices and volume."""
    columns = list(zip(*rows, strict=True))
    table = pa.table(
        {
            "timestamp": pa.array(columns[0], pa.int64()),
            **{
                name: pa.array(columns[i + 1], pa.float64())
                for i, name in enumerate(HEADER.split(",")[1:])
            },
        }
    )
    pq.write_table(table, str(path))
    return path


def candles_of(rows: list[Row]) -> Candles:
    """Rows as Candles (checked)."""
    columns = list(zip(*rows, strict=True))
    return Candles(
        np.array(columns[0], dtype=np.int64),
        *(np.array(c, dtype=np.float64) for c in columns[1:]),
    )
