"""Instrument trading rules and the quantity arithmetic that respects them.

Quantities are rounded *down* to ``qty_step`` and never capped or bumped: a quantity
that does not fit the rules is a typed rejection that names the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from bot.domain.hotpath import hot_path
from bot.domain.market import Symbol
from bot.domain.numbers import Money, Price, Qty
from bot.errors import AboveMaxQty, BelowMinNotional, BelowMinQty, InvalidValue


@dataclass(frozen=True, slots=True)
class Instrument:
    """Bybit's lot and price rules for one linear perpetual.

    Field names follow the domain; the Bybit names are ``tickSize``, ``qtyStep``,
    ``minOrderQty``, ``maxOrderQty``, ``maxMktOrderQty`` and ``minNotionalValue``.
    """

    symbol: Symbol
    tick_size: Price
    qty_step: Qty
    min_order_qty: Qty
    max_order_qty: Qty
    max_mkt_order_qty: Qty
    min_notional: Money

    @hot_path
    def __post_init__(self) -> None:
        for name in ("tick_size", "qty_step", "min_order_qty", "max_order_qty"):
            kind = Price if name == "tick_size" else Qty
            if not isinstance(getattr(self, name), kind):
                raise InvalidValue(f"instrument.{name}", getattr(self, name), kind.__name__)
        if self.min_order_qty > self.max_order_qty:
            raise InvalidValue(
                "instrument.min_order_qty", str(self.min_order_qty), "must be <= max_order_qty"
            )
        if self.max_mkt_order_qty > self.max_order_qty:
            raise InvalidValue(
                "instrument.max_mkt_order_qty",
                str(self.max_mkt_order_qty),
                "must be <= max_order_qty",
            )
        for name in ("min_order_qty", "max_order_qty", "max_mkt_order_qty"):
            if getattr(self, name) % self.qty_step != 0:
                raise InvalidValue(
                    f"instrument.{name}", str(getattr(self, name)), "a multiple of qty_step"
                )

    def round_price(self, price: Decimal, rounding: str = ROUND_HALF_EVEN) -> Price:
        """``price`` on the tick grid (nearest tick unless ``rounding`` says otherwise)."""
        ticks = (price / self.tick_size).to_integral_value(rounding=rounding)
        return Price(ticks * self.tick_size)

    def floor_qty(self, qty: Decimal) -> Decimal:
        """``qty`` rounded down to the step grid; may be zero, never more than ``qty``."""
        return self._floor_qty(qty)

    @hot_path
    def _floor_qty(self, qty: Decimal) -> Decimal:
        if not qty.is_finite() or qty <= 0:
            return Decimal(0)
        steps = (qty / self.qty_step).to_integral_value(rounding=ROUND_DOWN)
        return steps * self.qty_step

    @hot_path
    def max_qty(self, *, market: bool) -> Qty:
        """The largest quantity one order of this kind may have."""
        return self.max_mkt_order_qty if market else self.max_order_qty

    def check_qty(self, qty: Decimal, price: Price, *, market: bool) -> Qty:
        """Return ``qty`` as a :class:`Qty` if it is on the grid and within every rule.

        Raises :class:`BelowMinQty`, :class:`BelowMinNotional` or :class:`AboveMaxQty`
        with the numbers; never adjusts the quantity.
        """
        return self._check_qty(qty, price, market)

    @hot_path
    def _check_qty(self, qty: Decimal, price: Price, market: bool) -> Qty:
        if qty < self.min_order_qty:
            numbers = self._qty_numbers(qty, price)
            numbers["min_order_qty"] = str(self.min_order_qty)
            raise BelowMinQty("qty is below the instrument's minimum order qty", numbers)
        if qty % self.qty_step != 0:
            raise InvalidValue("qty", str(qty), f"a multiple of qty_step {self.qty_step}")
        if qty * price < self.min_notional:
            numbers = self._qty_numbers(qty, price)
            numbers["notional"] = str(qty * price)
            numbers["min_notional"] = str(self.min_notional)
            raise BelowMinNotional("order value is below the minimum notional", numbers)
        limit = self.max_mkt_order_qty if market else self.max_order_qty
        if qty > limit:
            numbers = self._qty_numbers(qty, price)
            numbers["max_qty"] = str(limit)
            numbers["order_type"] = "market" if market else "limit"
            raise AboveMaxQty("qty is above the instrument's maximum order qty", numbers)
        return qty if type(qty) is Qty else Qty(qty)

    @hot_path
    def _qty_numbers(self, qty: Decimal, price: Decimal) -> dict[str, str]:
        """The figures every sizing refusal carries (built only for a refusal)."""
        return {"qty": str(qty), "price": str(price), "symbol": str(self.symbol)}


def qty_for_notional(
    notional: Money, price: Price, instrument: Instrument, *, market: bool = True
) -> Qty:
    """The largest step-aligned qty whose value at ``price`` does not exceed ``notional``.

    Never caps or bumps: a result below the minimum qty or notional, or above the
    maximum qty, raises a :class:`~bot.errors.SizingRejected` subclass with the numbers.
    ``price`` must be a validated :class:`Price`; anything else is refused.
    """
    if not isinstance(price, Price):
        raise InvalidValue("price", price, "a validated Price (finite, > 0)")
    if not isinstance(notional, Money):
        raise InvalidValue("notional", notional, "a validated Money amount (finite, > 0)")
    raw = instrument._floor_qty(notional / price)
    if raw == 0:
        raise BelowMinQty(
            "notional buys less than one qty step",
            {
                "notional": str(notional),
                "price": str(price),
                "qty_step": str(instrument.qty_step),
                "min_order_qty": str(instrument.min_order_qty),
            },
        )
    return instrument._check_qty(raw, price, market)
