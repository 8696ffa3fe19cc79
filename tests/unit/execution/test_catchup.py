"""Catch-up after a crash: our own orders' answers are recorded, nothing else is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import EntryIntent, Money, OrderStatus, OrderType, Qty, Side
from bot.errors import ReconcileRefused
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution.catchup import catch_up, in_flight_ms, own_prefixes, reconcile_at_start
from bot.execution.journal import Journal
from bot.execution.reconcile import (
    DifferenceKind,
    ReconcilePolicy,
    ReconcileStatus,
    apply_policy,
    reconcile,
)
from tests.support.road import BTC, ETH, build_road
from tests.unit.execution.test_reconcile import journaled, resting_eth, trade_a_bit

SYMBOLS = (BTC, ETH)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    """A fresh journal file."""
    return Journal(tmp_path / "j.sqlite")


def market_btc(link_id: str) -> OrderRequest:
    """A market buy of 0.01 BTC: it fills at once."""
    return OrderRequest(link_id, BTC, Side.BUY, Qty("0.01"), OrderType.MARKET, False)


def test_an_intent_written_but_never_sent_is_caught_up(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    seq = journal.recover().next_seq("r")
    journal.record_intent(market_btc(f"r-{seq}"), run_id="r", seq=seq)  # killed here
    report, done = reconcile_at_start(journal, road.gateway, symbols=SYMBOLS)
    assert report.agrees, report.render()
    assert done == (f"caught up r-{seq}: Rejected on the exchange",)
    assert f"r-{seq}" not in {o.order_link_id for o in journal.recover().open_orders}
    assert all(r.order_link_id != f"r-{seq}" for r in road.gateway.sent)  # nothing resent


def test_an_intent_sent_whose_answer_and_fill_were_lost_is_caught_up(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    seq = journal.recover().next_seq("r")
    request = market_btc(f"r-{seq}")
    journal.record_intent(request, run_id="r", seq=seq)
    assert road.venue.submit(request).accepted  # sent and filled; killed before the answer
    report, done = reconcile_at_start(journal, road.gateway, symbols=SYMBOLS)
    assert report.agrees, report.render()
    assert done[0] == "caught up 1 fill(s) of our own orders from the exchange"
    assert len(road.venue.fills_since(0)[0]) == 2  # the one before and this one: no resend


def test_a_lost_acknowledgement_and_fill_are_recorded_under_refuse(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    executor = journaled(road, journal)
    # the executor sends and the venue fills; the process dies before the fill is counted
    assert executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600))).accepted
    before = reconcile(journal.recover(), road.gateway, symbols=SYMBOLS)
    assert {d.kind for d in before.differences} >= {
        DifferenceKind.LOST_FILL,
        DifferenceKind.POSITION_MISMATCH,
    }
    with pytest.raises(ReconcileRefused):  # the old behaviour: every crash needs a human
        apply_policy(before, ReconcilePolicy.REFUSE, journal=journal, executor_like=executor)
    report, done = reconcile_at_start(journal, road.gateway, symbols=SYMBOLS)
    assert report.agrees, report.render()
    assert any("fill(s) of our own orders" in line for line in done)
    assert (
        apply_policy(report, ReconcilePolicy.REFUSE, journal=journal, executor_like=executor) == ()
    )


def test_an_unknown_order_of_ours_is_left_for_the_policy(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    assert road.venue.submit(resting_eth("r-99")).accepted  # the journal never wrote r-99
    report, done = reconcile_at_start(journal, road.gateway, symbols=SYMBOLS)
    assert done == ()
    assert [d.kind for d in report.differences] == [DifferenceKind.UNKNOWN_OPEN_ORDER]
    assert not report.adoptable


def test_someone_elses_fill_is_not_caught_up(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    assert road.venue.submit(
        market_btc("manual-1")
    ).accepted  # a trade made by hand on the same account
    report, done = reconcile_at_start(journal, road.gateway, symbols=SYMBOLS)
    assert done == ()
    assert DifferenceKind.LOST_FILL in {d.kind for d in report.differences}
    assert not report.agrees


@pytest.mark.failclosed
def test_an_unreadable_exchange_records_nothing(journal: Journal) -> None:
    road = build_road()
    executor = trade_a_bit(road, journal)
    assert executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600))).accepted
    report = reconcile(journal.recover(), road.gateway, symbols=SYMBOLS)
    unknown = report.__class__(ReconcileStatus.UNKNOWN, report.differences, ("positions: x",), ())
    fills_before = journal.recover().fill_ids
    assert catch_up(unknown, journal, own_prefixes(journal.recover())) == ()
    assert journal.recover().fill_ids == fills_before


def test_own_prefixes_come_from_the_journal_and_the_given_run_ids(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    assert own_prefixes(journal.recover(), ["L1"]) == ("L1-", "r-")
    assert [o.status for o in journal.recover().open_orders] == [OrderStatus.NEW]


def test_an_unanswered_intent_is_looked_up_only_after_the_recv_window(tmp_path: Path) -> None:
    clock = [1_000_000]
    with Journal(tmp_path / "w.sqlite", clock=lambda: clock[0]) as journal:
        assert in_flight_ms(journal.recover(), clock[0], 5000, 1000) == 0  # nothing sent
        journal.record_intent(market_btc("r-1"), run_id="r", seq=1)
        journal.record_ack(SubmitResult("r-1", OrderStatus.NEW, "id-1"))
        clock[0] += 100
        journal.record_intent(market_btc("r-2"), run_id="r", seq=2)  # killed in flight
        recovery = journal.recover()
    assert recovery.last_unanswered_ms == 1_000_100
    # the venue may place r-2 until its timestamp is recv_window old (+ the margin)
    assert in_flight_ms(recovery, 1_002_100, 5000, 1000) == 4000
    assert in_flight_ms(recovery, 1_006_100, 5000, 1000) == 0
    assert in_flight_ms(recovery, 1_060_000, 5000, 1000) == 0
