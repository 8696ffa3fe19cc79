"""The kill switch: halt, cancel everything, flatten, then tell everyone.

Order of work, each step isolated from the failures of the others:

1. HALTED, set first (listeners persist it). From the moment :meth:`Panic.trigger`
   has set it, no entry order reaches the venue (the executor checks the state under
   the same lock it holds while sending).
2. Cancel every open order.
3. Close every position with reduce-only market orders, re-reading the positions and
   retrying with exponential backoff until flat or ``max_attempts`` is used up.
4. Run every registered callback exactly once, each isolated: an ``Exception`` is
   recorded and the next callback still runs; ``KeyboardInterrupt`` or ``SystemExit``
   is held until the whole sequence is done, then re-raised.
5. Verify flat and report.

Safe from any thread (one panic runs at a time; a second caller waits for it and
re-runs the idempotent steps 2, 3 and 5). Leaving HALTED needs an operator reset on
the :class:`~bot.risk.TradingStateHolder`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.domain import CloseIntent, Symbol
from bot.execution import Executor, Rejected
from bot.risk import TradingState, TradingStateHolder

Callback = Callable[[], None]


@dataclass(frozen=True, slots=True)
class CallbackFailure:
    """A callback that raised: its name and what it raised."""

    name: str
    error: str


@dataclass(frozen=True, slots=True)
class PanicReport:
    """What the panic did and whether the account ended flat."""

    reason: str
    cancelled: tuple[str, ...]
    close_attempts: int
    flat: bool
    remaining: tuple[Symbol, ...]
    callbacks_run: tuple[str, ...]
    failures: tuple[CallbackFailure, ...]
    errors: tuple[str, ...] = field(default=())


class Panic:
    """The kill switch for one executor and its trading state."""

    def __init__(
        self,
        executor: Executor,
        state: TradingStateHolder,
        *,
        max_attempts: int = 5,
        backoff_s: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._executor = executor
        self._state = state
        self._max_attempts = max(1, max_attempts)
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._run_lock = threading.RLock()
        self._callbacks_lock = threading.Lock()
        self._callbacks: list[tuple[str, Callback]] = []
        self._ran: set[int] = set()
        self._triggered = False
        self._late_failures: list[CallbackFailure] = []

    def register(self, name: str, callback: Callback) -> None:
        """Add a callback; one registered after a panic started still runs exactly once."""
        with self._callbacks_lock:
            self._callbacks.append((name, callback))
            late = self._triggered
        if late:
            held: list[BaseException] = []
            with self._run_lock:
                self._run_callbacks(self._late_failures, held)
            if held:
                raise held[0]

    @property
    def late_failures(self) -> list[CallbackFailure]:
        """Failures of callbacks that were registered after a panic had finished."""
        return list(self._late_failures)

    @property
    def triggered(self) -> bool:
        """True once any panic has started."""
        return self._triggered

    def trigger(self, reason: str) -> PanicReport:
        """Run the whole sequence; returns its report (re-raising held interrupts)."""
        self._state.escalate(TradingState.HALTED, f"panic: {reason}")
        with self._callbacks_lock:
            self._triggered = True
        with self._run_lock:
            errors: list[str] = []
            cancelled = self._cancel_all(errors)
            attempts, remaining = self._flatten(errors)
            failures: list[CallbackFailure] = []
            held: list[BaseException] = []
            ran = self._run_callbacks(failures, held)
            report = PanicReport(
                reason=reason,
                cancelled=tuple(cancelled),
                close_attempts=attempts,
                flat=remaining == [],
                remaining=tuple(remaining or ()),
                callbacks_run=tuple(ran),
                failures=tuple(failures),
                errors=tuple(errors),
            )
        if held:
            raise held[0]
        return report

    def _cancel_all(self, errors: list[str]) -> list[str]:
        try:
            return self._executor.cancel_all()
        except Exception as exc:  # noqa: BLE001 -- recorded; flattening still runs
            errors.append(f"cancel all failed: {type(exc).__name__}: {exc}")
            return []

    def _flatten(self, errors: list[str]) -> tuple[int, list[Symbol] | None]:
        """Close until flat; the remaining symbols, or None when they cannot be read."""
        for attempt in range(1, self._max_attempts + 1):
            remaining = self._read_positions(errors, f"attempt {attempt}")
            if remaining == []:
                return attempt - 1, []
            for symbol in remaining or []:
                result = self._executor.submit(CloseIntent(symbol, Decimal(1)))
                if isinstance(result, Rejected):
                    errors.append(f"attempt {attempt}: close {symbol}: {result}")
            if attempt < self._max_attempts:
                self._sleep(self._backoff_s * 2 ** (attempt - 1))
        return self._max_attempts, self._read_positions(errors, "final check")

    def _read_positions(self, errors: list[str], when: str) -> list[Symbol] | None:
        try:
            return sorted(self._executor.positions())
        except Exception as exc:  # noqa: BLE001 -- unknown positions: not flat, retry
            errors.append(f"{when}: positions unavailable: {type(exc).__name__}: {exc}")
            return None

    def _run_callbacks(
        self, failures: list[CallbackFailure], held: list[BaseException]
    ) -> list[str]:
        ran: list[str] = []
        while True:
            with self._callbacks_lock:
                pending = [
                    (i, name, cb)
                    for i, (name, cb) in enumerate(self._callbacks)
                    if i not in self._ran
                ]
                self._ran.update(i for i, _, _ in pending)
            if not pending:
                return ran
            for _, name, callback in pending:
                ran.append(name)
                try:
                    callback()
                except (KeyboardInterrupt, SystemExit) as exc:
                    held.append(exc)
                except Exception as exc:  # noqa: BLE001 -- isolated: record, run the rest
                    failures.append(CallbackFailure(name, f"{type(exc).__name__}: {exc}"))
