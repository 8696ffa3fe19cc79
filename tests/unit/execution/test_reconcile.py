"""Reconciliation on the sim venue: agreement after a restart, each difference, each policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import (
    Amount,
    EntryIntent,
    Fill,
    Money,
    OrderStatus,
    OrderType,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    TimeInForce,
)
from bot.errors import BotError, ReconcileRefused
from bot.exchange.protocol import OrderRequest
from bot.execution import Accepted, Executor, Recovery
from bot.execution.journal import Journal
from bot.execution.reconcile import (
    DifferenceKind,
    ReconcilePolicy,
    ReconcileReport,
    ReconcileStatus,
    apply_policy,
    reconcile,
)
from tests.support.road import BTC, ETH, START_MS, Road, VenueProxy, build_road

SYMBOLS = (BTC, ETH)


def journaled(road: Road, journal: Journal) -> Executor:
    """An executor of run ``r`` on the road's parts, continuing the journal's sequence."""
    return Executor(
        road.gateway,
        road.guards,
        road.risk,
        road.state,
        run_id="r",
        journal=journal,
        first_seq=journal.recover().next_seq("r"),
    )


def resting_eth(link_id: str) -> OrderRequest:
    """A GTC limit buy of ETH well below the market: it rests."""
    return OrderRequest(
        link_id, ETH, Side.BUY, Qty("0.1"), OrderType.LIMIT, False, Price("2950"), TimeInForce.GTC
    )


def resting_entry() -> EntryIntent:
    """The same resting order as an intent for the executor."""
    return EntryIntent(
        ETH,
        Side.BUY,
        notional=Money(295),
        order_type=OrderType.LIMIT,
        limit_price=Price("2950"),
        time_in_force=TimeInForce.GTC,
    )


def trade_a_bit(road: Road, journal: Journal) -> Executor:
    """A filled BTC buy, a resting ETH buy, fills counted: journal and venue in step."""
    executor = journaled(road, journal)
    assert isinstance(executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600))), Accepted)
    assert isinstance(executor.submit(resting_entry()), Accepted)
    assert len(executor.sync_fills()) == 1
    return executor


def check(road: Road, journal: Journal, **kwargs: object) -> ReconcileReport:
    """Reconcile the journal as a restart reads it against the venue."""
    return reconcile(journal.recover(), road.gateway, symbols=SYMBOLS, **kwargs)  # type: ignore[arg-type]


def kinds(report: ReconcileReport) -> list[DifferenceKind]:
    """The kinds of the report's differences, in report order."""
    return [d.kind for d in report.differences]


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    """A fresh journal file."""
    return Journal(tmp_path / "j.sqlite")


def test_a_clean_restart_agrees(tmp_path: Path) -> None:
    road = build_road()
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        trade_a_bit(road, journal)
    with Journal(path) as restarted:
        report = check(road, restarted)
        assert report.agrees, report.render()
        assert report.status is ReconcileStatus.AGREES
        assert report.differences == ()
        assert report.failures == ()
        assert [p.symbol for p in report.exchange_positions] == [BTC]
        assert "journal and exchange agree" in report.render()
        for policy in ReconcilePolicy:
            assert (
                apply_policy(report, policy, journal=restarted, executor_like=road.executor) == ()
            )
    assert road.gateway.calls["cancel_all"] == 0


def test_a_lost_fill_is_detected_rendered_and_adopted(journal: Journal) -> None:
    road = build_road()
    executor = journaled(road, journal)
    executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))  # fills never synced
    report = check(road, journal)
    assert not report.agrees
    assert set(kinds(report)) == {
        DifferenceKind.LOST_FILL,
        DifferenceKind.POSITION_MISMATCH,
        DifferenceKind.ORDER_CLOSED_ON_EXCHANGE,
    }
    (position,) = [d for d in report.differences if d.kind is DifferenceKind.POSITION_MISMATCH]
    assert (position.subject, position.journal, position.exchange) == (BTC, "flat", "long 0.01")
    table = report.render()
    assert "lost fill" in table
    assert "r-1" in table
    assert "Buy 0.01 BTCUSDT @ 60000" in table
    assert report.adoptable
    done = apply_policy(report, ReconcilePolicy.ADOPT, journal=journal, executor_like=executor)
    assert done[0] == "recorded 1 lost fill(s) from the exchange"
    assert check(road, journal).agrees


