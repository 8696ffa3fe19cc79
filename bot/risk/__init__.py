"""Portfolio limits and the trading state (ACTIVE / REDUCING / HALTED).

Public surface: :class:`RiskSettings`, :class:`LossAction`, :class:`PortfolioSnapshot`,
:class:`RiskDecision`, :class:`RiskEngine`, :class:`RiskMemory` (what it keeps across a
restart), and (in :mod:`bot.risk.state`)
:class:`TradingState` and :class:`TradingStateHolder`.
"""

from bot.risk.engine import RiskEngine
from bot.risk.memory import RiskMemory
from bot.risk.portfolio import PortfolioSnapshot, RiskDecision
from bot.risk.settings import LossAction, RiskSettings
from bot.risk.state import TradingState, TradingStateHolder

__all__ = [
    "LossAction",
    "PortfolioSnapshot",
    "RiskDecision",
    "RiskEngine",
    "RiskMemory",
    "RiskSettings",
    "TradingState",
    "TradingStateHolder",
]
