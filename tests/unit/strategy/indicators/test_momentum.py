"""RSI, MACD, ROC and the stochastic oscillator: hand-computed values and warm-up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.errors import InvalidValue
from bot.strategy.indicators import (
    MacdSeries,
    MacdStream,
    MacdValue,
    RocStream,
    RsiStream,
    StochStream,
    StochValue,
    macd,
    roc,
    rsi,
    stoch,
)
from tests.unit.strategy.indicators.helpers import arr, assert_series, column, stream

NAN = math.nan


def test_rsi_wilder_by_hand():
    # changes +1 +1 -1 +2; period 2: seed gain (1+1)/2 = 1, loss 0 -> 100;
    # gain (1*1 + 0)/2 = .5, loss (0 + 1)/2 = .5 -> 50; gain (.5 + 2)/2, loss .5/2 -> 83.3
    closes = arr(1, 2, 3, 2, 4)
    expected = [NAN, NAN, 100.0, 50.0, 100 * 1.25 / 1.5]
    assert_series(rsi(closes, 2), expected)
    assert_series(column(stream(RsiStream(2).update, closes)), expected)


def test_rsi_of_a_flat_market_is_fifty_and_of_a_falling_one_zero():
    assert_series(rsi(arr(5, 5, 5, 5), 2), [NAN, NAN, 50.0, 50.0])
    assert_series(rsi(arr(9, 8, 7, 6), 2), [NAN, NAN, 0.0, 0.0])


def test_rsi_first_value_is_at_index_period():
    result = rsi(np.linspace(1.0, 2.0, 30), 14)
    assert np.isnan(result[:14]).all()
    assert not np.isnan(result[14:]).any()


def test_macd_on_a_straight_line_is_half_the_period_difference():
    # EMA(n) of a line lags by (n-1)/2, so EMA(2) - EMA(3) = 1 - 0.5 = 0.5 from index 2;
    # the signal (EMA(2) of a constant 0.5) starts at slow + signal - 2 = 3.
    line = np.arange(1.0, 7.0)
    result = macd(line, 2, 3, 2)
    assert isinstance(result, MacdSeries)
    assert_series(result.macd, [NAN, NAN, 0.5, 0.5, 0.5, 0.5])
    assert_series(result.signal, [NAN, NAN, NAN, 0.5, 0.5, 0.5])
    assert_series(result.hist, [NAN, NAN, NAN, 0.0, 0.0, 0.0])
    rows = stream(MacdStream(2, 3, 2).update, line)
    assert rows[-1] == MacdValue(0.5, 0.5, 0.0)
    assert math.isnan(rows[2][1])


def test_macd_default_warm_up_is_25_for_the_line_and_33_for_the_signal():
    result = macd(np.linspace(100.0, 130.0, 60))
    assert int(np.argmax(~np.isnan(result.macd))) == 25
    assert int(np.argmax(~np.isnan(result.signal))) == 33


def test_macd_fast_must_be_below_slow():
    with pytest.raises(InvalidValue, match=r"macd\.fast.*macd\.slow=12"):
        macd(arr(1, 2, 3), 12, 12, 9)
    with pytest.raises(InvalidValue):
        MacdStream(26, 12, 9)


def test_roc_by_hand():
    closes = arr(100, 110, 99, 121)
    assert_series(roc(closes, 1), [NAN, 10.0, -10.0, 100 * (121 / 99 - 1)])
    assert_series(roc(closes, 2), [NAN, NAN, -1.0, 10.0])
    assert_series(column(stream(RocStream(2).update, closes)), [NAN, NAN, -1.0, 10.0])


def test_stochastic_by_hand():
    high = arr(10, 11, 12, 11, 13)
    low = arr(8, 9, 9, 10, 11)
    close = arr(9, 10, 11, 10, 12)
    # %K(3): (11-8)/(12-8) = 75; (10-9)/(12-9) = 33.3; (12-9)/(13-9) = 75; %D(2) = means
    k = [NAN, NAN, 75.0, 100 / 3, 75.0]
    d = [NAN, NAN, NAN, (75 + 100 / 3) / 2, (100 / 3 + 75) / 2]
    result = stoch(high, low, close, 3, 2)
    assert_series(result.k, k)
    assert_series(result.d, d)
    rows = stream(StochStream(3, 2).update, high, low, close)
    assert_series(column(rows, 0), k)
    assert_series(column(rows, 1), d)


def test_stochastic_without_range_is_fifty():
    flat = arr(5, 5, 5)
    result = stoch(flat, flat, flat, 2, 1)
    assert_series(result.k, [NAN, 50.0, 50.0])
    assert StochStream(1, 1).update(5.0, 5.0, 5.0) == StochValue(50.0, 50.0)


def test_stochastic_inputs_must_have_one_length():
    with pytest.raises(InvalidValue, match="high=3, low=2, close=3"):
        stoch(arr(1, 2, 3), arr(1, 2), arr(1, 2, 3))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: RsiStream(0), "rsi.period"),
        (lambda: RocStream(0), "roc.period"),
        (lambda: StochStream(14, 0), "stoch.d_period"),
        (lambda: MacdStream(0, 26, 9), "macd.fast"),
    ],
)
def test_streaming_constructors_name_the_bad_parameter(build, field):
    with pytest.raises(InvalidValue, match=field.replace(".", r"\.")):
        build()


def test_roc_from_zero_is_undefined():
    volume = arr(0, 5, 10)
    assert_series(roc(volume, 1), [NAN, NAN, 100.0])
    assert_series(column(stream(RocStream(1).update, volume)), [NAN, NAN, 100.0])
