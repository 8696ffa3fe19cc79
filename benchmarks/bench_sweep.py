"""A 16-point sweep: joblib launcher on every core against the basic launcher.

Each backtest is DAYS days of 1-minute bars (default 30). Both sides are the same
command, ``python -m bot -m strategy.fast=4,...,19 data.days=DAYS`` into a fresh sweep
directory, so both pay one process start, Hydra's composition, the artifacts of every
run and the sweep table:

- sequential: the basic launcher runs the 16 backtests one after another in one process;
- parallel: ``+sweep=local`` (joblib, one worker process per core).

One pair of sweeps is noisy (anything else on the 2 cores skews the parallel side most),
so ``PAIRS`` pairs are run, the order alternating (basic first, then joblib first), and
the verdict is on the median of the pairs' ratios. Prints every pair (both wall times,
the ratio, the 1-minute load average before it), the median (target: at least 1.6x on
2 cores) and the table of the last joblib sweep.

Run with ``python benchmarks/bench_sweep.py [DAYS] [PAIRS]`` (defaults 30 and 3).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POINTS = ",".join(str(fast) for fast in range(4, 20))
DEFAULT_DAYS = 30
DEFAULT_PAIRS = 3
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


def pair(root: Path, days: int, joblib_first: bool) -> tuple[float, float, str]:
    """One basic and one joblib sweep (in the order given): their wall times and the
    load average before the pair."""
    load = load_average()
    times = {}
    for name in ("joblib", "basic") if joblib_first else ("basic", "joblib"):
        extra = ("+sweep=local",) if name == "joblib" else ()
        times[name] = sweep(root / name, days, *extra)
    return times["basic"], times["joblib"], load


def main() -> None:
    """Run the pairs of sweeps and print the figures."""
    days = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DAYS
    pairs = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_PAIRS
    cores = os.cpu_count() or 1
    lines, ratios = [], []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(pairs):
            root = Path(folder) / str(index)
            sequential, parallel, load = pair(root, days, joblib_first=index % 2 == 1)
            ratios.append(sequential / parallel)
            first = "joblib" if index % 2 else "basic"
            lines.append(
                f"pair {index + 1} ({first} first, load {load}): basic {sequential:6.2f} s, "
                f"joblib {parallel:6.2f} s, {ratios[-1]:.2f}x"
            )
        table = (root / "joblib" / "sweep_results.txt").read_text(encoding="utf-8")
    ratio = statistics.median(ratios)
    print(table)
    print(f"16 backtests of {days} days of 1m bars ({days * 1440:,} bars each), {cores} cores")
    print("basic: one after another in one process; joblib: +sweep=local, one worker per core")
    print("\n".join(lines))
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"speed-up, median of {pairs} pair(s): {ratio:.2f}x ({verdict} the {TARGET}x target)")


if __name__ == "__main__":
    main()
