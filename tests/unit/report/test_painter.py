"""report.png drawn by the forked painter is byte for byte the one drawn in-process."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from bot.report.artifacts import plot_report
from bot.report.metrics import compute_metrics
from bot.report.painter import Painter
from tests.unit.report.runs import make_run

ROOT = Path(__file__).resolve().parents[3]

# Run in a fresh interpreter: the test runner may have threads, and the painter only
# forks from a process that has none.
SCRIPT = """
import sys
from pathlib import Path
import numpy as np
from bot.report.artifacts import plot_report
from bot.report.metrics import compute_metrics
from bot.report import painter as module
from bot.report.painter import Painter
from tests.unit.report.runs import make_run

out = Path(sys.argv[1])
run = make_run(10_000 + np.cumsum(np.linspace(-3, 3, 500)), initial="10000")
metrics = compute_metrics(run)
idle = Painter()
print("forked" if idle.forked else "inline")
idle.close()
print("closed" if not idle.forked else "open")
print("once" if not Painter().forked else "again")
module._FORKED.clear()
painter = Painter()
print("forked" if painter.forked else "inline")
painter.paint(run, metrics, out / "forked.png")
plot_report(run, metrics, out / "inline.png")
module._FORKED.clear()
print("loaded" if not Painter().forked else "forked")
"""


def test_forked_painter_draws_the_same_bytes(tmp_path: Path) -> None:
    answer = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    )
    # forks once per process, never once matplotlib is loaded, and lets an idle child go
    assert answer.stdout.split() == ["forked", "closed", "once", "forked", "loaded"]
    forked = (tmp_path / "forked.png").read_bytes()
    assert forked.startswith(b"\x89PNG")
    assert forked == (tmp_path / "inline.png").read_bytes()


def test_with_other_threads_the_painter_draws_in_process(tmp_path: Path) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        painter = Painter()
        assert not painter.forked
        run = make_run(10_000 + np.arange(50.0), initial="10000")
        metrics = compute_metrics(run)
        painter.paint(run, metrics, tmp_path / "a.png")
        plot_report(run, metrics, tmp_path / "b.png")
    finally:
        stop.set()
        other.join()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_writing_the_curve_does_not_import_pandas(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import numpy as np\n"
        "from pathlib import Path\n"
        "from bot.report.artifacts import write_equity_parquet\n"
        "from tests.unit.report.runs import make_run\n"
        "write_equity_parquet(make_run(np.arange(5.0)), Path(sys.argv[1]))\n"
        "print('pandas' in sys.modules)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "e.parquet")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    )
    assert answer.stdout.strip() == "False"
