"""Resampling: buckets by UTC clock time; first open, max high, min low, last close, sum."""

from __future__ import annotations

import pytest

from bot.data import Candles, resample
from bot.errors import DataError

from .samples import MINUTE, T0, candles_of

# Seven one-minute candles from 00:00; 00:04 is missing (a gap in the data).
MINUTES = [
    (T0 + 0 * MINUTE, 10.0, 12.0, 9.0, 11.0, 1.0),
    (T0 + 1 * MINUTE, 11.0, 15.0, 10.5, 14.0, 2.0),
    (T0 + 2 * MINUTE, 14.0, 14.5, 8.0, 9.0, 3.0),
    (T0 + 3 * MINUTE, 9.0, 10.0, 8.5, 9.5, 4.0),
    (T0 + 5 * MINUTE, 9.5, 11.0, 9.0, 10.0, 5.0),
    (T0 + 6 * MINUTE, 10.0, 10.5, 7.0, 7.5, 6.0),
    (T0 + 7 * MINUTE, 7.5, 9.0, 7.5, 8.0, 0.0),
]


def _rows(candles: Candles) -> list[tuple[object, ...]]:
    return list(
        zip(
            candles.ts_ms.tolist(),
            candles.open.tolist(),
            candles.high.tolist(),
            candles.low.tolist(),
            candles.close.tolist(),
            candles.volume.tolist(),
            strict=True,
        )
    )


def test_three_minute_buckets_by_hand():
    bars = resample(candles_of(MINUTES), 180)
    assert _rows(bars) == [
        (T0, 10.0, 15.0, 8.0, 9.0, 6.0),  # 00:00-00:02
        (T0 + 3 * MINUTE, 9.0, 11.0, 8.5, 10.0, 9.0),  # 00:03, 00:05 (00:04 missing)
        (T0 + 6 * MINUTE, 10.0, 10.5, 7.0, 8.0, 6.0),  # 00:06-00:07 (00:08 not yet there)
    ]


def test_five_minute_buckets_and_a_whole_hour():
    assert _rows(resample(candles_of(MINUTES), 300)) == [
        (T0, 10.0, 15.0, 8.0, 9.5, 10.0),
        (T0 + 5 * MINUTE, 9.5, 11.0, 7.0, 8.0, 11.0),
    ]
    assert _rows(resample(candles_of(MINUTES), 3600)) == [(T0, 10.0, 15.0, 7.0, 8.0, 21.0)]


def test_buckets_follow_the_clock_not_the_first_candle():
    late = [(T0 + 2 * MINUTE, 1.0, 2.0, 0.5, 1.5, 1.0), (T0 + 3 * MINUTE, 1.5, 3.0, 1.0, 2.0, 1.0)]
    bars = resample(candles_of(late), 180)
    assert bars.ts_ms.tolist() == [T0, T0 + 3 * MINUTE]


def test_a_day_runs_from_midnight_utc():
    day = 86_400_000
    rows = [(T0 + day - MINUTE, 1.0, 2.0, 0.5, 1.5, 1.0), (T0 + day, 1.5, 3.0, 1.0, 2.0, 1.0)]
    assert resample(candles_of(rows), 86_400).ts_ms.tolist() == [T0, T0 + day]


def test_same_timeframe_is_unchanged_and_bad_buckets_are_refused():
    candles = candles_of(MINUTES)
    assert resample(candles, 60).identical(candles)
    with pytest.raises(DataError, match="90 s is not a whole multiple of the 60 s step"):
        resample(candles, 90)
    with pytest.raises(DataError, match="300 s is not a whole multiple of the 90 s step"):
        resample(candles_of([MINUTES[0], (T0 + 90_000, *MINUTES[1][1:])]), 300)
    off_grid = [(T0 + 30_000, *MINUTES[0][1:]), (T0 + 90_000, *MINUTES[1][1:])]
    with pytest.raises(DataError) as caught:
        resample(candles_of(off_grid), 300)
    assert caught.value.row == 1
    assert "timestamp 1704067230000 is not on the 60 s grid" in caught.value.reason
