"""Reading a ``/v5/order/create-batch`` answer item by item.

Bybit answers ``retCode 0`` even when items fail: ``result.list[i]`` holds the ids and
``retExtInfo.list[i]`` the item's own ``code``/``msg``, in request order. An item whose
answer is missing, or whose link id does not match the request at that position, is
UNKNOWN: the venue may hold it.
"""

from __future__ import annotations

from bot.domain import OrderStatus
from bot.errors import MalformedResponse, VenueRejected
from bot.exchange.bybit import outcome
from bot.exchange.bybit.wire import Json, integer, item_object, list_field, obj_field, result
from bot.exchange.protocol import SubmitResult

ENDPOINT = "POST /v5/order/create-batch"


def batch_results(links: list[str], answer: object) -> list[SubmitResult]:
    """One result per link id, in order, from a batch create's envelope."""
    try:
        body = result(answer, ENDPOINT)
        ids = list_field(body, "list", ENDPOINT)
        envelope = answer if isinstance(answer, dict) else {}
        codes = list_field(obj_field(envelope, "retExtInfo", ENDPOINT), "list", ENDPOINT)
    except VenueRejected as refused:
        return [outcome.from_code(link, refused.code, refused.message) for link in links]
    except MalformedResponse as error:
        return [outcome.unknown(link, f"unreadable batch answer: {error}") for link in links]
    return [_item(index, link, ids, codes) for index, link in enumerate(links)]


def _item(index: int, link: str, ids: list[object], codes: list[object]) -> SubmitResult:
    if index >= len(ids) or index >= len(codes):
        return outcome.unknown(link, f"batch answer has no item {index}")
    try:
        placed: Json = item_object(ids[index], f"result.list[{index}]", ENDPOINT)
        status: Json = item_object(codes[index], f"retExtInfo.list[{index}]", ENDPOINT)
        code = integer(status, "code", ENDPOINT)
    except MalformedResponse as error:
        return outcome.unknown(link, f"unreadable batch item: {error}")
    answered_link = placed.get("orderLinkId", "")
    if answered_link not in ("", link):
        return outcome.unknown(link, f"batch item {index} answers for {answered_link!r}")
    if code != 0:
        message = status.get("msg", "")
        return outcome.from_code(link, code, message if isinstance(message, str) else "")
    order_id = placed.get("orderId", "")
    if not isinstance(order_id, str) or not order_id:
        return outcome.unknown(link, f"batch item {index} accepted without an orderId")
    return SubmitResult(link, OrderStatus.NEW, order_id=order_id)
