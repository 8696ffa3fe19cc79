"""Synthetic candles: deterministic per seed, and shaped like a real BTCUSDT minute series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from bot.data import synthetic_candles
from bot.errors import DataError

START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS_30 = 30 * 1440


@pytest.fixture(scope="module")
def month():
    return synthetic_candles(7, START, DAYS_30)


def test_same_seed_gives_byte_identical_arrays(month):
    again = synthetic_candles(7, START, DAYS_30)
    for name in ("ts_ms", "open", "high", "low", "close", "volume"):
        assert getattr(month, name).tobytes() == getattr(again, name).tobytes()


def test_different_seeds_differ(month):
    other = synthetic_candles(8, START, DAYS_30)
    assert not np.array_equal(month.close, other.close)
    assert not np.array_equal(month.volume, other.volume)


def test_thirty_days_of_minutes_from_the_start(month):
    assert len(month) == 43_200
    assert int(month.ts_ms[0]) == 1_704_067_200_000
    assert set(np.diff(month.ts_ms).tolist()) == {60_000}
    assert month.open[0] == 40_000.0


def test_prices_are_positive_on_the_tick_and_candles_hold(month):
    for column in (month.open, month.high, month.low, month.close):
        assert (column > 0).all()
        assert np.array_equal(np.round(column * 10) / 10, column)
        assert all(
            repr(float(x)).count(".") <= 1 and len(repr(float(x)).split(".")[-1]) <= 1
            for x in column[:500]
        )
    assert (month.low <= np.minimum(month.open, month.close)).all()
    assert (month.high >= np.maximum(month.open, month.close)).all()
    assert (month.volume >= 0).all()
    assert month.close.min() > 20_000
    assert month.close.max() < 80_000


def test_gaps_between_close_and_next_open_are_rare_but_present(month):
    gaps = np.flatnonzero(month.open[1:] != month.close[:-1])
    assert 3 <= gaps.size <= 100  # about one in 2,500 minutes


def test_volatility_regimes_differ_from_day_to_day(month):
    returns = np.diff(np.log(month.close))
    daily = returns[: 29 * 1440].reshape(29, 1440).std(axis=1)
    assert daily.max() > 2.5 * daily.min()
    # Volatility clusters: absolute returns are autocorrelated, raw returns barely.
    size = np.abs(returns)
    assert np.corrcoef(size[1:], size[:-1])[0, 1] > 0.1
    assert abs(np.corrcoef(returns[1:], returns[:-1])[0, 1]) < 0.3


def test_volume_rises_with_volatility(month):
    moves = (month.high - month.low) / month.close
    assert np.corrcoef(moves, month.volume)[0, 1] > 0.3


def test_minute_returns_have_fat_tails_and_a_btc_like_size(month):
    returns = np.diff(np.log(month.close))
    assert 0.0003 < returns.std() < 0.003
    kurtosis = np.mean((returns - returns.mean()) ** 4) / returns.var() ** 2
    assert kurtosis > 4  # a normal distribution has 3


def test_trends_and_ranges_both_occur(month):
    hourly = month.close[::60]
    six_hour_moves = np.abs(np.diff(np.log(hourly[::6])))
    assert six_hour_moves.max() > 0.02  # somewhere a trend moves more than 2 % in 6 h
    assert np.quantile(six_hour_moves, 0.2) < 0.005  # and often price goes nowhere


def test_start_must_be_aware_and_on_a_minute():
    with pytest.raises(DataError, match="no UTC offset"):
        synthetic_candles(1, datetime(2024, 1, 1), 10)
    with pytest.raises(DataError, match="whole minute"):
        synthetic_candles(1, START + timedelta(seconds=30), 10)
    with pytest.raises(DataError, match="at least 1"):
        synthetic_candles(1, START, 0)
    shifted = synthetic_candles(1, datetime(2024, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))), 5)
    assert int(shifted.ts_ms[0]) == 1_704_067_200_000
