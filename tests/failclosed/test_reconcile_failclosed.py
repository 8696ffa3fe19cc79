"""Reconciliation fails closed: what cannot be fetched is UNKNOWN and refused by every policy.

Each case is also run against a fail-open reconcile (a fetch error read as "no data"),
which must fail the same assertion.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import (
    CloseIntent,
    EntryIntent,
    Fill,
    Money,
    Order,
    OrderType,
    Position,
    Qty,
    Side,
    Symbol,
)
from bot.errors import ReconcileRefused
from bot.exchange.protocol import AccountView, OrderRequest
from bot.execution import Accepted, Executor, Recovery
from bot.execution.journal import Journal
from bot.execution.reconcile import (
    ReconcilePolicy,
    ReconcileReport,
    ReconcileStatus,
    apply_policy,
    reconcile,
)
from tests.support.road import BTC, ETH, Road, VenueProxy, build_road

pytestmark = pytest.mark.failclosed


class Broken(VenueProxy):
    """A venue whose ``failing`` read raises a connection error (or answers garbage)."""

    failing = ""
    garbage = False

    def _fail(self, name: str) -> None:
        if name == self.failing and not self.garbage:
            raise ConnectionError(f"{name}: connection reset by peer")

    def positions(self) -> dict[Symbol, Position]:
        """Raises (or answers None) when failing."""
        self._fail("positions")
        if self.failing == "positions" and self.garbage:
            return None  # type: ignore[return-value]
        return super().positions()

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Raises when failing."""
        self._fail("open_orders")
        return super().open_orders(symbol)

    def fills_since(self, cursor: int) -> tuple[list[Fill], int]:
        """Raises when failing."""
        self._fail("fills_since")
        return super().fills_since(cursor)

    def lookup(self, order_link_id: str) -> Order | None:
        """Raises when failing."""
        self._fail("lookup")
        return super().lookup(order_link_id)


class NoData(VenueProxy):
    """The fail-open mutation: a read that raises is taken as an empty answer."""

    def positions(self) -> dict[Symbol, Position]:
        """Empty on error."""
        try:
            return super().positions()
        except ConnectionError:
            return {}

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Empty on error."""
        try:
            return super().open_orders(symbol)
        except ConnectionError:
            return []

    def fills_since(self, cursor: int) -> tuple[list[Fill], int]:
        """Empty on error."""
        try:
            return super().fills_since(cursor)
        except ConnectionError:
            return [], cursor

    def lookup(self, order_link_id: str) -> Order | None:
        """Not found on error."""
        try:
            return super().lookup(order_link_id)
        except ConnectionError:
            return None


def fail_closed(recovery: Recovery, venue: AccountView) -> ReconcileReport:
    """The real reconcile."""
    return reconcile(recovery, venue, symbols=(BTC, ETH))


def fail_open(recovery: Recovery, venue: AccountView) -> ReconcileReport:
    """Reconcile through :class:`NoData`: a fetch error becomes "no data"."""
    return reconcile(recovery, NoData(venue), symbols=(BTC, ETH))  # type: ignore[arg-type]


def traded(tmp_path: Path, failing: str, *, garbage: bool = False) -> tuple[Road, Journal]:
    """Bought and closed BTC through a journaled executor (flat, in step), then the venue's
    ``failing`` read breaks. For ``lookup``, an intent with no answer needs looking up.

    Flat on purpose: read fail-open, the empty answer looks like agreement.
    """
    road = build_road(gateway=Broken)
    journal = Journal(tmp_path / "j.sqlite")
    executor = Executor(
        road.gateway, road.guards, road.risk, road.state, run_id="r", journal=journal
    )
    assert isinstance(executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600))), Accepted)
    assert isinstance(executor.submit(CloseIntent(BTC)), Accepted)
    assert len(executor.sync_fills()) == 2
    if failing == "lookup":
        request = OrderRequest("r-3", ETH, Side.BUY, Qty("0.1"), OrderType.MARKET, False)
        journal.record_intent(request, run_id="r", seq=3)
    proxy = road.gateway
    assert isinstance(proxy, Broken)
    proxy.failing, proxy.garbage = failing, garbage
    return road, journal


def refusal(
    report: ReconcileReport, policy: ReconcilePolicy, road: Road, journal: Journal
) -> ReconcileRefused | None:
    """The refusal ``policy`` raises for ``report``, or None if it acted."""
    try:
        apply_policy(report, policy, journal=journal, executor_like=road.executor)
    except ReconcileRefused as refused:
        return refused
    return None


def assert_refused_under_every_policy(
    report: ReconcileReport, road: Road, journal: Journal
) -> None:
    """UNKNOWN, never agrees, and every policy refuses without touching venue or journal."""
    assert report.status is ReconcileStatus.UNKNOWN, report.render()
    assert not report.agrees
    assert not report.adoptable
    assert "could not fetch" in report.render()
    before = journal.recover()
    refusals = {policy: refusal(report, policy, road, journal) for policy in ReconcilePolicy}
    assert all(r is not None for r in refusals.values()), f"not refused: {refusals}"
    assert all(r.report is report for r in refusals.values() if r is not None)
    assert {r.exit_code for r in refusals.values() if r is not None} == {3}
    assert road.gateway.calls["cancel_all"] == 0
    assert journal.recover() == before


READS = ["positions", "open_orders", "fills_since", "lookup"]


@pytest.mark.parametrize("failing", READS)
def test_a_read_that_raises_makes_the_report_unknown_and_refused(
    tmp_path: Path, failing: str
) -> None:
    road, journal = traded(tmp_path, failing)
    with journal:
        report = fail_closed(journal.recover(), road.gateway)
        assert_refused_under_every_policy(report, road, journal)
        assert any("connection reset by peer" in f for f in report.failures)


@pytest.mark.parametrize("failing", READS)
def test_the_fail_open_variant_fails_the_same_assertion(tmp_path: Path, failing: str) -> None:
    road, journal = traded(tmp_path, failing)
    with journal:
        report = fail_open(journal.recover(), road.gateway)
        with pytest.raises(AssertionError):
            assert_refused_under_every_policy(report, road, journal)


def test_a_garbage_answer_is_unknown_too(tmp_path: Path) -> None:
    road, journal = traded(tmp_path, "positions", garbage=True)
    with journal:
        report = fail_closed(journal.recover(), road.gateway)
        assert_refused_under_every_policy(report, road, journal)
        assert any("not a map of positions" in f for f in report.failures)
