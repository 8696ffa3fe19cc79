"""Task dispatch: run the task the config names and return its objective.

``task=run`` with ``exchange=sim`` is a backtest: candles from ``data``, the strategy
from ``strategy``, every order through the executor, guards and risk of the config;
the summary goes to the terminal and the artifacts to ``output_dir``. ``task=run`` with
``exchange=bybit`` trades live (:mod:`bot.engine.live.runner`); ``status``, ``close``,
``panic`` and ``reset`` are operator tasks on the live account and ``download`` fetches
klines (:mod:`bot.engine.live.operator`).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from bot.config import BybitSettings, RunTaskSettings, SimSettings
from bot.engine.settings import Settings
from bot.errors import ConfigError


def run_task(
    settings: Settings, output_dir: Path | None = None, *, plot_aside: bool = True
) -> float | None:
    """Run ``settings.task``; returns the objective for a sweeper (None if not finite).

    ``plot_aside`` lets a backtest draw its picture in a forked child while it runs
    (a single run on an idle core); a sweep turns it off, its cores are busy already.
    """
    exchange, task = settings.exchange, settings.task
    if task.name == "download" or isinstance(exchange, BybitSettings):
        if isinstance(task, RunTaskSettings):
            from bot.engine.live.runner import run_live

            run_live(settings, output_dir)
            return None
        from bot.engine.live.operator import run_operator_task

        run_operator_task(settings)
        return None
    if not isinstance(task, RunTaskSettings):
        raise ConfigError(
            "task", task.name, "exchange=bybit: operator tasks act on the live account"
        )
    return _backtest(settings, exchange, task.objective, output_dir, plot_aside)


def _backtest(
    settings: Settings,
    exchange: SimSettings,
    objective_name: str,
    output_dir: Path | None,
    plot_aside: bool,
) -> float | None:
    """A backtest of the strategy on the data through the simulated venue."""
    from bot.report.painter import Painter

    # forked first, so matplotlib loads in a child while the data loads and the run goes
    painter = Painter() if output_dir is not None and plot_aside else None
    from bot.data import load_candles
    from bot.data.candles import iso_ms
    from bot.engine.assemble import build_sim_road
    from bot.engine.backtest import run_backtest
    from bot.report.artifacts import write_artifacts
    from bot.report.metrics import compute_metrics
    from bot.report.progress import Progress
    from bot.report.summary import summary_table
    from bot.strategy.base import Strategy

    candles = load_candles(settings.data, seed=settings.seed)
    if not len(candles):
        raise ConfigError("data", settings.data.name, "at least one candle")
    road = build_sim_road(settings, run_id=f"bt{settings.seed}", start_ms=int(candles.ts_ms[0]))
    strategy = settings.strategy.build()
    if not isinstance(strategy, Strategy):
        raise ConfigError("strategy", type(strategy).__name__, "must build a Strategy")
    progress = Progress(len(candles), label="backtest")
    record, rejections = run_backtest(
        road,
        strategy,
        candles,
        symbol=settings.symbol,
        timeframe=settings.data.timeframe,
        tick=exchange.instrument.tick_size,
        initial=exchange.initial_balance,
        on_progress=progress.advance,
    )
    progress.close()
    metrics = compute_metrics(record)
    title = (
        f"{settings.strategy.title} on "
        f"{settings.symbol} {settings.data.timeframe}, {len(candles):,} bars"
    )
    print(summary_table(metrics, title=title))
    if rejections:
        print(f"{len(rejections)} intents were refused; the first ones:", file=sys.stderr)
    for rejection in rejections[:3]:
        print(f"  {iso_ms(rejection.ts_ms)}: {rejection.result}", file=sys.stderr)
    if output_dir is not None:
        paths = write_artifacts(record, metrics, output_dir, painter)
        print("artifacts: " + ", ".join(str(p) for p in paths.values()))
    objective = metrics.objective(objective_name)
    return objective if math.isfinite(objective) else None
