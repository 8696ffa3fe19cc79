"""The live road on a journal: its trading state is restored once, later changes journaled."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.domain import Amount
from bot.engine.live.road import build_live_road
from bot.execution.journal import Journal
from bot.guards import PinnedPrices
from bot.risk import TradingState
from tests.support.settings import bybit_settings_for


def states(path: Path) -> list[tuple[str, str]]:
    """The trading states the journal holds, oldest first."""
    with sqlite3.connect(path) as db:
        return [(str(s), str(r)) for s, r in db.execute("SELECT state, reason FROM trading_states")]


def test_a_halted_journal_is_restored_without_writing_it_again_at_every_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        journal.record_state(TradingState.HALTED, "panic: operator")
    settings = bybit_settings_for(monkeypatch, path)
    for _ in range(3):
        road = build_live_road(settings, run_id="Ltest")
        assert road.state.state is TradingState.HALTED
        assert road.state.reason == "restored from the journal: panic: operator"
        road.journal.close()
    assert states(path) == [("halted", "panic: operator")]
    road = build_live_road(settings, run_id="Ltest")
    road.state.reset("operator checked the account")
    road.journal.close()
    assert states(path)[-1] == ("active", "operator checked the account")


def test_live_entries_are_sized_from_the_pinned_ticker_book_the_guards_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # not from a separate REST ticker read that no guard looked at
    settings = bybit_settings_for(monkeypatch, tmp_path / "journal.sqlite")
    road = build_live_road(settings, run_id="Ltest")
    try:
        prices = road.executor.price_source
        assert isinstance(prices, PinnedPrices)
        assert prices.source is road.tickers
        # every guard that reads prices reads that same pinned view
        readers = [g for g in road.guards.guards if hasattr(g, "_prices")]
        assert {g.name for g in readers} == {"feed_freshness", "price_band", "stop_trigger_side"}
        assert all(vars(g)["_prices"] is prices for g in readers)
    finally:
        road.journal.close()


def test_a_restart_takes_up_the_risk_engines_memory_and_keeps_writing_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a restart must not forget a cooldown or the drawdown peak (nor loosen them)
    path = tmp_path / "journal.sqlite"
    settings = bybit_settings_for(monkeypatch, path)
    road = build_live_road(settings, run_id="Ltest")
    try:
        road.risk.on_equity(Amount(10_000), 1_700_000_000_000)
        road.risk.on_trade_closed(Amount(-25), 1_700_000_060_000)
        before = road.risk.memory()
    finally:
        road.journal.close()
    assert before.peak_equity == 10_000
    assert before.losing_streak == 1
    road = build_live_road(settings, run_id="Ltest")
    try:
        assert road.risk.memory() == before
        road.risk.on_equity(Amount(10_500), 1_700_000_120_000)
        assert road.journal.recover().risk_memory == road.risk.memory()
    finally:
        road.journal.close()
