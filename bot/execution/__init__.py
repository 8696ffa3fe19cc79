"""The one road to the exchange: the Executor, sizing and pricing, closes, batches.

Public surface: :class:`Executor`, :class:`Accepted`, :class:`Rejected`, :class:`Stage`,
``ExecutionResult``, :class:`RemainderPolicy`, :class:`ClosePlan`, :func:`plan_close`,
:class:`OrderLedger`, :class:`Journal`, :class:`Recovery`,
:func:`restore_state`.
"""

from bot.execution.closing import ClosePlan, RemainderPolicy, plan_close
from bot.execution.executor import Executor
from bot.execution.journal import Journal, restore_state
from bot.execution.journal_records import Recovery
from bot.execution.ledger import OrderLedger
from bot.execution.results import Accepted, ExecutionResult, Rejected, Stage

__all__ = [
    "Accepted",
    "ClosePlan",
    "ExecutionResult",
    "Executor",
    "Journal",
    "OrderLedger",
    "Recovery",
    "Rejected",
    "RemainderPolicy",
    "Stage",
    "plan_close",
    "restore_state",
]
