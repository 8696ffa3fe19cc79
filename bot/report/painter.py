"""``report.png`` drawn in a child process, so matplotlib loads while the backtest runs.

Importing matplotlib costs about as much as a 30-day backtest. A :class:`Painter`
made at the start of a run forks a child that imports it at once, then waits for the
run's record; :meth:`Painter.paint` hands the record over and waits for the picture.
The child runs the very same :func:`~bot.report.artifacts.plot_report`, so the file is
byte for byte the one the parent would draw.

Forking is only done where it is safe and useful: on Linux, from a process with no
other thread running (a thread could hold a lock the child would then wait on forever),
once per process and while matplotlib is not loaded yet (a sequential sweep then pays
for the import once, in-process, from its second run on).
Anywhere else, and whenever the child fails for any reason, the parent draws the
picture itself, so a failure there is the parent's own, with its own message.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
import weakref
from pathlib import Path
from typing import NoReturn

from bot.report.metrics import Metrics
from bot.report.record import RunRecord


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _child(orders: int, answers: int) -> NoReturn:
    """The child's whole life: load matplotlib, wait for one record, draw it, exit."""
    code = 1
    try:
        from bot.report.artifacts import load_plotting, plot_report

        load_plotting()
        data = _read_all(orders)
        if data:
            run, metrics, path = pickle.loads(data)
            plot_report(run, metrics, path)
            _write_all(answers, b"ok")
        code = 0
    except BaseException:  # noqa: BLE001 -- the parent draws it again and reports
        code = 1
    finally:
        os._exit(code)


#: Set once a painter has forked: later runs in this process (a sequential sweep) draw
#: in-process, so matplotlib is imported once for all of them.
_FORKED: list[bool] = []


def _worth_forking() -> bool:
    """Fork only on Linux, with no other thread, once per process, and only while
    matplotlib is not loaded here yet."""
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not _FORKED
        and "matplotlib.figure" not in sys.modules
    )


def _release(child: list[int]) -> None:
    """Close both pipes and reap the child (which exits on the closed pipe), once."""
    if child:
        pid, orders, answers = child
        child.clear()
        os.close(orders)
        os.close(answers)
        os.waitpid(pid, 0)


class Painter:
    """Draws one ``report.png``, in a forked child when possible (see the module doc).

    A painter dropped without :meth:`paint` (a run that failed) lets its child go when
    it is garbage-collected, or at :meth:`close`.
    """

    def __init__(self) -> None:
        self._pid: int | None = None
        self._orders = -1
        self._answers = -1
        self._child: list[int] = []
        if not _worth_forking():
            return
        _FORKED.append(True)
        orders_in, orders_out = os.pipe()
        answers_in, answers_out = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(orders_out)
            os.close(answers_in)
            _child(orders_in, answers_out)
        os.close(orders_in)
        os.close(answers_out)
        self._pid, self._orders, self._answers = pid, orders_out, answers_in
        self._child = [pid, orders_out, answers_in]
        weakref.finalize(self, _release, self._child)

    @property
    def forked(self) -> bool:
        """True while a child is waiting to draw."""
        return self._pid is not None

    def paint(self, run: RunRecord, metrics: Metrics, path: Path) -> None:
        """Draw ``run`` into ``path``: by the child if there is one, else (or if it
        failed) here."""
        from bot.report.artifacts import plot_report

        if self._pid is not None:
            with contextlib.suppress(OSError):  # a child gone shows in its answer below
                _write_all(self._orders, pickle.dumps((run, metrics, path)))
            if self._finish() == b"ok":
                return
        plot_report(run, metrics, path)

    def close(self) -> None:
        """Let the child go without a picture (nothing to draw)."""
        self._finish()

    def _finish(self) -> bytes:
        if self._pid is None:
            return b""
        os.close(self._orders)
        answer = _read_all(self._answers)
        os.close(self._answers)
        os.waitpid(self._pid, 0)
        self._child.clear()
        self._pid = None
        return answer
