"""SMA, EMA and WMA: hand-computed values, warm-up, both forms, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.errors import InvalidValue, TypeViolation
from bot.strategy.indicators import EmaStream, SmaStream, WmaStream, ema, sma, wma
from tests.unit.strategy.indicators.helpers import arr, assert_series, stream

NAN = math.nan


@pytest.mark.parametrize(
    ("fn", "cls", "values", "period", "expected"),
    [
        (sma, SmaStream, arr(1, 2, 3, 4, 5), 3, [NAN, NAN, 2, 3, 4]),
        (sma, SmaStream, arr(7, 9), 1, [7, 9]),
        # alpha = 2/(3+1) = 0.5, seed = mean(2, 4, 6) = 4; 4 + .5*(8-4) = 6; 6 + .5*(12-6) = 9
        (ema, EmaStream, arr(2, 4, 6, 8, 12), 3, [NAN, NAN, 4, 6, 9]),
        # alpha = 2/(2+1): seed mean(3, 6) = 4.5; 4.5 + 2/3*(0 - 4.5) = 1.5
        (ema, EmaStream, arr(3, 6, 0), 2, [NAN, 4.5, 1.5]),
        # weights 1, 2, 3 (newest 3): (1+4+9)/6, (2+6+12)/6
        (wma, WmaStream, arr(1, 2, 3, 4), 3, [NAN, NAN, 14 / 6, 20 / 6]),
        (wma, WmaStream, arr(10, 20, 30), 2, [NAN, (10 + 40) / 3, (20 + 60) / 3]),
    ],
)
def test_known_values_in_both_forms(fn, cls, values, period, expected):
    assert_series(fn(values, period), expected)
    streamed = stream(cls(period).update, values)
    assert_series(arr(*(row[0] for row in streamed)), expected)


@pytest.mark.parametrize("fn", [sma, ema, wma])
def test_series_shorter_than_the_period_is_all_warm_up(fn):
    assert np.isnan(fn(arr(1, 2, 3), 4)).all()
    assert len(fn(arr(), 3)) == 0


def test_ema_on_a_straight_line_lags_by_half_the_period_minus_one():
    line = np.arange(200, dtype=np.float64)
    result = ema(line, 9)
    np.testing.assert_allclose(result[8:], line[8:] - 4.0, rtol=0, atol=1e-9)


def test_wma_stream_rebuilds_its_sums_without_drift():
    values = np.random.default_rng(3).normal(30_000, 50, 5_000)
    updates = stream(WmaStream(7).update, values)
    assert updates[-1][0] == pytest.approx(wma(values, 7)[-1], rel=1e-12)


@pytest.mark.parametrize("fn", [sma, ema, wma])
@pytest.mark.parametrize("period", [0, -3, 100_001])
def test_out_of_range_period_is_refused(fn, period):
    with pytest.raises(InvalidValue, match=r"\.period"):
        fn(arr(1, 2, 3), period)


@pytest.mark.parametrize("cls", [SmaStream, EmaStream, WmaStream])
def test_streaming_forms_refuse_bad_periods_and_non_finite_values(cls):
    with pytest.raises(InvalidValue):
        cls(0)
    indicator = cls(2)
    for bad in (math.nan, math.inf):
        with pytest.raises(InvalidValue, match="finite"):
            indicator.update(bad)


@pytest.mark.parametrize("fn", [sma, ema, wma])
def test_non_finite_input_is_refused_with_its_index(fn):
    with pytest.raises(InvalidValue, match=r"values\[2\]"):
        fn(arr(1, 2, NAN, 4), 2)


def test_integer_arrays_and_bool_periods_are_type_errors():
    with pytest.raises(TypeViolation):
        sma(np.arange(5), 2)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        sma(arr(1, 2), True)


def test_two_dimensional_input_is_refused():
    with pytest.raises(InvalidValue, match="one-dimensional"):
        ema(np.ones((3, 3)), 2)
