"""An operator's ``task=panic`` from another process while a live run trades.

The panic writes HALTED to the journal through its own connection; the running session
must take it on (it reads the journal's newest trading state every turn and before
every entry), so the next signal sends nothing.
"""

from __future__ import annotations

import sqlite3

import pytest

from bot.config.settings import PanicTaskSettings
from bot.engine.live.operator import panic_task
from bot.execution.journal import Journal
from bot.risk import TradingState
from tests.integration.live_support import (
    ByClose,
    LiveBot,
    live_settings,
    tap_stderr,
    with_strategy,
)
from tests.integration.operator_helpers import operator_settings
from tests.integration.test_live_running import BTC, fake_with_history, market_buy, next_bars

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


def test_an_operator_panic_from_another_process_halts_the_running_bot(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    strategy = ByClose({"65050": [market_buy()], "65060": [market_buy()]})
    with fake_with_history() as (fake, start):
        bot = LiveBot.start(
            with_strategy(live_settings(fake, tmp_path, monkeypatch), strategy), tap
        )
        session = bot.session
        assert session is not None
        assert bot.wait_events("entries allowed", 1)
        first, second = next_bars(start, "65050", "65060")
        fake.push_bar("BTCUSDT", first)
        assert bot.wait_events("order", 1)
        assert bot.wait(lambda: BTC in fake.venue.positions())
        # the kill switch, on its own road and journal connection (as a second process)
        panic = operator_settings(
            fake, tmp_path / "journal.sqlite", "task=panic", "task.confirm=true"
        )
        report = panic_task(panic, PanicTaskSettings(confirm=True))
        assert report.flat
        fake.push_bar("BTCUSDT", second)  # the next signal after the panic
        assert bot.wait_events("bar", 2)
        state = session.road.state.state
        bot.stop()
        still_flat = BTC not in fake.venue.positions()
    assert len(tap.events("order")) == 1, tap.events("order")  # none after the panic
    assert still_flat
    assert state is TradingState.HALTED
    refused = tap.events("intent refused")
    assert [e["kind"] for e in refused] == ["entry"], refused
    taken = tap.events("trading state from the journal")
    assert [e["state"] for e in taken] == ["halted"], taken
    assert "operator task=panic" in str(taken[0]["reason"])


def test_a_journal_whose_state_cannot_be_read_halts_the_running_bot(tmp_path, monkeypatch):
    tap = tap_stderr(monkeypatch)
    strategy = ByClose({"65050": [market_buy()]})
    with fake_with_history() as (fake, start):
        bot = LiveBot.start(
            with_strategy(live_settings(fake, tmp_path, monkeypatch), strategy), tap
        )
        session = bot.session
        assert session is not None
        assert bot.wait_events("entries allowed", 1)
        # another process leaves a state this bot cannot read (as a torn or foreign write)
        with Journal(tmp_path / "journal.sqlite") as other:
            other.record_state(TradingState.ACTIVE, "written by another process")
        with sqlite3.connect(tmp_path / "journal.sqlite") as raw:
            raw.execute("UPDATE trading_states SET state = 'panicked'")
        assert bot.wait(lambda: session.road.state.state is TradingState.HALTED)
        (bar,) = next_bars(start, "65050")
        fake.push_bar("BTCUSDT", bar)
        assert bot.wait_events("bar", 1)
        bot.stop()
    assert tap.events("order") == []
    halted = tap.events("halted")
    assert halted
    assert "trading state cannot be read" in str(halted[0]["reason"]), halted
