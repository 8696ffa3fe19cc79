"""Warm sweep workers: joblib's processes forked from a server with the backtest loaded.

A joblib sweep (``+sweep=local``) runs its points in loky worker processes. By default
each worker is a fresh interpreter that imports loky, Hydra, the bot (every module
checked by beartype as it loads), numpy, pyarrow and matplotlib before its first run:
about a second and a half of a core per worker, paid while the whole sweep waits.

:class:`WarmWorkers`, a Hydra callback of the ``local`` preset, starts Python's fork
server when the multirun starts. The server imports :data:`WORKER_MODULES` once
(:mod:`bot.report.preload`), on the core the main process leaves idle while it composes
and checks every point's config; loky then forks each worker from it, with all of that
already loaded. The runs, their artifacts and the table are the same either way.

Forking from the server is safe where forking from the main process would not be: the
server is a fresh single-threaded interpreter, so no child inherits a lock some thread
held. Nothing changes where the server would not help or is not safe: a launcher other
than joblib, one worker, a platform other than Linux, or a loky start method chosen
already. Leave it out with ``~hydra.callbacks.warm_workers``. Also the ``optuna`` preset
uses it: its batches of trials reuse the same warm workers.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from hydra.experimental.callback import Callback
from omegaconf import OmegaConf

from bot.config import ConfigNode

#: What a backtest run loads, imported once by the fork server: Hydra's job runner, the
#: task, the engine, the data, the report and its writers (pyarrow, matplotlib).
WORKER_MODULES: Final = (
    "joblib.externals.loky.process_executor",
    "hydra_plugins.hydra_joblib_launcher._core",
    "bot.__main__",
    "bot.wiring",
    "bot.strategy.rules",
    "bot.engine.tasks",
    "bot.engine.assemble",
    "bot.engine.backtest",
    "bot.data",
    "bot.report.metrics",
    "bot.report.summary",
    "bot.report.progress",
    "bot.report.painter",
    "bot.report.artifacts",
    "bot.report.sweep",
    "pyarrow",
    "pyarrow.parquet",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.ticker",
)
#: The module the fork server imports: it imports :data:`WORKER_MODULES` (:func:`preload`).
PRELOAD_MODULE: Final = "bot.report.preload"
#: Thread pools of native libraries loky limits in each worker (``cores // workers``);
#: the fork server passes its environment on, so the same limits are set there.
THREAD_LIMITS: Final = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMBA_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
_JOBLIB_LAUNCHER: Final = "JoblibLauncher"


class WarmWorkers(Callback):
    """Hydra callback: fork a joblib sweep's workers from a warm server (module doc)."""

    def __init__(self) -> None:
        self.started = False

    def on_multirun_start(self, config: ConfigNode, **kwargs: Any) -> None:
        """Start the fork server and point loky at it, when the launcher is joblib's."""
        launcher = OmegaConf.select(config, "hydra.launcher", default=None)
        if launcher is None or not str(launcher.get("_target_", "")).endswith(_JOBLIB_LAUNCHER):
            return
        n_jobs = launcher.get("n_jobs")
        if isinstance(n_jobs, int) and n_jobs != 0:  # else joblib runs them here, or refuses
            self.started = start_warm_workers(n_jobs)


def preload(modules: Iterable[str]) -> list[str]:
    """Import each of ``modules``; what could not be imported, one line each.

    A module that fails here is left to the runs: each imports it again and fails with
    its own message, in the sweep table.
    """
    problems = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 -- the run imports it again and reports
            problems.append(f"{name}: {type(error).__name__}: {error}")
    return problems


def start_warm_workers(n_jobs: int) -> bool:
    """Make loky fork its workers from a fork server that has loaded the backtest.

    ``n_jobs`` is the launcher's (``-1``: one worker per core). Returns False, changing
    nothing, where the server would not help or is not safe (see :func:`_worth_a_server`)
    or loky's start method is chosen already. The server is started at once: it loads
    while the sweep is being set up.
    """
    from joblib import cpu_count, effective_n_jobs  # type: ignore[import-untyped]
    from joblib.externals.loky.backend import context  # type: ignore[import-untyped]

    workers = effective_n_jobs(n_jobs)
    if not _worth_a_server(workers) or context.get_start_method() is not None:
        return False
    from multiprocessing import forkserver

    per_worker = str(max(cpu_count() // workers, 1))
    multiprocessing.set_forkserver_preload([PRELOAD_MODULE])
    with _environment({name: os.environ.get(name, per_worker) for name in THREAD_LIMITS}):
        forkserver.ensure_running()
    context.set_start_method("forkserver")
    return True


def _worth_a_server(workers: int) -> bool:
    """Linux only (on macOS a fork after numpy and matplotlib loaded is not safe), and
    only with worker processes (``n_jobs=1`` runs every point in the main process)."""
    return (
        sys.platform.startswith("linux")
        and "forkserver" in multiprocessing.get_all_start_methods()
        and workers > 1
    )


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in the environment (for a child started inside), then restore it."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
