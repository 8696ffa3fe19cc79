"""A price and a quantity swapped: mypy must refuse every line marked ``expect``."""

from bot.domain import Instrument, Money, Position, Price, Qty, Side, Symbol, Ticker
from bot.domain import qty_for_notional


def size_with_swapped_arguments(notional: Money, qty: Qty, instrument: Instrument) -> Qty:
    return qty_for_notional(notional, qty, instrument)  # expect: arg-type


def ticker_with_a_quantity(symbol: Symbol, qty: Qty, ts: int) -> Ticker:
    return Ticker(symbol, last_price=qty, mark_price=None, ts_ms=ts)  # expect: arg-type


def position_with_swapped_fields(symbol: Symbol, price: Price, qty: Qty) -> Position:
    return Position(symbol, Side.BUY, size=price, entry_price=qty)  # expect: arg-type


def a_price_is_not_a_qty(price: Price) -> Qty:
    return price  # expect: return-value
