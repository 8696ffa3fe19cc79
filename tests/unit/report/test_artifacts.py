"""Artifacts: exact, deterministic files with the expected columns, and a real PNG."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from bot.domain import Side
from bot.report.artifacts import (
    EQUITY_COLUMNS,
    TRADE_COLUMNS,
    envelope,
    iso_utc,
    write_artifacts,
    write_trades_csv,
)
from bot.report.metrics import compute_metrics
from bot.report.record import RunRecord
from tests.unit.report.runs import T0, make_run, trade

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _run(bars: int = 300) -> RunRecord:
    rng = np.random.default_rng(3)
    close = 30_000 * np.exp(np.cumsum(rng.normal(0, 1e-3, bars)))
    position = np.where(np.arange(bars) % 50 < 25, 0.01, 0.0)
    equity = 10_000 + np.cumsum(rng.normal(0.2, 5.0, bars))
    trades = [
        trade("12.5", "0.033", entry_bar=10, exit_bar=30, entry_price="30010.1",
              exit_price="30022.6", qty="0.001"),
        trade("-0.00000001", "1E-8", side=Side.SELL, entry_bar=60, exit_bar=90,
              entry_price="29950", exit_price="29960.5", qty="0.010"),
    ]  # fmt: skip
    return make_run(
        equity, initial="10000", position=position, close=close, trades=trades, fees="0.04"
    )


def _write(run: RunRecord, out: Path) -> dict[str, Path]:
    return write_artifacts(run, compute_metrics(run), out)


def test_writes_the_four_files(tmp_path: Path) -> None:
    paths = _write(_run(), tmp_path / "run")
    assert set(paths) == {"trades", "equity", "metrics", "report"}
    assert [p.name for p in paths.values()] == [
        "trades.csv",
        "equity.parquet",
        "metrics.json",
        "report.png",
    ]
    assert all(p.parent == tmp_path / "run" and p.stat().st_size > 0 for p in paths.values())


def test_trades_csv_columns_and_exact_values(tmp_path: Path) -> None:
    paths = _write(_run(), tmp_path)
    with paths["trades"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == TRADE_COLUMNS
    assert rows[0] == [
        "symbol", "side", "qty", "entry_time", "entry_price",
        "exit_time", "exit_price", "pnl", "fees", "net",
    ]  # fmt: skip
    assert rows[1] == [
        "BTCUSDT", "long", "0.001", "2023-11-14T22:23:20.000Z", "30010.1",
        "2023-11-14T22:43:20.000Z", "30022.6", "12.5", "0.033", "12.467",
    ]  # fmt: skip
    # Exponents are written out: 1E-8 is 0.00000001, never a float.
    assert rows[2][1] == "short"
    assert rows[2][2] == "0.010"
    assert rows[2][7:] == ["-0.00000001", "0.00000001", "-0.00000002"]
    assert len(rows) == 3


def test_trades_csv_is_byte_identical_across_writes(tmp_path: Path) -> None:
    first = _write(_run(), tmp_path / "a")["trades"].read_bytes()
    second = _write(_run(), tmp_path / "b")["trades"].read_bytes()
    assert first == second
    assert b"\r" not in first


def test_trades_csv_of_a_run_without_trades_is_just_the_header(tmp_path: Path) -> None:
    path = tmp_path / "trades.csv"
    write_trades_csv(make_run([100, 101]), path)
    assert path.read_text(encoding="utf-8") == ",".join(TRADE_COLUMNS) + "\n"


def test_equity_parquet_columns_and_values(tmp_path: Path) -> None:
    run = _run()
    table = pq.read_table(_write(run, tmp_path)["equity"])
    assert tuple(table.column_names) == EQUITY_COLUMNS
    assert [str(t) for t in table.schema.types] == ["int64", "double", "double", "double"]
    np.testing.assert_array_equal(table.column("ts_ms").to_numpy(), run.ts_ms)
    np.testing.assert_array_equal(table.column("equity").to_numpy(), run.equity)
    np.testing.assert_array_equal(table.column("close").to_numpy(), run.close)
    np.testing.assert_array_equal(table.column("position").to_numpy(), run.position)


def test_metrics_json_is_sorted_and_valid(tmp_path: Path) -> None:
    run = _run()
    text = _write(run, tmp_path)["metrics"].read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert data == json.loads(json.dumps(compute_metrics(run).as_dict()))
    assert data["trades"] == 2
    assert text.startswith('{\n  "bars": 300,')


def test_report_png_is_a_png_and_deterministic(tmp_path: Path) -> None:
    first = _write(_run(), tmp_path / "a")["report"].read_bytes()
    second = _write(_run(), tmp_path / "b")["report"].read_bytes()
    assert first.startswith(PNG_MAGIC)
    assert first == second


@pytest.mark.parametrize("bars", [1, 2])
def test_tiny_runs_without_trades_still_plot(tmp_path: Path, bars: int) -> None:
    paths = _write(make_run([100.0 + i for i in range(bars)]), tmp_path)
    assert paths["report"].read_bytes().startswith(PNG_MAGIC)


def test_iso_utc() -> None:
    assert iso_utc(T0) == "2023-11-14T22:13:20.000Z"
    assert iso_utc(1_704_067_200_123) == "2024-01-01T00:00:00.123Z"


def test_envelope_keeps_short_series_whole() -> None:
    values = np.arange(10, dtype=np.float64)
    np.testing.assert_array_equal(envelope(values, 5_000), np.arange(10))


def test_envelope_keeps_every_extreme_within_the_budget() -> None:
    rng = np.random.default_rng(5)
    values = np.cumsum(rng.normal(0, 1, 1_000_003))
    kept = envelope(values, 5_000)
    assert len(kept) <= 5_002
    assert np.all(np.diff(kept) > 0)
    assert kept[0] == 0
    assert kept[-1] == len(values) - 1
    assert int(np.argmin(values)) in kept
    assert int(np.argmax(values)) in kept
