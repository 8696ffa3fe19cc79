"""The GuardChain: every applicable guard runs, and every objection is reported.

An exception inside a guard is a block naming the guard and the error; so is an answer
that is neither ``None`` nor a :class:`Block`. A built-in guard (a
:class:`~bot.guards.failclosed.FailClosedGuard` that keeps its ``check``) has its rule
called directly, its exception turned into the block its ``check`` would give.
Entry-only guards are skipped for reduce-only exits, so a broken feed never traps a
position.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.domain import CloseIntent, EntryIntent, Intent
from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue, TypeViolation
from bot.guards.base import Block, Clock, ClockSkew, Guard, PriceSource, StreamHealth
from bot.guards.failclosed import FailClosedGuard, error_block
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
        self._checks = tuple(_bound(guard) for guard in guards)

    @property
    def guards(self) -> tuple[Guard, ...]:
        """The guards, in the order they run."""
        return self._guards

    @hot_path  # checks its one input itself (see the body): cheaper than the wrapper
    def evaluate(self, intent: Intent) -> list[Block]:
        """Every block raised against ``intent``; entry-only guards skip exits."""
        if isinstance(intent, CloseIntent):
            is_exit = True
        elif isinstance(intent, EntryIntent):
            is_exit = False
        else:
            raise TypeViolation(
                f"GuardChain.evaluate needs an EntryIntent or a CloseIntent, not {intent!r}"
            )
        blocks = []  # no annotated local here: beartype would check it on every call
        for name, entry_only, check, fail_closed in self._checks:
            if is_exit and entry_only:
                continue
            try:
                answer = check(intent)
            except Exception as exc:  # noqa: BLE001 -- fail closed: a raising guard blocks
                answer = self._raised(name, exc, fail_closed=fail_closed)
            if answer is None:
                continue
            if not isinstance(answer, Block):
                answer = self._not_a_block(name, answer)
                if answer is None:
                    continue
            blocks.append(answer)
        return blocks

    def _raised(self, name: str, exc: Exception, *, fail_closed: bool) -> Block | None:
        """The block for guard ``name``, which raised ``exc``. A built-in guard's rule
        (``evaluate``) is called directly, so its block is the one its ``check`` gives."""
        if fail_closed:
            return error_block(name, exc)
        kind = type(exc).__name__
        return Block(name, f"guard raised {kind}: {exc}", {"error": kind})

    def _not_a_block(self, name: str, answer: object) -> Block | None:
        """The block for guard ``name``, which answered neither None nor a Block."""
        return Block(
            name,
            f"guard answered {answer!r}, not a Block or None",
            {"error": type(answer).__name__},
        )


def _bound(guard: Guard) -> tuple[str, bool, Callable[[Intent], object], bool]:
    """What the chain calls for ``guard``: its name, whether it is entry-only, the callable,
    and whether that callable is a built-in guard's rule (``evaluate``).

    A built-in guard whose ``check`` is :meth:`FailClosedGuard.check` (not overridden) has
    its rule called directly, and an exception turned into the same block that ``check``
    would give (:func:`error_block`): the same answers, one call fewer per guard.
    """
    check = guard.check
    if isinstance(guard, FailClosedGuard) and getattr(check, "__func__", None) is _CHECK:
        return guard.name, guard.entry_only, guard.evaluate, True
    return guard.name, guard.entry_only, check, False


_CHECK = FailClosedGuard.check


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
