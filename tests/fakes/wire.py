"""Bybit V5 on the wire, as the fake speaks it: codes, the envelope, strict parameter reading.

Every decimal leaves the fake as a string. Reading is strict on purpose: a decimal
parameter that arrives as a JSON number (``"qty": 0.001``) is refused with 10001.
The docs type these fields as strings; whether real Bybit refuses numbers is not
verified, so this strictness is a design choice of the fake that catches an adapter
sending floats (pybit casts only the top-level ``qty``, ``price``, ``triggerPrice``,
``takeProfit`` and ``stopLoss``, never batch items or leverage).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

JsonDict = dict[str, object]

OK: Final = 0
PARAM_ERROR: Final = 10001
TIMESTAMP_ERROR: Final = 10002
INVALID_KEY: Final = 10003
BAD_SIGNATURE: Final = 10004
RATE_LIMITED: Final = 10006
SERVER_ERROR: Final = 10016
ORDER_NOT_FOUND: Final = 110001
INSUFFICIENT_BALANCE: Final = 110007
REDUCE_ONLY: Final = 110017
LEVERAGE_NOT_MODIFIED: Final = 110043
DUPLICATE_LINK_ID: Final = 110072
BELOW_MIN_NOTIONAL: Final = 110094
NOT_MODIFIED: Final = 34040

#: Real retMsg texts (3rd-party logs, see the reference notes).
INVALID_KEY_MSG: Final = "API key is invalid."
RATE_LIMITED_MSG: Final = "Too many visits!"
LEVERAGE_NOT_MODIFIED_MSG: Final = "leverage not modified"
NOT_MODIFIED_MSG: Final = "not modified"

#: Batch size the fake accepts: the rate-limit page's 1-10 (the batch page says 20).
MAX_BATCH: Final = 10

#: Decimal fields the docs type as strings; a JSON number there is refused with 10001.
DECIMAL_FIELDS: Final = frozenset(
    {
        "qty",
        "price",
        "triggerPrice",
        "takeProfit",
        "stopLoss",
        "buyLeverage",
        "sellLeverage",
        "trailingStop",
        "tpSize",
        "slSize",
        "activePrice",
        "tpLimitPrice",
        "slLimitPrice",
    }
)


class V5Error(Exception):
    """A refusal the fake answers with ``retCode`` ``code`` and ``retMsg`` ``message``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def envelope(
    now_ms: int,
    result: object | None = None,
    *,
    code: int = OK,
    message: str = "OK",
    ext: JsonDict | None = None,
) -> JsonDict:
    """The documented response envelope."""
    return {
        "retCode": code,
        "retMsg": message,
        "result": {} if result is None else result,
        "retExtInfo": {} if ext is None else ext,
        "time": now_ms,
    }


def fmt(value: Decimal | int) -> str:
    """A decimal as Bybit writes it: plain notation, no exponent, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def text_param(params: Mapping[str, object], name: str, *, required: bool = True) -> str:
    """A string parameter; 10001 when it is missing (and required) or not a string."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise V5Error(PARAM_ERROR, f"params error: {name} is required")
        return ""
    if not isinstance(value, str):
        raise V5Error(PARAM_ERROR, f"params error: {name} must be a string, got {value!r}")
    return value


def decimal_param(
    params: Mapping[str, object], name: str, *, required: bool = False
) -> Decimal | None:
    """A decimal sent as a string; 10001 for a JSON number, "", "NaN", <= 0 or garbage."""
    value = params.get(name)
    if value is None or (value == "" and not required):
        if required:
            raise V5Error(PARAM_ERROR, f"params error: {name} is required")
        return None
    if not isinstance(value, str):
        raise V5Error(
            PARAM_ERROR,
            f"params error: {name} must be a string (decimals are strings on the wire), "
            f"got JSON {type(value).__name__} {value!r}",
        )
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise V5Error(PARAM_ERROR, f"params error: {name} invalid: {value!r}") from None
    if not number.is_finite() or number <= 0:
        raise V5Error(PARAM_ERROR, f"params error: {name} invalid: {value!r}")
    return number


def bool_param(params: Mapping[str, object], name: str) -> bool:
    """A JSON boolean (absent means false); 10001 for anything else."""
    value = params.get(name, False)
    if not isinstance(value, bool):
        raise V5Error(PARAM_ERROR, f"params error: {name} must be a boolean, got {value!r}")
    return value


def int_param(params: Mapping[str, object], name: str, default: int) -> int:
    """An integer sent as a JSON int or (in a query string) as digits."""
    value = params.get(name, default)
    if isinstance(value, bool):
        raise V5Error(PARAM_ERROR, f"params error: {name} must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise V5Error(PARAM_ERROR, f"params error: {name} must be an integer, got {value!r}")


def limit_param(params: Mapping[str, object], default: int, maximum: int) -> int:
    """The ``limit`` paging parameter in ``[1, maximum]``."""
    limit = int_param(params, "limit", default)
    if not 1 <= limit <= maximum:
        raise V5Error(PARAM_ERROR, f"params error: limit {limit} not in [1, {maximum}]")
    return limit


def check_linear(params: Mapping[str, object]) -> None:
    """The fake serves the linear category only."""
    category = text_param(params, "category")
    if category != "linear":
        raise V5Error(PARAM_ERROR, f"params error: category {category!r} not supported (linear)")


def page(
    items: list[JsonDict], params: Mapping[str, object], limit: int
) -> tuple[list[JsonDict], str]:
    """One page of ``items`` and the next cursor ("" on the last page).

    The cursor is the offset as text: opaque to clients, as Bybit's cursors are.
    """
    cursor = params.get("cursor") or "0"
    if not isinstance(cursor, str) or not cursor.isdigit():
        raise V5Error(PARAM_ERROR, f"params error: cursor {cursor!r} invalid")
    start = int(cursor)
    chunk = items[start : start + limit]
    nxt = start + limit
    return chunk, (str(nxt) if nxt < len(items) else "")
