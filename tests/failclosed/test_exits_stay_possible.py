"""An exit is always possible: the bot never builds a position one market order cannot
close, a close larger than one order may be sends what it can (a panic closes until
flat), and one item that cannot be prepared never stops the exits of its batch.

The instrument here allows 1 BTC per limit order and 0.05 BTC per market order (Bybit
lists pairs whose ``maxMktOrderQty`` is far below their ``maxOrderQty``).
"""

from __future__ import annotations

import pytest

from bot.domain import (
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Instrument,
    Money,
    OrderType,
    Price,
    Qty,
    Side,
    TimeInForce,
)
from bot.execution import Accepted, Rejected, Stage
from bot.safety.panic import Panic
from tests.support.road import BTC, Road, build_road

pytestmark = pytest.mark.failclosed

THIN = Instrument(BTC, Price("0.1"), Qty("0.001"), Qty("0.001"), Qty("1"), Qty("0.05"), Money(5))


def thin_road() -> Road:
    return build_road(instruments=(THIN,))


def market_buy(qty: str) -> EntryIntent:
    return EntryIntent(BTC, Side.BUY, qty=Qty(qty))


def test_an_entry_after_which_one_market_order_could_not_close_is_refused() -> None:
    road = thin_road()
    first = road.executor.submit(market_buy("0.03"))
    assert isinstance(first, Accepted), str(first)
    second = road.executor.submit(market_buy("0.03"))  # 0.06 held: more than 0.05
    assert isinstance(second, Rejected)
    assert second.stage is Stage.VALIDATION
    assert "more than one market order can close (max 0.05)" in second.reason
    assert second.numbers == {
        "position_after": "0.06",
        "qty": "0.03",
        "max_mkt_order_qty": "0.05",
    }
    assert len(road.gateway.sent) == 1
    position = road.position(BTC)
    assert position is not None
    assert position.size == Qty("0.03")


def test_a_limit_entry_may_not_build_what_a_market_close_cannot_undo() -> None:
    # one limit order may be 1 BTC, but 0.1 BTC could not be closed at market in one go
    road = thin_road()
    entry = EntryIntent(
        BTC,
        Side.BUY,
        qty=Qty("0.1"),
        order_type=OrderType.LIMIT,
        limit_price=Price("60000"),
        time_in_force=TimeInForce.GTC,
    )
    result = road.executor.submit(entry)
    assert isinstance(result, Rejected)
    assert "position would be 0.1 BTCUSDT" in result.reason
    assert road.gateway.sent == []


def test_an_entry_that_reverses_within_the_limit_goes() -> None:
    road = thin_road()
    assert isinstance(road.executor.submit(market_buy("0.03")), Accepted)
    sell = road.executor.submit(EntryIntent(BTC, Side.SELL, qty=Qty("0.05")))
    assert isinstance(sell, Accepted), str(sell)  # long 0.03 becomes short 0.02
    position = road.position(BTC)
    assert position is not None
    assert (position.side, position.size) == (Side.SELL, Qty("0.02"))


def test_a_position_larger_than_one_market_order_is_closed_in_parts() -> None:
    # built outside the bot (two orders straight on the venue): the close sends the
    # maximum, reduce-only, instead of one order the venue refuses whole
    road = thin_road()
    road.open_position(BTC, Side.BUY, "0.05")
    road.open_position(BTC, Side.BUY, "0.04")
    result = road.executor.submit(CloseIntent(BTC))
    assert isinstance(result, Accepted), str(result)
    assert result.reduce_only
    assert result.qty == Qty("0.05")
    assert "closing 0.05 of 0.09 now" in result.note
    rest = road.position(BTC)
    assert rest is not None
    assert rest.size == Qty("0.04")
    assert isinstance(road.executor.submit(CloseIntent(BTC)), Accepted)
    assert road.position(BTC) is None


def test_a_panic_flattens_a_position_larger_than_one_market_order() -> None:
    road = thin_road()
    for _ in range(3):
        road.open_position(BTC, Side.SELL, "0.05")
    report = Panic(road.executor, road.state, sleep=lambda _: None).trigger("too big")
    assert report.flat, report
    assert road.position(BTC) is None
    assert [(r.side, r.qty, r.reduce_only) for r in road.executor_requests()] == [
        (Side.BUY, Qty("0.05"), True)
    ] * 3


def test_an_entry_that_cannot_even_be_valued_is_refused_and_its_batch_goes_on() -> None:
    # 10^12 BTC at 60,000 is beyond any Money: that item is refused, the close is sent
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.01")
    batch = BatchIntent((market_buy("1000000000000"), CloseIntent(BTC)))
    absurd, close = road.executor.submit_batch(batch)
    assert isinstance(absurd, Rejected)
    assert absurd.stage is Stage.VALIDATION
    assert "cannot value the entry" in absurd.reason
    assert isinstance(close, Accepted), str(close)
    assert road.position(BTC) is None


def test_an_item_whose_preparation_raises_is_refused_and_the_others_are_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.01")

    def broken(*args: object) -> None:
        raise ZeroDivisionError("a bug in a check")

    monkeypatch.setattr("bot.execution.executor._unclosable", broken)
    batch = BatchIntent((market_buy("0.01"), CloseIntent(BTC)))
    entry, close = road.executor.submit_batch(batch)
    assert isinstance(entry, Rejected)
    assert entry.stage is Stage.VALIDATION
    assert "could not be prepared" in entry.reason
    assert "a bug in a check" in entry.reason
    assert isinstance(close, Accepted), str(close)
    assert [r.reduce_only for r in road.executor_requests()] == [True]
    single = road.executor.submit(market_buy("0.01"))
    assert isinstance(single, Rejected)
    assert "could not be prepared" in single.reason
