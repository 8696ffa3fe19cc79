"""A plug-in strategy for live runs started as a process (``+strategy={_target_: ...}``).

Its arguments are plain strings so they can be given on the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain import (
    EntryIntent,
    Intent,
    OrderType,
    Price,
    Qty,
    Side,
    Symbol,
    TimeInForce,
)
from bot.strategy.base import Book, ClosedBar


class MarketAndRestingBuy:
    """On the bar closing at ``on_close``: a market buy and a resting limit buy below."""

    name = "market_and_resting_buy"

    def __init__(
        self, symbol: str, on_close: str, market_qty: str, limit_price: str, limit_qty: str
    ) -> None:
        self._on_close = float(on_close)
        self._intents: list[Intent] = [
            EntryIntent(Symbol(symbol), Side.BUY, qty=Qty(market_qty)),
            EntryIntent(
                Symbol(symbol),
                Side.BUY,
                qty=Qty(limit_qty),
                order_type=OrderType.LIMIT,
                limit_price=Price(limit_price),
                time_in_force=TimeInForce.GTC,
            ),
        ]

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """Both entries on the planned close, nothing otherwise."""
        return list(self._intents) if bar.close == self._on_close else []
