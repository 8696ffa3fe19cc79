"""ATR, Bollinger Bands, Donchian, ADX and VWAP: hand-computed values and warm-up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.errors import InvalidValue
from bot.strategy.indicators import (
    AdxStream,
    AtrStream,
    BBandsStream,
    BBandsValue,
    DonchianStream,
    DonchianValue,
    VwapStream,
    adx,
    atr,
    bbands,
    donchian,
    true_range,
    vwap,
)
from tests.unit.strategy.indicators.helpers import arr, assert_series, column, stream

NAN = math.nan

# Five bars used by ATR and ADX below.
HIGH = arr(10, 12, 13, 12, 11)
LOW = arr(8, 9, 10, 8, 7)
CLOSE = arr(9, 11, 12, 9, 8)


def test_true_range_uses_the_previous_close():
    # bar 1: max(3, |12-9|, |9-9|) = 3; bar 2: max(3, |13-11|, |10-11|) = 3;
    # bar 3: max(4, |12-12|, |8-12|) = 4; bar 4: max(4, |11-9|, |7-9|) = 4
    assert_series(true_range(HIGH, LOW, CLOSE)[1:], [3, 3, 4, 4])


def test_atr_wilder_by_hand():
    # seed (3+3)/2 = 3 at index 2; (3*1 + 4)/2 = 3.5; (3.5 + 4)/2 = 3.75
    expected = [NAN, NAN, 3.0, 3.5, 3.75]
    assert_series(atr(HIGH, LOW, CLOSE, 2), expected)
    assert_series(column(stream(AtrStream(2).update, HIGH, LOW, CLOSE)), expected)


def test_adx_by_hand():
    # +DM: 2, 1, 0, 0; -DM: 0, 0, 2, 1; TR: 3, 3, 4, 4 (bars 1..4), period 2.
    # index 2: sTR 3, s+ 1.5, s- 0 -> +DI 50, -DI 0, DX 100
    # index 3: sTR 3.5, s+ .75, s- 1 -> +DI 150/7, -DI 200/7, DX 100*(50/7)/(350/7) = 100/7
    # index 4: sTR 3.75, s+ .375, s- 1 -> +DI 10, -DI 80/3, DX 100*(50/3)/(110/3) = 500/11
    # ADX: seed (100 + 100/7)/2 at index 3, then (that + 500/11)/2
    seed = (100 + 100 / 7) / 2
    result = adx(HIGH, LOW, CLOSE, 2)
    assert_series(result.plus_di, [NAN, NAN, 50.0, 150 / 7, 10.0])
    assert_series(result.minus_di, [NAN, NAN, 0.0, 200 / 7, 80 / 3])
    assert_series(result.adx, [NAN, NAN, NAN, seed, (seed + 500 / 11) / 2])
    rows = stream(AdxStream(2).update, HIGH, LOW, CLOSE)
    assert rows[-1] == pytest.approx(((seed + 500 / 11) / 2, 10.0, 80 / 3), rel=1e-12)


def test_adx_first_value_is_at_twice_the_period_minus_one():
    rng = np.random.default_rng(5)
    close = 100 + np.cumsum(rng.normal(0, 1, 100))
    result = adx(close + 1, close - 1, close, 14)
    assert int(np.argmax(~np.isnan(result.adx))) == 27
    assert int(np.argmax(~np.isnan(result.plus_di))) == 14


def test_adx_of_a_motionless_market_is_zero():
    flat = np.full(10, 7.0)
    result = adx(flat, flat, flat, 3)
    assert_series(result.adx[5:], [0.0] * 5)
    assert_series(result.plus_di[3:], [0.0] * 7)


def test_bbands_population_deviation_by_hand():
    values = arr(1, 2, 3, 4)
    # windows (1,2), (2,3), (3,4): mean +/- 2 * 0.5
    result = bbands(values, 2, 2.0)
    assert_series(result.middle, [NAN, 1.5, 2.5, 3.5])
    assert_series(result.upper, [NAN, 2.5, 3.5, 4.5])
    assert_series(result.lower, [NAN, 0.5, 1.5, 2.5])
    rows = stream(BBandsStream(2, 2.0).update, values)
    assert rows[-1] == pytest.approx(BBandsValue(3.5, 4.5, 2.5), rel=1e-12)


def test_bbands_of_a_flat_series_have_no_width():
    flat = np.full(6, 30_000.5)
    result = bbands(flat, 3, 2.0)
    assert_series(result.upper, [NAN, NAN, *[30_000.5] * 4])
    rows = stream(BBandsStream(3, 2.0).update, flat)
    assert rows[-1] == BBandsValue(30_000.5, 30_000.5, 30_000.5)


@pytest.mark.parametrize("stddev", [0.0, -1.0, 10.5])
def test_bbands_width_must_be_in_range(stddev):
    with pytest.raises(InvalidValue, match=r"bbands\.stddev"):
        bbands(arr(1, 2, 3), 2, stddev)
    with pytest.raises(InvalidValue, match=r"bbands\.stddev"):
        BBandsStream(2, stddev)


def test_donchian_by_hand():
    high, low = arr(3, 5, 4), arr(1, 2, 0)
    result = donchian(high, low, 2)
    assert_series(result.upper, [NAN, 5, 5])
    assert_series(result.lower, [NAN, 1, 0])
    assert_series(result.middle, [NAN, 3, 2.5])
    rows = stream(DonchianStream(2).update, high, low)
    assert rows[-1] == DonchianValue(5.0, 0.0, 2.5)


def test_vwap_cumulative_by_hand():
    # typical prices 2 and 4, volumes 1 and 3: 2, then (2 + 12) / 4
    high, low, close, volume = arr(3, 6), arr(1, 3), arr(2, 3), arr(1, 3)
    assert_series(vwap(high, low, close, volume), [2.0, 3.5])
    assert_series(column(stream(VwapStream().update, high, low, close, volume)), [2.0, 3.5])


def test_vwap_is_undefined_until_something_trades():
    high, low, close, volume = arr(3, 6), arr(1, 3), arr(2, 3), arr(0, 2)
    assert_series(vwap(high, low, close, volume), [NAN, 4.0])


def test_vwap_refuses_negative_volume():
    with pytest.raises(InvalidValue, match=r"vwap\.volume\[1\]"):
        vwap(arr(3, 3), arr(1, 1), arr(2, 2), arr(1, -1))
    with pytest.raises(InvalidValue, match=r"vwap\.volume"):
        VwapStream().update(3.0, 1.0, 2.0, -1.0)


def test_atr_refuses_non_finite_bars():
    with pytest.raises(InvalidValue, match=r"atr\.low\[1\]"):
        atr(arr(2, 2), arr(1, math.inf), arr(1, 1), 1)
    with pytest.raises(InvalidValue, match=r"atr\.high"):
        AtrStream(1).update(math.nan, 1.0, 1.0)
