"""What an order-placing call's failure means: refused for sure, or perhaps acted upon.

Only an answer that proves the venue did not act is REJECTED. Everything else (a
timeout, a dropped connection, HTTP 5xx, a body that is not JSON, ``retCode`` 10000 or
10016, a duplicate ``orderLinkId`` on a create) is UNKNOWN: the order is looked up by
its ``orderLinkId`` before anything is resent.
"""

from __future__ import annotations

from typing import Final

import requests
from pybit.exceptions import FailedRequestError, InvalidRequestError

from bot.domain import OrderStatus
from bot.exchange.protocol import SubmitResult

#: ``retCode``s meaning "the server failed while handling it": it may have acted.
AMBIGUOUS_CODES: Final = frozenset({10000, 10016})
#: ``OrderLinkedID is duplicate``: an earlier send of this order may have been placed.
DUPLICATE_LINK_ID: Final = 110072
#: HTTP statuses pybit raises on that prove the request was not processed: 400 (pybit's
#: "retries exceeded" after 10002/10006 refusals), 401 (no auth), 403 (IP limit or
#: region), 404 (no such path), 429 (too many requests).
NOT_PROCESSED_HTTP: Final = frozenset({400, 401, 403, 404, 429})
#: Code of a request this client refused to send (its own rate limit); Bybit's 10006.
CLIENT_RATE_LIMITED: Final = 10006


def unknown(order_link_id: str, why: str, code: int = 0) -> SubmitResult:
    """An ambiguous outcome: look the order up by link id before resending."""
    return SubmitResult(
        order_link_id,
        OrderStatus.UNKNOWN,
        code=code,
        message=f"outcome unknown ({why}); look the order up by orderLinkId before resending",
    )


def rejected(order_link_id: str, code: int, message: str) -> SubmitResult:
    """A refusal the venue (or this client) stands behind: nothing was placed."""
    return SubmitResult(order_link_id, OrderStatus.REJECTED, code=code, message=message)


def from_code(order_link_id: str, code: int, message: str) -> SubmitResult:
    """The result for a non-zero ``retCode`` on a create (single or batch item)."""
    if code in AMBIGUOUS_CODES:
        return unknown(order_link_id, f"venue error {code}: {message}", code)
    if code == DUPLICATE_LINK_ID:
        return unknown(order_link_id, f"duplicate orderLinkId ({code}: {message})", code)
    return rejected(order_link_id, code, message)


def from_failure(order_link_id: str, error: BaseException) -> SubmitResult:
    """The result for an exception raised by an order-placing pybit call."""
    if isinstance(error, InvalidRequestError):
        return from_code(order_link_id, error.status_code, error.message)
    if isinstance(error, FailedRequestError):
        status = error.status_code
        if status in NOT_PROCESSED_HTTP:
            return rejected(order_link_id, status, f"HTTP {status}: {error.message}")
        return unknown(order_link_id, f"HTTP {status}: {error.message}", status)
    if isinstance(error, requests.RequestException):
        return unknown(order_link_id, f"{type(error).__name__}: no answer from the venue")
    return unknown(order_link_id, f"unexpected {type(error).__name__}")
