"""Indicator throughput: nanoseconds per bar, vectorised and streaming, on a random walk.

Run: ``python benchmarks/bench_indicators.py [--bars N] [--stream-bars M] [--repeat R]``.
Every indicator runs through the registry with its usual parameters on the same seeded
random-walk OHLCV series (beartype on, as in the bot). The vectorised figure is the best
of ``R`` runs over ``N`` bars; the streaming figure is one pass of ``update`` over the
first ``M`` bars (the work per bar is O(1), so the figure does not depend on ``M``).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bot.strategy.indicators import BAR_FIELDS, INDICATORS, validate_params
from bot.strategy.indicators._series import FloatArray

#: The usual parameters of each indicator (the registry's defaults fill the rest).
PARAMS: dict[str, dict[str, object]] = {
    "sma": {"period": 20},
    "ema": {"period": 12},
    "wma": {"period": 20},
    "rsi": {},
    "atr": {},
    "bbands": {},
    "macd": {},
    "stoch": {},
    "adx": {},
    "donchian": {"period": 20},
    "vwap": {},
    "roc": {"period": 10},
}


def random_walk(bars: int, seed: int = 7) -> dict[str, FloatArray]:
    """Seeded 1-minute-like OHLCV: a log-price random walk around 30,000."""
    rng = np.random.default_rng(seed)
    close = 30_000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0008, bars)))
    open_ = np.concatenate([[30_000.0], close[:-1]])
    wick = np.abs(rng.normal(0.0, 0.0005, (2, bars))) * close
    high = np.maximum(open_, close) + wick[0]
    low = np.minimum(open_, close) - wick[1]
    volume = rng.lognormal(2.0, 1.0, bars)
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


def bench_vectorised(name: str, series: dict[str, FloatArray], repeat: int) -> float:
    """Best wall time of ``repeat`` vectorised runs, in ns per bar."""
    spec = INDICATORS[name]
    params = validate_params(name, PARAMS[name], f"bench.{name}")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter_ns()
        spec.compute(series, params)
        best = min(best, time.perf_counter_ns() - start)
    return best / len(series["close"])


def bench_streaming(name: str, series: dict[str, FloatArray], bars: int) -> float:
    """Wall time of one streaming pass of the indicator's own ``update``, in ns per bar."""
    spec = INDICATORS[name]
    params = validate_params(name, PARAMS[name], f"bench.{name}")
    fields = spec.input_fields(params)
    columns = [series[field][:bars].tolist() for field in fields]
    numbers = {key: value for key, value in params.items() if key != "source"}
    update = spec.streaming(**numbers).update
    start = time.perf_counter_ns()
    for bar in zip(*columns, strict=True):
        update(*bar)
    return (time.perf_counter_ns() - start) / bars


def main() -> None:
    """Parse the arguments, run every indicator, print one line per indicator."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000, help="bars, vectorised")
    parser.add_argument("--stream-bars", type=int, default=None, help="bars, streaming")
    parser.add_argument("--repeat", type=int, default=3, help="vectorised runs, best kept")
    args = parser.parse_args()
    series = random_walk(args.bars)
    stream_bars = min(args.stream_bars or args.bars, args.bars)
    print(f"{args.bars:,} bars vectorised (best of {args.repeat}), {stream_bars:,} streaming")
    print(f"{'indicator':<10} {'vectorised ns/bar':>18} {'streaming ns/bar':>17}  inputs")
    for name in INDICATORS:
        vectorised = bench_vectorised(name, series, args.repeat)
        streaming = bench_streaming(name, series, stream_bars)
        inputs = ",".join(
            f
            for f in BAR_FIELDS
            if f in INDICATORS[name].input_fields(validate_params(name, PARAMS[name], name))
        )
        print(f"{name:<10} {vectorised:>18.1f} {streaming:>17.1f}  {inputs}")


if __name__ == "__main__":
    main()
