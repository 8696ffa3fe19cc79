"""The Bybit V5 adapter: pybit's HTTP and WebSocket clients behind the bot's protocols.

Public surface:

- :class:`BybitRest` (``rest``): the :class:`~bot.exchange.protocol.Exchange` protocol
  over REST; its market reads (``measure_skew_ms``, ``klines``, ``klines_range``) and
  the request plumbing are :class:`BybitMarket`'s (``market``).
- ``history``: a keyless REST client for public market data and kline paging
  (``task=download``).
- :class:`BybitStream`, :func:`public_stream`, :func:`private_stream` (``stream``):
  callbacks that only enqueue :data:`StreamEvent` values; health and reconnects.
- ``codec`` (with ``wire``): the one place wire JSON becomes domain values and back.
- :class:`RateLimiter`, :class:`RateLimitExceeded` (``limits``): Bybit's published limits.
- ``outcome``/``batch``: what an order-placing answer or failure means (REJECTED or
  UNKNOWN); ``clients``: pybit clients aimed at the configured URLs.

pybit is imported lazily where it is heavy (``pybit.unified_trading``).
"""

from bot.exchange.bybit.limits import EndpointGroup, RateLimiter, RateLimitExceeded
from bot.exchange.bybit.market import BybitMarket
from bot.exchange.bybit.rest import BybitHttp, BybitRest
from bot.exchange.bybit.stream import (
    BarEvent,
    BybitStream,
    FillEvent,
    OrderEvent,
    PositionEvent,
    StreamError,
    StreamEvent,
    TickerEvent,
    WalletEvent,
    private_stream,
    public_stream,
)

__all__ = [
    "BarEvent",
    "BybitHttp",
    "BybitMarket",
    "BybitRest",
    "BybitStream",
    "EndpointGroup",
    "FillEvent",
    "OrderEvent",
    "PositionEvent",
    "RateLimitExceeded",
    "RateLimiter",
    "StreamError",
    "StreamEvent",
    "TickerEvent",
    "WalletEvent",
    "private_stream",
    "public_stream",
]
