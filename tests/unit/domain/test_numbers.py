"""Price, Qty, Money and Amount: exact, finite, and built from str, int or Decimal only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import Amount, Money, Price, Qty, fraction, parse_decimal
from bot.domain.numbers import MAX_MAGNITUDE
from bot.errors import BotError, InvalidValue, TypeViolation

POSITIVE_TYPES = [(Price, "price"), (Qty, "qty"), (Money, "money")]

#: Right type, wrong value: every one is refused by the constructor body.
BAD_TEXT = [
    "",
    "   ",
    "NaN",
    "nan",
    "sNaN",
    "inf",
    "-Infinity",
    "1e400",
    "1e16",
    "abc",
    "1,5",
    "0x10",
    "1e-19",
    Decimal("NaN"),
    Decimal("Infinity"),
    10**15 + 1,
]
NOT_POSITIVE = [0, "0", "0.000", "-0", Decimal("-0"), -1, "-0.5", Decimal("-3")]
#: Wrong type: refused by beartype at the call, or by the body where beartype is off.
WRONG_TYPES = [None, 1.5, 0.0, float("nan"), b"1", [1], object()]


@pytest.mark.parametrize(("kind", "field"), POSITIVE_TYPES)
@pytest.mark.parametrize("value", BAD_TEXT + NOT_POSITIVE, ids=repr)
def test_positive_numbers_refuse_bad_values(
    kind: type[Decimal], field: str, value: str | int | Decimal
) -> None:
    with pytest.raises(InvalidValue) as caught:
        kind(value)
    assert caught.value.field == field
    assert caught.value.value is value
    assert caught.value.allowed


@pytest.mark.parametrize(("kind", "field"), POSITIVE_TYPES)
@pytest.mark.parametrize("value", [True, False])
def test_positive_numbers_refuse_bools(kind: type[Decimal], field: str, value: bool) -> None:
    with pytest.raises(InvalidValue, match="not float, bool or None") as caught:
        kind(value)
    assert caught.value.field == field


@pytest.mark.parametrize("kind", [Price, Qty, Money, Amount])
@pytest.mark.parametrize("value", WRONG_TYPES, ids=repr)
def test_numbers_refuse_wrong_types(kind: type[Decimal], value: object) -> None:
    with pytest.raises((TypeViolation, InvalidValue)):
        kind(value)  # type: ignore[arg-type]  # deliberately the wrong type


@pytest.mark.parametrize("value", [None, 1.5, float("inf"), True, b"1"], ids=repr)
def test_parse_decimal_refuses_floats_and_others_in_its_own_body(value: object) -> None:
    """The body refuses what beartype would, so invariants survive with beartype off."""
    with pytest.raises(InvalidValue, match="not float, bool or None"):
        parse_decimal("price", value)


@pytest.mark.parametrize(("kind", "name"), [(Price, "Price"), (Qty, "Qty"), (Money, "Money")])
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("65000.10", Decimal("65000.10")),
        (" 0.001 ", Decimal("0.001")),
        (7, Decimal(7)),
        (Decimal("1E-18"), Decimal("1E-18")),
        ("1e15", MAX_MAGNITUDE),
        (10**15, MAX_MAGNITUDE),
    ],
)
def test_positive_numbers_accept_exact_values(
    kind: type[Decimal], name: str, given: str | int | Decimal, expected: Decimal
) -> None:
    value = kind(given)
    assert type(value) is kind
    assert value == expected
    assert repr(value) == f"{name}('{value}')"


def test_price_and_qty_are_distinct_types() -> None:
    price = Price("1")
    assert isinstance(Price(price), Price)
    assert not isinstance(price, Qty)
    assert not isinstance(Qty("1"), Money)
    assert isinstance(price, Decimal)


@pytest.mark.parametrize("value", ["0", 0, "-12.5", "12.5", Decimal("-0.0001"), "-1e15"])
def test_amount_allows_zero_and_negatives(value: str | int | Decimal) -> None:
    amount = Amount(value)
    assert type(amount) is Amount
    assert amount == Decimal(value)
    assert repr(amount) == f"Amount('{amount}')"


@pytest.mark.parametrize("value", [*BAD_TEXT, "-1e16", True])
def test_amount_refuses_what_is_not_a_finite_number(value: str | int | Decimal) -> None:
    with pytest.raises(InvalidValue) as caught:
        Amount(value)
    assert caught.value.field == "amount"


@pytest.mark.parametrize("value", ["1", 1, "0.5", "0.000001", Decimal("0.25")])
def test_fraction_accepts_zero_to_one_exclusive_of_zero(value: str | int | Decimal) -> None:
    assert fraction(value) == Decimal(value)


@pytest.mark.parametrize("value", ["0", 0, "-0.5", "1.0001", 2, "NaN", "", True])
def test_fraction_refuses_outside_zero_to_one(value: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        fraction(value)  # type: ignore[arg-type]
    assert caught.value.field == "fraction"


def test_errors_are_one_hierarchy() -> None:
    assert issubclass(InvalidValue, BotError)
    assert issubclass(TypeViolation, BotError)
    error = InvalidValue("price", "NaN", "must be finite")
    assert str(error) == "price='NaN' is invalid: must be finite"


#: Decimal inputs at the edges of the range: the constructors' fast path for a Decimal
#: must draw the same lines as parsing does.
DECIMAL_EDGES = [
    (Decimal("1e-18"), True),
    (Decimal("1e-19"), False),
    (Decimal("1e15"), True),
    (Decimal("1e15") + Decimal("1e-9"), False),
    (Decimal("0"), False),
    (Decimal("-1e-18"), False),
    (Decimal("sNaN"), False),
    (Decimal("-Infinity"), False),
    (Price("40000.5"), True),
]


@pytest.mark.parametrize("kind", [Price, Qty, Money])
@pytest.mark.parametrize(("value", "valid"), DECIMAL_EDGES, ids=repr)
def test_positive_numbers_from_decimals_keep_the_range(
    kind: type[Decimal], value: Decimal, valid: bool
) -> None:
    if valid:
        built = kind(value)
        assert type(built) is kind
        assert built == value
    else:
        with pytest.raises(InvalidValue):
            kind(value)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (Decimal("-1e-18"), True),
        (Decimal("-1e-19"), False),
        (Decimal("1e-19"), False),
        (Decimal("-0"), True),
        (Decimal("0E-12"), True),
        (Decimal("-1e15"), True),
        (Decimal("-1e15") - 1, False),
        (Decimal("NaN"), False),
        (Decimal("Infinity"), False),
    ],
    ids=repr,
)
def test_amounts_from_decimals_keep_the_range(value: Decimal, valid: bool) -> None:
    if valid:
        built = Amount(value)
        assert type(built) is Amount
        assert built == value
    else:
        with pytest.raises(InvalidValue):
            Amount(value)
