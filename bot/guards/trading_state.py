"""The trading-state guard: entries need ACTIVE; reduce-only exits pass in any state."""

from __future__ import annotations

from bot.domain import CloseIntent, Intent
from bot.domain.hotpath import hot_path
from bot.guards.base import Block
from bot.guards.failclosed import FailClosedGuard, InputUnavailable
from bot.risk.state import TradingState, TradingStateHolder


class TradingStateGuard(FailClosedGuard):
    """Blocks entries unless the bot is ACTIVE; exits pass in REDUCING and HALTED too.

    This guard also runs for exits (``entry_only`` is False), but an exit passes only
    when it is a reduce-only :class:`~bot.domain.CloseIntent`.
    """

    name = "trading_state"
    entry_only = False

    def __init__(self, state: TradingStateHolder) -> None:
        self._state = state

    @hot_path  # the chain checked the intent; it checks the answer (see FailClosedGuard)
    def evaluate(self, intent: Intent) -> Block | None:
        """Block an entry unless ACTIVE; block anything that is not reduce-only otherwise."""
        state = self._state.state
        if not isinstance(state, TradingState):
            raise InputUnavailable(f"trading state is unknown: got {state!r}")
        if isinstance(intent, CloseIntent) and intent.reduce_only is True:
            return None
        if state.allows_entries:
            return None
        reason = self._state.reason or "no reason recorded"
        return Block(
            self.name,
            f"trading state is {state.name} ({reason}): only reduce-only exits are allowed",
            {"state": state.name},
        )
