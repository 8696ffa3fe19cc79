"""The trading state every order passes first: ACTIVE, REDUCING or HALTED.

ACTIVE allows entries and exits; REDUCING and HALTED allow only reduce-only exits.
Leaving HALTED needs an explicit operator reset. Changes are linearizable: a reader
that sees a state after :meth:`TradingStateHolder.set` returned sees that state or a
later one. The lock is also what the executor holds while it hands an entry to the
venue, so a halt cannot slip between the check and the send.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import Enum

from bot.domain.hotpath import hot_path
from bot.errors import InvalidTransition


class TradingState(Enum):
    """What the bot may do now."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"

    @property
    @hot_path
    def allows_entries(self) -> bool:
        """Only ACTIVE allows orders that open or add exposure."""
        return self is TradingState.ACTIVE


_RANK = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}


class TradingStateHolder:
    """The one shared, thread-safe trading state, with its reason and listeners."""

    def __init__(self, initial: TradingState = TradingState.ACTIVE, reason: str = "") -> None:
        self.lock = threading.RLock()
        self._state = initial
        self._reason = reason
        self._listeners: list[Callable[[TradingState, str], None]] = []
        self._escalating = False

    @property
    @hot_path
    def state(self) -> TradingState:
        """The current state."""
        return self._state

    @property
    @hot_path
    def allows_entries(self) -> bool:
        """True only in ACTIVE with no escalation under way.

        An escalation announces itself before it waits for the lock, so threads that
        are queueing to send entries stop at once instead of delaying the halt.
        """
        return not self._escalating and self._state.allows_entries

    @property
    def reason(self) -> str:
        """Why the state was last changed."""
        return self._reason

    def on_change(self, listener: Callable[[TradingState, str], None]) -> None:
        """Call ``listener(state, reason)`` after every change (e.g. to persist it)."""
        with self.lock:
            self._listeners.append(listener)

    def escalate(self, state: TradingState, reason: str) -> bool:
        """Move to a stricter state (never a looser one); True if the state changed."""
        if _RANK[state] > _RANK[TradingState.ACTIVE]:
            self._escalating = True
        with self.lock:
            if _RANK[state] <= _RANK[self._state]:
                self._escalating = self._state is not TradingState.ACTIVE
                return False
            self._set(state, reason)
            return True

    def reset(self, reason: str) -> TradingState:
        """Operator action: back to ACTIVE from any state. Returns the previous state."""
        if not reason.strip():
            raise InvalidTransition("a reset needs a reason from the operator")
        with self.lock:
            previous = self._state
            self._escalating = False
            self._set(TradingState.ACTIVE, reason)
            return previous

    def _set(self, state: TradingState, reason: str) -> None:
        self._state = state
        self._reason = reason
        for listener in self._listeners:
            listener(state, reason)
