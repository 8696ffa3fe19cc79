"""Value types of the trading domain. Imports nothing else from ``bot`` but errors.

Public surface: :class:`Price`, :class:`Qty`, :class:`Money`, :class:`Amount`,
``Fraction``, :class:`Symbol`, :class:`Side`, :class:`Bar`, :class:`Ticker`,
:class:`Instrument`, :func:`qty_for_notional`, :class:`EntryIntent`,
:class:`CloseIntent`, :class:`BatchIntent`, :class:`Order`, :class:`OrderStatus`,
:class:`Fill`, :class:`Position`.
"""

from bot.domain.instrument import Instrument, qty_for_notional
from bot.domain.market import Bar, Side, Symbol, Ticker
from bot.domain.numbers import Amount, Fraction, Money, Price, Qty, fraction, parse_decimal
from bot.domain.orders import (
    MAX_BATCH,
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Fill,
    Intent,
    Order,
    OrderStatus,
    OrderType,
    TimeInForce,
    TriggerDirection,
)
from bot.domain.position import Position

__all__ = [
    "MAX_BATCH",
    "Amount",
    "Bar",
    "BatchIntent",
    "CloseIntent",
    "EntryIntent",
    "Fill",
    "Fraction",
    "Instrument",
    "Intent",
    "Money",
    "Order",
    "OrderStatus",
    "OrderType",
    "Position",
    "Price",
    "Qty",
    "Side",
    "Symbol",
    "Ticker",
    "TimeInForce",
    "TriggerDirection",
    "fraction",
    "parse_decimal",
    "qty_for_notional",
]
