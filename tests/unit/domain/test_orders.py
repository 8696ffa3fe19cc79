"""Orders: the status machine, terminal states, UNKNOWN resolution and fill accounting."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from bot.domain import Amount, Fill, Order, OrderStatus, OrderType, Price, Qty, Side
from bot.domain.orders import TRANSITIONS
from bot.errors import InvalidTransition, InvalidValue
from tests.unit.domain.samples import BTC, TS

S = OrderStatus
ALLOWED = sorted(
    ((old, new) for old, targets in TRANSITIONS.items() for new in targets),
    key=lambda pair: (pair[0].value, pair[1].value),
)
FORBIDDEN = [(old, new) for old, new in itertools.product(S, S) if new not in TRANSITIONS[old]]


def _order(status: OrderStatus = S.PENDING, qty: str = "1", link: str = "run1-1") -> Order:
    return Order(link, BTC, Side.BUY, Qty(qty), OrderType.LIMIT, False, Price("100"), status=status)


def _fill(exec_id: str, qty: str, link: str = "run1-1", side: Side = Side.BUY) -> Fill:
    return Fill(exec_id, link, BTC, side, Qty(qty), Price("100"), Amount("-0.01"), TS)


def _ids(pairs: list[tuple[OrderStatus, OrderStatus]]) -> list[str]:
    return [f"{old.value}->{new.value}" for old, new in pairs]


def test_every_status_has_a_transition_entry() -> None:
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=_ids(ALLOWED))
def test_allowed_transitions(old: OrderStatus, new: OrderStatus) -> None:
    order = _order(old)
    order.transition(new, reason="venue said so")
    assert order.status is new
    assert order.reason == "venue said so"


@pytest.mark.parametrize(("old", "new"), FORBIDDEN, ids=_ids(FORBIDDEN))
def test_forbidden_transitions(old: OrderStatus, new: OrderStatus) -> None:
    order = _order(old)
    with pytest.raises(InvalidTransition, match=f"{old.value} -> {new.value} is not allowed"):
        order.transition(new)
    assert order.status is old


def test_forbidden_sample_is_what_a_trader_expects() -> None:
    for old, new in [
        (S.FILLED, S.CANCELLED),
        (S.CANCELLED, S.NEW),
        (S.REJECTED, S.NEW),
        (S.NEW, S.PENDING),
        (S.NEW, S.UNKNOWN),
        (S.PARTIALLY_FILLED, S.NEW),
        (S.NEW, S.REJECTED),
    ]:
        assert (old, new) in FORBIDDEN


@pytest.mark.parametrize("terminal", [S.FILLED, S.CANCELLED, S.REJECTED])
def test_terminal_states_are_final(terminal: OrderStatus) -> None:
    assert terminal.is_terminal
    assert not terminal.is_open
    assert TRANSITIONS[terminal] == frozenset()


def test_open_and_terminal_flags() -> None:
    assert {s for s in S if s.is_open} == {S.NEW, S.UNTRIGGERED, S.PARTIALLY_FILLED}
    assert {s for s in S if s.is_terminal} == {S.FILLED, S.CANCELLED, S.REJECTED}
    assert not S.UNKNOWN.is_open
    assert not S.UNKNOWN.is_terminal


def test_pending_may_become_unknown_and_unknown_resolves_by_lookup() -> None:
    assert S.UNKNOWN in TRANSITIONS[S.PENDING]
    assert TRANSITIONS[S.UNKNOWN] == {
        S.NEW,
        S.UNTRIGGERED,
        S.PARTIALLY_FILLED,
        S.FILLED,
        S.CANCELLED,
        S.REJECTED,
    }
    for resolved in TRANSITIONS[S.UNKNOWN]:
        order = _order(S.UNKNOWN)
        order.transition(resolved)
        assert order.status is resolved
    with pytest.raises(InvalidTransition):
        _order(S.UNKNOWN).transition(S.PENDING)


@pytest.mark.parametrize("link", ["", "x" * 37])
def test_order_link_id_is_one_to_36_characters(link: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        _order(link=link)
    assert caught.value.field == "order.order_link_id"
    assert _order(link="x" * 36).order_link_id == "x" * 36


def test_partial_then_full_fill() -> None:
    order = _order(S.NEW, qty="1")
    assert order.apply_fill(_fill("e1", "0.4")) is True
    assert (order.status, order.filled_qty) == (S.PARTIALLY_FILLED, Decimal("0.4"))
    assert order.apply_fill(_fill("e2", "0.3")) is True
    assert (order.status, order.filled_qty) == (S.PARTIALLY_FILLED, Decimal("0.7"))
    assert order.apply_fill(_fill("e3", "0.3")) is True
    assert (order.status, order.filled_qty) == (S.FILLED, Decimal("1.0"))
    assert order.fill_ids == ("e1", "e2", "e3")


def test_a_fill_is_counted_once_per_exec_id() -> None:
    order = _order(S.NEW, qty="1")
    assert order.apply_fill(_fill("e1", "0.5")) is True
    assert order.apply_fill(_fill("e1", "0.5")) is False
    assert order.filled_qty == Decimal("0.5")
    assert order.status is S.PARTIALLY_FILLED


def test_a_fill_may_not_overfill() -> None:
    order = _order(S.NEW, qty="1")
    order.apply_fill(_fill("e1", "0.8"))
    with pytest.raises(InvalidValue, match=r"at most 0\.2") as caught:
        order.apply_fill(_fill("e2", "0.3"))
    assert caught.value.field == "fill.qty"
    assert (order.filled_qty, order.fill_ids) == (Decimal("0.8"), ("e1",))


def test_a_fill_of_another_order_or_side_is_refused() -> None:
    order = _order(S.NEW)
    with pytest.raises(InvalidValue, match="a fill of order run1-1"):
        order.apply_fill(_fill("e1", "0.1", link="run1-2"))
    with pytest.raises(InvalidValue, match="a fill of order run1-1"):
        order.apply_fill(_fill("e1", "0.1", side=Side.SELL))
    assert order.filled_qty == 0


def test_a_pending_order_can_fill_before_its_ack() -> None:
    order = _order(S.PENDING, qty="0.5")
    order.apply_fill(_fill("e1", "0.5"))
    assert order.status is S.FILLED


def test_a_fill_racing_a_cancel_is_counted_and_the_order_stays_cancelled() -> None:
    order = _order(S.CANCELLED, qty="1")
    assert order.apply_fill(_fill("e1", "0.5")) is True
    assert (order.status, order.filled_qty) == (S.CANCELLED, Decimal("0.5"))


@pytest.mark.parametrize(
    ("exec_id", "link", "ts", "field"),
    [
        ("", "run1-1", TS, "fill.exec_id"),
        ("e1", "", TS, "fill.order_link_id"),
        ("e1", "run1-1", 1_700_000_000, "fill.ts_ms"),
    ],
)
def test_fill_refuses_missing_ids_and_bad_timestamps(
    exec_id: str, link: str, ts: int, field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        Fill(exec_id, link, BTC, Side.BUY, Qty("1"), Price("1"), Amount("0"), ts)
    assert caught.value.field == field
