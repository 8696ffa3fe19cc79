"""The sweep table callback on hand-made sweep directories."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from bot.report.metrics import OBJECTIVE_NAMES
from bot.report.sweep import (
    OBJECTIVE_KEYS,
    RESULTS_CSV,
    RESULTS_TXT,
    SweepTable,
    read_sweep,
    record_failure,
)


def make_job(
    sweep: Path,
    job: str,
    overrides: list[str],
    *,
    metrics: dict[str, object] | None = None,
    objective: str = "sharpe",
) -> Path:
    """A job folder as Hydra and the run leave it."""
    folder = sweep / job
    (folder / ".hydra").mkdir(parents=True)
    OmegaConf.save(OmegaConf.create(overrides), folder / ".hydra" / "overrides.yaml")
    config = OmegaConf.create({"task": {"name": "run", "objective": objective}})
    OmegaConf.save(config, folder / ".hydra" / "config.yaml")
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return folder


def figures(
    sharpe: object, total: float = 1.0, drawdown: float = 2.0, trades: int = 3
) -> dict[str, object]:
    return {
        "sharpe": sharpe,
        "sortino": 0.5,
        "calmar": 0.1,
        "total_return_pct": total,
        "max_drawdown_pct": drawdown,
        "trades": trades,
    }


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """Five runs: two good ones, a tie, one with inf Sharpe, one failed, one unfinished."""
    root = tmp_path / "sweep"
    make_job(root, "0", ["strategy.fast=5", "data.days=1"], metrics=figures(0.5, total=-1.5))
    make_job(root, "1", ["strategy.fast=10", "data.days=1"], metrics=figures(2.25, trades=7))
    make_job(root, "2", ["strategy.fast=15", "data.days=1"], metrics=figures("inf"))
    failed = make_job(root, "3", ["strategy.fast=30", "data.days=1"])
    record_failure(failed, "config error: strategy.slow=26 is not allowed", exit_code=2)
    make_job(root, "4", ["strategy.fast=40", "data.days=1"])
    make_job(root, "10", ["strategy.fast=20", "data.days=1"], metrics=figures(0.5))
    return root


def test_runs_are_sorted_by_objective_then_not_finite_then_failed(sweep: Path):
    runs = read_sweep(sweep)
    assert [run.job for run in runs] == ["1", "0", "10", "2", "3", "4"]
    assert [run.status for run in runs] == ["ok", "ok", "ok", "not finite", "failed", "failed"]
    assert runs[0].objective == 2.25
    assert runs[0].trades == 7
    assert runs[3].note == "sharpe is inf"
    assert runs[4].note == "config error: strategy.slow=26 is not allowed"
    assert runs[4].exit_code == 2
    assert runs[5].note == "did not finish: no metrics.json"


def test_objective_follows_task_objective(tmp_path: Path):
    make_job(tmp_path, "0", ["a=1"], metrics=figures(9.0, total=1.0), objective="total_return")
    make_job(tmp_path, "1", ["a=2"], metrics=figures(1.0, total=5.0), objective="total_return")
    runs = read_sweep(tmp_path)
    assert [(run.job, run.objective) for run in runs] == [("1", 5.0), ("0", 1.0)]


def test_every_objective_name_has_a_metrics_key():
    assert set(OBJECTIVE_KEYS) == set(OBJECTIVE_NAMES)


def test_unreadable_metrics_is_a_failed_run(tmp_path: Path):
    job = make_job(tmp_path, "0", ["a=1"])
    (job / "metrics.json").write_text("{not json", encoding="utf-8")
    (run,) = read_sweep(tmp_path)
    assert run.status == "failed"
    assert run.note.startswith("metrics.json unreadable")


def test_job_folders_of_an_earlier_sweep_are_left_out(tmp_path: Path):
    old = make_job(tmp_path, "0", ["a=1"], metrics=figures(1.0))
    os.utime(old / ".hydra" / "overrides.yaml", (1_000_000, 1_000_000))
    make_job(tmp_path, "1", ["a=2"], metrics=figures(2.0))
    assert [run.job for run in read_sweep(tmp_path, since=2_000_000)] == ["1"]


def test_secret_looking_overrides_are_hidden(tmp_path: Path):
    make_job(tmp_path, "0", ["exchange.api_key=abc123", "x.token=t0k"], metrics=figures(1.0))
    (run,) = read_sweep(tmp_path)
    assert dict(run.overrides) == {"exchange.api_key": "<hidden>", "x.token": "<hidden>"}


def test_callback_prints_and_writes_the_table_and_exits_with_the_failure(
    sweep: Path, capsys: pytest.CaptureFixture[str]
):
    callback = SweepTable()
    config = OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep)}}})
    with pytest.raises(SystemExit) as stopped:
        callback.on_multirun_end(config=config)
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    text = (sweep / RESULTS_TXT).read_text(encoding="utf-8")
    assert text.strip() in out
    lines = text.splitlines()
    assert lines[1] == "fixed: data.days=1"
    header = lines[3].split()
    assert " ".join(header) == "# job strategy.fast sharpe return % max DD % trades note"
    body = lines[5:-1]
    assert body[0].split()[:7] == ["1", "1", "10", "2.2500", "1.00", "-2.00", "7"]
    assert body[1].split()[:5] == ["2", "0", "5", "0.5000", "-1.50"]
    assert body[3].split() == ["-", "2", "15", "-", "1.00", "-2.00", "3", "sharpe", "is", "inf"]
    assert body[4].startswith("-  3")
    assert body[4].endswith("config error: strategy.slow=26 is not allowed")
    assert "2 of 6 run(s) failed" in err
    assert err.strip().splitlines()[-1].endswith("strategy.slow=26 is not allowed")
    with (sweep / RESULTS_CSV).open(encoding="utf-8") as rows:
        table = list(csv.DictReader(rows))
    assert [row["job"] for row in table] == ["1", "0", "10", "2", "3", "4"]
    assert [row["rank"] for row in table] == ["1", "2", "3", "", "", ""]
    assert table[0]["strategy.fast"] == "10"
    assert table[0]["objective"] == "2.25"
    assert table[4]["status"] == "failed"


def test_callback_without_failures_returns(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    make_job(tmp_path, "0", ["a=1"], metrics=figures(1.0))
    callback = SweepTable()
    callback.on_multirun_start(config=OmegaConf.create({}))
    callback.on_multirun_end(config=OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}}))
    out = capsys.readouterr().out
    assert "Sweep of 1 run(s)" in out
    assert (tmp_path / RESULTS_CSV).is_file()


def test_callback_on_an_empty_sweep_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    SweepTable().on_multirun_end(
        config=OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}})
    )
    assert "(no runs found)" in capsys.readouterr().out
    assert (tmp_path / RESULTS_TXT).is_file()
