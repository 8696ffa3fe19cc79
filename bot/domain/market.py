"""Market vocabulary: symbols, sides, candles and tickers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Final

from bot.domain.hotpath import hot_path
from bot.domain.numbers import Price, parse_decimal
from bot.errors import InvalidValue

_SYMBOL = re.compile(r"[A-Z0-9]{1,26}USDT")
#: Earliest timestamp accepted anywhere (2015-01-01, ms); catches seconds-for-ms slips.
MIN_TIMESTAMP_MS: Final = 1_420_070_400_000


class Symbol(str):
    """A USDT-settled linear perpetual symbol, e.g. ``BTCUSDT``."""

    __slots__ = ()

    def __new__(cls, value: str) -> Symbol:
        if not isinstance(value, str) or _SYMBOL.fullmatch(value) is None:
            raise InvalidValue(
                "symbol", value, "upper-case letters and digits ending in USDT, e.g. BTCUSDT"
            )
        return super().__new__(cls, value)


class Side(Enum):
    """Order or position side, spelled as Bybit spells it."""

    BUY = "Buy"
    SELL = "Sell"

    #: +1 for BUY (long), -1 for SELL (short): set on each member once, so reading it is
    #: a plain attribute read (a property call costs ~0.1 us, and the order path reads it
    #: on every fill).
    sign: int

    def __init__(self, value: str) -> None:
        self.sign = 1 if value == "Buy" else -1

    @property
    @hot_path
    def opposite(self) -> Side:
        """The side that reduces a position of this side."""
        return Side.SELL if self is Side.BUY else Side.BUY


@hot_path
def timestamp_ms(field: str, value: int) -> int:
    """Validate an epoch timestamp in milliseconds."""
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_TIMESTAMP_MS:
        raise InvalidValue(field, value, f"epoch milliseconds >= {MIN_TIMESTAMP_MS}")
    return value


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV candle that opened at ``ts_ms``; prices positive, low <= open/close <= high."""

    ts_ms: int
    open: Price
    high: Price
    low: Price
    close: Price
    volume: Decimal

    @hot_path
    def __post_init__(self) -> None:
        timestamp_ms("bar.ts_ms", self.ts_ms)
        for name in ("open", "high", "low", "close"):
            if not isinstance(getattr(self, name), Price):
                raise InvalidValue(f"bar.{name}", getattr(self, name), "a Price")
        volume = parse_decimal("bar.volume", self.volume)
        if volume < 0:
            raise InvalidValue("bar.volume", self.volume, "must be >= 0")
        if not self.low <= min(self.open, self.close) <= max(self.open, self.close) <= self.high:
            raise InvalidValue(
                "bar",
                (str(self.open), str(self.high), str(self.low), str(self.close)),
                "low <= open, close <= high",
            )


@dataclass(frozen=True, slots=True)
class Ticker:
    """The last traded price (and mark price, when known) of a symbol at ``ts_ms``."""

    symbol: Symbol
    last_price: Price
    mark_price: Price | None
    ts_ms: int

    @hot_path
    def __post_init__(self) -> None:
        if not isinstance(self.last_price, Price):
            raise InvalidValue("ticker.last_price", self.last_price, "a Price")
        if self.mark_price is not None and not isinstance(self.mark_price, Price):
            raise InvalidValue("ticker.mark_price", self.mark_price, "a Price or None")
        timestamp_ms("ticker.ts_ms", self.ts_ms)
