"""Real sweeps of ``python -m bot -m``: basic and joblib launchers, the Optuna preset.

The Optuna tests need the ``optuna`` extra. ``nox -s sweeps`` installs it and sets
``BOT_REQUIRE_OPTUNA=1``, so there they fail instead of skipping when it is missing.
"""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from .config.conftest import run_bot


def _table_rows(sweep_dir: Path) -> list[dict[str, str]]:
    with (sweep_dir / "sweep_results.csv").open(encoding="utf-8") as table:
        return list(csv.DictReader(table))


def test_basic_multirun_prints_and_writes_the_sweep_table(tmp_path: Path):
    sweep_dir = tmp_path / "sweep"
    result = run_bot(
        tmp_path, "-m", "strategy.fast=5,10", "data.days=1", f"hydra.sweep.dir={sweep_dir}"
    )
    assert result.returncode == 0, result.stderr
    assert "Sweep of 2 run(s), best first" in result.stdout
    assert "fixed: data.days=1" in result.stdout
    text = (sweep_dir / "sweep_results.txt").read_text(encoding="utf-8")
    assert text.strip() in result.stdout
    rows = _table_rows(sweep_dir)
    assert sorted(row["strategy.fast"] for row in rows) == ["10", "5"]
    assert [row["rank"] for row in rows] == ["1", "2"]
    objectives = [float(row["objective"]) for row in rows]
    assert objectives == sorted(objectives, reverse=True)
    assert all(row["objective_name"] == "sharpe" for row in rows)


def test_a_failed_point_is_listed_last_and_the_sweep_goes_on(tmp_path: Path):
    sweep_dir = tmp_path / "sweep"
    result = run_bot(
        tmp_path, "-m", "strategy.fast=30,5", "data.days=1", f"hydra.sweep.dir={sweep_dir}"
    )
    assert result.returncode == 2
    rows = _table_rows(sweep_dir)
    assert [(row["strategy.fast"], row["status"]) for row in rows] == [
        ("5", "ok"),
        ("30", "failed"),
    ]
    assert "strategy.slow" in rows[1]["note"]
    assert "strategy.slow" in result.stderr.strip().splitlines()[-1]


def test_joblib_multirun_runs_both_points(tmp_path: Path):
    sweep_dir = tmp_path / "sweep"
    result = run_bot(
        tmp_path,
        "-m",
        "+sweep=local",
        "strategy.fast=5,10",
        "data.days=1",
        f"hydra.sweep.dir={sweep_dir}",
    )
    assert result.returncode == 0, result.stderr
    assert "Joblib.Parallel" in result.stdout + result.stderr
    rows = _table_rows(sweep_dir)
    assert sorted(row["strategy.fast"] for row in rows) == ["10", "5"]
    assert all(row["status"] == "ok" for row in rows)
    assert all((sweep_dir / row["job"] / "metrics.json").is_file() for row in rows)


def test_local_preset_keeps_the_sweep_table_and_warms_the_workers(tmp_path: Path):
    result = run_bot(tmp_path, "+sweep=local", "--cfg", "hydra")
    assert result.returncode == 0, result.stderr
    hydra = OmegaConf.create(result.stdout)
    callbacks = hydra.hydra.callbacks
    assert callbacks.sweep_table._target_ == "bot.report.sweep.SweepTable"
    assert callbacks.warm_workers._target_ == "bot.report.workers.WarmWorkers"
    assert str(hydra.hydra.launcher.batch_size) == "1"  # the launcher schema types it str


def _need_optuna() -> None:
    if importlib.util.find_spec("hydra_plugins.hydra_optuna_sweeper") is not None:
        return
    if os.environ.get("BOT_REQUIRE_OPTUNA"):
        pytest.fail("BOT_REQUIRE_OPTUNA is set but the optuna extra is not installed")
    pytest.skip("optuna extra not installed (nox -s sweeps runs these)")


def test_optuna_preset_composes_the_sweeper(tmp_path: Path):
    _need_optuna()
    result = run_bot(tmp_path, "+sweep=optuna", "--cfg", "hydra")
    assert result.returncode == 0, result.stderr
    assert "hydra_plugins.hydra_optuna_sweeper.optuna_sweeper.OptunaSweeper" in result.stdout
    assert "direction: maximize" in result.stdout
    assert "strategy.fast: int(interval(5, 19))" in result.stdout


def test_optuna_study_maximises_the_returned_objective(tmp_path: Path):
    _need_optuna()
    sweep_dir = tmp_path / "sweep"
    result = run_bot(
        tmp_path,
        "-m",
        "+sweep=optuna",
        "hydra.sweeper.n_trials=2",
        "data.days=1",
        f"hydra.sweep.dir={sweep_dir}",
    )
    assert result.returncode == 0, result.stderr
    rows = _table_rows(sweep_dir)
    assert len(rows) == 2, result.stdout
    best = OmegaConf.load(sweep_dir / "optimization_results.yaml")
    assert best.best_value == pytest.approx(float(rows[0]["objective"])), (best, rows)
    assert best.best_params["strategy.fast"] == int(rows[0]["strategy.fast"]), (best, rows)
