"""Any valid candle set survives CSV and Parquet exactly; resampling keeps candles valid."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.data import Candles, read_candles, resample, write_csv, write_parquet

pytestmark = pytest.mark.property

T0 = 1_704_067_200_000
MINUTE = 60_000
prices = st.floats(min_value=1e-8, max_value=1e12, allow_nan=False, allow_infinity=False)
volumes = st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def candle_sets(draw, *, aligned=False):
    count = draw(st.integers(1, 60))
    unit = MINUTE if aligned else 1
    steps = draw(st.lists(st.integers(1, 5 * MINUTE // unit), min_size=count, max_size=count))
    if aligned and count > 1:
        steps[draw(st.integers(1, count - 1))] = 1  # one-minute candles, with gaps
    first = draw(st.integers(0, 10**6)) * (MINUTE if aligned else 1)
    ts = T0 + first + np.cumsum(np.array(steps, dtype=np.int64) * unit) - steps[0] * unit
    rows = []
    for _ in range(count):
        four = sorted(draw(st.lists(prices, min_size=4, max_size=4)))
        middle = four[1:3] if draw(st.booleans()) else four[2:0:-1]
        rows.append((four[3], four[0], *middle))
    high, low, open_, close = (np.array(c, dtype=np.float64) for c in zip(*rows, strict=True))
    volume = np.array(draw(st.lists(volumes, min_size=count, max_size=count)), dtype=np.float64)
    # Candles are built in the test, not here: beartype's checks draw from `random`,
    # which hypothesis forbids inside a strategy.
    return ts.astype(np.int64), open_, high, low, close, volume


@given(candle_sets())
def test_csv_and_parquet_round_trip_exactly(columns):
    candles = Candles(*columns)
    with tempfile.TemporaryDirectory() as folder:
        for name, write in (("c.csv", write_csv), ("c.parquet", write_parquet)):
            path = Path(folder) / name
            write(candles, path)
            assert read_candles(path).identical(candles), name


def _naive(candles: Candles, seconds: int) -> list[tuple[int, float, float, float, float, float]]:
    buckets: dict[int, list[int]] = {}
    for i in range(len(candles)):
        key = int(candles.ts_ms[i]) // (seconds * 1000)
        buckets.setdefault(key, []).append(i)
    out = []
    for key, rows in buckets.items():
        out.append(
            (
                key * seconds * 1000,
                float(candles.open[rows[0]]),
                max(float(candles.high[i]) for i in rows),
                min(float(candles.low[i]) for i in rows),
                float(candles.close[rows[-1]]),
                sum(float(candles.volume[i]) for i in rows),
            )
        )
    return out


@given(candle_sets(aligned=True), st.sampled_from([180, 300, 900, 1800, 3600, 14400, 86400]))
def test_resampling_matches_a_naive_bucketing_and_stays_valid(columns, seconds):
    candles = Candles(*columns)
    bars = resample(candles, seconds)  # built through the checked constructor
    expected = _naive(candles, seconds)
    assert len(bars) == len(expected)
    for i, (ts, o, h, lo, c, v) in enumerate(expected):
        assert (int(bars.ts_ms[i]), bars.open[i], bars.high[i], bars.low[i], bars.close[i]) == (
            ts,
            o,
            h,
            lo,
            c,
        )
        assert bars.volume[i] == pytest.approx(v, rel=1e-12)
    assert (bars.low <= np.minimum(bars.open, bars.close)).all()
    assert (bars.high >= np.maximum(bars.open, bars.close)).all()


@given(candle_sets(aligned=True))
def test_resampling_in_two_steps_equals_one_step(columns):
    candles = Candles(*columns)
    direct = resample(candles, 900)
    staged = resample(resample(candles, 300), 900)
    for name in ("ts_ms", "open", "high", "low", "close"):
        assert np.array_equal(getattr(direct, name), getattr(staged, name))
    assert np.allclose(direct.volume, staged.volume, rtol=1e-12)
