"""Backtest throughput and peak memory: our engine against backtesting.py 0.6.6.

Both sides run an EMA(12)/EMA(26) crossover, always in the market after the first
cross (a cross reverses: close, then entry), market orders at the next bar's open,
taker fee / commission 5.5 bps, no slippage, on the same seeded synthetic one-minute
bars (``synthetic_candles(seed=7)``, rounded to the 0.1 tick so both fill at the same
open). Ours is the real road: beartype on, every order through the executor, guards
and risk (settings as in ``tests/crosscheck/test_backtesting_py.py``); the peer is
:mod:`tests.crosscheck.peer`.

The parent writes the bars once to a temporary ``.npz``; each side runs in its own child
process (``--side``), loads them and runs. The parent reads each child's peak resident
set size from ``os.wait4`` (that child's own ``ru_maxrss``: interpreter, imports, the
bars and the run; the peer's child never imports ``bot``). Throughput is bars divided by
the time of the backtest call alone (data generation and imports excluded). The
children also print a digest of their trades (times, sides, prices); the parent says
whether they match.

    python benchmarks/bench_backtest.py [--bars N]      # default 1,000,000 bars
    python benchmarks/bench_backtest.py --profile 50000  # cProfile of ours, top 10 tottime
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for tests.crosscheck.peer when run as a script

DEFAULT_BARS: Final = 1_000_000
SEED: Final = 7
START: Final = datetime(2024, 1, 1, tzinfo=UTC)
TICK: Final = Decimal("0.1")
TICK_PLACES: Final = 1  # decimals of TICK
FEE_BPS: Final = Decimal("5.5")
TARGET: Final = 10.0
OVERRIDES: Final = (
    "strategy.fast=12",
    "strategy.slow=26",
    "exchange.slippage_bps=0",
    f"exchange.taker_fee_bps={FEE_BPS}",
    "exchange.leverage=1",
    "exchange.initial_balance=1000000000",
    f"exchange.instrument.tick_size={TICK}",
    "risk.cooldown_after_losses=0",
    "risk.daily_loss_limit=1000000000",
    "risk.max_drawdown_pct=100",
)

COLUMNS: Final = ("ts_ms", "open", "high", "low", "close", "volume")

Row = tuple[int, int, str, Decimal, Decimal]


def write_bars(bars: int, path: Path) -> None:
    """The benchmark's bars into ``path`` (.npz): seeded synthetic candles on the tick."""
    from bot.data import synthetic_candles

    raw = synthetic_candles(SEED, START, bars)
    # np.round divides by 10**places last: the nearest float to each multiple of the tick
    o, h, low, c = (np.round(col, TICK_PLACES) for col in (raw.open, raw.high, raw.low, raw.close))
    np.savez(path, ts_ms=raw.ts_ms, open=o, high=h, low=low, close=c, volume=raw.volume)


def read_bars(path: Path) -> dict[str, npt.NDArray[np.generic]]:
    """The columns :func:`write_bars` wrote."""
    with np.load(path) as saved:
        return {name: saved[name] for name in COLUMNS}


def digest(rows: Iterable[Row]) -> tuple[int, str]:
    """Closed trades counted and hashed: entry and exit times, side, entry and exit price."""
    text = [f"{a},{b},{side},{p.normalize()},{q.normalize()}" for a, b, side, p, q in rows]
    return len(text), hashlib.sha256("\n".join(text).encode()).hexdigest()[:16]


def run_ours(path: Path, profiler: cProfile.Profile | None = None) -> dict[str, object]:
    """Our backtest on the benchmark bars, timed (and profiled) around ``run_backtest``."""
    from hydra import compose, initialize_config_dir

    from bot.__main__ import config_dir
    from bot.config import register_schemas
    from bot.data import Candles
    from bot.engine.assemble import build_sim_road
    from bot.engine.backtest import run_backtest
    from bot.strategy.base import Strategy
    from bot.wiring import build_settings

    columns = read_bars(path)
    data = Candles.checked(
        (
            columns["ts_ms"].astype(np.int64, copy=False),
            *(columns[name].astype(np.float64, copy=False) for name in COLUMNS[1:]),
        ),  # type: ignore[arg-type]
        str(path),
    )
    del columns  # the candles hold the only copy of the bars
    register_schemas()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        settings = build_settings(compose(config_name="config", overrides=list(OVERRIDES)))
    road = build_sim_road(settings, run_id="bench", start_ms=int(data.ts_ms[0]))
    strategy = settings.strategy.build()
    if not isinstance(strategy, Strategy):
        raise SystemExit("the strategy config did not build a Strategy")
    if profiler is not None:
        profiler.enable()
    began = time.perf_counter()
    record, rejections = run_backtest(
        road,
        strategy,
        data,
        symbol=settings.symbol,
        timeframe="1m",
        tick=TICK,
        initial=Decimal(1_000_000_000),
    )
    seconds = time.perf_counter() - began
    if profiler is not None:
        profiler.disable()
    rows = (
        (t.entry_ts_ms, t.exit_ts_ms, t.side.value, t.entry_price, t.exit_price)
        for t in record.trades
    )
    trades, fingerprint = digest(rows)
    return {"seconds": seconds, "trades": trades, "digest": fingerprint, "refused": len(rejections)}


