"""What the executor answers for every intent: accepted with ids, or rejected with why.

A rejection names the stage that refused (validation, trading state, guard, risk,
venue), the reason in words, the numbers behind it and, for the venue, its code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from bot.domain import OrderStatus, Qty, Side, Symbol


class Stage(Enum):
    """Where along the one road an intent was stopped."""

    VALIDATION = "validation"
    STATE = "trading_state"
    GUARD = "guard"
    RISK = "risk"
    VENUE = "venue"


@dataclass(frozen=True, slots=True)
class Accepted:
    """The venue holds (or already filled) the order."""

    order_link_id: str
    order_id: str
    symbol: Symbol
    side: Side
    qty: Qty
    reduce_only: bool
    status: OrderStatus
    note: str = ""

    @property
    def accepted(self) -> bool:
        """Always True; lets callers test any result the same way."""
        return True


@dataclass(frozen=True, slots=True)
class Rejected:
    """Nothing reached the venue, or the venue refused it."""

    stage: Stage
    reason: str
    numbers: dict[str, str] = field(default_factory=dict)
    code: int | None = None
    order_link_id: str = ""

    @property
    def accepted(self) -> bool:
        """Always False."""
        return False

    def __str__(self) -> str:
        detail = ", ".join(f"{k}={v}" for k, v in self.numbers.items())
        code = f" [code {self.code}]" if self.code is not None else ""
        return f"rejected at {self.stage.value}{code}: {self.reason}" + (
            f" ({detail})" if detail else ""
        )


ExecutionResult = Accepted | Rejected
