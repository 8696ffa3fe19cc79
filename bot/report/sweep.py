"""The sweep table: every run of a multirun, best objective first, printed and saved.

:class:`SweepTable` is a Hydra callback (registered in ``conf/config.yaml`` under
``hydra.callbacks``). When a multirun ends it reads each job folder of the sweep
directory, whatever the launcher (basic, joblib, Ray on this machine) or sweeper (basic,
Optuna): the overrides from ``.hydra/overrides.yaml``, the objective's name from
``.hydra/config.yaml`` (``task.objective``), the figures from ``metrics.json``, and
``failure.json`` of a run that failed (written by :func:`record_failure`). The table is
printed and written to ``sweep_results.csv`` and ``sweep_results.txt`` in the sweep
directory; a multirun with a failed run then exits with that run's exit code.

Order: runs with a finite objective, highest first (ties in job order), then runs whose
objective is not finite, then failed runs, each with its reason. Only job folders
written since the multirun started are read, so a sweep directory used twice lists the
last sweep only. Values of secret-looking overrides are shown as ``<hidden>``.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import yaml  # type: ignore[import-untyped]
from hydra.experimental.callback import Callback
from omegaconf import OmegaConf

from bot.config import ConfigNode

RESULTS_CSV: Final = "sweep_results.csv"
RESULTS_TXT: Final = "sweep_results.txt"
FAILURE_FILE: Final = "failure.json"
#: Keys of ``metrics.json`` for each objective name of ``task.objective``.
OBJECTIVE_KEYS: Final = {
    "sharpe": "sharpe",
    "sortino": "sortino",
    "total_return": "total_return_pct",
    "calmar": "calmar",
}
#: A job folder written this long before the multirun started still counts (clock steps).
_SLACK_S: Final = 1.0
_SECRET_KEY: Final = re.compile(r"api_key|api_secret|secret|password|token", re.IGNORECASE)
_HIDDEN: Final = "<hidden>"
_YAML_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Status = Literal["ok", "not finite", "failed"]


@dataclass(frozen=True, slots=True)
class SweepRun:
    """One job of a sweep as the table shows it.

    ``objective`` is None unless ``status`` is ``ok``; ``note`` says why (the error of a
    failed run, ``sharpe is inf`` for a run whose objective is not finite).
    """

    job: str
    overrides: tuple[tuple[str, str], ...]
    objective_name: str
    objective: float | None
    total_return_pct: float | None
    max_drawdown_pct: float | None
    trades: int | None
    status: Status
    note: str = ""
    exit_code: int = 0


def record_failure(output_dir: Path, error: str, *, exit_code: int) -> Path:
    """Write the failure of one run into its folder, for the sweep table."""
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / FAILURE_FILE
    path.write_text(json.dumps({"error": error, "exit_code": exit_code}) + "\n", "utf-8")
    return path


def read_sweep(sweep_dir: Path, *, since: float | None = None) -> list[SweepRun]:
    """Every job folder under ``sweep_dir`` (written at or after ``since``), in table order."""
    runs = []
    for overrides_file in sweep_dir.rglob(".hydra/overrides.yaml"):
        if since is not None and overrides_file.stat().st_mtime < since - _SLACK_S:
            continue
        job_dir = overrides_file.parent.parent
        runs.append(read_run(job_dir, job=job_dir.relative_to(sweep_dir).as_posix()))
    return rank_runs(runs)


def read_run(job_dir: Path, *, job: str) -> SweepRun:
    """One job folder: its overrides, objective and figures, or why it has none."""
    overrides = _overrides(job_dir / ".hydra" / "overrides.yaml")
    objective_name = _objective_name(job_dir / ".hydra" / "config.yaml")
    failure = job_dir / FAILURE_FILE
    if failure.is_file():
        try:
            recorded = json.loads(failure.read_text("utf-8"))
            note, code = str(recorded["error"]), int(recorded["exit_code"])
        except (ValueError, KeyError, TypeError) as error:
            note, code = f"{FAILURE_FILE} unreadable: {type(error).__name__} {error}", 1
        return _failed(job, overrides, objective_name, note, code)
    metrics_file = job_dir / "metrics.json"
    if not metrics_file.is_file():
        note = "did not finish: no metrics.json"
        return _failed(job, overrides, objective_name, note, 1)
    try:
        metrics = json.loads(metrics_file.read_text("utf-8"))
        objective = float(metrics[OBJECTIVE_KEYS[objective_name]])
        total_return = float(metrics["total_return_pct"])
        drawdown = float(metrics["max_drawdown_pct"])
        trades = int(metrics["trades"])
    except (ValueError, KeyError, TypeError) as error:
        note = f"metrics.json unreadable: {type(error).__name__} {error}"
        return _failed(job, overrides, objective_name, note, 1)
    finite = math.isfinite(objective)
    return SweepRun(
        job=job,
        overrides=overrides,
        objective_name=objective_name,
        objective=objective if finite else None,
        total_return_pct=total_return,
        max_drawdown_pct=drawdown,
        trades=trades,
        status="ok" if finite else "not finite",
        note="" if finite else f"{objective_name} is {objective}",
    )


def _failed(
    job: str, overrides: tuple[tuple[str, str], ...], objective_name: str, note: str, code: int
) -> SweepRun:
    return SweepRun(
        job=job,
        overrides=overrides,
        objective_name=objective_name,
        objective=None,
        total_return_pct=None,
        max_drawdown_pct=None,
        trades=None,
        status="failed",
        note=note,
        exit_code=code,
    )


def rank_runs(runs: Sequence[SweepRun]) -> list[SweepRun]:
    """Finite objectives highest first, then not-finite runs, then failed ones."""
    in_job_order = sorted(runs, key=lambda run: _natural(run.job))
    group = {"ok": 0, "not finite": 1, "failed": 2}
    return sorted(
        in_job_order,
        key=lambda run: (group[run.status], -(run.objective or 0.0)),
    )


def override_keys(runs: Sequence[SweepRun]) -> list[str]:
    """Every override key of the sweep, in order of first appearance."""
    keys: dict[str, None] = {}
    for run in runs:
        keys.update(dict.fromkeys(key for key, _ in run.overrides))
    return list(keys)


def sweep_table(runs: Sequence[SweepRun], *, title: str) -> str:
    """The table as text: overrides that vary get a column, the others one ``fixed:`` line."""
    keys = override_keys(runs)
    values = [dict(run.overrides) for run in runs]
    varying = [k for k in keys if len({v.get(k, "") for v in values}) > 1 or len(runs) == 1]
    fixed = [f"{k}={values[0].get(k, '')}" for k in keys if k not in varying]
    names = {run.objective_name for run in runs}
    objective_header = names.pop() if len(names) == 1 else "objective"
    header = ["#", "job", *varying, objective_header, "return %", "max DD %", "trades", "note"]
    rows = [
        [
            str(rank) if run.status == "ok" else "-",
            run.job,
            *(value.get(k, "") for k in varying),
            _figure(run.objective, 4),
            _figure(run.total_return_pct, 2),
            _figure(None if run.max_drawdown_pct is None else -run.max_drawdown_pct, 2),
            "-" if run.trades is None else f"{run.trades:,}",
            run.note,
        ]
        for rank, (run, value) in enumerate(zip(runs, values, strict=True), start=1)
    ]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    left = {1, *range(2, 2 + len(varying)), len(header) - 1}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            f"{cell:<{width}}" if index in left else f"{cell:>{width}}"
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines = [line(header), *(line(row) for row in rows)]
    rule = "=" * max(len(title), *(len(text) for text in lines))
    head = [title, *(["fixed: " + " ".join(fixed)] if fixed else [])]
    return "\n".join([*head, rule, lines[0], "-" * len(rule), *lines[1:], rule])


def write_sweep_results(runs: Sequence[SweepRun], table: str, sweep_dir: Path) -> list[Path]:
    """Write ``sweep_results.csv`` (every value) and ``sweep_results.txt`` (the table)."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    keys = override_keys(runs)
    csv_path, txt_path = sweep_dir / RESULTS_CSV, sweep_dir / RESULTS_TXT
    with csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "rank",
                "job",
                *keys,
                "objective_name",
                "objective",
                "total_return_pct",
                "max_drawdown_pct",
                "trades",
                "status",
                "note",
            ]
        )
        for rank, run in enumerate(runs, start=1):
            given = dict(run.overrides)
            writer.writerow(
                [
                    rank if run.status == "ok" else "",
                    run.job,
                    *(given.get(k, "") for k in keys),
                    run.objective_name,
                    *("" if x is None else x for x in (run.objective, run.total_return_pct)),
                    *("" if x is None else x for x in (run.max_drawdown_pct, run.trades)),
                    run.status,
                    run.note,
                ]
            )
    txt_path.write_text(table + "\n", encoding="utf-8")
    return [csv_path, txt_path]


