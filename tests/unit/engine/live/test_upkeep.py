"""The trading state another process journaled, read by a running session."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.live.logs import LiveLog
from bot.engine.live.road import LiveRoad, build_live_road
from bot.engine.live.upkeep import state_from_journal
from bot.execution.journal import Journal
from bot.risk import TradingState
from tests.support.settings import bybit_settings_for


@pytest.fixture
def road(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LiveRoad]:
    """A live road (nothing connected) on a fresh journal."""
    settings = bybit_settings_for(monkeypatch, tmp_path / "journal.sqlite")
    found = build_live_road(settings, run_id="Ltest")
    yield found
    found.close()


def other_process_writes(road: LiveRoad, state: TradingState, reason: str) -> None:
    """``state`` written through a second connection, as an operator task would."""
    with Journal(road.journal.path) as other:
        other.record_state(state, reason)


def state_of(road: LiveRoad) -> TradingState:
    """The running state (a call, so a type checker does not keep a narrowed value)."""
    return road.state.state


def quiet() -> LiveLog:
    return LiveLog("Ltest", stream=io.StringIO())


def test_a_halt_written_by_another_process_is_taken_on(road: LiveRoad) -> None:
    other_process_writes(road, TradingState.HALTED, "operator task=panic")
    assert state_from_journal(road, quiet()) is True
    assert state_of(road) is TradingState.HALTED
    assert "operator task=panic" in road.state.reason
    assert state_from_journal(road, quiet()) is False  # once


def test_nothing_in_the_journal_changes_nothing(road: LiveRoad) -> None:
    assert state_from_journal(road, quiet()) is False
    assert state_of(road) is TradingState.ACTIVE


def test_a_looser_state_in_the_journal_never_loosens_the_running_one(road: LiveRoad) -> None:
    road.state.escalate(TradingState.REDUCING, "daily loss")
    other_process_writes(road, TradingState.ACTIVE, "operator reset")
    assert state_from_journal(road, quiet()) is False
    assert state_of(road) is TradingState.REDUCING
    other_process_writes(road, TradingState.HALTED, "operator task=panic")
    assert state_from_journal(road, quiet()) is True
    assert state_of(road) is TradingState.HALTED
