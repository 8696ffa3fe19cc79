"""Warm sweep workers: the fork server's preload and the callback of ``+sweep=local``.

Starting the server changes process-wide state (loky's start method, the fork server),
so those tests run in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from omegaconf import OmegaConf

from bot.report.workers import THREAD_LIMITS, WORKER_MODULES, WarmWorkers, preload

REPO = Path(__file__).resolve().parents[3]


def _python(code: str, tmp_path: Path) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object last."""
    environment = {k: v for k, v in os.environ.items() if k not in THREAD_LIMITS}
    environment["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert isinstance(loaded, dict)
    return loaded


def test_preload_imports_what_it_can_and_names_what_it_cannot():
    problems = preload(["json", "bot.report.no_such_module", "csv"])
    assert len(problems) == 1
    assert problems[0].startswith("bot.report.no_such_module: ModuleNotFoundError")
    assert "json" in sys.modules
    assert "csv" in sys.modules


def test_worker_modules_are_all_importable():
    assert preload(WORKER_MODULES) == []


def test_the_callback_leaves_other_launchers_alone():
    callback = WarmWorkers()
    config = OmegaConf.create(
        {"hydra": {"launcher": {"_target_": "hydra._internal.core_plugins.BasicLauncher"}}}
    )
    callback.on_multirun_start(config)
    assert callback.started is False


def test_no_server_for_a_single_worker():
    callback = WarmWorkers()
    target = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
    for n_jobs in (1, None, 0):
        config = OmegaConf.create({"hydra": {"launcher": {"_target_": target, "n_jobs": n_jobs}}})
        callback.on_multirun_start(config)
        assert callback.started is False


def test_joblib_workers_fork_from_a_server_with_the_backtest_loaded(tmp_path: Path):
    seen = _python(
        """
        import json, os
        from multiprocessing import forkserver
        from joblib import Parallel, cpu_count, delayed
        from bot.report.workers import WarmWorkers
        from omegaconf import OmegaConf

        callback = WarmWorkers()
        target = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
        config = OmegaConf.create({"hydra": {"launcher": {"_target_": target, "n_jobs": 2}}})
        callback.on_multirun_start(config)
        probe = (
            "(__import__('os').getppid(), 'matplotlib.figure' in __import__('sys').modules,"
            " 'bot.engine.backtest' in __import__('sys').modules,"
            " __import__('os').environ.get('OPENBLAS_NUM_THREADS'))"
        )
        answers = Parallel(n_jobs=2)(delayed(eval)(probe) for _ in range(2))
        print(json.dumps({
            "started": callback.started,
            "server": forkserver._forkserver._forkserver_pid,
            "answers": answers,
            "parent_limit": os.environ.get("OPENBLAS_NUM_THREADS"),
            "per_worker": str(max(cpu_count() // 2, 1)),
        }))
        """,
        tmp_path,
    )
    assert seen["started"] is True
    answers = seen["answers"]
    assert isinstance(answers, list)
    assert len(answers) == 2
    for parent, plotting, engine, limit in answers:
        assert parent == seen["server"]  # forked from the server
        assert plotting is True
        assert engine is True
        assert limit == seen["per_worker"]  # loky's thread limit, per worker
    assert seen["parent_limit"] is None  # the main process's environment is restored


def test_a_start_method_chosen_already_is_kept(tmp_path: Path):
    seen = _python(
        """
        import json
        from joblib.externals.loky.backend import context
        from bot.report.workers import start_warm_workers

        context.set_start_method("loky")
        started = start_warm_workers(-1)
        print(json.dumps({"started": started, "method": context.get_start_method()}))
        """,
        tmp_path,
    )
    assert seen == {"started": False, "method": "loky"}
