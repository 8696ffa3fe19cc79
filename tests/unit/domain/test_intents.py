"""Intents: entries need one size, limits need a price, closes are always reduce-only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import (
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Money,
    OrderType,
    Price,
    Qty,
    Side,
    TimeInForce,
    TriggerDirection,
)
from bot.errors import InvalidValue, TypeViolation
from tests.unit.domain.samples import BTC


def test_entry_by_notional_or_by_qty() -> None:
    by_notional = EntryIntent(BTC, Side.BUY, notional=Money("1000"))
    by_qty = EntryIntent(BTC, Side.SELL, qty=Qty("0.01"))
    assert (by_notional.notional, by_notional.qty) == (Money("1000"), None)
    assert (by_qty.notional, by_qty.qty) == (None, Qty("0.01"))
    assert by_notional.reduce_only is False
    assert by_notional.order_type is OrderType.MARKET
    assert by_notional.time_in_force is TimeInForce.IOC


@pytest.mark.parametrize(
    ("notional", "qty"), [(None, None), (Money("1000"), Qty("0.01"))], ids=["none", "both"]
)
def test_entry_needs_exactly_one_size(notional: Money | None, qty: Qty | None) -> None:
    with pytest.raises(InvalidValue, match="exactly one of notional or qty") as caught:
        EntryIntent(BTC, Side.BUY, notional=notional, qty=qty)
    assert caught.value.field == "entry.size"


def test_limit_entry_needs_a_price() -> None:
    with pytest.raises(InvalidValue, match="needs a limit price") as caught:
        EntryIntent(
            BTC, Side.BUY, qty=Qty("1"), order_type=OrderType.LIMIT, time_in_force=TimeInForce.GTC
        )
    assert caught.value.field == "limit_price"
    limit = EntryIntent(
        BTC,
        Side.BUY,
        qty=Qty("1"),
        order_type=OrderType.LIMIT,
        limit_price=Price("65000"),
        time_in_force=TimeInForce.POST_ONLY,
    )
    assert limit.limit_price == Decimal("65000")


def test_market_entry_takes_no_price_and_is_ioc() -> None:
    with pytest.raises(InvalidValue, match="takes no price"):
        EntryIntent(BTC, Side.BUY, qty=Qty("1"), limit_price=Price("1"))
    with pytest.raises(InvalidValue, match="market orders are IOC") as caught:
        EntryIntent(BTC, Side.BUY, qty=Qty("1"), time_in_force=TimeInForce.GTC)
    assert caught.value.value == "GTC"


def test_trigger_price_and_direction_go_together() -> None:
    with pytest.raises(InvalidValue, match="go together"):
        EntryIntent(BTC, Side.BUY, qty=Qty("1"), trigger_price=Price("70000"))
    with pytest.raises(InvalidValue, match="go together"):
        CloseIntent(BTC, trigger_direction=TriggerDirection.FALL)
    stop = CloseIntent(BTC, trigger_price=Price("60000"), trigger_direction=TriggerDirection.FALL)
    assert stop.trigger_price == Decimal("60000")


def test_entry_refuses_unvalidated_sizes() -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        EntryIntent(BTC, Side.BUY, notional=Decimal("1000"))  # type: ignore[arg-type]
    with pytest.raises((TypeViolation, InvalidValue)):
        EntryIntent(BTC, Side.BUY, qty=Price("1"))  # type: ignore[arg-type]


def test_close_is_reduce_only_by_default_and_whole() -> None:
    close = CloseIntent(BTC)
    assert close.reduce_only is True
    assert close.fraction == 1
    assert close.order_type is OrderType.MARKET


@pytest.mark.parametrize("flag", [False, 0, None, "true"], ids=repr)
def test_close_without_reduce_only_raises_at_run_time(flag: object) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        CloseIntent(BTC, reduce_only=flag)  # type: ignore[arg-type]


@pytest.mark.parametrize("share", ["0.5", "1", "0.001", "1.000"])
def test_close_fraction_within_zero_to_one(share: str) -> None:
    assert CloseIntent(BTC, fraction=Decimal(share)).fraction == Decimal(share)


@pytest.mark.parametrize("share", ["0", "-0.5", "1.0001", "2", "NaN", "Infinity"])
def test_close_fraction_outside_zero_to_one_is_refused(share: str) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        CloseIntent(BTC, fraction=Decimal(share))


def test_close_fraction_refuses_a_float() -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        CloseIntent(BTC, fraction=0.5)  # type: ignore[arg-type]


def test_batch_keeps_its_items_in_order() -> None:
    items = (
        EntryIntent(BTC, Side.BUY, notional=Money("100")),
        CloseIntent(BTC, fraction=Decimal("0.5")),
    )
    assert BatchIntent(items).items == items


def test_batch_is_never_empty() -> None:
    with pytest.raises(InvalidValue, match="at least one intent") as caught:
        BatchIntent(())
    assert caught.value.field == "batch.items"


@pytest.mark.parametrize(
    "items",
    [[CloseIntent(BTC)], (CloseIntent(BTC), "close"), (CloseIntent(BTC), None)],
    ids=["list", "text-item", "none-item"],
)
def test_batch_refuses_anything_but_a_tuple_of_intents(items: object) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        BatchIntent(items)  # type: ignore[arg-type]
