"""Builders for risk tests: settings, snapshots, a settable clock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain import Amount, EntryIntent, Money, Position, Price, Qty, Side, Symbol
from bot.risk import LossAction, PortfolioSnapshot, RiskEngine, RiskSettings
from bot.risk.state import TradingStateHolder

BTC = Symbol("BTCUSDT")
ETH = Symbol("ETHUSDT")
SOL = Symbol("SOLUSDT")
#: 2023-11-14 22:13:20 UTC
NOW = 1_700_000_000_000


@dataclass
class FakeClock:
    """A clock the test sets by hand."""

    now: int = NOW

    def now_ms(self) -> int:
        return self.now


def risk_settings(**overrides: object) -> RiskSettings:
    """Readable limits: 5x, order 2,000, position 5,000, total 10,000, 3 symbols."""
    values: dict[str, object] = {
        "max_leverage": 5,
        "max_order_notional": Money(2_000),
        "max_position_notional": Money(5_000),
        "max_total_exposure": Money(10_000),
        "max_open_positions": 3,
        "daily_loss_limit": Money(500),
        "max_drawdown_pct": Decimal(10),
        "on_loss_limit": LossAction.HALTED,
        "cooldown_after_losses": 3,
        "cooldown_minutes": 30,
        "max_orders_per_minute": 5,
        "allow_shrink": False,
    }
    values.update(overrides)
    return RiskSettings(**values)  # type: ignore[arg-type]


def engine(
    state: TradingStateHolder | None = None, clock: FakeClock | None = None, **overrides: object
) -> RiskEngine:
    """A risk engine over :func:`risk_settings`."""
    return RiskEngine(
        risk_settings(**overrides), state or TradingStateHolder(), clock or FakeClock()
    )


def buy(symbol: Symbol = BTC) -> EntryIntent:
    """A market buy sized by notional."""
    return EntryIntent(symbol, Side.BUY, notional=Money(1_000))


def long(symbol: Symbol, size: str, price: str) -> Position:
    """A long position of ``size`` contracts entered at ``price``."""
    return Position(symbol, Side.BUY, Qty(size), Price(price))


def snapshot(
    equity: str = "10000", *positions: Position, prices: dict[Symbol, Price] | None = None
) -> PortfolioSnapshot:
    """Equity and positions marked at their entry price unless ``prices`` is given."""
    marks = prices if prices is not None else {p.symbol: p.entry_price for p in positions}
    return PortfolioSnapshot(Amount(equity), {p.symbol: p for p in positions}, marks)
