"""Batches: every item prepared on its own, then sent in chunks the venue accepts.

Each item gets its own result, in input order; a bad item never stops the others. The
entries of one batch are checked against the portfolio as if the earlier ones had
filled (``overlay``), so a batch cannot step past a limit that single entries respect.
A chunk is handed to the venue under the trading-state lock, like a single order: once
a halt is set, no entry of the chunk reaches the venue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.domain import MAX_BATCH, Intent, OrderStatus
from bot.exchange.protocol import OrderGateway, OrderRequest, SubmitResult, pending_order
from bot.execution.ledger import OrderLedger
from bot.execution.outcomes import Prepared, present, state_rejection, unknown_answer
from bot.execution.results import ExecutionResult, Rejected
from bot.risk import PortfolioSnapshot, TradingStateHolder

#: Prepares one item (with the batch's portfolio overlay): the order, or why not.
Prepare = Callable[[Intent, list[PortfolioSnapshot]], Prepared | Rejected]


def run_batch(
    items: Sequence[Intent],
    prepare: Prepare,
    send_chunk: Callable[[Sequence[Prepared]], list[ExecutionResult]],
) -> list[ExecutionResult]:
    """Prepare every item, send the ready ones ``MAX_BATCH`` at a time; results in order."""
    results: list[ExecutionResult | None] = [None] * len(items)
    ready: list[tuple[int, Prepared]] = []
    overlay: list[PortfolioSnapshot] = []
    for index, item in enumerate(items):
        prepared = prepare(item, overlay)
        if isinstance(prepared, Rejected):
            results[index] = prepared
        else:
            ready.append((index, prepared))
    for start in range(0, len(ready), MAX_BATCH):
        chunk = ready[start : start + MAX_BATCH]
        sent = send_chunk([p for _, p in chunk])
        for index, result in zip((i for i, _ in chunk), sent, strict=True):
            results[index] = result
    return [present(result) for result in results]


def send_chunk(
    chunk: Sequence[Prepared],
    *,
    state: TradingStateHolder,
    venue: OrderGateway,
    ledger: OrderLedger,
    write_intents: Callable[[list[OrderRequest]], Rejected | None],
    settle: Callable[[Prepared, SubmitResult], ExecutionResult],
) -> list[ExecutionResult]:
    """Send one chunk in one venue call; entries only while the state allows them and
    the journal has written them (exits are sent even when it could not)."""
    unwritten: Rejected | None = None
    with state.lock:
        entries_allowed = state.allows_entries
        sendable = [p for p in chunk if entries_allowed or not p.entry]
        unwritten = write_intents([p.request for p in sendable])
        if unwritten is not None:  # trading is halted; the exits go all the same
            sendable = [p for p in sendable if not p.entry]
        for prepared in sendable:
            ledger.record(pending_order(prepared.request))
        answers = []
        try:
            if sendable:
                answers = venue.submit_batch([p.request for p in sendable])
        except Exception as exc:  # noqa: BLE001 -- the venue may have acted: UNKNOWN
            answers = [unknown_answer(p.request, exc) for p in sendable]
    by_link = {a.order_link_id: a for a in answers}
    results: list[ExecutionResult] = []
    for prepared in chunk:
        link_id = prepared.request.order_link_id
        if prepared.entry and not entries_allowed:
            results.append(state_rejection(state))
            continue
        if prepared.entry and unwritten is not None:
            results.append(unwritten)
            continue
        answer = by_link.get(link_id)
        if answer is None:
            answer = SubmitResult(link_id, OrderStatus.UNKNOWN, message="missing in answer")
        results.append(settle(prepared, answer))
    return results
