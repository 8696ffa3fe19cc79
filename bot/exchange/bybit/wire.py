"""Reading Bybit V5 wire values: typed field access and the response envelope.

The primitives under :mod:`bot.exchange.bybit.codec`: each reads one field of decoded
JSON and raises :class:`~bot.errors.MalformedResponse` naming the endpoint, the field and
the value when it is missing or not what the documentation promises.
"""

from __future__ import annotations

from decimal import Decimal

from bot.domain import Amount, Price, Qty, Side, Symbol, parse_decimal
from bot.errors import InvalidValue, MalformedResponse, VenueRejected

#: JSON as decoded by pybit: the only loosely typed values in the adapter.
Json = dict[str, object]

#: Earliest epoch millisecond accepted from the venue (2015-01-01).
MIN_TS_MS = 1_420_070_400_000

_SIDES = {"Buy": Side.BUY, "Sell": Side.SELL}


def malformed(endpoint: str, field: str, value: object, expected: str) -> MalformedResponse:
    """The error for one bad wire value: where it came from, what it was, what was due."""
    shown = repr(value)
    if len(shown) > 120:
        shown = shown[:117] + "..."
    return MalformedResponse(f"{endpoint}: field {field}={shown} is malformed; expected {expected}")


# -- primitives -----------------------------------------------------------------------


def field(obj: Json, name: str, endpoint: str) -> object:
    """``obj[name]``, or MalformedResponse when ``obj`` is not an object or lacks it."""
    if not isinstance(obj, dict):
        raise malformed(endpoint, name, obj, "a JSON object holding it")
    if name not in obj:
        raise malformed(endpoint, name, "<missing>", "the field to be present")
    return obj[name]


def text(obj: Json, name: str, endpoint: str) -> str:
    """A non-empty string field."""
    value = field(obj, name, endpoint)
    if not isinstance(value, str) or not value:
        raise malformed(endpoint, name, value, "a non-empty string")
    return value


def optional_text(obj: Json, name: str, endpoint: str) -> str:
    """A string field that may be empty (``""``) but must be present and a string."""
    value = field(obj, name, endpoint)
    if not isinstance(value, str):
        raise malformed(endpoint, name, value, "a string")
    return value


def obj_field(obj: Json, name: str, endpoint: str) -> Json:
    """A nested JSON object."""
    value = field(obj, name, endpoint)
    if not isinstance(value, dict):
        raise malformed(endpoint, name, value, "a JSON object")
    return value


def list_field(obj: Json, name: str, endpoint: str) -> list[object]:
    """A JSON array."""
    value = field(obj, name, endpoint)
    if not isinstance(value, list):
        raise malformed(endpoint, name, value, "a JSON array")
    return value


def item_object(value: object, name: str, endpoint: str) -> Json:
    """One element of a list that must be a JSON object."""
    if not isinstance(value, dict):
        raise malformed(endpoint, name, value, "a JSON object")
    return value


def integer(obj: Json, name: str, endpoint: str) -> int:
    """An integer given as a JSON number or a string of digits (never a bool)."""
    value = field(obj, name, endpoint)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise malformed(endpoint, name, value, "an integer")


def boolean(obj: Json, name: str, endpoint: str) -> bool:
    """A JSON boolean."""
    value = field(obj, name, endpoint)
    if not isinstance(value, bool):
        raise malformed(endpoint, name, value, "true or false")
    return value


def number(obj: Json, name: str, endpoint: str) -> Decimal:
    """A decimal given as a string (Bybit sends every number as a string), finite."""
    value = field(obj, name, endpoint)
    if not isinstance(value, str):
        raise malformed(endpoint, name, value, "a decimal number as a string")
    try:
        return parse_decimal(name, value)
    except InvalidValue as error:
        raise malformed(endpoint, name, value, f"a finite decimal ({error.allowed})") from None


def positive(obj: Json, name: str, endpoint: str) -> Decimal:
    """A decimal string greater than zero."""
    value = number(obj, name, endpoint)
    if value <= 0:
        raise malformed(endpoint, name, obj[name], "a number greater than 0")
    return value


def price(obj: Json, name: str, endpoint: str) -> Price:
    """A :class:`Price` (finite, > 0)."""
    return Price(positive(obj, name, endpoint))


def qty(obj: Json, name: str, endpoint: str) -> Qty:
    """A :class:`Qty` (finite, > 0)."""
    return Qty(positive(obj, name, endpoint))


def optional_price(obj: Json, name: str, endpoint: str) -> Price | None:
    """A price where ``""`` or ``"0"`` means "none" (e.g. ``triggerPrice`` of a plain order)."""
    value = field(obj, name, endpoint)
    if value in ("", "0"):
        return None
    return price(obj, name, endpoint)


def amount(obj: Json, name: str, endpoint: str) -> Amount:
    """A signed :class:`Amount`."""
    return Amount(number(obj, name, endpoint))


def timestamp(obj: Json, name: str, endpoint: str) -> int:
    """Epoch milliseconds, as a string of digits or a JSON integer."""
    value = integer(obj, name, endpoint)
    if value < MIN_TS_MS:
        raise malformed(endpoint, name, obj[name], "epoch milliseconds after 2015")
    return value


def side(obj: Json, name: str, endpoint: str) -> Side:
    """``Buy`` or ``Sell``."""
    value = field(obj, name, endpoint)
    if not isinstance(value, str) or value not in _SIDES:
        raise malformed(endpoint, name, value, "Buy or Sell")
    return _SIDES[value]


def symbol(obj: Json, name: str, endpoint: str) -> Symbol:
    """A USDT linear symbol."""
    value = field(obj, name, endpoint)
    if not isinstance(value, str):
        raise malformed(endpoint, name, value, "a symbol such as BTCUSDT")
    try:
        return Symbol(value)
    except InvalidValue as error:
        raise malformed(endpoint, name, value, error.allowed) from None


def wire_decimal(value: Decimal) -> str:
    """A decimal as Bybit wants it: plain notation, never an exponent (``1E+3``)."""
    return format(value, "f")


# -- envelope -------------------------------------------------------------------------


def result(answer: object, endpoint: str) -> Json:
    """The ``result`` object of a V5 envelope; VenueRejected when ``retCode`` is not 0."""
    if not isinstance(answer, dict):
        raise malformed(endpoint, "<envelope>", answer, "a JSON object")
    code = integer(answer, "retCode", endpoint)
    if code != 0:
        message = answer.get("retMsg")
        raise VenueRejected(code, message if isinstance(message, str) else repr(message))
    return obj_field(answer, "result", endpoint)


def result_list(answer: object, endpoint: str) -> list[Json]:
    """``result.list`` of a V5 envelope, every element a JSON object."""
    body = result(answer, endpoint)
    rows = list_field(body, "list", endpoint)
    return [item_object(row, f"list[{i}]", endpoint) for i, row in enumerate(rows)]


def next_cursor(body: Json, endpoint: str) -> str:
    """``nextPageCursor`` ("" on the last page; absent counts as the last page)."""
    value = body.get("nextPageCursor", "")
    if not isinstance(value, str):
        raise malformed(endpoint, "nextPageCursor", value, "a string")
    return value
