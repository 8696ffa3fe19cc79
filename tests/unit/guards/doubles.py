"""Test doubles for the guards' inputs, shared by the unit and fail-closed suites."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain import (
    CloseIntent,
    EntryIntent,
    Money,
    OrderType,
    Price,
    Side,
    Symbol,
    Ticker,
    TimeInForce,
    TriggerDirection,
)
from bot.risk.state import TradingState, TradingStateHolder
from tests.support.road import guard_settings

BTC = Symbol("BTCUSDT")
NOW = 1_700_000_000_000


#: Guard settings with readable defaults (200 bps band, 5 s feed, 10 s stream, 1 s skew).
settings = guard_settings


@dataclass
class FakeClock:
    """A clock the test sets by hand."""

    now: int = NOW

    def now_ms(self) -> int:
        return self.now


@dataclass
class Tickers:
    """A price source answering from a dict; a missing symbol answers None."""

    book: dict[Symbol, Ticker] = field(default_factory=dict)

    def ticker(self, symbol: Symbol) -> Ticker | None:
        return self.book.get(symbol)


def ticker(last: str = "57600", mark: str | None = "57600", ts_ms: int = NOW) -> Tickers:
    """A price source holding one BTCUSDT ticker."""
    return Tickers({BTC: Ticker(BTC, Price(last), None if mark is None else Price(mark), ts_ms)})


@dataclass
class WireTickers:
    """A price source built from raw wire dicts, the way a codec would: Price(raw)."""

    raw: Mapping[str, object]

    def ticker(self, symbol: Symbol) -> Ticker | None:
        mark = self.raw.get("markPrice")
        return Ticker(
            symbol,
            Price(self.raw["lastPrice"]),  # type: ignore[arg-type]
            None if mark is None else Price(mark),  # type: ignore[arg-type]
            NOW,
        )


@dataclass
class RaisingTickers:
    """A price source that raises ``error`` on every call."""

    error: Exception

    def ticker(self, symbol: Symbol) -> Ticker | None:
        raise self.error


@dataclass
class FakeStream:
    """Stream health the test sets: connected, last message time, or an error."""

    connected: bool = True
    last_ms: int | None = NOW
    error: Exception | None = None

    def is_connected(self) -> bool:
        if self.error is not None:
            raise self.error
        return self.connected

    def last_message_ms(self) -> int | None:
        if self.error is not None:
            raise self.error
        return self.last_ms


@dataclass
class FakeSkew:
    """Clock skew the test sets, or an error."""

    skew: int | None = 0
    error: Exception | None = None

    def skew_ms(self) -> int | None:
        if self.error is not None:
            raise self.error
        return self.skew


class RaisingStateHolder(TradingStateHolder):
    """A trading-state holder whose state cannot be read."""

    @property
    def state(self) -> TradingState:
        raise RuntimeError("state store unreadable")


def market_buy() -> EntryIntent:
    """A market entry: buy 1,000 USDT of BTCUSDT."""
    return EntryIntent(BTC, Side.BUY, notional=Money(1000))


def limit_buy(price: str) -> EntryIntent:
    """A GTC limit entry at ``price``."""
    return EntryIntent(
        BTC,
        Side.BUY,
        notional=Money(1000),
        order_type=OrderType.LIMIT,
        limit_price=Price(price),
        time_in_force=TimeInForce.GTC,
    )


def stop_buy(trigger: str, direction: TriggerDirection = TriggerDirection.RISE) -> EntryIntent:
    """A stop-market entry triggered at ``trigger``."""
    return EntryIntent(
        BTC,
        Side.BUY,
        notional=Money(1000),
        trigger_price=Price(trigger),
        trigger_direction=direction,
    )


def close_all() -> CloseIntent:
    """A reduce-only market close of the whole BTCUSDT position."""
    return CloseIntent(BTC)
