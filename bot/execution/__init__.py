"""The one road to the exchange: the Executor, sizing and pricing, closes, batches.

Public surface: :class:`Executor`, :class:`Accepted`, :class:`Rejected`, :class:`Stage`,
``ExecutionResult``, :class:`RemainderPolicy`, :class:`ClosePlan`, :func:`plan_close`,
:class:`OrderLedger`.
"""

from bot.execution.closing import ClosePlan, RemainderPolicy, plan_close
from bot.execution.executor import Executor
from bot.execution.ledger import OrderLedger
from bot.execution.results import Accepted, ExecutionResult, Rejected, Stage

__all__ = [
    "Accepted",
    "ClosePlan",
    "ExecutionResult",
    "Executor",
    "OrderLedger",
    "Rejected",
    "RemainderPolicy",
    "Stage",
    "plan_close",
]
