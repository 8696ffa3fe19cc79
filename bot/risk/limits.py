"""The exposure limits an entry must fit, each with the room it leaves and its reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain import EntryIntent, Money
from bot.domain.hotpath import hot_path
from bot.risk.portfolio import PortfolioSnapshot, cents, fmt
from bot.risk.settings import RiskSettings

_ZERO = Decimal(0)


@hot_path  # built only by marked_exposure below, from a checked snapshot
@dataclass(frozen=True, slots=True)
class Exposure:
    """The marked exposure an entry adds to: its symbol on its side, and the total."""

    symbol_same_side: Decimal
    total: Decimal


@hot_path
def marked_exposure(intent: EntryIntent, snapshot: PortfolioSnapshot) -> Exposure | str:
    """Exposure before the order, or the reason it cannot be marked.

    An opposite-side position counts fully towards the total and not towards the
    symbol's same-side exposure, which over-states the total: the safe side.
    """
    total = same_side = _ZERO
    for symbol, position in snapshot.positions.items():
        price = snapshot.prices.get(symbol)
        if price is None:
            return f"no price to mark the {symbol} position"
        notional = position.size * price  # Position.notional, without a checked call
        total += notional
        if symbol == intent.symbol and position.side is intent.side:
            same_side = notional
    return Exposure(same_side, total)


@hot_path
def rooms(
    settings: RiskSettings, exposure: Exposure, equity: Decimal
) -> tuple[tuple[str, Decimal], ...]:
    """Every notional limit by name, with the room it leaves for the order."""
    return (
        ("max_order_notional", settings.max_order_notional),
        ("max_position_notional", settings.max_position_notional - exposure.symbol_same_side),
        ("max_total_exposure", settings.max_total_exposure - exposure.total),
        ("max_leverage", settings.max_leverage * equity - exposure.total),
    )


def exceeded(
    limit: str,
    *,
    settings: RiskSettings,
    intent: EntryIntent,
    notional: Money,
    exposure: Exposure,
    equity: Decimal,
) -> str:
    """The sentence for ``notional`` exceeding ``limit``, with the numbers."""
    after = exposure.total + notional
    if limit == "max_order_notional":
        return (
            f"order notional {fmt(notional)} is above max order notional "
            f"{fmt(settings.max_order_notional)}"
        )
    if limit == "max_position_notional":
        held = exposure.symbol_same_side
        return (
            f"{intent.symbol} {intent.side.name} exposure {fmt(cents(held))} + order "
            f"{fmt(notional)} = {fmt(cents(held + notional))} is above max position notional "
            f"{fmt(settings.max_position_notional)}"
        )
    if limit == "max_total_exposure":
        return (
            f"total exposure {fmt(cents(exposure.total))} + order {fmt(notional)} = "
            f"{fmt(cents(after))} is above max total exposure "
            f"{fmt(settings.max_total_exposure)}"
        )
    return (
        f"leverage after the order {fmt(cents(after / equity))}x (exposure "
        f"{fmt(cents(after))} / equity {fmt(equity)}) is above max leverage "
        f"{settings.max_leverage}x"
    )
