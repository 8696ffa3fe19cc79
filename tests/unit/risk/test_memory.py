"""The risk engine's memory: what it keeps, how it is written, and that a restored engine
is as strict as the one that stopped."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain import Amount
from bot.errors import InvalidValue
from bot.execution.journal import Journal
from bot.risk import RiskMemory, TradingState
from bot.risk.state import TradingStateHolder
from tests.unit.risk.doubles import NOW, FakeClock, buy, engine, snapshot

MINUTE = 60_000
DAY = 86_400_000


def _memory(**changes: object) -> RiskMemory:
    values: dict[str, object] = {
        "losing_streak": 2,
        "cooldown_until_ms": NOW + 30 * MINUTE,
        "day": NOW // DAY,
        "day_realised": Decimal("-120.5"),
        "day_start_equity": Decimal("10000"),
        "peak_equity": Decimal("10250.25"),
    }
    values.update(changes)
    return RiskMemory(**values)  # type: ignore[arg-type]


def test_the_memory_round_trips_through_json_exactly() -> None:
    memory = _memory()
    assert RiskMemory.from_json(memory.to_json()) == memory
    empty = _memory(cooldown_until_ms=None, day=None, day_start_equity=None, peak_equity=None)
    assert RiskMemory.from_json(empty.to_json()) == empty


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"losing_streak": 1}',
        _memory().to_json().replace('"-120.5"', '"NaN"'),
        _memory().to_json().replace('"losing_streak": 2', '"losing_streak": -1'),
        _memory().to_json().replace('"losing_streak": 2', '"losing_streak": true'),
        _memory().to_json().replace('"-120.5"', "-120.5"),
    ],
)
def test_anything_else_is_refused_with_what_it_was(text: str) -> None:
    with pytest.raises(InvalidValue, match="risk"):
        RiskMemory.from_json(text)


def test_a_restored_engine_remembers_the_cooldown() -> None:
    clock = FakeClock()
    first = engine(clock=clock, cooldown_after_losses=2, cooldown_minutes=30)
    for _ in range(2):
        first.on_trade_closed(Amount(-10), NOW)
    assert not first.check_entry(buy(), buy().notional, snapshot()).approved  # type: ignore[arg-type]
    second = engine(clock=clock, cooldown_after_losses=2, cooldown_minutes=30)
    second.restore(first.memory())
    decision = second.check_entry(buy(), buy().notional, snapshot())  # type: ignore[arg-type]
    assert not decision.approved
    assert "cooldown" in decision.reason
    assert second.memory() == first.memory()


def test_a_restored_engine_measures_the_drawdown_from_the_old_peak() -> None:
    # peak 10,000, now 9,500 (5%): after a restart a fall to 8,900 is 11% from the peak
    # (limit 10%), not 6.3% from the 9,500 a forgetful engine would start from
    first = engine()
    first.on_equity(Amount(10_000), NOW)
    first.on_equity(Amount(9_500), NOW + MINUTE)
    state = TradingStateHolder()
    second = engine(state=state)
    second.restore(first.memory())
    second.on_equity(Amount(8_900), NOW + 2 * MINUTE)
    assert state.state is TradingState.HALTED
    assert "drawdown 11% (peak 10,000" in state.reason


def test_the_listener_hears_each_change_once() -> None:
    risk = engine()
    heard: list[RiskMemory] = []
    risk.on_memory(heard.append)
    risk.on_equity(Amount(10_000), NOW)
    risk.on_equity(Amount(10_000), NOW + MINUTE)  # nothing changed
    risk.on_equity(Amount(10_100), NOW + 2 * MINUTE)
    risk.on_trade_closed(Amount(-5), NOW + 3 * MINUTE)
    assert [m.peak_equity for m in heard] == [10_000, 10_100, 10_100]
    assert heard[-1].losing_streak == 1
    assert heard[-1] == risk.memory()


def test_the_journal_gives_a_restart_the_last_memory_written(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    risk = engine()
    with Journal(path) as journal:
        journal.follow_risk(risk)
        risk.on_equity(Amount(10_000), NOW)
        risk.on_equity(Amount(9_000), NOW + MINUTE)
    with Journal(path) as journal:
        recovery = journal.recover()
    assert recovery.risk_memory == risk.memory()
    assert recovery.anomalies == ()


def test_an_unreadable_memory_is_an_anomaly_not_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        journal.record_risk_memory(_memory())
    with sqlite3.connect(path) as db:
        db.execute('UPDATE risk_memory SET memory = \'{"peak_equity": "lots"}\'')
    with Journal(path) as journal:
        recovery = journal.recover()
    assert recovery.risk_memory is None
    assert any("risk engine's memory cannot be read" in a for a in recovery.anomalies)


def test_a_journal_of_the_first_schema_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        journal.record_state(TradingState.HALTED, "panic: operator")
    with sqlite3.connect(path) as db:  # as the first schema left it
        db.execute("DROP TABLE risk_memory")
        db.execute("PRAGMA user_version=1")
    with Journal(path) as journal:
        recovery = journal.recover()
        journal.record_risk_memory(_memory())
        assert journal.recover().risk_memory == _memory()
    assert recovery.trading_state is TradingState.HALTED
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
