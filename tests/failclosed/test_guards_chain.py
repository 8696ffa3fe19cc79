"""The GuardChain fails closed: a raising or babbling guard blocks, the rest still run,
and a reduce-only exit passes even when every feed is broken."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain import Intent, TriggerDirection
from bot.guards import Block, ClockSkewGuard, GuardChain, build_guard_chain
from bot.risk.state import TradingState, TradingStateHolder
from tests.unit.guards.doubles import (
    FakeSkew,
    FakeStream,
    RaisingStateHolder,
    RaisingTickers,
    close_all,
    market_buy,
    settings,
    stop_buy,
)
from tests.unit.guards.mutants import SwallowingChain, TrustingChain, assert_chain_blocks

pytestmark = pytest.mark.failclosed


class BrokenRule(Exception):
    """A custom error a third-party guard might raise."""


@dataclass
class Exploding:
    """A guard that raises ``error`` from ``check``."""

    error: Exception
    name: str = "exploding"
    entry_only: bool = True

    def check(self, intent: Intent) -> Block | None:
        raise self.error


@dataclass
class Babbling:
    """A guard that answers something that is neither None nor a Block."""

    name: str = "babbling"
    entry_only: bool = True

    def check(self, intent: Intent) -> Block | None:
        return "ok"  # type: ignore[return-value]


class BrokenClock:
    """A clock that raises."""

    def now_ms(self) -> int:
        raise RuntimeError("no time source")


ERRORS = [
    pytest.param(RuntimeError("boom"), "RuntimeError: boom", id="RuntimeError"),
    pytest.param(ValueError("bad number"), "ValueError: bad number", id="ValueError"),
    pytest.param(OSError("socket closed"), "OSError: socket closed", id="OSError"),
    pytest.param(KeyError("BTCUSDT"), "KeyError: 'BTCUSDT'", id="KeyError"),
    pytest.param(BrokenRule("rule 7 failed"), "BrokenRule: rule 7 failed", id="custom"),
]


def _with_unmeasured_skew(error: Exception) -> list[object]:
    return [Exploding(error), ClockSkewGuard(settings(), FakeSkew(None))]


@pytest.mark.parametrize(("error", "words"), ERRORS)
def test_a_raising_guard_blocks_and_the_others_still_run(error: Exception, words: str) -> None:
    chain = GuardChain(_with_unmeasured_skew(error))  # type: ignore[arg-type]
    exploded, skew = assert_chain_blocks(chain, market_buy(), "exploding", "clock_skew")
    assert exploded.reason == f"guard raised {words}"
    assert exploded.numbers == {"error": type(error).__name__}
    assert skew.reason == "clock skew has never been measured"


def test_an_answer_that_is_not_a_block_blocks() -> None:
    (block,) = assert_chain_blocks(GuardChain([Babbling()]), market_buy(), "babbling")
    assert block.reason == "guard answered 'ok', not a Block or None"


def broken_world(state: TradingState) -> GuardChain:
    """Every input broken: no prices, stream down, skew unknown, clock raising."""
    return build_guard_chain(
        settings(),
        state=TradingStateHolder(state, "loss limit"),
        prices=RaisingTickers(OSError("feed down")),
        stream=FakeStream(connected=False),
        skew=FakeSkew(None),
        clock=BrokenClock(),
    )


@pytest.mark.parametrize("state", list(TradingState))
def test_exit_passes_a_chain_whose_feed_is_broken(state: TradingState) -> None:
    assert broken_world(state).evaluate(close_all()) == []


def test_entry_is_blocked_by_every_guard_of_a_broken_world() -> None:
    blocks = assert_chain_blocks(
        broken_world(TradingState.HALTED),
        stop_buy("58000", TriggerDirection.RISE),
        "trading_state",
        "stream_health",
        "clock_skew",
        "feed_freshness",
        "price_band",
        "stop_trigger_side",
    )
    assert all(block.reason for block in blocks)
    assert "OSError: feed down" in blocks[3].reason


# ---- fail-open demonstration for the chain ------------------------------------------


@pytest.mark.parametrize(("error", "words"), ERRORS)
def test_fail_open_variant_is_caught_guard_chain_swallowing(error: Exception, words: str) -> None:
    """A chain that takes a raising guard as a pass fails the same assertion."""
    chain = SwallowingChain(_with_unmeasured_skew(error))  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="chain answered"):
        assert_chain_blocks(chain, market_buy(), "exploding", "clock_skew")


def test_fail_open_variant_is_caught_guard_chain_trusting() -> None:
    """A chain that takes any non-Block answer as a pass fails the same assertion."""
    with pytest.raises(AssertionError, match="chain answered"):
        assert_chain_blocks(TrustingChain([Babbling()]), market_buy(), "babbling")


def test_chain_mutants_are_realistic() -> None:
    """The mutant chains still report ordinary blocks."""
    chain = SwallowingChain([ClockSkewGuard(settings(), FakeSkew(9_000))])
    assert_chain_blocks(chain, market_buy(), "clock_skew")


# ---- the chain calls a built-in guard's rule directly -------------------------------


def _every_guard_broken() -> tuple[GuardChain, Intent]:
    """The broken world, with a trading state that cannot even be read."""
    chain = build_guard_chain(
        settings(),
        state=RaisingStateHolder(),
        prices=RaisingTickers(OSError("feed down")),
        stream=FakeStream(error=ConnectionError("socket closed")),
        skew=FakeSkew(error=TimeoutError("no answer")),
        clock=BrokenClock(),
    )
    return chain, stop_buy("58000", TriggerDirection.RISE)


def test_the_chain_blocks_a_raising_built_in_guard_exactly_as_its_check_does() -> None:
    chain, intent = _every_guard_broken()
    blocks = assert_chain_blocks(chain, intent, *(guard.name for guard in chain.guards))
    assert blocks == [guard.check(intent) for guard in chain.guards]
    assert all(block.numbers.get("error") for block in blocks)


def test_fail_open_variant_is_caught_built_in_guards_in_a_swallowing_chain() -> None:
    """A chain that swallows the errors of the built-in guards' rules fails the same
    assertion: their exceptions reach the chain, not their own ``check``."""
    chain, intent = _every_guard_broken()
    swallowing = SwallowingChain(chain.guards)
    with pytest.raises(AssertionError, match="chain answered"):
        assert_chain_blocks(swallowing, intent, *(guard.name for guard in chain.guards))


def test_a_guard_that_overrides_check_is_run_through_its_own_check() -> None:
    """A FailClosedGuard subclass with its own ``check`` is called through it."""

    class Vetoing(ClockSkewGuard):
        def check(self, intent: Intent) -> Block | None:
            return Block(self.name, "vetoed by its own check")

    chain = GuardChain([Vetoing(settings(), FakeSkew(0))])
    (block,) = assert_chain_blocks(chain, market_buy(), "clock_skew")
    assert block.reason == "vetoed by its own check"
