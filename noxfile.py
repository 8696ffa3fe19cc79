"""Every check the project runs, one nox session each; CI and people run the same ones.

``nox`` runs all sessions but ``bench`` and ``cluster``; ``nox -s tests`` runs one.
Sessions use the interpreter nox runs under (the CI matrix picks the version) and build
their virtualenvs with uv when it is available.
"""

from __future__ import annotations

import csv
import shutil
import socket
import tempfile
from pathlib import Path

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = [
    "lint",
    "typecheck",
    "arch",
    "tests",
    "failclosed",
    "concurrency",
    "property",
    "integration",
    "sweeps",
]

ROOT = Path(__file__).parent
WORKFLOW = ".github/workflows/ci.yml"


def _install(session: nox.Session, extra: str) -> None:
    session.install("-e", f".[{extra}]")


def _pytest_marked(session: nox.Session, marker: str) -> None:
    """The tests marked ``marker``; none collected (pytest's exit 5) fails the session."""
    _install(session, "test")
    session.run(
        "pytest",
        "tests",
        "--ignore=tests/typing",
        "-m",
        marker,
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format) over the code, actionlint over the CI workflow."""
    _install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("actionlint", WORKFLOW)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over bot/ and tests/, then the files that must fail type checking."""
    _install(session, "typecheck")
    session.run("mypy")
    session.run("pytest", "tests/typing", *session.posargs)


@nox.session
def arch(session: nox.Session) -> None:
    """The import-linter contracts of DESIGN.md section 2."""
    _install(session, "arch")
    session.run("lint-imports", "--no-cache")


@nox.session
def tests(session: nox.Session) -> None:
    """Every test but the typing ones, with branch coverage of at least 90 %."""
    _install(session, "test")
    session.run(
        "pytest",
        "tests",
        "--ignore=tests/typing",
        "--cov=bot",
        "--cov-branch",
        "--cov-report=term-missing",
        "--cov-fail-under=90",
        *session.posargs,
    )


@nox.session
def failclosed(session: nox.Session) -> None:
    """Guards and checks block on missing, bad or raising input."""
    _pytest_marked(session, "failclosed")


@nox.session
def concurrency(session: nox.Session) -> None:
    """Many threads, seeded schedules, bounded in time."""
    _pytest_marked(session, "concurrency")


@nox.session(name="property")
def property_tests(session: nox.Session) -> None:
    """Hypothesis invariants: rounding, sizing, constructors."""
    _pytest_marked(session, "property")


@nox.session
def integration(session: nox.Session) -> None:
    """The real pybit client against the fake Bybit server on loopback."""
    _pytest_marked(session, "integration")


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Throughput and latency benchmarks; never part of a bare ``nox``."""
    _install(session, "test")
    session.run("python", str(ROOT / "benchmarks" / "run.py"), *session.posargs)


@nox.session
def sweeps(session: nox.Session) -> None:
    """The sweep tests with the Optuna extra installed: there they must run, not skip."""
    _install(session, "test,optuna")
    session.run(
        "pytest",
        "tests/unit/test_sweeps.py",
        "tests/unit/report/test_sweep.py",
        *session.posargs,
        env={"BOT_REQUIRE_OPTUNA": "1"},
    )


@nox.session(default=False)
def cluster(session: nox.Session) -> None:
    """A 4-point sweep on a local Ray head node through ``+sweep=ray``; never in a bare nox.

    Starts the head node on a free loopback port, runs the sweep against its address,
    checks that the four runs finished and the sweep table was written, and always
    stops the node.
    """
    _install(session, "ray")
    port = _free_port()
    sweep_dir = Path(session.create_tmp()) / "cluster-sweep"
    shutil.rmtree(sweep_dir, ignore_errors=True)
    # nox points TMPDIR into the session's virtualenv, where Ray refuses its temp dir.
    temp_dir = tempfile.mkdtemp(prefix="bot-ray-")
    # Keep every Ray address on loopback (Ray on Linux otherwise advertises the
    # machine's outward interface even for a one-node cluster).
    env = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    session.run(
        "ray",
        "start",
        "--head",
        f"--port={port}",
        "--node-ip-address=127.0.0.1",
        "--num-cpus=2",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--temp-dir={temp_dir}",
        env=env,
    )
    try:
        session.run(
            "python",
            "-m",
            "bot",
            "-m",
            "+sweep=ray",
            f"hydra.launcher.ray.init.address=127.0.0.1:{port}",
            "strategy.fast=5,8,11,14",
            "data.days=1",
            f"hydra.sweep.dir={sweep_dir}",
            env=env,
        )
        _check_sweep(session, sweep_dir, runs=4)
    finally:
        session.run("ray", "stop", env=env)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _check_sweep(session: nox.Session, sweep_dir: Path, *, runs: int) -> None:
    finished = sorted(path.parent.name for path in sweep_dir.glob("*/metrics.json"))
    with (sweep_dir / "sweep_results.csv").open(encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    ok = [row for row in rows if row["status"] == "ok"]
    if len(finished) != runs or len(ok) != runs or not (sweep_dir / "sweep_results.txt").is_file():
        session.error(f"expected {runs} finished runs and the table, got {finished} and {rows}")
    session.log(f"{runs} runs finished; sweep table in {sweep_dir}")
