"""GuardChain: every guard runs, every reason is reported, exits skip entry-only guards."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain import Intent
from bot.errors import InvalidValue, TypeViolation
from bot.guards import Block, GuardChain, build_guard_chain
from bot.risk.state import TradingState, TradingStateHolder
from tests.unit.guards.doubles import (
    NOW,
    FakeClock,
    FakeSkew,
    FakeStream,
    close_all,
    market_buy,
    settings,
    ticker,
)


@dataclass
class Fixed:
    """A guard that always answers ``answer``."""

    name: str
    answer: Block | None
    entry_only: bool = True

    def check(self, intent: Intent) -> Block | None:
        return self.answer


def healthy_chain(state: TradingStateHolder | None = None) -> GuardChain:
    return build_guard_chain(
        settings(),
        state=state or TradingStateHolder(),
        prices=ticker(),
        stream=FakeStream(),
        skew=FakeSkew(0),
        clock=FakeClock(),
    )


def test_standard_chain_order() -> None:
    names = [guard.name for guard in healthy_chain().guards]
    assert names == [
        "trading_state",
        "stream_health",
        "clock_skew",
        "feed_freshness",
        "price_band",
        "stop_trigger_side",
    ]


def test_healthy_chain_passes_an_entry() -> None:
    assert healthy_chain().evaluate(market_buy()) == []


def test_every_block_is_reported_in_order() -> None:
    chain = GuardChain(
        [Fixed("a", Block("a", "first")), Fixed("b", None), Fixed("c", Block("c", "third"))]
    )
    assert [str(block) for block in chain.evaluate(market_buy())] == ["a: first", "c: third"]


def test_exit_skips_entry_only_guards_but_not_the_others() -> None:
    chain = GuardChain(
        [Fixed("feed", Block("feed", "stale")), Fixed("state", Block("state", "no"), False)]
    )
    assert [block.guard for block in chain.evaluate(close_all())] == ["state"]


def test_halted_chain_blocks_entries_and_lets_exits_through() -> None:
    chain = healthy_chain(TradingStateHolder(TradingState.HALTED, "panic"))
    assert [block.guard for block in chain.evaluate(market_buy())] == ["trading_state"]
    assert chain.evaluate(close_all()) == []


def test_stale_feed_and_skew_both_reported() -> None:
    chain = build_guard_chain(
        settings(),
        state=TradingStateHolder(),
        prices=ticker(ts_ms=NOW - 60_000),
        stream=FakeStream(),
        skew=FakeSkew(5_000),
        clock=FakeClock(),
    )
    assert [block.guard for block in chain.evaluate(market_buy())] == [
        "clock_skew",
        "feed_freshness",
    ]


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(InvalidValue, match="a name used once"):
        GuardChain([Fixed("a", None), Fixed("a", None)])


def test_something_that_is_not_a_guard_is_refused() -> None:
    with pytest.raises((InvalidValue, TypeViolation)):
        GuardChain([object()])  # type: ignore[list-item]


def test_something_that_is_not_an_intent_is_refused_by_evaluate() -> None:
    chain = healthy_chain()
    for wrong in (None, "BTCUSDT buy", market_buy().symbol):
        with pytest.raises(TypeViolation, match="EntryIntent or a CloseIntent"):
            chain.evaluate(wrong)  # type: ignore[arg-type]
