"""The order ledger: fills counted once, in any order against acknowledgements and cancels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import (
    Amount,
    EntryIntent,
    Fill,
    Money,
    Order,
    OrderStatus,
    OrderType,
    Price,
    Qty,
    Side,
)
from bot.errors import InvalidTransition, TypeViolation
from bot.execution import OrderLedger
from tests.support.road import BTC, START_MS, build_road


def order(link: str = "run-1", qty: str = "1") -> Order:
    """A pending limit buy of ``qty`` BTCUSDT."""
    return Order(link, BTC, Side.BUY, Qty(qty), OrderType.LIMIT, False, Price("60000"))


def fill(exec_id: str, qty: str = "1", link: str = "run-1") -> Fill:
    """A fill of ``qty`` against order ``link``."""
    return Fill(exec_id, link, BTC, Side.BUY, Qty(qty), Price("60000"), Amount("0.1"), START_MS)


def test_a_fill_is_counted_once_by_exec_id() -> None:
    ledger = OrderLedger()
    ledger.record(order(qty="2"))
    assert ledger.on_fill(fill("e1")) is True
    assert ledger.on_fill(fill("e1")) is False
    assert (ledger.fill_count, ledger.filled_qty) == (1, Decimal(1))
    tracked = ledger.get("run-1")
    assert tracked is not None
    assert tracked.status is OrderStatus.PARTIALLY_FILLED


def test_a_fill_before_the_order_is_recorded_is_held_and_applied_once() -> None:
    ledger = OrderLedger()
    ledger.on_fill(fill("e1"))
    assert ledger.fill_count == 0
    ledger.record(order())
    assert (ledger.fill_count, ledger.filled_qty) == (1, Decimal(1))
    assert ledger.on_fill(fill("e1")) is False
    tracked = ledger.acknowledge("run-1", OrderStatus.NEW, "sim-1")
    assert tracked.status is OrderStatus.FILLED  # the late "New" does not regress it
    assert tracked.order_id == "sim-1"


def test_a_held_fill_seen_twice_before_its_order_is_new_only_once() -> None:
    ledger = OrderLedger()
    assert ledger.on_fill(fill("e1")) is True
    assert ledger.on_fill(fill("e1")) is False  # stream and REST poll bring the same fill
    ledger.record(order())
    assert ledger.fill_count == 1


def test_a_fill_before_the_acknowledgement_is_not_undone_by_it() -> None:
    ledger = OrderLedger()
    ledger.record(order(qty="2"))
    ledger.on_fill(fill("e1"))
    tracked = ledger.acknowledge("run-1", OrderStatus.NEW, "sim-1")
    assert tracked.status is OrderStatus.PARTIALLY_FILLED


def test_an_acknowledged_filled_status_waits_for_the_fills() -> None:
    ledger = OrderLedger()
    ledger.record(order(qty="2"))

    def status() -> OrderStatus:
        tracked = ledger.get("run-1")
        assert tracked is not None
        return tracked.status

    ledger.acknowledge("run-1", OrderStatus.FILLED, "sim-1")
    assert status() is OrderStatus.NEW
    ledger.on_fill(fill("e1"))
    assert status() is OrderStatus.PARTIALLY_FILLED
    ledger.acknowledge("run-1", OrderStatus.FILLED, "sim-1")
    assert status() is OrderStatus.PARTIALLY_FILLED  # no regression, no jump
    ledger.on_fill(fill("e2"))
    assert status() is OrderStatus.FILLED
    ledger.acknowledge("run-1", OrderStatus.NEW, "sim-1")
    assert status() is OrderStatus.FILLED


def test_a_fill_racing_a_cancel_is_counted_and_the_order_stays_cancelled() -> None:
    ledger = OrderLedger()
    ledger.record(order(qty="2"))
    ledger.acknowledge("run-1", OrderStatus.NEW, "sim-1")
    ledger.acknowledge("run-1", OrderStatus.CANCELLED, "")
    assert ledger.on_fill(fill("e1")) is True
    tracked = ledger.get("run-1")
    assert tracked is not None
    assert tracked.status is OrderStatus.CANCELLED
    assert (ledger.fill_count, tracked.filled_qty) == (1, Decimal(1))


def test_a_cancel_after_the_last_fill_does_not_reopen_or_cancel_a_filled_order() -> None:
    ledger = OrderLedger()
    ledger.record(order())
    ledger.acknowledge("run-1", OrderStatus.NEW, "sim-1")
    ledger.on_fill(fill("e1"))
    tracked = ledger.acknowledge("run-1", OrderStatus.CANCELLED, "")
    assert tracked.status is OrderStatus.FILLED


def test_an_order_cannot_be_recorded_twice() -> None:
    ledger = OrderLedger()
    ledger.record(order())
    with pytest.raises(InvalidTransition):
        ledger.record(order())


def test_fills_from_the_venue_and_the_stream_are_counted_once_through_the_executor() -> None:
    road = build_road()
    road.executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(1_000)))
    new = road.executor.sync_fills()
    assert len(new) == 1
    assert road.executor.sync_fills() == []
    assert road.executor.on_fill(new[0]) is False  # the same fill again from the stream
    assert road.executor.ledger.fill_count == 1
    assert road.executor.ledger.filled_qty == Decimal("0.016")
    assert [o.status for o in road.executor.ledger] == [OrderStatus.FILLED]


def test_on_fills_counts_each_fill_once_and_returns_the_new_ones_in_order() -> None:
    ledger = OrderLedger()
    ledger.record(order(qty="3"))
    assert ledger.on_fill(fill("e2")) is True
    early = fill("e9", link="run-2")  # its order is not recorded yet: held, and new
    batch = [fill("e1"), fill("e2"), early, fill("e3"), fill("e1")]
    assert [f.exec_id for f in ledger.on_fills(batch)] == ["e1", "e9", "e3"]
    assert (ledger.fill_count, ledger.filled_qty) == (3, Decimal(3))
    assert ledger.on_fills(batch) == []
    ledger.record(order("run-2"))
    assert ledger.fill_count == 4  # the held fill, applied once when its order came


def test_on_fills_refuses_a_list_with_something_that_is_not_a_fill_before_counting() -> None:
    ledger = OrderLedger()
    ledger.record(order(qty="2"))
    others = [fill(f"x{i}", link="run-9") for i in range(30)]
    for wrong in ("e1", None, order()):
        # beartype looks at one item of the list; on_fills itself checks every one
        with pytest.raises(TypeViolation):
            ledger.on_fills([fill("e1"), *others, wrong])  # type: ignore[list-item]
    assert (ledger.fill_count, ledger.on_fill(fill("e1"))) == (0, True)
