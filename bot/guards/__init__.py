"""Pre-trade guards: each a small class; the GuardChain runs them all.

Public surface: :class:`Block`, :class:`Guard` and the input protocols
(:class:`PriceSource`, :class:`StreamHealth`, :class:`ClockSkew`, :class:`Clock`),
:class:`PinnedPrices` (one ticker per order for the guards and the sizing),
:class:`GuardSettings`, the guards (:class:`TradingStateGuard`, :class:`PriceBand`,
:class:`FeedFreshness`, :class:`StreamHealthGuard`, :class:`ClockSkewGuard`,
:class:`StopTriggerSide`), :class:`GuardChain` and :func:`build_guard_chain`.
"""

from bot.guards.base import Block, Clock, ClockSkew, Guard, PriceSource, StreamHealth
from bot.guards.chain import GuardChain, build_guard_chain
from bot.guards.failclosed import FailClosedGuard, InputUnavailable
from bot.guards.feed import ClockSkewGuard, FeedFreshness, StreamHealthGuard
from bot.guards.pinning import PinnedPrices
from bot.guards.price_band import PriceBand
from bot.guards.settings import GuardSettings
from bot.guards.stop_side import StopTriggerSide
from bot.guards.trading_state import TradingStateGuard

__all__ = [
    "Block",
    "Clock",
    "ClockSkew",
    "ClockSkewGuard",
    "FailClosedGuard",
    "FeedFreshness",
    "Guard",
    "GuardChain",
    "GuardSettings",
    "InputUnavailable",
    "PinnedPrices",
    "PriceBand",
    "PriceSource",
    "StopTriggerSide",
    "StreamHealth",
    "StreamHealthGuard",
    "TradingStateGuard",
    "build_guard_chain",
]
