"""Candle data throughput: generate 1,000,000 synthetic minutes, CSV and Parquet, resample.

Run with ``python benchmarks/bench_data.py``; prints the best of a few runs per step.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.data import Candles, read_candles, resample, synthetic_candles, write_csv, write_parquet

BARS = 1_000_000
REPEAT = 3
START = datetime(2024, 1, 1, tzinfo=UTC)


def best(step: Callable[[], object]) -> float:
    """Best wall time of ``REPEAT`` runs of ``step``, in seconds."""
    times = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        step()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    """Print one line per step: seconds and bars per second."""
    synthetic_candles(7, START, 1000)  # warm up imports and the type checks
    candles: Candles = synthetic_candles(7, START, BARS)
    with tempfile.TemporaryDirectory() as folder:
        csv, parquet = Path(folder) / "c.csv", Path(folder) / "c.parquet"
        steps: list[tuple[str, Callable[[], object]]] = [
            ("generate synthetic 1m", lambda: synthetic_candles(7, START, BARS)),
            ("write CSV", lambda: write_csv(candles, csv)),
            ("read CSV (+checks)", lambda: read_candles(csv)),
            ("write Parquet", lambda: write_parquet(candles, parquet)),
            ("read Parquet (+checks)", lambda: read_candles(parquet)),
            ("resample 1m -> 5m", lambda: resample(candles, 300)),
        ]
        print(f"{BARS:,} one-minute bars, best of {REPEAT}")
        for name, step in steps:
            seconds = best(step)
            print(f"  {name:<24} {seconds * 1000:8.1f} ms  {BARS / seconds / 1e6:6.2f} M bars/s")
        sizes = csv.stat().st_size / 1e6, parquet.stat().st_size / 1e6
        print(f"  CSV size {sizes[0]:.1f} MB, Parquet {sizes[1]:.1f} MB")
        if not read_candles(csv).identical(candles) or not read_candles(parquet).identical(candles):
            raise SystemExit("round trip changed the candles")


if __name__ == "__main__":
    main()
