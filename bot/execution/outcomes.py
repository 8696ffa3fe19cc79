"""What becomes of a prepared order: the record of it, and the answers built for it.

:class:`Prepared` is an order that passed every check and waits to be sent. The
functions here turn a venue's answer into an :class:`Accepted` or a :class:`Rejected`,
and resolve an ambiguous answer (``UNKNOWN``) by looking the order up by its link id,
never by sending it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain import OrderStatus
from bot.domain.hotpath import hot_path
from bot.exchange.protocol import AccountView, OrderRequest, SubmitResult
from bot.execution.ledger import OrderLedger
from bot.execution.results import Accepted, Rejected, Stage
from bot.risk import TradingStateHolder


@hot_path  # built by the executor from a request it built and checked itself
@dataclass(frozen=True, slots=True)
class Prepared:
    """A request that passed every check, and a note for the trader (e.g. "shrunk")."""

    request: OrderRequest
    note: str = ""

    @property
    def entry(self) -> bool:
        """True when the request may open or add exposure (not reduce-only)."""
        return not self.request.reduce_only


@hot_path
def accepted(prepared: Prepared, answer: SubmitResult) -> Accepted:
    """The result of an order the venue holds or filled, with every note joined."""
    request = prepared.request
    note, message = prepared.note, answer.message
    return Accepted(  # positional: a checked call is slower with keywords
        request.order_link_id,
        answer.order_id,
        request.symbol,
        request.side,
        answer.qty if answer.qty is not None else request.qty,
        request.reduce_only,
        answer.status,
        f"{note}; {message}" if note and message else note or message,
    )


@hot_path
def venue_rejection(request: OrderRequest, answer: SubmitResult) -> Rejected:
    """The result of an order the venue refused, with the request's figures."""
    return Rejected(
        Stage.VENUE,
        answer.message or "refused",
        request_numbers(request),
        answer.code,
        order_link_id=request.order_link_id,
    )


def resolve_unknown(
    venue: AccountView,
    ledger: OrderLedger,
    request: OrderRequest,
    answer: SubmitResult,
    *,
    attempts: int,
    journal_ack: Callable[[SubmitResult], None],
) -> SubmitResult | Rejected:
    """Look an order with an ambiguous answer up by link id; never resend it.

    Found: the venue's view of it. Not found: nothing was placed (rejected, not resent).
    Every lookup failed: rejected, and the order stays UNKNOWN until reconciled.
    """
    link_id = request.order_link_id
    ledger.acknowledge(link_id, OrderStatus.UNKNOWN, "")
    errors: list[str] = []
    for _ in range(attempts):
        try:
            found = venue.lookup(link_id)
        except Exception as exc:  # noqa: BLE001 -- try again, then stay UNKNOWN
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        if found is None:
            ledger.acknowledge(link_id, OrderStatus.REJECTED, "")
            journal_ack(SubmitResult(link_id, OrderStatus.REJECTED, message="not found"))
            return Rejected(
                Stage.VENUE,
                f"outcome was ambiguous ({answer.message}); the venue has no order "
                f"{link_id}, so nothing was placed; not resent",
                {"order_link_id": link_id},
                answer.code or None,
                order_link_id=link_id,
            )
        return SubmitResult(link_id, found.status, found.order_id, qty=found.qty)
    return Rejected(
        Stage.VENUE,
        f"outcome unknown ({answer.message}) and the lookup by orderLinkId failed "
        f"{len(errors)} times ({errors[-1] if errors else 'no answer'}); the order stays "
        "UNKNOWN until reconciled; not resent",
        {"order_link_id": link_id},
        answer.code or None,
        order_link_id=link_id,
    )


def request_numbers(request: OrderRequest) -> dict[str, str]:
    """The figures of a request, for a rejection a trader can read."""
    numbers = {
        "order_link_id": request.order_link_id,
        "symbol": str(request.symbol),
        "side": request.side.value,
        "qty": str(request.qty),
        "order_type": request.order_type.value,
        "reduce_only": str(request.reduce_only).lower(),
    }
    if request.price is not None:
        numbers["price"] = str(request.price)
    if request.trigger_price is not None:
        numbers["trigger_price"] = str(request.trigger_price)
    return numbers


def unknown_answer(request: OrderRequest, exc: Exception) -> SubmitResult:
    """The answer for a send that raised: the venue may have acted, so UNKNOWN."""
    return SubmitResult(
        request.order_link_id, OrderStatus.UNKNOWN, message=f"{type(exc).__name__}: {exc}"
    )


def state_rejection(state: TradingStateHolder) -> Rejected:
    """The rejection of an entry while the trading state allows exits only."""
    current = state.state
    return Rejected(
        Stage.STATE,
        f"trading state is {current.value}: only reduce-only exits are allowed",
        {"state": current.value, "why": state.reason},
    )


def failed(stage: Stage, what: str, exc: Exception) -> Rejected:
    """The rejection of an intent whose check raised ``exc`` (fail closed)."""
    return Rejected(stage, f"{what}: {type(exc).__name__}: {exc}", {"error": type(exc).__name__})


def present(result: Accepted | Rejected | None) -> Accepted | Rejected:
    """``result``, or an internal-error rejection for a slot that was never filled."""
    if result is None:  # every slot is filled by the caller; a gap would be a bug, say so
        return Rejected(Stage.VALIDATION, "internal error: no result was produced")
    return result
