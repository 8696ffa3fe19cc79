"""Prices an order is sized with and sent at, rounded to the tick in the safe direction.

A buy limit rounds down and a sell limit rounds up, so rounding never makes a limit
more aggressive than asked. Trigger prices round to the nearest tick. A market entry is
sized at the venue's last price; with no valid last price there is no entry. A buy
limit is sized at its limit (it fills there or lower); a sell limit at the higher of
its limit and the last price (a sell limit below the market fills at the market, so
sizing at the limit would buy more notional than the risk check approved).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from bot.domain import (
    EntryIntent,
    Instrument,
    Intent,
    Position,
    Price,
    Qty,
    Side,
    Ticker,
)
from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue
from bot.exchange.protocol import OrderRequest
from bot.risk import PortfolioSnapshot


@hot_path
def order_prices(
    intent: Intent, side: Side, instrument: Instrument
) -> tuple[Price | None, Price | None]:
    """The limit and trigger prices to send, each on the tick grid (or None)."""
    limit = None
    if intent.limit_price is not None:
        rounding = ROUND_FLOOR if side is Side.BUY else ROUND_CEILING
        limit = instrument.round_price(intent.limit_price, rounding)
    trigger = None
    if intent.trigger_price is not None:
        trigger = instrument.round_price(intent.trigger_price, ROUND_HALF_EVEN)
    return limit, trigger


def entry_price(intent: EntryIntent, instrument: Instrument, ticker: Ticker | None) -> Price:
    """The price an entry is sized at: a buy's limit, a sell's limit or the last price
    if higher, else its trigger, else the last price.

    Raises :class:`InvalidValue` when a market entry or a sell limit has no valid ticker.
    """
    limit, trigger = order_prices(intent, intent.side, instrument)
    return sizing_price(intent, limit, trigger, ticker)


@hot_path
def sizing_price(
    intent: EntryIntent, limit: Price | None, trigger: Price | None, ticker: Ticker | None
) -> Price:
    """:func:`entry_price` from the entry's rounded ``limit`` and ``trigger`` prices
    (from :func:`order_prices`), so the executor rounds them only once."""
    if limit is not None and intent.side is Side.BUY:
        return limit  # a buy limit fills at its limit or lower
    if limit is not None:  # a sell limit fills at its limit or higher: the market's, if above
        return max(limit, _last_price(intent, ticker))
    if trigger is not None:
        return trigger
    return _last_price(intent, ticker)


@hot_path
def _last_price(intent: EntryIntent, ticker: Ticker | None) -> Price:
    """The last price of ``ticker``, checked to be a valid price of the entry's symbol."""
    if ticker is None:
        raise InvalidValue("ticker", None, f"a last price for {intent.symbol} to size with")
    if not isinstance(ticker, Ticker):
        raise InvalidValue("ticker", ticker, f"a Ticker of {intent.symbol}")
    if not isinstance(ticker.last_price, Price) or ticker.symbol != intent.symbol:
        raise InvalidValue("ticker.last_price", ticker.last_price, "a valid Price")
    return ticker.last_price


@hot_path
def signed_after(held: Position | None, side: Side, qty: Decimal) -> Decimal:
    """The signed size (long > 0) of ``held`` once an order of ``qty`` on ``side`` fills."""
    return qty * side.sign + (held.signed_size if held is not None else 0)


def snapshot_with_order(
    snapshot: PortfolioSnapshot, request: OrderRequest, price: Price
) -> PortfolioSnapshot:
    """``snapshot`` as if ``request`` had filled at ``price`` (for batches of entries)."""
    positions = dict(snapshot.positions)
    held = positions.get(request.symbol)
    signed = signed_after(held, request.side, request.qty)
    if signed == 0:
        positions.pop(request.symbol, None)
    else:
        side = Side.BUY if signed > 0 else Side.SELL
        entry = held.entry_price if held is not None and held.side is side else price
        positions[request.symbol] = Position(request.symbol, side, Qty(abs(signed)), entry)
    prices = dict(snapshot.prices)
    prices.setdefault(request.symbol, price)
    return PortfolioSnapshot(snapshot.equity, positions, prices)
