"""An open position in one-way mode: one side and a positive size per symbol."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain.hotpath import hot_path
from bot.domain.market import Side, Symbol
from bot.domain.numbers import Price, Qty
from bot.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class Position:
    """A non-flat position; a flat symbol has no Position at all."""

    symbol: Symbol
    side: Side
    size: Qty
    entry_price: Price

    @hot_path
    def __post_init__(self) -> None:
        if not isinstance(self.size, Qty):
            raise InvalidValue("position.size", self.size, "a Qty (> 0); flat is no position")
        if not isinstance(self.entry_price, Price):
            raise InvalidValue("position.entry_price", self.entry_price, "a Price")

    @property
    @hot_path
    def signed_size(self) -> Decimal:
        """Size with the sign of the side: long positive, short negative."""
        return self.size * self.side.sign

    def notional(self, price: Price) -> Decimal:
        """Absolute value of the position at ``price``."""
        return self.size * price
