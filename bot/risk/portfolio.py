"""What the risk engine looks at: equity, positions and the prices to mark them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from bot.domain import Amount, Money, Position, Price, Symbol
from bot.domain.hotpath import hot_path
from bot.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class PortfolioSnapshot:
    """Equity, open positions and a marking price per held symbol, at one moment."""

    equity: Amount
    positions: dict[Symbol, Position] = field(default_factory=dict)
    prices: dict[Symbol, Price] = field(default_factory=dict)

    @hot_path
    def __post_init__(self) -> None:
        if not isinstance(self.equity, Amount):
            raise InvalidValue("snapshot.equity", self.equity, "an Amount")
        for symbol, position in self.positions.items():
            if not isinstance(position, Position) or position.symbol != symbol:
                raise InvalidValue(f"snapshot.positions[{symbol}]", position, "its Position")
        for symbol, price in self.prices.items():
            if not isinstance(price, Price):
                raise InvalidValue(f"snapshot.prices[{symbol}]", price, "a Price")


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """The risk engine's answer for one entry.

    ``notional`` is what to size the order with (maybe shrunk) when approved, None when
    blocked; ``reason`` says why in words and ``numbers`` holds the figures.
    """

    approved: bool
    notional: Money | None
    shrunk: bool
    reason: str
    numbers: dict[str, str] = field(default_factory=dict)

    @hot_path
    def __post_init__(self) -> None:
        if self.approved != (self.notional is not None):
            raise InvalidValue("risk.notional", self.notional, "set exactly when approved")
        if self.shrunk and not self.approved:
            raise InvalidValue("risk.shrunk", self.shrunk, "only an approval can be shrunk")
        if not self.reason:
            raise InvalidValue("risk.reason", self.reason, "a reason in words")

    @classmethod
    def approve(
        cls, notional: Money, reason: str, numbers: dict[str, str], *, shrunk: bool = False
    ) -> RiskDecision:
        """An approval for ``notional`` (shrunk from the request when ``shrunk``)."""
        return cls(True, notional, shrunk, reason, dict(numbers))

    @classmethod
    def block(cls, reason: str, numbers: dict[str, str]) -> RiskDecision:
        """A refusal with its reason and figures."""
        return cls(False, None, False, reason, dict(numbers))


def fmt(number: Decimal | int) -> str:
    """A number exactly as given, thousands separated: ``61,200`` or ``0.00012``."""
    return f"{Decimal(number).normalize():,f}"


def cents(number: Decimal) -> Decimal:
    """``number`` rounded half up to 0.01, for reading."""
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def cents_down(number: Decimal) -> Decimal:
    """``number`` rounded down to 0.01, so a shrunk notional never exceeds a limit."""
    return number.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
