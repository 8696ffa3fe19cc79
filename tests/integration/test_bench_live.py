"""The live tick-to-order benchmark (``benchmarks/bench_live.py``) runs, short.

A smoke run of 200 ticks as ``nox -s bench`` starts it (a script in its own process, so
its class-level wrappers never reach other tests): it must exit 0 and account for every
tick. Speed is not asserted here; the figures are the benchmark's business.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
TICKS = 200


def test_a_short_run_answers_every_tick_with_one_order(tmp_path):
    out = tmp_path / "figures.json"
    script = ROOT / "benchmarks" / "bench_live.py"
    done = subprocess.run(
        [sys.executable, str(script), "--ticks", str(TICKS), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["ticks"] == figures["measured"] == TICKS
    assert figures["no_order"] == figures["not_received"] == figures["extra_orders"] == 0
    assert figures["orders_at_fake"] == TICKS
    assert figures["refused_intents"] == 0
    assert figures["rate_limit_waits"] == 0
    assert figures["beartype_on"] is True
    spread = figures["tick_to_order"]
    assert 0 < spread["p50_us"] <= spread["p90_us"] <= spread["p99_us"] <= spread["max_us"]
    assert f"over {TICKS:,} of {TICKS:,} ticks" in done.stdout
