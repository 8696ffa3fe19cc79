"""Executor path latency: one entry through trading state, every guard, risk, sizing and
the simulated venue, with beartype on, on the default config (``risk=standard``,
``guard=standard``).

Each intent is timed alone (``perf_counter_ns`` around ``Executor.submit``); the market
update that moves the clock between intents is outside the timed region, and so is the
young-generation collection a live engine thread runs between events
(:class:`bot.engine.heap.IdleCollector`, as ``LiveSession`` does; ``--no-idle-collect``
leaves every collection to CPython, wherever it lands). Entries
alternate buy and sell so the position stays within the risk limits and every entry is
accepted (the run fails otherwise: rejections would be cheaper and flatter the figures).

    python benchmarks/bench_executor.py [--intents N] [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from hydra import compose, initialize_config_dir

from bot.__main__ import config_dir
from bot.config import register_schemas
from bot.domain import EntryIntent, Money, Price, Side, Symbol
from bot.engine.assemble import SimRoad, build_sim_road
from bot.engine.heap import IdleCollector, frozen_setup
from bot.wiring import build_settings

START_MS = 1_704_067_200_000  # 2024-01-01 UTC


def measure(intents: int, *, freeze: bool = True, idle_collect: bool = True) -> dict[str, float]:
    register_schemas()
    with initialize_config_dir(config_dir=str(config_dir()), version_base=None):
        # a wallet that outlasts 100,000 round trips of fees; every check stays on
        overrides = ["exchange.initial_balance=10000000", "risk.daily_loss_limit=10000000"]
        settings = build_settings(compose(config_name="config", overrides=overrides))
    road = build_sim_road(settings, run_id="bench", start_ms=START_MS)
    with contextlib.ExitStack() as run:
        if freeze:
            # as a backtest or a live run does once its setup is built (bot.engine.heap)
            run.enter_context(frozen_setup())
        return _run(road, settings.symbol, intents, freeze, idle_collect)


def _run(
    road: SimRoad, symbol: Symbol, intents: int, freeze: bool, idle_collect: bool
) -> dict[str, float]:
    price = Price("40000")
    samples: list[int] = []
    accepted = 0
    collections = sum(s["collections"] for s in gc.get_stats())
    collector = IdleCollector()
    idle_collections = 0
    for i in range(intents):
        # 1.5 s apart: 40 orders a minute, inside risk=standard's 60
        road.venue.update_market(symbol, price, price, ts_ms=START_MS + 1 + i * 1500)
        if idle_collect and collector.idle() is not None:
            idle_collections += 1
        side = Side.BUY if i % 2 == 0 else Side.SELL
        intent = EntryIntent(symbol, side, notional=Money(1000))
        t0 = time.perf_counter_ns()
        result = road.executor.submit(intent)
        samples.append(time.perf_counter_ns() - t0)
        accepted += result.accepted
    if accepted != intents:
        raise SystemExit(f"only {accepted} of {intents} entries were accepted")
    samples.sort()
    return {
        "intents": intents,
        "p50_us": samples[len(samples) // 2] / 1000,
        "p99_us": samples[int(len(samples) * 0.99)] / 1000,
        "p999_us": samples[int(len(samples) * 0.999)] / 1000,
        "mean_us": statistics.fmean(samples) / 1000,
        "max_us": samples[-1] / 1000,
        "beartype_on": float(not sys.flags.optimize),
        "gc_frozen_after_setup": float(freeze),
        "idle_collect": float(idle_collect),
        "gc_collections": float(sum(s["collections"] for s in gc.get_stats()) - collections),
        "gc_collections_between_intents": float(idle_collections),
    }


def machine_floor(target_us: float, samples: int = 100_000) -> dict[str, float]:
    """The machine's own tail at the executor's median: a fixed loop of Decimal products,
    sized to take about ``target_us``, timed alone ``samples`` times with the
    collector off. Its p99 is what interrupts and scheduling alone add on this machine to
    work of that length (the executor cannot be expected to do better)."""

    def fixed(rounds: int) -> None:
        x = Decimal(1)
        step = Decimal("1.0001")
        for _ in range(rounds):
            x *= step

    per_round = []
    for _ in range(20):  # the cost of one round, warm: the best of 20 timings
        t0 = time.perf_counter_ns()
        fixed(1000)
        per_round.append((time.perf_counter_ns() - t0) / 1000 / 1000)
    rounds = max(int(target_us / min(per_round)), 1)
    times = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(samples):
            t0 = time.perf_counter_ns()
            fixed(rounds)
            times.append(time.perf_counter_ns() - t0)
    finally:
        if was_enabled:
            gc.enable()
    times.sort()
    return {
        "floor_p50_us": times[len(times) // 2] / 1000,
        "floor_p99_us": times[int(len(times) * 0.99)] / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intents", type=int, default=100_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-freeze", action="store_true", help="do not gc.freeze() the setup before the run"
    )
    parser.add_argument(
        "--no-idle-collect",
        action="store_true",
        help="no collections between intents: CPython collects wherever it triggers",
    )
    args = parser.parse_args()
    figures = measure(
        args.intents, freeze=not args.no_freeze, idle_collect=not args.no_idle_collect
    )
    print(
        f"executor entry path over {figures['intents']:,} intents (beartype "
        f"{'on' if figures['beartype_on'] else 'OFF'}; setup "
        f"{'frozen (bot.engine.heap)' if figures['gc_frozen_after_setup'] else 'not frozen'}, "
        f"{figures['gc_collections']:.0f} collections during the run, "
        f"{figures['gc_collections_between_intents']:.0f} of them between intents): "
        f"p50 {figures['p50_us']:.1f} us, p99 {figures['p99_us']:.1f} us, "
        f"p99.9 {figures['p999_us']:.0f} us, mean {figures['mean_us']:.1f} us, "
        f"max {figures['max_us']:.0f} us; Python {platform.python_version()} at {sys.executable}"
    )
    floor = machine_floor(figures["p50_us"])
    print(
        f"machine floor, measured just after: a fixed loop of the same median "
        f"(p50 {floor['floor_p50_us']:.1f} us) has p99 {floor['floor_p99_us']:.1f} us here"
    )
    if args.json:
        args.json.write_text(json.dumps(figures | floor, indent=2))


if __name__ == "__main__":
    main()
