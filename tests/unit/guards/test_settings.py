"""GuardSettings refuses out-of-range limits, naming the field."""

from __future__ import annotations

import pytest

from bot.errors import InvalidValue, TypeViolation
from tests.unit.guards.doubles import settings


def test_defaults_are_accepted() -> None:
    made = settings()
    assert made.price_band_bps == 200
    assert made.use_mark_price is True


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_band_bps", 0),
        ("price_band_bps", 5001),
        ("price_band_bps", True),
        ("max_feed_age_ms", 0),
        ("max_feed_age_ms", -5),
        ("max_stream_silence_ms", 0),
        ("max_clock_skew_ms", -1),
        ("max_clock_skew_ms", 86_400_001),
    ],
)
def test_out_of_range_is_refused_with_the_field_name(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        settings(**{field: value})
    assert caught.value.field == f"guard.{field}"


def test_band_edges_are_accepted() -> None:
    assert settings(price_band_bps=1).price_band_bps == 1
    assert settings(price_band_bps=5000).price_band_bps == 5000
    assert settings(max_clock_skew_ms=1).max_clock_skew_ms == 1
    assert settings(max_clock_skew_ms=60_000).max_clock_skew_ms == 60_000
    assert settings(max_feed_age_ms=3_600_000).max_feed_age_ms == 3_600_000


@pytest.mark.parametrize(
    ("field", "value"),
    [("price_band_bps", "200"), ("max_clock_skew_ms", 1.5), ("use_mark_price", "yes")],
)
def test_wrong_types_are_refused(field: str, value: object) -> None:
    with pytest.raises(TypeViolation, match=field):
        settings(**{field: value})
