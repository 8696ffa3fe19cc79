"""A 16-point sweep: joblib launcher on every core against the basic launcher.

Run with ``python benchmarks/bench_sweep.py [DAYS]`` (default 30 days of 1-minute bars
per backtest). Both sides are the same command, ``python -m bot -m
strategy.fast=4,...,19 data.days=DAYS`` into a fresh sweep directory, so both pay one
process start, Hydra's composition, the artifacts of every run and the sweep table:

- sequential: the basic launcher runs the 16 backtests one after another in one process;
- parallel: ``+sweep=local`` (joblib, one worker process per core).

Prints both wall times, the ratio (target: at least 1.6x on 2 cores), the 1-minute load
average before each side (other work on the cores skews both, the parallel side most;
the joblib figure includes the basic side just run) and the table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POINTS = ",".join(str(fast) for fast in range(4, 20))
DEFAULT_DAYS = 30
TARGET = 1.6


def load_average() -> str:
    """The 1-minute load average, or ``?`` where the platform has none."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "?"


def sweep(sweep_dir: Path, days: int, *extra: str) -> float:
    """Wall time of one 16-point multirun into ``sweep_dir``, in seconds."""
    command = [
        sys.executable,
        "-m",
        "bot",
        "-m",
        *extra,
        f"strategy.fast={POINTS}",
        f"data.days={days}",
        f"hydra.sweep.dir={sweep_dir}",
    ]
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"sweep failed ({result.returncode}): {result.stderr[-2000:]}")
    runs = len(list(sweep_dir.glob("*/metrics.json")))
    if runs != 16:
        raise SystemExit(f"expected 16 finished runs in {sweep_dir}, found {runs}")
    return elapsed


def main() -> None:
    """Run both sweeps and print the figures."""
    days = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DAYS
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        load_before = [load_average()]
        sequential = sweep(root / "basic", days)
        load_before.append(load_average())
        parallel = sweep(root / "joblib", days, "+sweep=local")
        table = (root / "joblib" / "sweep_results.txt").read_text(encoding="utf-8")
    ratio = sequential / parallel
    print(table)
    print(f"16 backtests of {days} days of 1m bars ({days * 1440:,} bars each), {cores} cores")
    print(f"basic launcher, one after another in one process: {sequential:7.2f} s")
    print(f"joblib launcher (+sweep=local), {cores} workers:       {parallel:7.2f} s")
    print(f"load average (1 min) before each: basic {load_before[0]}, joblib {load_before[1]}")
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"speed-up: {ratio:.2f}x ({verdict} the {TARGET}x target)")


if __name__ == "__main__":
    main()
