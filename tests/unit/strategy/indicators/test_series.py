"""The shared window building blocks against brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.strategy.indicators._series import (
    RollingExtreme,
    RollingSum,
    rolling_extreme,
    rolling_sum,
)


@pytest.mark.parametrize("period", [1, 2, 3, 7, 10])
@pytest.mark.parametrize("length", [0, 1, 9, 10, 23])
def test_rolling_extremes_equal_brute_force_in_both_forms(period, length):
    values = np.random.default_rng(length * 31 + period).normal(0, 1, length).round(1)
    for highest, pick in ((True, max), (False, min)):
        expected = [
            pick(values[i - period + 1 : i + 1]) if i >= period - 1 else math.nan
            for i in range(length)
        ]
        np.testing.assert_array_equal(rolling_extreme(values, period, highest=highest), expected)
        window = RollingExtreme(period, highest=highest)
        np.testing.assert_array_equal([window.push(x) for x in values.tolist()], expected)


def test_rolling_sum_matches_brute_force_and_stays_exact_over_long_runs():
    values = np.random.default_rng(2).normal(30_000, 100, 50_000)
    expected = np.array([values[i - 9 : i + 1].sum() for i in range(9, len(values))])
    np.testing.assert_allclose(rolling_sum(values, 10)[9:], expected, rtol=1e-14)
    window = RollingSum(10)
    pushed = [window.push(x) for x in values.tolist()]
    assert window.full
    np.testing.assert_allclose(pushed[9:], expected, rtol=1e-14)
