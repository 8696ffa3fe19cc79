"""The journal: every record kind round-trips exactly; recovery reads back what a restart needs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain import (
    Amount,
    Fill,
    OrderStatus,
    OrderType,
    Price,
    Qty,
    Side,
    TimeInForce,
    TriggerDirection,
)
from bot.errors import JournalError
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution.journal import Journal, restore_state
from bot.execution.journal_records import SCHEMA_VERSION
from bot.risk import TradingState, TradingStateHolder
from tests.support.road import BTC, ETH, START_MS


def limit(link: str, qty: str = "0.003", price: str = "60000.1") -> OrderRequest:
    """A limit buy of BTCUSDT with a trigger, every optional field set."""
    return OrderRequest(
        link,
        BTC,
        Side.BUY,
        Qty(qty),
        OrderType.LIMIT,
        False,
        Price(price),
        TimeInForce.GTC,
        Price("59000.5"),
        TriggerDirection.FALL,
    )


def market(link: str, qty: str = "0.01") -> OrderRequest:
    """A reduce-only market sell of ETHUSDT."""
    return OrderRequest(link, ETH, Side.SELL, Qty(qty), OrderType.MARKET, True)


def fill(exec_id: str, link: str, qty: str = "0.001", side: Side = Side.BUY) -> Fill:
    """A BTCUSDT fill of ``qty`` against ``link``."""
    return Fill(
        exec_id, link, BTC, side, Qty(qty), Price("60000.1"), Amount("-0.0123"), START_MS, True
    )


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    """A fresh journal with a fixed clock."""
    with Journal(tmp_path / "journal.sqlite", clock=lambda: START_MS) as opened:
        yield opened


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    """Rows read through a second connection (what another process would see)."""
    conn = sqlite3.connect(path)
    try:
        return [tuple(row) for row in conn.execute(query)]
    finally:
        conn.close()


def test_an_intent_without_an_answer_comes_back_pending_with_every_field(
    journal: Journal,
) -> None:
    journal.record_intent(limit("r-1"), run_id="r", seq=1)
    recovery = journal.recover()
    (order,) = recovery.open_orders
    assert order.status is OrderStatus.PENDING
    assert recovery.unanswered == (order,)
    assert (order.order_link_id, order.symbol, order.side) == ("r-1", BTC, Side.BUY)
    assert (order.qty, order.price, order.trigger_price) == (
        Decimal("0.003"),
        Decimal("60000.1"),
        Decimal("59000.5"),
    )
    assert (order.order_type, order.reduce_only) == (OrderType.LIMIT, False)
    assert recovery.last_seq == {"r": 1}
    assert recovery.next_seq("r") == 2
    assert recovery.next_seq("other") == 1


def test_decimals_are_stored_as_exact_text_and_times_as_integers(journal: Journal) -> None:
    journal.record_intent(limit("r-1"), run_id="r", seq=1)
    journal.record_fill(fill("e1", "r-1"))
    intent = rows(journal.path, "SELECT qty, price, trigger_price, written_ms FROM intents")
    assert intent == [("0.003", "60000.1", "59000.5", START_MS)]
    stored = rows(journal.path, "SELECT qty, price, fee, ts_ms, is_maker FROM fills")
    assert stored == [("0.001", "60000.1", "-0.0123", START_MS, 1)]


def test_an_answer_round_trips_and_moves_the_order(journal: Journal) -> None:
    journal.record_intent(limit("r-1"), run_id="r", seq=1)
    journal.record_ack(SubmitResult("r-1", OrderStatus.NEW, "oid-1", 0, "ok", Qty("0.003")))
    (order,) = journal.recover().open_orders
    assert (order.status, order.order_id) == (OrderStatus.NEW, "oid-1")
    stored = rows(
        journal.path, "SELECT order_link_id, status, order_id, code, message, qty FROM acks"
    )
    assert stored == [("r-1", "New", "oid-1", 0, "ok", "0.003")]


def test_terminal_orders_are_not_open(journal: Journal) -> None:
    journal.record_intents("r", [(1, limit("r-1")), (2, market("r-2")), (3, limit("r-3"))])
    journal.record_ack(SubmitResult("r-1", OrderStatus.REJECTED, code=110007, message="balance"))
    journal.record_ack(SubmitResult("r-2", OrderStatus.UNKNOWN, message="timeout"))
    journal.record_ack(SubmitResult("r-3", OrderStatus.NEW, "oid-3"))
    journal.record_cancel("r-3", "operator")
    recovery = journal.recover()
    assert [(o.order_link_id, o.status) for o in recovery.open_orders] == [
        ("r-2", OrderStatus.UNKNOWN)
    ]
    assert rows(journal.path, "SELECT order_link_id, reason FROM cancels") == [("r-3", "operator")]


def test_fills_move_orders_and_a_filled_order_is_not_open(journal: Journal) -> None:
    journal.record_intents("r", [(1, limit("r-1")), (2, limit("r-2"))])
    journal.record_ack(SubmitResult("r-1", OrderStatus.FILLED, "oid-1"))
    assert journal.record_fills([fill("e1", "r-1", "0.003"), fill("e2", "r-2", "0.001")]) == 2
    recovery = journal.recover()
    (order,) = recovery.open_orders
    assert (order.order_link_id, order.status) == ("r-2", OrderStatus.PARTIALLY_FILLED)
    assert order.filled_qty == Decimal("0.001")
    assert recovery.fill_ids == {"e1", "e2"}
    assert recovery.anomalies == ()


def test_the_same_fill_twice_is_stored_once(journal: Journal) -> None:
    journal.record_intent(limit("r-1"), run_id="r", seq=1)
    assert journal.record_fill(fill("e1", "r-1")) is True
    assert journal.record_fill(fill("e1", "r-1")) is False
    assert journal.record_fills([fill("e1", "r-1"), fill("e2", "r-1")]) == 1
    assert rows(journal.path, "SELECT count(*) FROM fills") == [(2,)]
    (order,) = journal.recover().open_orders
    assert order.filled_qty == Decimal("0.002")


def test_a_fill_written_before_its_intent_is_applied_and_one_never_matched_is_an_orphan(
    journal: Journal,
) -> None:
    journal.record_fill(fill("e1", "r-1"))
    journal.record_fill(fill("e9", "elsewhere-1"))
    journal.record_intent(limit("r-1", qty="0.001"), run_id="r", seq=1)
    recovery = journal.recover()
    assert recovery.open_orders == ()  # r-1 is filled by the early fill
    assert [f.exec_id for f in recovery.orphan_fills] == ["e9"]
    assert recovery.fill_ids == {"e1", "e9"}


def test_contradicting_rows_are_reported_as_anomalies(journal: Journal) -> None:
    journal.record_intent(limit("r-1"), run_id="r", seq=1)
    journal.record_ack(SubmitResult("r-1", OrderStatus.REJECTED, code=10001))
    journal.record_fill(fill("e1", "r-1"))
    journal.record_ack(SubmitResult("ghost-1", OrderStatus.NEW))
    anomalies = journal.recover().anomalies
    assert len(anomalies) == 2
    assert "e1" in anomalies[0]
    assert "Rejected" in anomalies[0]
    assert "ghost-1" in anomalies[1]


def test_a_cancel_of_an_order_the_journal_never_wrote_is_information_not_an_anomaly(
    journal: Journal,
) -> None:
    journal.record_intent(limit("r-1"), run_id="r", seq=1)
    journal.record_cancels(["r-1", "manual-7"], "cancel all")  # a manual order cancelled too
    recovery = journal.recover()
    assert recovery.anomalies == ()
    assert recovery.foreign_cancels == ("manual-7",)
    assert recovery.open_orders == ()


def test_sequence_numbers_must_increase_and_link_ids_never_repeat(journal: Journal) -> None:
    journal.record_intent(limit("r-5"), run_id="r", seq=5)
    with pytest.raises(JournalError, match="sequence 5 of run r is not after 5"):
        journal.record_intent(limit("r-5b"), run_id="r", seq=5)
    with pytest.raises(JournalError, match="UNIQUE"):
        journal.record_intent(limit("r-5"), run_id="s", seq=1)
    with pytest.raises(JournalError, match="not after 7"):
        journal.record_intents("r", [(6, limit("r-6")), (7, limit("r-7")), (7, limit("r-7b"))])
    assert journal.last_seq("r") == 5  # the failed batch left nothing behind
    assert [o.order_link_id for o in journal.recover().open_orders] == ["r-5"]


def test_trading_states_round_trip_and_the_last_one_wins(journal: Journal) -> None:
    assert journal.recover().trading_state is None
    journal.record_state(TradingState.REDUCING, "daily loss 1,020 over 1,000")
    journal.record_state(TradingState.HALTED, "panic: operator")
    recovery = journal.recover()
    assert (recovery.trading_state, recovery.state_reason) == (
        TradingState.HALTED,
        "panic: operator",
    )
    assert rows(journal.path, "SELECT state, written_ms FROM trading_states") == [
        ("reducing", START_MS),
        ("halted", START_MS),
    ]


def test_follow_writes_every_change_of_the_holder(journal: Journal) -> None:
    holder = TradingStateHolder()
    journal.follow(holder)
    holder.escalate(TradingState.HALTED, "panic: test")
    holder.reset("operator checked the account")
    recovery = journal.recover()
    assert (recovery.trading_state, recovery.state_reason) == (
        TradingState.ACTIVE,
        "operator checked the account",
    )
    assert rows(journal.path, "SELECT state FROM trading_states") == [("halted",), ("active",)]


@pytest.mark.parametrize("state", [TradingState.HALTED, TradingState.REDUCING])
def test_restore_state_reapplies_a_strict_state(journal: Journal, state: TradingState) -> None:
    journal.record_state(state, "drawdown 21% over 20%")
    holder = TradingStateHolder()
    assert restore_state(holder, journal.recover()) is True
    assert holder.state is state
    assert "drawdown 21% over 20%" in holder.reason


def test_restore_state_never_loosens(journal: Journal) -> None:
    journal.record_state(TradingState.ACTIVE, "reset")
    holder = TradingStateHolder(TradingState.REDUCING, "local")
    assert restore_state(holder, journal.recover()) is False
    assert holder.state is TradingState.REDUCING


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as first:
        first.record_intent(limit("r-1"), run_id="r", seq=1)
        first.record_state(TradingState.HALTED, "panic")
    with Journal(path) as second:
        recovery = second.recover()
    assert [o.order_link_id for o in recovery.open_orders] == ["r-1"]
    assert recovery.trading_state is TradingState.HALTED


def test_wal_mode_and_full_sync_are_on(journal: Journal) -> None:
    assert rows(journal.path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(journal.path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_an_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    with Journal(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    with pytest.raises(
        JournalError, match="schema version 99 is unknown; this bot reads version 2"
    ):
        Journal(path)


def test_a_database_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(JournalError, match="not a journal"):
        Journal(path)


def test_a_closed_journal_refuses_writes_and_follow_keeps_the_failure(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    holder = TradingStateHolder()
    journal.follow(holder)
    journal.close()
    with pytest.raises(JournalError, match="cannot write 1 intent"):
        journal.record_intent(limit("r-1"), run_id="r", seq=1)
    assert holder.escalate(TradingState.HALTED, "panic") is True  # the listener never raises
    assert holder.state is TradingState.HALTED
    (failure,) = journal.failures
    assert "halted" in failure
    assert "panic" in failure
