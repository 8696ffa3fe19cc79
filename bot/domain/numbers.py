"""Exact numbers of the trading domain: prices, quantities and money.

Every value is a :class:`~decimal.Decimal` subclass built from ``str``, ``int`` or
``Decimal`` only. Floats are refused because they cannot hold exchange prices exactly,
bools because they are ints by accident. Constructors validate in their own body, so
the invariants hold even where beartype is off.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Final

from beartype.vale import Is

from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue

#: Largest magnitude any price, quantity or amount may have.
MAX_MAGNITUDE: Final = Decimal("1e15")
#: Smallest non-zero magnitude accepted (a price or qty below it is a unit slip).
MIN_MAGNITUDE: Final = Decimal("1e-18")

_ACCEPTED = "a decimal given as str, int or Decimal (not float, bool or None)"


@hot_path
def parse_decimal(field: str, value: object) -> Decimal:
    """Parse ``value`` into a finite Decimal within the domain's magnitude, or raise.

    ``field`` names the value in the error. Accepts ``str``, ``int`` and ``Decimal``.
    """
    if type(value) is Decimal or isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise InvalidValue(field, value, "an empty string is not a number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidValue(field, value, "not a number") from None
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        raise InvalidValue(field, value, _ACCEPTED)
    if not number.is_finite():
        raise InvalidValue(field, value, "must be finite (not NaN or infinity)")
    magnitude = number.copy_abs()
    if magnitude > MAX_MAGNITUDE:
        raise InvalidValue(field, value, f"magnitude must be at most {MAX_MAGNITUDE:E}")
    if magnitude < MIN_MAGNITUDE and number != 0:
        raise InvalidValue(field, value, f"magnitude must be 0 or at least {MIN_MAGNITUDE:E}")
    return number


@hot_path
def _positive(field: str, value: object) -> Decimal:
    # the common case first: a finite Decimal already within (0, MAX_MAGNITUDE]
    if isinstance(value, Decimal) and value.is_finite() and MIN_MAGNITUDE <= value <= MAX_MAGNITUDE:
        return value
    number = parse_decimal(field, value)
    if number <= 0:
        raise InvalidValue(field, value, "must be greater than 0")
    return number


@hot_path
def _signed(value: object) -> Decimal:
    # the common case first: a finite Decimal within the domain's magnitude, or zero
    if isinstance(value, Decimal) and value.is_finite():
        magnitude = value.copy_abs()
        if MIN_MAGNITUDE <= magnitude <= MAX_MAGNITUDE or not magnitude:
            return value
    return parse_decimal("amount", value)


_new_decimal = Decimal.__new__


class Price(Decimal):
    """A price in quote currency (USDT): finite and greater than zero."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Price('{self}')"

    def __new__(cls, value: str | int | Decimal) -> Price:
        return _new_decimal(cls, _positive("price", value))


class Qty(Decimal):
    """A quantity in contracts (base coin): finite and greater than zero."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Qty('{self}')"

    def __new__(cls, value: str | int | Decimal) -> Qty:
        return _new_decimal(cls, _positive("qty", value))


class Money(Decimal):
    """An amount of quote currency that must be positive: a notional, a limit, a balance."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Money('{self}')"

    def __new__(cls, value: str | int | Decimal) -> Money:
        return _new_decimal(cls, _positive("money", value))


class Amount(Decimal):
    """A signed amount of quote currency where the sign matters: PnL, fees, funding."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Amount('{self}')"

    def __new__(cls, value: str | int | Decimal) -> Amount:
        return _new_decimal(cls, _signed(value))


def _is_fraction(value: Decimal) -> bool:
    return value.is_finite() and Decimal(0) < value <= Decimal(1)


#: A share of something in (0, 1], e.g. the part of a position to close.
Fraction = Annotated[Decimal, Is[_is_fraction]]


def fraction(value: str | int | Decimal) -> Decimal:
    """Parse a fraction in (0, 1] or raise :class:`InvalidValue`."""
    number = parse_decimal("fraction", value)
    if not _is_fraction(number):
        raise InvalidValue("fraction", value, "must be greater than 0 and at most 1")
    return number
