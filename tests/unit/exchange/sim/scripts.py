"""Shared helpers for the sim venue tests: one instrument, a venue, order requests."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from bot.domain import (
    Bar,
    Instrument,
    Money,
    Order,
    OrderStatus,
    OrderType,
    Price,
    Qty,
    Side,
    Symbol,
    TimeInForce,
    TriggerDirection,
)
from bot.exchange.protocol import OrderRequest
from bot.exchange.sim import SimExchange, SimSettings

BTC: Final = Symbol("BTCUSDT")
#: A funding boundary (a multiple of 8 h), so funding times are easy to read.
T0: Final = 59_028 * 8 * 3600 * 1000
HOUR: Final = 3600 * 1000

INSTRUMENT: Final = Instrument(
    symbol=BTC,
    tick_size=Price("0.1"),
    qty_step=Qty("0.01"),
    min_order_qty=Qty("0.01"),
    max_order_qty=Qty("1000"),
    max_mkt_order_qty=Qty("500"),
    min_notional=Money("5"),
)


def make_venue(
    *,
    balance: str = "10000",
    taker: str = "5.5",
    maker: str = "2",
    slippage: str = "0",
    leverage: int = 1,
    funding: str = "0.0001",
    last: str | None = "100",
) -> SimExchange:
    """A venue listing BTCUSDT, priced at ``last`` at ``T0`` (None: no price yet)."""
    settings = SimSettings(
        initial_balance=Money(balance),
        taker_fee_bps=Decimal(taker),
        maker_fee_bps=Decimal(maker),
        slippage_bps=Decimal(slippage),
        leverage=leverage,
        funding_rate=Decimal(funding),
    )
    venue = SimExchange([INSTRUMENT], settings)
    if last is not None:
        venue.update_market(BTC, Price(last), ts_ms=T0)
    return venue


def market(link: str, side: Side, qty: str, *, reduce_only: bool = False) -> OrderRequest:
    """A market order request."""
    return OrderRequest(link, BTC, side, Qty(qty), OrderType.MARKET, reduce_only)


def filled_whole(request: OrderRequest, order_id: str, exec_id: str) -> Order:
    """The Order the order path builds for market ``request`` filled whole by one fill."""
    return Order(
        request.order_link_id,
        request.symbol,
        request.side,
        request.qty,
        OrderType.MARKET,
        request.reduce_only,
        None,
        None,
        OrderStatus.FILLED,
        order_id,
        request.qty,
        "",
        (exec_id,),
    )


def limit(
    link: str,
    side: Side,
    qty: str,
    price: str,
    tif: TimeInForce = TimeInForce.GTC,
    *,
    reduce_only: bool = False,
) -> OrderRequest:
    """A limit order request."""
    return OrderRequest(link, BTC, side, Qty(qty), OrderType.LIMIT, reduce_only, Price(price), tif)


def stop(
    link: str,
    side: Side,
    qty: str,
    trigger: str,
    direction: TriggerDirection,
    *,
    reduce_only: bool = False,
) -> OrderRequest:
    """A stop-market order request."""
    return OrderRequest(
        link,
        BTC,
        side,
        Qty(qty),
        OrderType.MARKET,
        reduce_only,
        trigger_price=Price(trigger),
        trigger_direction=direction,
    )


def bar(ts_ms: int, o: str, h: str, low: str, c: str) -> Bar:
    """A candle opening at ``ts_ms``."""
    return Bar(ts_ms, Price(o), Price(h), Price(low), Price(c), Decimal(1))
