"""Technical indicators, each in a vectorised and a streaming form, and their registry.

Vectorised forms take float64 numpy arrays and return arrays (NaN during warm-up) or a
NamedTuple of arrays: :func:`sma`, :func:`ema`, :func:`wma`, :func:`rsi`, :func:`atr`,
:func:`bbands` (:class:`BBandsSeries`), :func:`macd` (:class:`MacdSeries`),
:func:`stoch` (:class:`StochSeries`), :func:`adx` (:class:`AdxSeries`),
:func:`donchian` (:class:`DonchianSeries`), :func:`vwap`, :func:`roc`.

Streaming forms do O(1) (amortised) work per bar: ``SmaStream``, ``EmaStream``, ...,
``RocStream``; ``update(...)`` takes the bar's fields as floats and returns a float, or a
``...Value`` NamedTuple of floats, NaN during warm-up. Both forms agree to 1e-9
(``tests/property/test_indicator_parity.py``); the recursive ones (EMA, RSI, ATR, MACD,
ADX, VWAP, ROC, Donchian, stochastic %K) agree bit for bit.

The registry (:data:`INDICATORS`, :func:`indicator_spec`, :func:`validate_params`) maps
a strategy's ``{kind: ema, period: 12, source: close}`` to both forms. Indicators are
computed in float64: they feed signals, never money.
"""

from bot.strategy.indicators.averages import EmaStream, SmaStream, WmaStream, ema, sma, wma
from bot.strategy.indicators.momentum import (
    MacdStream,
    RocStream,
    RsiStream,
    StochStream,
    macd,
    roc,
    rsi,
    stoch,
)
from bot.strategy.indicators.outputs import (
    AdxSeries,
    AdxValue,
    BBandsSeries,
    BBandsValue,
    DonchianSeries,
    DonchianValue,
    MacdSeries,
    MacdValue,
    StochSeries,
    StochValue,
)
from bot.strategy.indicators.registry import (
    BAR_FIELDS,
    INDICATORS,
    BarStream,
    IndicatorSpec,
    ParamSpec,
    ParamValue,
    indicator_spec,
    validate_params,
)
from bot.strategy.indicators.trend import AdxStream, adx
from bot.strategy.indicators.volatility import (
    AtrStream,
    BBandsStream,
    DonchianStream,
    atr,
    bbands,
    donchian,
    true_range,
)
from bot.strategy.indicators.volume import VwapStream, vwap

__all__ = [
    "BAR_FIELDS",
    "INDICATORS",
    "AdxSeries",
    "AdxStream",
    "AdxValue",
    "AtrStream",
    "BBandsSeries",
    "BBandsStream",
    "BBandsValue",
    "BarStream",
    "DonchianSeries",
    "DonchianStream",
    "DonchianValue",
    "EmaStream",
    "IndicatorSpec",
    "MacdSeries",
    "MacdStream",
    "MacdValue",
    "ParamSpec",
    "ParamValue",
    "RocStream",
    "RsiStream",
    "SmaStream",
    "StochSeries",
    "StochStream",
    "StochValue",
    "VwapStream",
    "WmaStream",
    "adx",
    "atr",
    "bbands",
    "donchian",
    "ema",
    "indicator_spec",
    "macd",
    "roc",
    "rsi",
    "sma",
    "stoch",
    "true_range",
    "validate_params",
    "vwap",
    "wma",
]