def run_peer_side(path: Path) -> dict[str, object]:
    """backtesting.py on the benchmark bars, timed around ``Backtest.run`` alone."""
    import pandas as pd  # type: ignore[import-untyped]

    from tests.crosscheck.peer import run_peer

    columns = read_bars(path)
    frame = pd.DataFrame(
        {name.capitalize(): columns[name] for name in COLUMNS[1:]},
        index=pd.to_datetime(columns["ts_ms"], unit="ms"),
    )
    began = time.perf_counter()
    stats = run_peer(frame, fast=12, slow=26, commission=float(FEE_BPS) / 10_000)
    seconds = time.perf_counter() - began
    epoch, ms = pd.Timestamp(0), pd.Timedelta(milliseconds=1)
    rows = (
        (
            int((t.EntryTime - epoch) // ms),
            int((t.ExitTime - epoch) // ms),
            "Buy" if t.Size > 0 else "Sell",
            Decimal(repr(float(t.EntryPrice))),
            Decimal(repr(float(t.ExitPrice))),
        )
        for t in stats["_trades"].itertuples()
    )
    trades, fingerprint = digest(rows)
    return {"seconds": seconds, "trades": trades, "digest": fingerprint, "refused": 0}


def child(side: str, path: Path) -> dict[str, object]:
    """Run ``side`` on the bars in ``path`` in a fresh process; its answer and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        command = [sys.executable, __file__, "--side", side, "--bars-file", str(path)]
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            tail = err.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"{side} failed ({process.returncode}):\n{tail}")
        answer: dict[str, object] = json.loads(out.read().decode().strip().splitlines()[-1])
    answer["peak_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
    return answer


def profile(bars: int) -> None:
    """cProfile of ``run_backtest`` on ``bars`` bars: own time per area, top 10 functions."""
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bars.npz"
        write_bars(bars, path)
        answer = run_ours(path, profiler)
    stats = pstats.Stats(profiler)
    areas: dict[str, float] = {}
    for (filename, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
        area = _area(filename)
        areas[area] = areas.get(area, 0.0) + row[2]
    total = sum(areas.values())
    seconds, trades = answer["seconds"], answer["trades"]
    print(f"ours on {bars:,} bars under cProfile: {seconds:.2f} s, {trades} trades")
    print("own time by area (us per bar, share):")
    for area, spent in sorted(areas.items(), key=lambda item: -item[1])[:10]:
        print(f"  {area:32}{spent / bars * 1e6:>8.1f}{spent / total:>8.0%}")
    stats.sort_stats("tottime").print_stats(10)


def _area(filename: str) -> str:
    """Where a profiled function lives: a bot package, beartype's wrappers, or elsewhere."""
    path = Path(filename)
    if filename.startswith("<@beartype") or "beartype" in path.parts:
        return "beartype (type checks)"
    if ROOT / "bot" in path.parents:
        parts = path.relative_to(ROOT).parts
        return "/".join(parts[:2]) if len(parts) > 2 else parts[0]
    if filename.startswith(("~", "<")):
        return "builtins (isinstance, len, ...)"
    return "other libraries"


def main() -> int:
    """Parse the options; compare both sides, or run one side, or profile ours."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=DEFAULT_BARS, help="one-minute bars")
    parser.add_argument("--profile", type=int, metavar="BARS", help="cProfile ours only")
    parser.add_argument("--side", choices=("ours", "peer"), help=argparse.SUPPRESS)
    parser.add_argument("--bars-file", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.side is not None:
        run = run_ours if options.side == "ours" else run_peer_side
        print(json.dumps(run(options.bars_file)))
        return 0
    if options.profile is not None:
        profile(options.profile)
        return 0
    bars = options.bars
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bars.npz"
        write_bars(bars, path)
        ours, peer = child("ours", path), child("peer", path)
    print(f"EMA(12)/EMA(26) cross, {bars:,} one-minute bars, taker fee {FEE_BPS} bps")
    print(f"{'':16}{'bars/s':>12}{'seconds':>10}{'peak MiB':>10}{'trades':>8}  digest")
    for name, answer in (("ours", ours), ("backtesting.py", peer)):
        seconds = float(str(answer["seconds"]))
        print(
            f"{name:16}{bars / seconds:>12,.0f}{seconds:>10.2f}"
            f"{float(str(answer['peak_mib'])):>10.0f}{answer['trades']!s:>8}  {answer['digest']}"
        )
    ratio = float(str(peer["seconds"])) / float(str(ours["seconds"]))
    memory = float(str(ours["peak_mib"])) / float(str(peer["peak_mib"]))
    print(f"throughput ratio ours/backtesting.py: {ratio:.2f}x (target {TARGET:.0f}x)")
    print(f"peak memory ours/backtesting.py: {memory:.2f} (target below 1)")
    same = ours["digest"] == peer["digest"]
    print(f"trades identical: {'yes' if same else 'NO'}; ours refused {ours['refused']} intents")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
