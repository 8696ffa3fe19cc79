"""The registry: names, parameter validation with key paths, and both forms through it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.errors import ConfigError, InvalidValue
from bot.strategy.indicators import (
    BAR_FIELDS,
    INDICATORS,
    IndicatorSpec,
    ema,
    indicator_spec,
    macd,
    validate_params,
)
from tests.unit.strategy.indicators.helpers import arr

ALL = (
    "adx",
    "atr",
    "bbands",
    "donchian",
    "ema",
    "macd",
    "roc",
    "rsi",
    "sma",
    "stoch",
    "vwap",
    "wma",
)


def test_every_indicator_of_the_issue_is_registered():
    assert set(INDICATORS) == set(ALL)
    for name, spec in INDICATORS.items():
        assert isinstance(spec, IndicatorSpec)
        assert spec.name == name
        assert spec.outputs
        assert all(field in (*BAR_FIELDS, "source") for field in spec.inputs)


def test_unknown_indicator_names_the_key_and_the_choices():
    with pytest.raises(ConfigError) as caught:
        indicator_spec("emma", "strategy.indicators.fast.kind")
    error = caught.value
    assert error.key == "strategy.indicators.fast.kind"
    assert error.value == "emma"
    assert error.allowed == f"one of: {', '.join(ALL)}"
    assert "strategy.indicators.fast.kind='emma'" in str(error)


def test_validate_params_fills_defaults_and_normalises():
    assert validate_params("ema", {"kind": "ema", "period": 12}, "s.i.fast") == {
        "period": 12,
        "source": "close",
    }
    assert validate_params("bbands", {"stddev": 2, "source": "high"}, "s.i.bb") == {
        "period": 20,
        "stddev": 2.0,
        "source": "high",
    }
    assert validate_params("macd", {}, "s.i.m") == {
        "fast": 12,
        "slow": 26,
        "signal": 9,
        "source": "close",
    }
    assert validate_params("vwap", {}, "s.i.v") == {}


@pytest.mark.parametrize(
    ("name", "params", "key", "allowed"),
    [
        ("ema", {}, "s.i.x.period", "required: an integer from 1 to 100000"),
        ("ema", {"period": 0}, "s.i.x.period", "an integer from 1 to 100000"),
        ("ema", {"period": 12.5}, "s.i.x.period", "an integer from 1 to 100000"),
        ("ema", {"period": True}, "s.i.x.period", "an integer from 1 to 100000"),
        ("ema", {"period": "12"}, "s.i.x.period", "an integer from 1 to 100000"),
        ("ema", {"period": 5, "lenght": 3}, "s.i.x.lenght", "a parameter of ema: period, source"),
        ("vwap", {"period": 3}, "s.i.x.period", "a parameter of vwap: none"),
        (
            "sma",
            {"period": 5, "source": "hl2"},
            "s.i.x.source",
            "one of: open, high, low, close, volume",
        ),
        ("bbands", {"stddev": 0}, "s.i.x.stddev", "a number above 0 up to 10"),
        ("bbands", {"stddev": math.nan}, "s.i.x.stddev", "a number above 0 up to 10"),
        ("macd", {"fast": 26, "slow": 12}, "s.i.x.fast", "a value below s.i.x.slow=12"),
        ("stoch", {"d_period": -1}, "s.i.x.d_period", "an integer from 1 to 100000"),
        ("rsi", {"kind": "ema"}, "s.i.x.kind", "the indicator's name, 'rsi'"),
    ],
)
def test_bad_parameters_name_the_key_path_and_what_is_allowed(name, params, key, allowed):
    with pytest.raises(ConfigError) as caught:
        validate_params(name, params, "s.i.x")
    assert caught.value.key == key
    assert caught.value.allowed == allowed


def test_validate_params_of_an_unknown_kind_names_the_kind_key():
    with pytest.raises(ConfigError) as caught:
        validate_params("ichimoku", {}, "strategy.indicators.cloud")
    assert caught.value.key == "strategy.indicators.cloud.kind"
    assert "sma" in caught.value.allowed


def _bars(n: int = 60) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    close = 100 + np.cumsum(rng.normal(0, 1, n))
    return {
        "open": close + 0.1,
        "high": close + 1.0,
        "low": close - 1.0,
        "close": close,
        "volume": rng.uniform(1, 5, n),
    }


def test_compute_reads_the_source_column_and_names_the_outputs():
    bars = _bars()
    params = validate_params("ema", {"period": 5, "source": "high"}, "x")
    out = INDICATORS["ema"].compute(bars, params)
    assert list(out) == ["value"]
    np.testing.assert_array_equal(out["value"], ema(bars["high"], 5))
    many = INDICATORS["macd"].compute(bars, validate_params("macd", {}, "x"))
    assert list(many) == ["macd", "signal", "hist"]
    np.testing.assert_array_equal(many["signal"], macd(bars["close"]).signal)


def test_stream_takes_whole_bars_and_matches_compute():
    bars = _bars()
    for name, spec in INDICATORS.items():
        params = validate_params(
            name, {"period": 4} if name in ("sma", "ema", "wma", "roc", "donchian") else {}, name
        )
        vectorised = spec.compute(bars, params)
        streaming = spec.stream(params)
        assert streaming.outputs == spec.outputs
        rows = [streaming.update(*(float(bars[f][i]) for f in BAR_FIELDS)) for i in range(60)]
        for position, output in enumerate(spec.outputs):
            np.testing.assert_allclose(
                [row[position] for row in rows], vectorised[output], rtol=1e-12, atol=1e-12
            )


def test_compute_names_missing_columns():
    with pytest.raises(InvalidValue, match="atr inputs"):
        INDICATORS["atr"].compute({"close": arr(1, 2)}, {"period": 2})
