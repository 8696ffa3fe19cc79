"""Market data of the fake: instruments, tickers and candles, rendered as V5 JSON.

Not thread-safe by itself: :class:`~tests.fakes.exchange.FakeBybit` holds its lock
around every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.domain import Bar, Instrument, Price, Symbol
from bot.exchange.bybit.history import KLINE_INTERVAL_MS
from tests.fakes.wire import JsonDict, fmt

#: Candle lengths of the V5 intervals the fake builds (``M`` is calendar-based: not built).
INTERVAL_MS: Final = KLINE_INTERVAL_MS
EIGHT_HOURS_MS: Final = 8 * 3_600_000


@dataclass(slots=True)
class Candle:
    """One kline row; ``confirm`` is true once the candle has closed."""

    start: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    confirm: bool

    def row(self) -> list[str]:
        """The REST row: seven strings, ``[start, open, high, low, close, volume, turnover]``."""
        turnover = self.volume * self.close
        return [
            str(self.start),
            fmt(self.open),
            fmt(self.high),
            fmt(self.low),
            fmt(self.close),
            fmt(self.volume),
            fmt(turnover),
        ]

    def ws_item(self, interval: str, now_ms: int) -> JsonDict:
        """One item of a ``kline.{interval}.{symbol}`` message."""
        return {
            "start": self.start,
            "end": self.start + INTERVAL_MS[interval] - 1,
            "interval": interval,
            "open": fmt(self.open),
            "close": fmt(self.close),
            "high": fmt(self.high),
            "low": fmt(self.low),
            "volume": fmt(self.volume),
            "turnover": fmt(self.volume * self.close),
            "confirm": self.confirm,
            "timestamp": now_ms,
        }


@dataclass(slots=True)
class TickerState:
    """What the fake knows of one symbol's market: last, mark and the 24 h figures."""

    last: Price
    mark: Price
    prev_24h: Price
    high_24h: Price
    low_24h: Price
    funding_rate: Decimal


def instrument_item(instrument: Instrument, max_leverage: int = 100) -> JsonDict:
    """One linear item of ``/v5/market/instruments-info``."""
    tick = instrument.tick_size
    scale = max(-tick.normalize().as_tuple().exponent, 0)  # type: ignore[operator]
    base = instrument.symbol.removesuffix("USDT")
    return {
        "symbol": instrument.symbol,
        "contractType": "LinearPerpetual",
        "status": "Trading",
        "baseCoin": base,
        "quoteCoin": "USDT",
        "settleCoin": "USDT",
        "launchTime": "1584230400000",
        "deliveryTime": "0",
        "deliveryFeeRate": "",
        "priceScale": str(scale),
        "leverageFilter": {
            "minLeverage": "1",
            "maxLeverage": f"{max_leverage}.00",
            "leverageStep": "0.01",
        },
        "priceFilter": {"minPrice": fmt(tick), "maxPrice": "1999999.80", "tickSize": fmt(tick)},
        "lotSizeFilter": {
            "maxOrderQty": fmt(instrument.max_order_qty),
            "minOrderQty": fmt(instrument.min_order_qty),
            "qtyStep": fmt(instrument.qty_step),
            "postOnlyMaxOrderQty": fmt(instrument.max_order_qty),
            "maxMktOrderQty": fmt(instrument.max_mkt_order_qty),
            "minNotionalValue": fmt(instrument.min_notional),
        },
        "unifiedMarginTrade": True,
        "fundingInterval": 480,
        "copyTrading": "both",
        "upperFundingRate": "0.00375",
        "lowerFundingRate": "-0.00375",
        "isPreListing": False,
        "preListingInfo": None,
    }


def next_funding_ms(now_ms: int) -> int:
    """The next 8-hour funding boundary after ``now_ms``."""
    return (now_ms // EIGHT_HOURS_MS + 1) * EIGHT_HOURS_MS


def ticker_item(symbol: Symbol, state: TickerState, tick: Price, now_ms: int) -> JsonDict:
    """One item of ``/v5/market/tickers`` (and the data of a ``tickers`` snapshot)."""
    change = (state.last - state.prev_24h) / state.prev_24h
    return {
        "symbol": symbol,
        "lastPrice": fmt(state.last),
        "indexPrice": fmt(state.mark),
        "markPrice": fmt(state.mark),
        "prevPrice24h": fmt(state.prev_24h),
        "price24hPcnt": fmt(change.quantize(Decimal("0.000001"))),
        "highPrice24h": fmt(state.high_24h),
        "lowPrice24h": fmt(state.low_24h),
        "prevPrice1h": fmt(state.prev_24h),
        "openInterest": "0",
        "openInterestValue": "0",
        "turnover24h": "0",
        "volume24h": "0",
        "fundingRate": fmt(state.funding_rate),
        "nextFundingTime": str(next_funding_ms(now_ms)),
        "bid1Price": fmt(state.last),
        "bid1Size": "1",
        "ask1Price": fmt(state.last + tick),
        "ask1Size": "1",
        "fundingIntervalHour": "8",
        "fundingCap": "0.005",
        "predictedDeliveryPrice": "",
        "basisRate": "",
        "basis": "",
        "deliveryFeeRate": "",
        "deliveryTime": "0",
        "preOpenPrice": "",
        "preQty": "",
        "curPreListingPhase": "",
    }


class CandleBook:
    """Candles per (symbol, interval), keyed by start time."""

    def __init__(self) -> None:
        self._candles: dict[tuple[Symbol, str], dict[int, Candle]] = {}
        self._open: dict[tuple[Symbol, str], Candle] = {}

    def put_bar(self, symbol: Symbol, interval: str, bar: Bar, *, confirm: bool) -> Candle:
        """Store ``bar`` as a candle (replacing one with the same start)."""
        candle = Candle(
            bar.ts_ms, bar.open, bar.high, bar.low, bar.close, Decimal(bar.volume), confirm
        )
        self._candles.setdefault((symbol, interval), {})[bar.ts_ms] = candle
        return candle

    def trade(self, symbol: Symbol, interval: str, price: Price, now_ms: int) -> list[Candle]:
        """Move the open candle of ``interval`` to ``price`` at ``now_ms``.

        Returns the candles to push: the previous one now confirmed (if ``now_ms``
        starts a new candle) and the open one.
        """
        length = INTERVAL_MS[interval]
        start = now_ms // length * length
        key = (symbol, interval)
        book = self._candles.setdefault(key, {})
        changed: list[Candle] = []
        previous = self._open.get(key)
        if previous is not None and not previous.confirm and previous.start < start:
            previous.confirm = True
            changed.append(previous)
        candle = book.get(start)
        if candle is None:
            candle = Candle(start, price, price, price, price, Decimal(0), False)
            book[start] = candle
            self._open[key] = candle
        elif not candle.confirm:
            candle.high = max(candle.high, price)
            candle.low = min(candle.low, price)
            candle.close = price
        changed.append(candle)
        return changed

    def rows(
        self, symbol: Symbol, interval: str, start: int | None, end: int | None, limit: int
    ) -> list[list[str]]:
        """REST rows newest first, within ``[start, end]``, at most ``limit``."""
        candles = self._candles.get((symbol, interval), {})
        chosen = sorted(
            (
                c
                for c in candles.values()
                if (start is None or c.start >= start) and (end is None or c.start <= end)
            ),
            key=lambda c: c.start,
            reverse=True,
        )
        return [c.row() for c in chosen[:limit]]
