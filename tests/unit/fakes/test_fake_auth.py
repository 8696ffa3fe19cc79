"""Signature checks of the fake, against hand-built requests."""

from __future__ import annotations

import pytest

from tests.fakes.auth import MissingAuth, sign, verify_request
from tests.fakes.wire import V5Error, decimal_param

KEYS = {"k": "s"}
NOW = 1_800_000_000_000


def _headers(payload: str, ts: int = NOW, secret: str = "s", key: str = "k") -> dict[str, str]:
    return {
        "X-BAPI-API-KEY": key,
        "X-BAPI-TIMESTAMP": str(ts),
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN": sign(secret, f"{ts}{key}5000{payload}"),
    }


def test_a_correct_signature_over_the_raw_payload_passes() -> None:
    assert verify_request(_headers("a=1&b=2"), "a=1&b=2", KEYS, NOW) == "k"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        (_headers("a=1", key="x"), 10003),
        (_headers("a=1", secret="t"), 10004),
        (_headers("a=1", ts=NOW - 5001), 10002),
        (_headers("a=1", ts=NOW + 1000), 10002),
    ],
)
def test_each_auth_failure_has_its_code(headers: dict[str, str], code: int) -> None:
    with pytest.raises(V5Error) as refused:
        verify_request(headers, "a=1", KEYS, NOW)
    assert refused.value.code == code


def test_missing_headers_are_not_an_envelope_error() -> None:
    with pytest.raises(MissingAuth):
        verify_request({}, "", KEYS, NOW)


@pytest.mark.parametrize("value", [0.01, "", "NaN", "0", "-1", "abc", "1e400x"])
def test_decimal_fields_must_be_positive_decimal_strings(value: object) -> None:
    with pytest.raises(V5Error) as refused:
        decimal_param({"qty": value}, "qty", required=True)
    assert refused.value.code == 10001
