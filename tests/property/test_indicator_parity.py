"""Streaming and vectorised indicators agree on long random series.

Tolerance: ``|vectorised - streaming| <= 1e-9 * max(1, |vectorised|)`` at every bar,
i.e. absolute for values below 1 and relative above; and the warm-up (NaN) bars are
exactly the same. The recursive indicators (EMA, RSI, ATR, MACD, ADX, VWAP, ROC,
Donchian, stochastic %K) run the same float operations in the same order and agree
bit for bit; the window sums (SMA, WMA, Bollinger, %D) agree to about 1e-15.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.strategy.indicators import BAR_FIELDS, INDICATORS, validate_params
from tests.unit.strategy.indicators.helpers import TOL, max_parity_error

pytestmark = pytest.mark.property

#: Several parameter sets per indicator, from the degenerate (period 1) to the slow.
PARAMETER_SETS: dict[str, list[dict[str, object]]] = {
    "sma": [{"period": 1}, {"period": 20}, {"period": 200, "source": "high"}],
    "ema": [{"period": 1}, {"period": 12}, {"period": 26}, {"period": 500, "source": "low"}],
    "wma": [{"period": 1}, {"period": 9}, {"period": 100, "source": "open"}],
    "rsi": [{"period": 1}, {"period": 2}, {}, {"period": 50}],
    "atr": [{"period": 1}, {}, {"period": 100}],
    "bbands": [{"period": 2}, {}, {"period": 100, "stddev": 3.5, "source": "volume"}],
    "macd": [{}, {"fast": 3, "slow": 10, "signal": 16}, {"fast": 1, "slow": 2, "signal": 1}],
    "stoch": [{}, {"k_period": 1, "d_period": 1}, {"k_period": 50, "d_period": 10}],
    "adx": [{"period": 1}, {}, {"period": 60}],
    "donchian": [{"period": 1}, {"period": 20}, {"period": 300}],
    "vwap": [{}],
    "roc": [{"period": 1}, {"period": 10}, {"period": 250, "source": "volume"}],
}
CASES = [(name, params) for name, sets in PARAMETER_SETS.items() for params in sets]


def random_walk(bars: int, seed: int, flat_share: float = 0.0) -> dict[str, np.ndarray]:
    """Seeded OHLCV: a log-price walk near 30,000 with wicks, regimes and flat stretches."""
    rng = np.random.default_rng(seed)
    volatility = np.repeat(rng.uniform(0.0002, 0.003, bars // 500 + 1), 500)[:bars]
    steps = rng.normal(0.0, 1.0, bars) * volatility
    steps[rng.random(bars) < flat_share] = 0.0
    close = 30_000.0 * np.exp(np.cumsum(steps))
    open_ = np.concatenate([[30_000.0], close[:-1]])
    wicks = np.abs(rng.normal(0.0, 1.0, (2, bars))) * volatility * close
    wicks[:, rng.random(bars) < flat_share] = 0.0
    volume = rng.lognormal(2.0, 1.5, bars)
    volume[rng.random(bars) < 0.05] = 0.0
    return {
        "open": open_,
        "high": np.maximum(open_, close) + wicks[0],
        "low": np.minimum(open_, close) - wicks[1],
        "close": close,
        "volume": volume,
    }


def parity_error(name: str, params: dict[str, object], bars: dict[str, np.ndarray]) -> float:
    """The largest disagreement between the two forms over every output, through the registry."""
    spec = INDICATORS[name]
    checked = validate_params(name, params, f"parity.{name}")
    vectorised = spec.compute(bars, checked)
    stream = spec.stream(checked)
    rows = np.array(
        [stream.update(*bar) for bar in zip(*(bars[f].tolist() for f in BAR_FIELDS), strict=True)]
    )
    return max(
        max_parity_error(vectorised[output], rows[:, position])
        for position, output in enumerate(spec.outputs)
    )


@pytest.fixture(scope="module")
def long_series() -> dict[str, np.ndarray]:
    return random_walk(20_000, seed=20_240_601, flat_share=0.02)


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_streaming_equals_vectorised_on_20000_bars(name, params, long_series):
    assert parity_error(name, params, long_series) <= TOL


@settings(max_examples=60)
@given(
    case=st.sampled_from(CASES),
    bars=st.integers(min_value=1, max_value=400),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    flat_share=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_streaming_equals_vectorised_on_short_random_series(case, bars, seed, flat_share):
    name, params = case
    assert parity_error(name, params, random_walk(bars, seed, flat_share)) <= TOL


@settings(max_examples=40)
@given(
    case=st.sampled_from(CASES),
    closes=st.lists(
        st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=120,
    ),
)
def test_parity_holds_on_arbitrary_jumpy_prices(case, closes):
    name, params = case
    close = np.array(closes)
    bars = {
        "open": close,
        "high": close * 1.01,
        "low": close * 0.99,
        "close": close,
        "volume": close / 10,
    }
    assert parity_error(name, params, bars) <= TOL
