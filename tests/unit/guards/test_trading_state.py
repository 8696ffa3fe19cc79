"""TradingStateGuard: entries need ACTIVE; reduce-only exits pass in every state."""

from __future__ import annotations

import pytest

from bot.guards import TradingStateGuard
from bot.risk.state import TradingState, TradingStateHolder
from tests.unit.guards.doubles import close_all, market_buy


def test_entry_passes_when_active() -> None:
    assert TradingStateGuard(TradingStateHolder()).check(market_buy()) is None


@pytest.mark.parametrize("state", [TradingState.REDUCING, TradingState.HALTED])
def test_entry_is_blocked_unless_active(state: TradingState) -> None:
    holder = TradingStateHolder(state, "daily loss 600 reached limit 500")
    block = TradingStateGuard(holder).check(market_buy())
    assert block is not None
    assert block.guard == "trading_state"
    assert block.reason == (
        f"trading state is {state.name} (daily loss 600 reached limit 500): "
        "only reduce-only exits are allowed"
    )
    assert block.numbers == {"state": state.name}


@pytest.mark.parametrize("state", list(TradingState))
def test_reduce_only_exit_passes_in_every_state(state: TradingState) -> None:
    assert TradingStateGuard(TradingStateHolder(state)).check(close_all()) is None


def test_runs_for_exits_too() -> None:
    assert TradingStateGuard.entry_only is False
    assert TradingStateGuard.name == "trading_state"