class SweepTable(Callback):
    """Hydra callback: at the end of a multirun, print and save the sweep table."""

    def __init__(self) -> None:
        self.started: float | None = None

    def on_multirun_start(self, config: ConfigNode, **kwargs: Any) -> None:
        """Note when the sweep started, to leave out job folders of an earlier one."""
        self.started = time.time()

    def on_multirun_end(self, config: ConfigNode, **kwargs: Any) -> None:
        """Print and write the table; exit with the first failed run's code if one failed."""
        sweep_dir = Path(str(config.hydra.sweep.dir))
        runs = read_sweep(sweep_dir, since=self.started)
        failed = [run for run in runs if run.status == "failed"]
        title = f"Sweep of {len(runs)} run(s), best first: {sweep_dir}"
        table = sweep_table(runs, title=title) if runs else f"{title}\n(no runs found)"
        paths = write_sweep_results(runs, table, sweep_dir)
        print(table)
        print("sweep results: " + ", ".join(str(path) for path in paths))
        if failed:
            first = min(failed, key=lambda run: _natural(run.job))
            sys.stdout.flush()
            sys.stderr.write(
                f"bot: {len(failed)} of {len(runs)} run(s) failed (see {paths[1]}); "
                f"first, job {first.job}: {first.note}\n"
            )
            raise SystemExit(first.exit_code or 1)


