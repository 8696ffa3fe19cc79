"""The indicator registry: what a strategy YAML may name, with which parameters.

A strategy declares an indicator as ``{kind: ema, period: 12, source: close}``.
:func:`indicator_spec` looks the kind up; :func:`validate_params` checks the rest and
fills defaults, raising :class:`~bot.errors.ConfigError` with the dotted key path and
the choices on anything unknown, missing or out of range. :meth:`IndicatorSpec.compute`
and :meth:`IndicatorSpec.stream` then run the vectorised or the streaming form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from bot.errors import ConfigError, InvalidValue
from bot.strategy.indicators._series import MAX_PERIOD, FloatArray
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
from bot.strategy.indicators.trend import AdxStream, adx
from bot.strategy.indicators.volatility import (
    MAX_STDDEV,
    AtrStream,
    BBandsStream,
    DonchianStream,
    atr,
    bbands,
    donchian,
)
from bot.strategy.indicators.volume import VwapStream, vwap

#: Bar fields an indicator can read, in the order :meth:`BarStream.update` takes them.
BAR_FIELDS = ("open", "high", "low", "close", "volume")

ParamValue = int | float | str


@runtime_checkable
class StreamingIndicator(Protocol):
    """Any streaming indicator: ``update`` takes the bar's fields, returns its values."""

    @property
    def update(self) -> Callable[..., object]:
        """The bound ``update`` method."""


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: its name, kind, default (``None`` = required) and range."""

    name: str
    kind: Literal["int", "float", "source"]
    default: ParamValue | None
    low: float = 1
    high: float = MAX_PERIOD

    @property
    def allowed(self) -> str:
        """What the parameter accepts, in words."""
        if self.kind == "int":
            return f"an integer from {self.low:g} to {self.high:g}"
        if self.kind == "float":
            return f"a number above {self.low:g} up to {self.high:g}"
        return f"one of: {', '.join(BAR_FIELDS)}"

    def check(self, key: str, value: object) -> ParamValue:
        """``value`` normalised to the parameter's kind, or a ConfigError naming ``key``."""
        if self.kind == "source":
            if isinstance(value, str) and value in BAR_FIELDS:
                return value
        elif isinstance(value, bool):
            pass
        elif self.kind == "int":
            if isinstance(value, int) and self.low <= value <= self.high:
                return value
        elif (
            isinstance(value, int | float)
            and math.isfinite(value)
            and self.low < value <= self.high
        ):
            return float(value)
        raise ConfigError(key, value, self.allowed)


