"""The fill window of reconciliation: old executions the exchange no longer keeps are not
demanded; inside the window every fill is compared both ways; the journal's position is
the sum of the fills it counted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import Amount, Fill, Order, OrderType, Position, Price, Qty, Side, Symbol
from bot.exchange.protocol import Balance, OrderRequest
from bot.execution.journal import Journal
from bot.execution.reconcile import (
    EMPTY_JOURNAL_LOOKBACK_MS,
    FILL_WINDOW_MARGIN_MS,
    DifferenceKind,
    ReconcileStatus,
    fill_window_start,
    reconcile,
)

BTC = Symbol("BTCUSDT")
T0 = 1_800_000_000_000
HOUR = 3_600_000


def fill(exec_id: str, qty: str, ts_ms: int, side: Side = Side.BUY) -> Fill:
    """A fill of ``qty`` BTC at 65,000 (of an order the journal holds or not)."""
    return Fill(exec_id, f"r-{exec_id}", BTC, side, Qty(qty), Price("65000"), Amount("0"), ts_ms)


class Account:
    """An exchange that keeps only ``fills`` (older ones are gone) and ``positions``."""

    def __init__(self, fills: list[Fill], held: str | None) -> None:
        self.fills = fills
        self.held = held
        self._answered: int | None = None

    def positions(self) -> dict[Symbol, Position]:
        if self.held is None:
            return {}
        return {BTC: Position(BTC, Side.BUY, Qty(self.held), Price("65000"))}

    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        return []

    def lookup(self, order_link_id: str) -> Order | None:
        return None

    def balance(self) -> Balance:
        return Balance(Amount("1000"), Amount("1000"), Amount("1000"))

    def fills_since(self, cursor: int) -> tuple[list[Fill], int]:
        if cursor == self._answered:
            return [], cursor
        found = [f for f in self.fills if f.ts_ms >= cursor]
        self._answered = max((f.ts_ms for f in found), default=cursor)
        return found, self._answered


@pytest.fixture
def journal(tmp_path):
    with Journal(tmp_path / "journal.sqlite") as opened:
        yield opened


def test_the_window_of_an_empty_journal_is_the_venues_default_lookback(journal):
    assert fill_window_start(journal.recover(), T0) == T0 - EMPTY_JOURNAL_LOOKBACK_MS


def test_the_window_opens_a_margin_before_the_newest_counted_fill(journal):
    journal.record_fills([fill("a", "0.01", T0), fill("b", "0.01", T0 + 5 * HOUR)])
    recovery = journal.recover()
    assert recovery.last_fill_ms == T0 + 5 * HOUR
    assert recovery.signed_sizes == {BTC: Decimal("0.02")}
    assert fill_window_start(recovery, T0 + 9 * HOUR) == T0 + 5 * HOUR - FILL_WINDOW_MARGIN_MS


def test_an_order_still_open_in_the_journal_pulls_the_window_back(tmp_path):
    request = OrderRequest("r-1", BTC, Side.BUY, Qty("0.01"), OrderType.MARKET, False)
    with Journal(tmp_path / "j.sqlite", clock=lambda: T0) as journal:
        journal.record_intent(request, run_id="r", seq=1)  # written at T0, never answered
        journal.record_fills([fill("late", "0.01", T0 + 2 * HOUR)])
        recovery = journal.recover()
    assert recovery.open_since_ms == T0
    assert fill_window_start(recovery, T0 + 3 * HOUR) == T0 - FILL_WINDOW_MARGIN_MS


def test_old_fills_the_exchange_forgot_are_not_demanded(journal):
    old, new = fill("old", "0.01", T0), fill("new", "0.01", T0 + 5 * HOUR)
    journal.record_fills([old, new])
    exchange = Account([new], held="0.02")  # the old execution aged out
    recovery = journal.recover()
    since = fill_window_start(recovery, T0 + 6 * HOUR)
    windowed = reconcile(recovery, exchange, symbols=[BTC], since_ms=since)
    assert windowed.status is ReconcileStatus.AGREES, windowed.render()
    # the rule without a window demands every journal fill forever, and fails here
    exchange = Account([new], held="0.02")
    everything = reconcile(recovery, exchange, symbols=[BTC])
    kinds = {d.kind for d in everything.differences}
    assert DifferenceKind.FILL_NOT_ON_EXCHANGE in kinds


def test_inside_the_window_a_journal_fill_missing_on_the_exchange_is_a_difference(journal):
    journal.record_fills([fill("a", "0.01", T0), fill("b", "0.01", T0 + 1000)])
    exchange = Account([fill("b", "0.01", T0 + 1000)], held="0.02")
    recovery = journal.recover()
    report = reconcile(recovery, exchange, symbols=[BTC], since_ms=fill_window_start(recovery, T0))
    ghost = [d for d in report.differences if d.kind is DifferenceKind.FILL_NOT_ON_EXCHANGE]
    assert [d.subject for d in ghost] == ["a"]
    assert not report.adoptable


def test_a_lost_fill_inside_the_window_explains_the_position(journal):
    journal.record_fills([fill("a", "0.01", T0)])
    exchange = Account([fill("a", "0.01", T0), fill("lost", "0.01", T0 + 10)], held="0.02")
    recovery = journal.recover()
    report = reconcile(recovery, exchange, symbols=[BTC], since_ms=fill_window_start(recovery, T0))
    kinds = sorted(d.kind.value for d in report.differences)
    assert kinds == ["lost fill", "position mismatch"]
    assert report.adoptable
    mismatch = next(d for d in report.differences if d.kind is DifferenceKind.POSITION_MISMATCH)
    assert mismatch.journal == "long 0.01"
    assert mismatch.exchange == "long 0.02"


@pytest.mark.failclosed
def test_a_position_moved_outside_the_window_is_never_adoptable(journal):
    journal.record_fills([fill("a", "0.01", T0 + 5 * HOUR)])
    # someone bought 0.05 long before the window; that execution is gone
    exchange = Account([fill("a", "0.01", T0 + 5 * HOUR)], held="0.06")
    recovery = journal.recover()
    since = fill_window_start(recovery, T0 + 6 * HOUR)
    report = reconcile(recovery, exchange, symbols=[BTC], since_ms=since)
    assert report.status is ReconcileStatus.DIFFERS
    assert [d.kind for d in report.differences] == [DifferenceKind.POSITION_MISMATCH]
    assert not report.adoptable


def test_a_journal_whose_last_fill_the_exchange_forgot_long_ago_still_agrees(journal):
    journal.record_fills([fill("a", "0.01", T0)])
    later = T0 + 30 * 24 * HOUR
    recovery = journal.recover()
    since = fill_window_start(recovery, later)
    assert since == later - EMPTY_JOURNAL_LOOKBACK_MS
    report = reconcile(recovery, Account([], held="0.01"), symbols=[BTC], since_ms=since)
    assert report.status is ReconcileStatus.AGREES, report.render()


@pytest.mark.failclosed
def test_a_fill_missed_before_the_cap_still_shows_as_a_position_nothing_explains(journal):
    journal.record_fills([fill("a", "0.01", T0)])
    later = T0 + 30 * 24 * HOUR
    recovery = journal.recover()
    since = fill_window_start(recovery, later)
    report = reconcile(recovery, Account([], held="0.03"), symbols=[BTC], since_ms=since)
    assert [d.kind for d in report.differences] == [DifferenceKind.POSITION_MISMATCH]
    assert not report.adoptable