def _load_yaml(path: Path) -> object:
    """A saved Hydra file as plain Python objects, read by libyaml where it is installed
    (about 15 times faster than ``OmegaConf.load``: it counts in a sweep of many runs)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def _objective_name(path: Path) -> str:
    """``task.objective`` of a job's saved config; OmegaConf reads what is not plain text
    (an interpolation, a missing value)."""
    loaded = _load_yaml(path)
    task = loaded.get("task") if isinstance(loaded, dict) else None
    name = task.get("objective") if isinstance(task, dict) else None
    if isinstance(name, str) and "${" not in name and name != "???":
        return name
    return str(OmegaConf.select(OmegaConf.load(path), "task.objective", default="?"))


def _overrides(path: Path) -> tuple[tuple[str, str], ...]:
    loaded = _load_yaml(path)
    if not isinstance(loaded, list):
        return ()
    pairs = []
    for item in loaded:
        key, _, value = str(item).partition("=")
        pairs.append((key, _HIDDEN if _SECRET_KEY.search(key) else value))
    return tuple(pairs)


def _natural(job: str) -> list[tuple[int, str]]:
    """Sort key: job ``2`` before ``10``."""
    return [(int(part), "") if part.isdigit() else (0, part) for part in re.split(r"(\d+)", job)]


def _figure(value: float | None, places: int) -> str:
    return "-" if value is None else f"{value:,.{places}f}"
