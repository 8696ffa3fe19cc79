"""The numbers every guard reads, in one frozen, validated record.

The config layer maps ``conf/guard/*.yaml`` onto :class:`GuardSettings` field by field;
the constructor refuses anything out of range, so a guard never runs on a bad limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.errors import InvalidValue

#: Widest price band accepted: 5000 bps is 50% away from the reference price.
MAX_BAND_BPS: Final = 5000
#: Longest feed age or stream silence accepted: one hour in ms.
MAX_WINDOW_MS: Final = 3_600_000
#: Largest clock skew one may tolerate: beyond a minute, timestamps are meaningless.
MAX_SKEW_MS: Final = 60_000


def _int_in(field: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(field, value, f"an integer from {low:,} to {high:,}")


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """Limits of the pre-trade guards.

    - ``price_band_bps``: how far (in basis points) a limit or trigger price, or the
      last price against the mark price, may be from the reference (1 to 5000).
    - ``max_feed_age_ms``: oldest ticker an entry may be priced on.
    - ``max_stream_silence_ms``: longest time without any stream message.
    - ``max_clock_skew_ms``: largest local-versus-venue clock difference; also how far
      in the future a ticker's timestamp may be.
    - ``check_stop_side``: block a stop whose trigger is already on the wrong side.
    - ``use_mark_price``: also check prices against the mark price.
    """

    price_band_bps: int
    max_feed_age_ms: int
    max_stream_silence_ms: int
    max_clock_skew_ms: int
    check_stop_side: bool
    use_mark_price: bool

    def __post_init__(self) -> None:
        _int_in("guard.price_band_bps", self.price_band_bps, 1, MAX_BAND_BPS)
        _int_in("guard.max_feed_age_ms", self.max_feed_age_ms, 1, MAX_WINDOW_MS)
        _int_in("guard.max_stream_silence_ms", self.max_stream_silence_ms, 1, MAX_WINDOW_MS)
        _int_in("guard.max_clock_skew_ms", self.max_clock_skew_ms, 1, MAX_SKEW_MS)
        for name in ("check_stop_side", "use_mark_price"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidValue(f"guard.{name}", getattr(self, name), "true or false")
