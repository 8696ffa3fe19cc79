"""The answers built for a prepared order: notes, venue refusals and unknown outcomes."""

from __future__ import annotations

from bot.domain import OrderStatus, OrderType, Qty, Side, Symbol
from bot.exchange.protocol import OrderRequest, SubmitResult, pending_order
from bot.execution.outcomes import (
    Prepared,
    accepted,
    present,
    request_numbers,
    unknown_answer,
    venue_rejection,
)
from bot.execution.results import Accepted, Rejected, Stage

BTC = Symbol("BTCUSDT")


def _request(*, reduce_only: bool = False) -> OrderRequest:
    return OrderRequest("run-7", BTC, Side.BUY, Qty("0.010"), OrderType.MARKET, reduce_only)


def test_accepted_joins_the_notes_of_the_executor_and_the_venue() -> None:
    answer = SubmitResult("run-7", OrderStatus.FILLED, "v-1", 0, "cut to size", Qty("0.005"))
    both = accepted(Prepared(_request(), "shrunk to fit"), answer)
    assert isinstance(both, Accepted)
    assert both.note == "shrunk to fit; cut to size"
    assert (both.qty, both.order_id, both.status) == (Qty("0.005"), "v-1", OrderStatus.FILLED)
    plain = SubmitResult("run-7", OrderStatus.NEW, "v-1")
    assert accepted(Prepared(_request(), "shrunk"), plain).note == "shrunk"
    assert accepted(Prepared(_request()), answer).note == "cut to size"
    assert accepted(Prepared(_request()), plain).qty == Qty("0.010"), "no qty: the request's"


def test_a_prepared_close_is_not_an_entry() -> None:
    assert Prepared(_request()).entry
    assert not Prepared(_request(reduce_only=True)).entry


def test_a_venue_refusal_carries_its_code_and_the_request_figures() -> None:
    refused = SubmitResult("run-7", OrderStatus.REJECTED, code=110007, message="ab not enough")
    result = venue_rejection(_request(), refused)
    assert (result.stage, result.code, result.reason) == (Stage.VENUE, 110007, "ab not enough")
    assert result.numbers == request_numbers(_request())
    assert result.numbers["qty"] == "0.010"
    assert result.order_link_id == "run-7"


def test_a_send_that_raised_is_unknown_and_a_missing_slot_is_an_error() -> None:
    answer = unknown_answer(_request(), TimeoutError("read timed out"))
    assert answer.status is OrderStatus.UNKNOWN
    assert answer.message == "TimeoutError: read timed out"
    gap = present(None)
    assert isinstance(gap, Rejected)
    assert "no result" in gap.reason


def test_pending_order_is_what_to_order_answers() -> None:
    request = _request()
    assert pending_order(request, "v-9") == request.to_order("v-9")
    assert pending_order(request).status is OrderStatus.PENDING
