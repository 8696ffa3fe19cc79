"""Small builders of valid domain values shared by the domain and property tests."""

from __future__ import annotations

from bot.domain import Instrument, Money, Price, Qty, Symbol

BTC = Symbol("BTCUSDT")
#: A timestamp in milliseconds (2023-11-14) accepted everywhere.
TS = 1_700_000_000_000


def btc_instrument(
    *,
    tick: str = "0.10",
    step: str = "0.001",
    min_qty: str = "0.001",
    max_qty: str = "1190",
    max_mkt_qty: str = "500",
    min_notional: str = "5",
) -> Instrument:
    """Bybit's BTCUSDT rules (instruments-info, linear), with any field overridden."""
    return Instrument(
        symbol=BTC,
        tick_size=Price(tick),
        qty_step=Qty(step),
        min_order_qty=Qty(min_qty),
        max_order_qty=Qty(max_qty),
        max_mkt_order_qty=Qty(max_mkt_qty),
        min_notional=Money(min_notional),
    )