class BarStream:
    """A streaming indicator bound to its parameters and to the bar fields it reads."""

    __slots__ = ("_positions", "_update", "outputs")

    def __init__(
        self, indicator: StreamingIndicator, fields: tuple[str, ...], outputs: tuple[str, ...]
    ) -> None:
        self._update = indicator.update
        self._positions = tuple(BAR_FIELDS.index(field) for field in fields)
        self.outputs = outputs

    def update(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> tuple[float, ...]:
        """Take one bar; return the indicator's values in ``outputs`` order (NaN in warm-up)."""
        bar = (open_, high, low, close, volume)
        result = self._update(*(bar[position] for position in self._positions))
        return (result,) if isinstance(result, float) else tuple(_floats(result))


def _floats(result: object) -> list[float]:
    if not isinstance(result, tuple) or not all(isinstance(x, float) for x in result):
        raise InvalidValue("streaming indicator result", result, "a float or a tuple of floats")
    return list(result)


@dataclass(frozen=True)
class IndicatorSpec:
    """A registered indicator: both forms, parameters, outputs and the bar fields it reads.

    ``inputs`` lists the bar fields passed to both forms, in order; ``("source",)``
    means the one field named by the ``source`` parameter.
    """

    name: str
    summary: str
    vectorised: Callable[..., object]
    streaming: Callable[..., StreamingIndicator]
    params: tuple[ParamSpec, ...]
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    ordered: tuple[tuple[str, str], ...] = ()

    def input_fields(self, params: Mapping[str, ParamValue]) -> tuple[str, ...]:
        """The bar fields this indicator reads with these (validated) parameters."""
        return tuple(str(params["source"]) if f == "source" else f for f in self.inputs)

    def compute(
        self, series: Mapping[str, FloatArray], params: Mapping[str, ParamValue]
    ) -> dict[str, FloatArray]:
        """Run the vectorised form over whole columns; outputs by name."""
        missing = [field for field in self.input_fields(params) if field not in series]
        if missing:
            raise InvalidValue(f"{self.name} inputs", missing, f"columns {sorted(series)}")
        columns = [series[field] for field in self.input_fields(params)]
        result = self.vectorised(*columns, **_numbers(params))
        arrays = [result] if isinstance(result, np.ndarray) else _arrays(self.name, result)
        return dict(zip(self.outputs, arrays, strict=True))

    def stream(self, params: Mapping[str, ParamValue]) -> BarStream:
        """A fresh streaming form, bound to these (validated) parameters."""
        indicator = self.streaming(**_numbers(params))
        return BarStream(indicator, self.input_fields(params), self.outputs)


def _numbers(params: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
    return {key: value for key, value in params.items() if key != "source"}


def _arrays(name: str, result: object) -> list[FloatArray]:
    if not isinstance(result, tuple) or not all(isinstance(a, np.ndarray) for a in result):
        raise InvalidValue(f"{name} result", type(result).__name__, "an array or a tuple of arrays")
    return list(result)


def _period(default: int | None, name: str = "period") -> ParamSpec:
    return ParamSpec(name, "int", default)


_SOURCE = ParamSpec("source", "source", "close")
_STDDEV = ParamSpec("stddev", "float", 2.0, 0.0, MAX_STDDEV)
_HLC = ("high", "low", "close")

INDICATORS: Mapping[str, IndicatorSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            IndicatorSpec("sma", "simple moving average", sma, SmaStream,
                          (_period(None), _SOURCE), ("value",), ("source",)),
            IndicatorSpec("ema", "exponential moving average", ema, EmaStream,
                          (_period(None), _SOURCE), ("value",), ("source",)),
            IndicatorSpec("wma", "linearly weighted moving average", wma, WmaStream,
                          (_period(None), _SOURCE), ("value",), ("source",)),
            IndicatorSpec("rsi", "relative strength index (Wilder)", rsi, RsiStream,
                          (_period(14), _SOURCE), ("value",), ("source",)),
            IndicatorSpec("atr", "average true range (Wilder)", atr, AtrStream,
                          (_period(14),), ("value",), _HLC),
            IndicatorSpec("bbands", "Bollinger Bands", bbands, BBandsStream,
                          (_period(20), _STDDEV, _SOURCE),
                          ("middle", "upper", "lower"), ("source",)),
            IndicatorSpec("macd", "moving average convergence divergence", macd, MacdStream,
                          (_period(12, "fast"), _period(26, "slow"), _period(9, "signal"), _SOURCE),
                          ("macd", "signal", "hist"), ("source",), (("fast", "slow"),)),
            IndicatorSpec("stoch", "stochastic oscillator", stoch, StochStream,
                          (_period(14, "k_period"), _period(3, "d_period")), ("k", "d"), _HLC),
            IndicatorSpec("adx", "average directional index (Wilder)", adx, AdxStream,
                          (_period(14),), ("adx", "plus_di", "minus_di"), _HLC),
            IndicatorSpec("donchian", "Donchian channel", donchian, DonchianStream,
                          (_period(None),), ("upper", "lower", "middle"), ("high", "low")),
            IndicatorSpec("vwap", "volume-weighted average price, cumulative", vwap, VwapStream,
                          (), ("value",), (*_HLC, "volume")),
            IndicatorSpec("roc", "rate of change in percent", roc, RocStream,
                          (_period(None), _SOURCE), ("value",), ("source",)),
        )
    }
)  # fmt: skip


def indicator_spec(name: str, key: str = "kind") -> IndicatorSpec:
    """The registered indicator ``name``; a ConfigError naming ``key`` and the choices if none."""
    spec = INDICATORS.get(name)
    if spec is None:
        raise ConfigError(key, name, f"one of: {', '.join(sorted(INDICATORS))}")
    return spec


def validate_params(
    name: str, params: Mapping[str, object], key_path: str
) -> dict[str, ParamValue]:
    """Checked parameters of indicator ``name``, defaults filled in.

    ``params`` is the indicator's config node (a ``kind`` key, if present, is the name
    itself and is skipped); ``key_path`` is its dotted path, e.g.
    ``strategy.indicators.fast``. Unknown, missing or out-of-range parameters raise a
    ConfigError naming ``key_path.<param>`` and what is allowed.
    """
    spec = indicator_spec(name, f"{key_path}.kind")
    known = {param.name: param for param in spec.params}
    for key, value in params.items():
        if key == "kind":
            if value != name:
                raise ConfigError(f"{key_path}.kind", value, f"the indicator's name, {name!r}")
        elif key not in known:
            choices = ", ".join(known) or "none"
            raise ConfigError(f"{key_path}.{key}", value, f"a parameter of {name}: {choices}")
    checked: dict[str, ParamValue] = {}
    for param in spec.params:
        key = f"{key_path}.{param.name}"
        if param.name in params:
            checked[param.name] = param.check(key, params[param.name])
        elif param.default is None:
            raise ConfigError(key, "<missing>", f"required: {param.allowed}")
        else:
            checked[param.name] = param.default
    for lower, higher in spec.ordered:
        low, high = checked[lower], checked[higher]
        if isinstance(low, str) or isinstance(high, str) or low >= high:
            raise ConfigError(
                f"{key_path}.{lower}", low, f"a value below {key_path}.{higher}={high}"
            )
    return checked
