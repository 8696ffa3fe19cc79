"""load_candles: the configured source at the configured timeframe, or a clear refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config.settings import FileDataSettings, SyntheticDataSettings
from bot.data import load_candles, resample, synthetic_candles, write_csv, write_parquet
from bot.errors import DataError

START = datetime(2024, 1, 1, tzinfo=UTC)


def test_synthetic_default_month_of_minutes():
    candles = load_candles(SyntheticDataSettings(days=30, timeframe="1m", start=START), seed=7)
    assert len(candles) == 43_200
    assert candles.identical(synthetic_candles(7, START, 43_200))


def test_synthetic_coarser_timeframe_is_resampled_from_minutes():
    candles = load_candles(SyntheticDataSettings(days=2, timeframe="1h", start=START), seed=3)
    assert len(candles) == 48
    assert candles.identical(resample(synthetic_candles(3, START, 2 * 1440), 3600))


@pytest.mark.parametrize("writer", [write_csv, write_parquet])
def test_file_is_read_and_resampled_to_the_timeframe(tmp_path, writer):
    minutes = synthetic_candles(5, START, 600)
    path = tmp_path / ("m.csv" if writer is write_csv else "m.parquet")
    writer(minutes, path)
    same = load_candles(FileDataSettings(path=path, timeframe="1m"), seed=0)
    assert same.identical(minutes)
    five = load_candles(FileDataSettings(path=path, timeframe="5m"), seed=0)
    assert five.identical(resample(minutes, 300))
    assert len(five) == 120


def test_file_coarser_than_asked_is_refused(tmp_path):
    path = tmp_path / "h.parquet"
    write_parquet(resample(synthetic_candles(5, START, 600), 3600), path)
    with pytest.raises(DataError) as caught:
        load_candles(FileDataSettings(path=path, timeframe="15m"), seed=0)
    assert str(caught.value).startswith(str(path))
    assert "1h apart at the closest, coarser than data.timeframe=15m" in caught.value.reason


def test_file_step_that_does_not_divide_the_timeframe_is_refused(tmp_path):
    path = tmp_path / "3m.csv"
    write_csv(resample(synthetic_candles(5, START, 600), 180), path)
    with pytest.raises(DataError, match=r"candle length 3m does not divide data\.timeframe=5m"):
        load_candles(FileDataSettings(path=path, timeframe="5m"), seed=0)


def test_missing_file_is_refused():
    with pytest.raises(DataError, match="no such file"):
        load_candles(FileDataSettings(path=Path("/nonexistent/c.csv"), timeframe="1m"), seed=0)
