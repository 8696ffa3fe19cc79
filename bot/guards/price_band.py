"""The price band: an entry's prices may not be far from the market.

For an entry the guard compares, in basis points of the reference price:

- the limit price and the trigger price against the last price, and against the mark
  price when ``use_mark_price`` is on;
- for a market entry with ``use_mark_price``, the last price against the mark price
  (a last price far from the mark means a thin or broken book).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from bot.domain import Intent, OrderType, Price
from bot.domain.hotpath import hot_path
from bot.guards.base import Block, PriceSource
from bot.guards.failclosed import (
    FailClosedGuard,
    InputUnavailable,
    bps,
    fmt,
    fmt_bps,
    read_ticker,
)
from bot.guards.settings import GuardSettings

#: One compared price outside the band: label, price, reference label, reference, bps.
Outside = tuple[str, Price, str, Price, Decimal]


class PriceBand(FailClosedGuard):
    """Blocks an entry whose limit, trigger or last price is outside the band."""

    name = "price_band"
    entry_only = True

    def __init__(self, settings: GuardSettings, prices: PriceSource) -> None:
        self._band = Decimal(settings.price_band_bps)
        self._use_mark = settings.use_mark_price
        self._prices = prices

    @hot_path  # the chain checked the intent; it checks the answer (see FailClosedGuard)
    def evaluate(self, intent: Intent) -> Block | None:
        """Block when any compared price is more than the band away from its reference."""
        ticker = read_ticker(self._prices.ticker, intent.symbol)
        last, mark = ticker.last_price, ticker.mark_price
        if self._use_mark and mark is None:
            raise InputUnavailable(f"no mark price for {intent.symbol}: the ticker has none")
        mark = mark if self._use_mark else None
        outside = cast("list[Outside]", [])  # no annotated local: beartype checks those
        limit, trigger = intent.limit_price, intent.trigger_price  # a market entry has neither
        if limit is not None:
            self._compare(outside, "limit", limit, "last", last)
            if mark is not None:
                self._compare(outside, "limit", limit, "mark", mark)
        if trigger is not None:
            self._compare(outside, "trigger", trigger, "last", last)
            if mark is not None:
                self._compare(outside, "trigger", trigger, "mark", mark)
        if mark is not None and intent.order_type is OrderType.MARKET:
            self._compare(outside, "last", last, "mark", mark)
        return self._block(outside) if outside else None

    @hot_path
    def _compare(
        self, outside: list[Outside], label: str, price: Price, ref_label: str, ref: Price
    ) -> None:
        distance = bps(price, ref)
        if distance > self._band:
            outside.append((label, price, ref_label, ref, distance))

    def _block(self, outside: list[Outside]) -> Block:
        reasons = []
        numbers = {}
        for label, price, ref_label, ref, distance in outside:
            shown = fmt_bps(distance)
            reasons.append(f"{label} {fmt(price)} is {shown} bps from {ref_label} {fmt(ref)}")
            numbers[label] = str(price)
            numbers[ref_label] = str(ref)
            numbers[f"{label}_vs_{ref_label}_bps"] = shown.replace(",", "")
        numbers["band_bps"] = str(self._band)
        return Block(self.name, f"{'; '.join(reasons)}; band is {self._band} bps", numbers)
