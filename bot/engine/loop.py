"""The single writer: one engine thread changes trading state; other threads enqueue.

Stream callbacks, operator commands and strategy drivers on other threads hand their
work to :class:`EngineLoop` (:meth:`~EngineLoop.submit`, :meth:`~EngineLoop.post_fill`,
:meth:`~EngineLoop.call`) and the engine thread carries it out in arrival order. The
halt flag is the one exception: :class:`~bot.safety.panic.Panic` sets it from any
thread, and the executor checks it under the lock it holds while sending.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.domain import Fill, Intent
from bot.errors import BotError
from bot.execution import ExecutionResult, Executor

T = TypeVar("T")


class EngineStopped(BotError):
    """Work was handed to an engine loop that is not running."""


@dataclass(frozen=True, slots=True)
class _Job(Generic[T]):
    work: Callable[[], T]
    future: Future[T]


class EngineLoop:
    """Runs every change of trading state on one thread, in the order it was asked."""

    def __init__(self, executor: Executor, *, name: str = "engine") -> None:
        self._executor = executor
        self._jobs: queue.SimpleQueue[_Job[object] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._running = threading.Event()

    def start(self) -> None:
        """Start the engine thread."""
        self._running.set()
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Finish the work already queued, then stop the engine thread."""
        self._running.clear()
        self._jobs.put(None)
        self._thread.join(timeout_s)

    @property
    def thread(self) -> threading.Thread:
        """The engine thread (for tests and diagnostics)."""
        return self._thread

    def call(self, work: Callable[[], T]) -> Future[T]:
        """Run ``work`` on the engine thread; its result or exception lands in the future."""
        future: Future[T] = Future()
        if not self._running.is_set():
            future.set_exception(EngineStopped("the engine loop is not running"))
            return future
        self._jobs.put(_Job(work, future))  # type: ignore[arg-type]
        return future

    def submit(self, intent: Intent, timeout_s: float | None = None) -> ExecutionResult:
        """Hand ``intent`` to the executor on the engine thread and wait for the answer."""
        return self.call(lambda: self._executor.submit(intent)).result(timeout_s)

    def post_fill(self, fill: Fill) -> None:
        """Queue a fill from a stream thread; never raises into the caller."""
        self.call(lambda: self._executor.on_fill(fill))

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                job.future.set_result(job.work())
            except BaseException as exc:  # noqa: BLE001 -- handed to the caller's future
                job.future.set_exception(exc)
