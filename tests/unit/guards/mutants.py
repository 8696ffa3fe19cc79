"""The shared fail-closed assertion and deliberately fail-open mutants of the guards.

Each mutant is a realistic bug: it behaves like the real guard on good input and on
ordinary blocks, and fails open only where a careless guard would. The fail-closed
suite shows that its assertions catch every one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.domain import Intent
from bot.guards import Block, FailClosedGuard, Guard, GuardChain

G = TypeVar("G", bound=FailClosedGuard)


def assert_blocks(guard: Guard, intent: Intent, *words: str) -> Block:
    """The fail-closed assertion: ``guard`` blocks ``intent`` and says ``words``."""
    answer = guard.check(intent)
    assert isinstance(answer, Block), f"{guard.name} let the entry through: {answer!r}"
    assert answer.guard == guard.name, f"block names {answer.guard!r}, not {guard.name!r}"
    for word in words:
        assert word in answer.reason, f"{word!r} not in {answer.reason!r}"
    return answer


def assert_chain_blocks(chain: GuardChain, intent: Intent, *guards: str) -> list[Block]:
    """The chain blocks ``intent`` and names exactly ``guards``, in order."""
    blocks = chain.evaluate(intent)
    assert [block.guard for block in blocks] == list(guards), f"chain answered {blocks!r}"
    return blocks


def swallows_errors(cls: type[G]) -> type[G]:
    """Mutant: the classic ``except Exception: return None`` around the guard's rule."""

    class SwallowsErrors(cls):  # type: ignore[valid-type,misc]
        def check(self, intent: Intent) -> Block | None:
            try:
                answer: Block | None = self.evaluate(intent)
            except Exception:  # the bug being demonstrated
                return None
            return answer

    SwallowsErrors.__name__ = f"SwallowsErrors{cls.__name__}"
    return SwallowsErrors


def missing_input_passes(cls: type[G], probe: Callable[[G, Intent], object]) -> type[G]:
    """Mutant: ``if input is None: return None`` ("no data, no objection")."""

    class MissingInputPasses(cls):  # type: ignore[valid-type,misc]
        def evaluate(self, intent: Intent) -> Block | None:
            if probe(self, intent) is None:
                return None
            answer: Block | None = super().evaluate(intent)
            return answer

    MissingInputPasses.__name__ = f"MissingInputPasses{cls.__name__}"
    return MissingInputPasses


class SwallowingChain(GuardChain):
    """Mutant chain: a guard that raises is taken as "no objection"."""

    def _raised(self, name: str, exc: Exception, *, fail_closed: bool) -> Block | None:
        return None  # the bug being demonstrated


class TrustingChain(GuardChain):
    """Mutant chain: any answer that is not a Block is taken as a pass."""

    def _not_a_block(self, name: str, answer: object) -> Block | None:
        return None  # the bug being demonstrated
