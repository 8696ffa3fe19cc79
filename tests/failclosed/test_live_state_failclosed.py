"""A running session that cannot read the journal's trading state halts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.engine.live.logs import LiveLog
from bot.engine.live.road import build_live_road
from bot.engine.live.upkeep import state_from_journal
from bot.risk import TradingState
from tests.support.settings import bybit_settings_for

pytestmark = pytest.mark.failclosed


def test_an_unreadable_journal_halts_the_running_session(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = bybit_settings_for(monkeypatch, tmp_path / "journal.sqlite")
    road = build_live_road(settings, run_id="Ltest")
    stream = io.StringIO()
    try:
        road.journal.close()  # every read now fails, as on a disk that went away
        assert state_from_journal(road, LiveLog("Ltest", stream=stream)) is True
        assert road.state.state is TradingState.HALTED
        assert "trading state cannot be read" in road.state.reason
        assert "trading state cannot be read" in stream.getvalue()  # the alarm line
    finally:
        road.close()  # closing the closed journal again is harmless
