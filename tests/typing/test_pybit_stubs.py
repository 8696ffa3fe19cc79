"""The hand-written pybit stubs agree with the installed pybit, and the sample is inert."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_stubs_match_the_installed_pybit(tmp_path: Path) -> None:
    """mypy's stubtest finds no stubbed name that is missing or differs at run time."""
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed: the stub check cannot run")
    env = dict(os.environ, MYPYPATH=str(ROOT / "typings"))
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "pybit", "--ignore-missing-stub"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_importing_the_sample_connects_nothing() -> None:
    """The sample only defines things; the loopback HTTP client sets its endpoint."""
    from pybit.unified_trading import HTTP, WebSocket

    from tests.typing import pybit_usage

    assert issubclass(pybit_usage.LoopbackHTTP, HTTP)
    assert issubclass(pybit_usage.LoopbackWebSocket, WebSocket)
    http = pybit_usage.LoopbackHTTP(base_url="http://127.0.0.1:9")
    assert http.endpoint == "http://127.0.0.1:9"
