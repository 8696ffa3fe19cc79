"""The GuardChain: every applicable guard runs, and every objection is reported.

An exception inside a guard is a block naming the guard and the error; so is an answer
that is neither ``None`` nor a :class:`Block`. Entry-only guards are skipped for
reduce-only exits, so a broken feed never traps a position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.domain import CloseIntent, Intent
from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue
from bot.guards.base import Block, Clock, ClockSkew, Guard, PriceSource, StreamHealth
from bot.guards.feed import ClockSkewGuard, FeedFreshness, StreamHealthGuard
from bot.guards.price_band import PriceBand
from bot.guards.settings import GuardSettings
from bot.guards.stop_side import StopTriggerSide
from bot.guards.trading_state import TradingStateGuard
from bot.risk.state import TradingStateHolder


class GuardChain:
    """Runs guards in order; an empty list of blocks means the intent may proceed."""

    def __init__(self, guards: Sequence[Guard]) -> None:
        names: set[str] = set()
        for index, guard in enumerate(guards):
            if not isinstance(guard, Guard) or not isinstance(guard.name, str) or not guard.name:
                raise InvalidValue(f"guards[{index}]", guard, "a guard with a name and check()")
            if not isinstance(guard.entry_only, bool):
                raise InvalidValue(f"{guard.name}.entry_only", guard.entry_only, "a bool")
            if guard.name in names:
                raise InvalidValue(f"guards[{index}].name", guard.name, "a name used once")
            names.add(guard.name)
        self._guards = tuple(guards)
        # Bound methods, so the hot path never re-checks the Guard protocol per call.
        self._checks = tuple((guard.name, guard.entry_only, guard.check) for guard in guards)

    @property
    def guards(self) -> tuple[Guard, ...]:
        """The guards, in the order they run."""
        return self._guards

    def evaluate(self, intent: Intent) -> list[Block]:
        """Every block raised against ``intent``; entry-only guards skip exits."""
        is_exit = isinstance(intent, CloseIntent)
        blocks = []  # no annotated local here: beartype would check it on every call
        run_one = self._run_one
        for name, entry_only, check in self._checks:
            if is_exit and entry_only:
                continue
            block = run_one(name, check, intent)
            if block is not None:
                blocks.append(block)
        return blocks

    @hot_path
    def _run_one(
        self, name: str, check: Callable[[Intent], object], intent: Intent
    ) -> Block | None:
        try:
            answer = check(intent)
        except Exception as exc:  # noqa: BLE001 -- fail closed: a raising guard blocks
            kind = type(exc).__name__
            return Block(name, f"guard raised {kind}: {exc}", {"error": kind})
        if answer is None or isinstance(answer, Block):
            return answer
        return Block(
            name,
            f"guard answered {answer!r}, not a Block or None",
            {"error": type(answer).__name__},
        )


def build_guard_chain(
    settings: GuardSettings,
    *,
    state: TradingStateHolder,
    prices: PriceSource,
    stream: StreamHealth,
    skew: ClockSkew,
    clock: Clock,
) -> GuardChain:
    """The standard chain: trading state, stream health, clock skew, feed freshness,
    price band, stop-trigger side (in that order)."""
    guards: list[Guard] = [
        TradingStateGuard(state),
        StreamHealthGuard(settings, stream, clock),
        ClockSkewGuard(settings, skew),
        FeedFreshness(settings, prices, clock),
        PriceBand(settings, prices),
        StopTriggerSide(settings, prices),
    ]
    return GuardChain(guards)
