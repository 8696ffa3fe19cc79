"""Ambiguous outcomes: the order is looked up by its link id and never resent."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.domain import BatchIntent, EntryIntent, Money, Order, OrderStatus, Qty, Side
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution import Accepted, Rejected, Stage
from tests.support.road import BTC, ETH, VenueProxy, build_road


def buy() -> EntryIntent:
    """A small market buy."""
    return EntryIntent(BTC, Side.BUY, notional=Money(1_000))


class TimeoutAfterSend(VenueProxy):
    """The venue places the order, then the answer times out."""

    def submit(self, request: OrderRequest) -> SubmitResult:
        super().submit(request)
        raise TimeoutError("read timed out")

    def submit_batch(self, requests: Sequence[OrderRequest]) -> list[SubmitResult]:
        super().submit_batch(requests)
        raise TimeoutError("read timed out")


class TimeoutBeforeSend(VenueProxy):
    """The request never reaches the venue, but the caller cannot know."""

    def submit(self, request: OrderRequest) -> SubmitResult:
        self.calls["submit"] += 1
        self.sent.append(request)
        raise TimeoutError("connect timed out")


class UnknownAnswer(VenueProxy):
    """The venue answers UNKNOWN (a 5xx) without placing the order."""

    def submit(self, request: OrderRequest) -> SubmitResult:
        self.calls["submit"] += 1
        self.sent.append(request)
        return SubmitResult(
            request.order_link_id, OrderStatus.UNKNOWN, code=10016, message="502 bad gateway"
        )


class UnknownAfterPlacing(VenueProxy):
    """The venue places the order but answers UNKNOWN."""

    def submit(self, request: OrderRequest) -> SubmitResult:
        super().submit(request)
        return SubmitResult(request.order_link_id, OrderStatus.UNKNOWN, message="504", qty=None)


class LookupsFail(TimeoutBeforeSend):
    """Neither the submit nor any lookup gets an answer."""

    def lookup(self, order_link_id: str) -> Order | None:
        self.calls["lookup"] += 1
        raise ConnectionError("venue unreachable")


@pytest.mark.parametrize("gateway", [TimeoutAfterSend, UnknownAfterPlacing])
def test_an_ambiguous_submit_that_the_venue_placed_is_accepted_after_lookup(
    gateway: type[VenueProxy],
) -> None:
    road = build_road(gateway=gateway)
    result = road.executor.submit(buy())
    assert isinstance(result, Accepted), str(result)
    assert result.order_link_id == "test-1"
    assert result.status is OrderStatus.FILLED
    assert road.gateway.calls["submit"] == 1  # never resent
    assert road.gateway.calls["lookup"] == 1
    assert road.venue.accepted_count == 1
    road.executor.sync_fills()
    order = road.executor.ledger.get("test-1")
    assert order is not None
    assert order.status is OrderStatus.FILLED


@pytest.mark.parametrize("gateway", [TimeoutBeforeSend, UnknownAnswer])
def test_an_ambiguous_submit_the_venue_never_saw_is_rejected_and_not_resent(
    gateway: type[VenueProxy],
) -> None:
    road = build_road(gateway=gateway)
    result = road.executor.submit(buy())
    assert isinstance(result, Rejected)
    assert result.stage is Stage.VENUE
    assert "not resent" in result.reason
    assert result.order_link_id == "test-1"
    assert result.numbers["order_link_id"] == "test-1"
    assert road.gateway.calls["submit"] == 1
    assert road.gateway.calls["lookup"] == 1
    assert road.venue.accepted_count == 0
    order = road.executor.ledger.get("test-1")
    assert order is not None
    assert order.status is OrderStatus.REJECTED


def test_the_venue_code_of_an_unknown_answer_is_kept() -> None:
    result = build_road(gateway=UnknownAnswer).executor.submit(buy())
    assert isinstance(result, Rejected)
    assert result.code == 10016
    assert "502 bad gateway" in result.reason


def test_when_every_lookup_fails_the_order_stays_unknown_and_is_not_resent() -> None:
    road = build_road(gateway=LookupsFail, lookup_attempts=4)
    result = road.executor.submit(buy())
    assert isinstance(result, Rejected)
    assert result.stage is Stage.VENUE
    assert "UNKNOWN" in result.reason
    assert "not resent" in result.reason
    assert "ConnectionError" in result.reason
    assert road.gateway.calls["submit"] == 1
    assert road.gateway.calls["lookup"] == 4
    order = road.executor.ledger.get("test-1")
    assert order is not None
    assert order.status is OrderStatus.UNKNOWN


def test_the_next_intent_after_an_ambiguous_one_gets_a_fresh_link_id() -> None:
    road = build_road(gateway=TimeoutBeforeSend)
    road.executor.submit(buy())
    second = road.executor.submit(buy())
    assert second.order_link_id == "test-2"
    assert [r.order_link_id for r in road.gateway.sent] == ["test-1", "test-2"]


def test_an_ambiguous_batch_is_looked_up_item_by_item_and_not_resent() -> None:
    road = build_road(gateway=TimeoutAfterSend)
    batch = BatchIntent(
        (
            buy(),
            EntryIntent(ETH, Side.SELL, qty=Qty("1")),
            EntryIntent(BTC, Side.SELL, qty=Qty("0.001")),
        )
    )
    results = road.executor.submit_batch(batch)
    assert [r.accepted for r in results] == [True, True, True]
    assert [r.order_link_id for r in results] == ["test-1", "test-2", "test-3"]
    assert road.gateway.calls["submit_batch"] == 1
    assert road.gateway.calls["submit"] == 0
    assert road.gateway.calls["lookup"] == 3
    assert road.venue.accepted_count == 3


class ShortBatchAnswer(VenueProxy):
    """The venue places every order but drops the last item from its answer."""

    def submit_batch(self, requests: Sequence[OrderRequest]) -> list[SubmitResult]:
        return super().submit_batch(requests)[:-1]


def test_an_item_missing_from_a_batch_answer_is_looked_up() -> None:
    road = build_road(gateway=ShortBatchAnswer)
    results = road.executor.submit_batch(BatchIntent((buy(), buy())))
    assert [r.accepted for r in results] == [True, True]
    assert road.gateway.calls["lookup"] == 1
    assert road.venue.accepted_count == 2