def test_a_lost_acknowledgement_is_adopted_from_the_venue(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    request = resting_eth("r-3")
    journal.record_intent(request, run_id="r", seq=3)
    assert road.venue.submit(request).accepted  # sent; the answer never reached the journal
    report = check(road, journal)
    (lost,) = report.differences
    assert (lost.kind, lost.subject, lost.journal) == (DifferenceKind.LOST_ACK, "r-3", "Pending")
    assert lost.exchange == "New Buy 0.1 ETHUSDT"
    assert "acknowledgement lost" in report.render()
    apply_policy(report, ReconcilePolicy.ADOPT, journal=journal, executor_like=road.executor)
    (adopted,) = [o for o in journal.recover().open_orders if o.order_link_id == "r-3"]
    assert adopted.status is OrderStatus.NEW
    assert check(road, journal).agrees


def test_an_intent_that_never_reached_the_venue_is_marked_rejected(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    journal.record_intent(resting_eth("r-3"), run_id="r", seq=3)  # crash before sending
    report = check(road, journal)
    (never,) = report.differences
    assert (never.kind, never.journal, never.exchange) == (
        DifferenceKind.NEVER_SENT,
        "Pending",
        "not found",
    )
    assert "never reached the venue" in report.render()
    apply_policy(report, ReconcilePolicy.ADOPT, journal=journal, executor_like=road.executor)
    assert "r-3" not in {o.order_link_id for o in journal.recover().open_orders}
    assert check(road, journal).agrees
    assert road.gateway.sent == [r for r in road.gateway.sent if r.order_link_id != "r-3"]


def test_an_open_order_of_ours_the_journal_does_not_know_is_not_adoptable(
    journal: Journal,
) -> None:
    road = build_road()
    executor = trade_a_bit(road, journal)
    assert road.venue.submit(resting_eth("r-99")).accepted
    assert road.venue.submit(resting_eth("someone-else-1")).accepted  # not ours: ignored
    report = check(road, journal)
    (unknown,) = report.differences
    assert (unknown.kind, unknown.subject) == (DifferenceKind.UNKNOWN_OPEN_ORDER, "r-99")
    assert "unknown open order" in report.render()
    assert not report.adoptable
    with pytest.raises(ReconcileRefused, match="unknown open order"):
        apply_policy(report, ReconcilePolicy.ADOPT, journal=journal, executor_like=executor)


def test_our_run_ids_can_be_given_for_a_fresh_journal(journal: Journal) -> None:
    road = build_road()
    assert road.venue.submit(resting_eth("r-7")).accepted
    assert check(road, journal).agrees  # no run id known: not recognisably ours
    report = check(road, journal, run_ids=["r"])
    assert kinds(report) == [DifferenceKind.UNKNOWN_OPEN_ORDER]


def test_a_position_opened_outside_the_bot_is_a_mismatch(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    road.open_position(ETH, Side.SELL, "0.5")
    report = check(road, journal)
    assert sorted(kinds(report), key=lambda k: k.value) == [
        DifferenceKind.LOST_FILL,
        DifferenceKind.POSITION_MISMATCH,
    ]
    (position,) = [d for d in report.differences if d.kind is DifferenceKind.POSITION_MISMATCH]
    assert (position.subject, position.journal, position.exchange) == (ETH, "flat", "short 0.5")
    assert "position mismatch" in report.render()
    assert "short 0.5" in report.render()


class ExtraPosition(VenueProxy):
    """A venue whose position in BTC is larger than its fills say."""

    def positions(self) -> dict[Symbol, Position]:
        """The real positions plus 0.1 BTC long the fills do not explain."""
        found = super().positions()
        found[BTC] = Position(BTC, Side.BUY, Qty("0.1"), Price("60000"))
        return found


def test_a_mismatch_the_fills_do_not_explain_is_refused_under_adopt(journal: Journal) -> None:
    road = build_road(gateway=ExtraPosition)
    executor = trade_a_bit(road, journal)
    report = check(road, journal)
    (position,) = report.differences
    assert (position.kind, position.journal, position.exchange) == (
        DifferenceKind.POSITION_MISMATCH,
        "long 0.01",
        "long 0.1",
    )
    assert not position.adoptable
    assert "not explained" in report.render()
    with pytest.raises(ReconcileRefused, match="position mismatch"):
        apply_policy(report, ReconcilePolicy.ADOPT, journal=journal, executor_like=executor)


def test_a_journal_fill_the_exchange_does_not_have_is_not_adoptable(journal: Journal) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    ghost = Fill("ghost-1", "r-1", BTC, Side.BUY, Qty("0.01"), Price("60000"), Amount(0), START_MS)
    journal.record_fill(ghost)
    report = check(road, journal)
    assert DifferenceKind.FILL_NOT_ON_EXCHANGE in kinds(report)
    assert "ghost-1" in report.render()
    assert not report.adoptable


def test_journal_anomalies_are_differences_never_adopted() -> None:
    road = build_road()
    recovery = Recovery({}, (), frozenset(), (), None, "", ("fill x of r-1: overfills",))
    report = reconcile(recovery, road.gateway, symbols=SYMBOLS)
    assert kinds(report) == [DifferenceKind.JOURNAL_ANOMALY]
    assert "overfills" in report.render()
    assert not report.adoptable


def test_refuse_raises_with_the_report_and_exit_code_3(journal: Journal) -> None:
    road = build_road()
    executor = trade_a_bit(road, journal)
    road.open_position(ETH, Side.SELL, "0.5")
    report = check(road, journal)
    with pytest.raises(ReconcileRefused) as refused:
        apply_policy(report, ReconcilePolicy.REFUSE, journal=journal, executor_like=executor)
    assert isinstance(refused.value, BotError)
    assert refused.value.report is report
    assert refused.value.exit_code == 3
    assert report.render() in str(refused.value)
    assert road.gateway.calls["cancel_all"] == 0
    assert check(road, journal).differences == report.differences  # nothing was recorded


def test_flatten_cancels_everything_and_closes_every_position_reduce_only(
    journal: Journal,
) -> None:
    road = build_road()
    trade_a_bit(road, journal)
    road.open_position(ETH, Side.SELL, "0.5")
    executor = journaled(road, journal)
    report = check(road, journal)
    done = apply_policy(report, ReconcilePolicy.FLATTEN, journal=journal, executor_like=executor)
    assert road.venue.positions() == {}
    assert road.venue.open_orders() == []
    closes = [r for r in road.gateway.sent if r.order_link_id in {"r-3", "r-4"}]
    assert [(r.symbol, r.side, r.reduce_only) for r in closes] == [
        (BTC, Side.SELL, True),
        (ETH, Side.BUY, True),
    ]
    assert any(line.startswith("cancelled 1 open order(s): r-2") for line in done)
    executor.sync_fills()
    assert check(road, journal).agrees  # everything it did was journaled


def test_flatten_cancels_an_unknown_order_of_ours(journal: Journal) -> None:
    road = build_road()
    executor = trade_a_bit(road, journal)
    assert road.venue.submit(resting_eth("r-99")).accepted
    report = check(road, journal)
    apply_policy(report, ReconcilePolicy.FLATTEN, journal=journal, executor_like=executor)
    assert road.venue.open_orders() == []
    assert road.venue.positions() == {}


def test_a_cancel_all_that_also_cancelled_a_manual_order_agrees_on_restart(
    journal: Journal,
) -> None:
    road = build_road()
    executor = trade_a_bit(road, journal)
    assert road.venue.submit(resting_eth("manual-1")).accepted  # placed by hand
    assert sorted(executor.cancel_all()) == ["manual-1", "r-2"]
    recovery = journal.recover()
    assert recovery.anomalies == ()
    assert recovery.foreign_cancels == ("manual-1",)
    report = check(road, journal)
    assert report.agrees, report.render()
    for policy in ReconcilePolicy:
        assert apply_policy(report, policy, journal=journal, executor_like=executor) == ()
