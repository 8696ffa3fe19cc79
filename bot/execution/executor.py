"""The one road to the exchange.

Intent -> trading state -> GuardChain -> RiskEngine -> sizing with instrument rounding
-> venue. Every step that cannot decide refuses, and every answer is a value
(:class:`Accepted` or :class:`Rejected` with the stage, the reason and the numbers).

Entries are handed to the venue while holding the trading-state lock, after checking
the state once more: once a halt has been set, no entry reaches the venue. Closes are
built from the live position at send time, always reduce-only.

Batches are in :mod:`bot.execution.batch`; the answers built for a sent order, and the
resolution of an ambiguous one, in :mod:`bot.execution.outcomes`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from bot.domain import (
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Fill,
    Instrument,
    Intent,
    Money,
    OrderStatus,
    OrderType,
    Position,
    Price,
    Qty,
    Side,
    Symbol,
    Ticker,
    qty_for_notional,
)
from bot.domain.hotpath import hot_path
from bot.errors import BotError, InvalidValue, SizingRejected
from bot.exchange.protocol import Exchange, OrderRequest, SubmitResult, pending_order
from bot.execution.batch import run_batch, send_chunk
from bot.execution.closing import RemainderPolicy, plan_close
from bot.execution.journal import Journal
from bot.execution.ledger import OrderLedger
from bot.execution.outcomes import (
    Prepared,
    accepted,
    failed,
    resolve_unknown,
    state_rejection,
    unknown_answer,
    venue_rejection,
)
from bot.execution.pricing import (
    order_prices,
    signed_after,
    sizing_price,
    snapshot_with_order,
)
from bot.execution.results import ExecutionResult, Rejected, Stage
from bot.guards import GuardChain, PinnedPrices, PriceSource
from bot.risk import PortfolioSnapshot, RiskEngine, TradingState, TradingStateHolder

_RUN_ID = re.compile(r"[A-Za-z0-9_]{1,24}")


class Executor:
    """Turns intents into venue orders, or into rejections that say why.

    With a ``journal``, every intent is written before it is sent (an intent that cannot
    be written is not sent), then every answer, counted fill and cancel; a write that
    fails after the fact halts trading. ``first_seq`` continues a run's link ids after a
    restart (``recovery.next_seq(run_id)``); it must be after the journal's last one.

    ``prices`` is where an entry's sizing price (and its symbol's price in the risk
    snapshot) is read: give it the source the guards check (a live run: the stream's
    ticker book, whose freshness and band they checked), so an entry is never sized
    from a price no guard looked at. Default: the venue (the backtest's guards read it).
    When it is a :class:`~bot.guards.PinnedPrices` (the live road's), the executor holds
    it while it prepares each order: the guards and the sizing read one ticker, not a
    newer one the stream wrote between their reads.
    """

    def __init__(
        self,
        venue: Exchange,
        guards: GuardChain,
        risk: RiskEngine,
        state: TradingStateHolder,
        *,
        run_id: str,
        remainder: RemainderPolicy = RemainderPolicy.CLOSE_ALL,
        lookup_attempts: int = 3,
        journal: Journal | None = None,
        first_seq: int = 1,
        prices: PriceSource | None = None,
    ) -> None:
        if _RUN_ID.fullmatch(run_id) is None:
            raise InvalidValue("run_id", run_id, "1 to 24 letters, digits or underscores")
        if lookup_attempts < 1:
            raise InvalidValue("lookup_attempts", lookup_attempts, "at least 1")
        last = journal.last_seq(run_id) if journal is not None else 0
        if first_seq <= last or first_seq < 1:
            raise InvalidValue("first_seq", first_seq, f"after {last}, the run's last sequence")
        self._venue = venue
        self._prices: PriceSource = venue if prices is None else prices
        self._pinned = prices if isinstance(prices, PinnedPrices) else None
        self._guards = guards
        self._risk = risk
        self._state = state
        self._run_id = run_id
        self._remainder = remainder
        self._lookup_attempts = lookup_attempts
        self._journal = journal
        self._seq = itertools.count(first_seq)
        self._instruments: dict[Symbol, Instrument] = {}
        self._fill_cursor = 0
        self.ledger = OrderLedger()

    # ---- public surface -------------------------------------------------------------

    def submit(self, intent: Intent) -> ExecutionResult:
        """Send one intent down the road; the answer says what became of it."""
        prepared = self._prepare(intent, None)
        if isinstance(prepared, Rejected):
            return prepared
        return self._send_one(prepared)

    def submit_batch(self, batch: BatchIntent) -> list[ExecutionResult]:
        """One result per item, in input order; a bad item never stops the others."""
        return run_batch(batch.items, self._prepare, self._send_chunk)

    def cancel_all(self, symbol: Symbol | None = None) -> list[str]:
        """Cancel every open order (of ``symbol``) on the venue; returns their link ids."""
        with self._state.lock:
            cancelled = self._venue.cancel_all(symbol)
        if cancelled:
            self._journal_after(lambda journal: journal.record_cancels(cancelled, "cancel all"))
        for link_id in cancelled:
            if self.ledger.get(link_id) is not None:
                self.ledger.acknowledge(link_id, OrderStatus.CANCELLED, "")
        return cancelled

    @property
    def price_source(self) -> PriceSource:
        """Where entries are priced for sizing (the venue unless ``prices`` was given)."""
        return self._prices

    def positions(self) -> dict[Symbol, Position]:
        """The venue's live positions (raises if they cannot be read)."""
        return self._venue.positions()

    def on_fill(self, fill: Fill) -> bool:
        """Count a fill once, from whichever path brings it; False if already counted."""
        counted = self.ledger.on_fill(fill)
        if counted:
            self._journal_after(lambda journal: journal.record_fill(fill))
        return counted

    def sync_fills(self) -> list[Fill]:
        """Pull the venue's new fills and count them; returns the ones that were new."""
        fills, self._fill_cursor = self._venue.fills_since(self._fill_cursor)
        if not fills:
            return []
        counted = self.ledger.on_fills(fills)
        if counted and self._journal is not None:
            self._journal_after(lambda journal: journal.record_fills(counted))
        return counted

    def next_link_id(self) -> str:
        """A unique, deterministic ``orderLinkId``: run id and sequence number."""
        return self._next_link_id()

    @hot_path
    def _next_link_id(self) -> str:
        return f"{self._run_id}-{next(self._seq)}"

    # ---- preparing ------------------------------------------------------------------

    @hot_path
    def _prepare(
        self, intent: Intent, overlay: list[PortfolioSnapshot] | None
    ) -> Prepared | Rejected:
        try:
            if self._pinned is None:
                return self._prepare_now(intent, overlay)
            with self._pinned.hold():  # the guards and the sizing read one ticker
                return self._prepare_now(intent, overlay)
        except Exception as exc:  # noqa: BLE001 -- whatever went wrong, nothing is sent
            return failed(Stage.VALIDATION, "the order could not be prepared", exc)

    @hot_path
    def _prepare_now(
        self, intent: Intent, overlay: list[PortfolioSnapshot] | None
    ) -> Prepared | Rejected:
        blocks = self._run_guards(intent)
        if isinstance(blocks, Rejected):
            return blocks
        if isinstance(intent, CloseIntent):
            return self._prepare_close(intent)
        return self._prepare_entry(intent, overlay)

    @hot_path
    def _run_guards(self, intent: Intent) -> Rejected | None:
        if isinstance(intent, EntryIntent) and not self._state.allows_entries:
            return state_rejection(self._state)
        try:
            blocks = self._guards.evaluate(intent)
        except Exception as exc:  # noqa: BLE001 -- fail closed for entries
            if isinstance(intent, CloseIntent):
                return None  # exits never open exposure: a broken chain must not trap them
            return failed(Stage.GUARD, "guard chain failed", exc)
        if not blocks:
            return None
        numbers = {f"{b.guard}.{k}": v for b in blocks for k, v in b.numbers.items()}
        return Rejected(Stage.GUARD, "; ".join(str(b) for b in blocks), numbers)

    @hot_path
    def _prepare_entry(
        self, intent: EntryIntent, overlay: list[PortfolioSnapshot] | None
    ) -> Prepared | Rejected:
        try:
            instrument = self._instrument(intent.symbol)
            ticker = self._prices.ticker(intent.symbol)
            limit, trigger = order_prices(intent, intent.side, instrument)
            price = sizing_price(intent, limit, trigger, ticker)
        except Exception as exc:  # noqa: BLE001 -- no trustworthy price or rules: refuse
            return failed(Stage.VALIDATION, "cannot price or size the entry", exc)
        if intent.notional is not None:
            notional = intent.notional
        elif intent.qty is not None:
            try:
                notional = Money(intent.qty * price)
            except BotError as exc:  # e.g. beyond Money's range: refused, not raised
                return Rejected(Stage.VALIDATION, f"cannot value the entry: {exc}")
        else:  # EntryIntent's constructor makes this impossible; refuse if it happens
            return Rejected(Stage.VALIDATION, "entry has neither notional nor qty")
        try:
            snapshot = overlay[-1] if overlay else self._snapshot(intent.symbol, ticker)
        except Exception as exc:  # noqa: BLE001 -- unknown portfolio: refuse
            return failed(Stage.RISK, "portfolio snapshot unavailable", exc)
        try:
            decision = self._risk.check_entry(intent, notional, snapshot)
        except Exception as exc:  # noqa: BLE001 -- a raising risk engine blocks
            return failed(Stage.RISK, "risk engine failed", exc)
        if not decision.approved or decision.notional is None:
            return Rejected(Stage.RISK, decision.reason, decision.numbers)
        market = intent.order_type is OrderType.MARKET
        try:
            if intent.qty is not None and not decision.shrunk:
                qty = instrument.check_qty(intent.qty, price, market=market)
            elif market:  # the default, without a keyword: a checked call is slower with one
                qty = qty_for_notional(decision.notional, price, instrument)
            else:
                qty = qty_for_notional(decision.notional, price, instrument, market=False)
        except SizingRejected as exc:
            return Rejected(Stage.VALIDATION, exc.reason, exc.numbers)
        except BotError as exc:
            return Rejected(Stage.VALIDATION, str(exc))
        unclosable = _unclosable(snapshot, intent, qty, instrument)
        if unclosable is not None:
            return unclosable
        request = self._request(intent, intent.side, qty, limit, trigger, reduce_only=False)
        if overlay is not None:
            overlay.append(snapshot_with_order(snapshot, request, price))
        return Prepared(request, decision.reason if decision.shrunk else "")

    @hot_path
    def _request(
        self,
        intent: Intent,
        side: Side,
        qty: Qty,
        limit: Price | None,
        trigger: Price | None,
        *,
        reduce_only: bool,
    ) -> OrderRequest:
        """The venue request for ``intent``, with the next link id."""
        return OrderRequest(  # positional: a checked call is slower with keywords
            self._next_link_id(),
            intent.symbol,
            side,
            qty,
            intent.order_type,
            reduce_only,
            limit,
            intent.time_in_force,
            trigger,
            intent.trigger_direction,
        )

    @hot_path
    def _prepare_close(self, intent: CloseIntent) -> Prepared | Rejected:
        try:
            position = self._venue.positions().get(intent.symbol)
            instrument = self._instrument(intent.symbol)
        except Exception as exc:  # noqa: BLE001 -- unknown position: send nothing
            return failed(Stage.VALIDATION, "live position unavailable", exc)
        if position is None:
            return Rejected(Stage.VALIDATION, f"no open position in {intent.symbol} to close")
        try:
            market = intent.order_type is OrderType.MARKET
            plan = plan_close(position, intent.fraction, instrument, self._remainder, market=market)
            limit, trigger = order_prices(intent, plan.side, instrument)
        except SizingRejected as exc:
            return Rejected(Stage.VALIDATION, exc.reason, exc.numbers)
        except BotError as exc:
            return Rejected(Stage.VALIDATION, str(exc))
        request = self._request(intent, plan.side, plan.qty, limit, trigger, reduce_only=True)
        return Prepared(request, plan.note)

    # ---- sending --------------------------------------------------------------------

    @hot_path
    def _send_one(self, prepared: Prepared) -> ExecutionResult:
        request = prepared.request
        with self._state.lock:
            if not request.reduce_only and not self._state.allows_entries:  # an entry
                return state_rejection(self._state)
            if self._journal is not None:
                unwritten = self._journal_intents([request])
                if unwritten is not None and not request.reduce_only:
                    return unwritten  # an exit goes all the same: trading is halted
            self.ledger.record(pending_order(request))
            try:
                answer = self._venue.submit(request)
            except Exception as exc:  # noqa: BLE001 -- the venue may have acted: UNKNOWN
                answer = unknown_answer(request, exc)
        return self._settle(prepared, answer)

    @hot_path
    def _send_chunk(self, chunk: Sequence[Prepared]) -> list[ExecutionResult]:
        return send_chunk(
            chunk,
            state=self._state,
            venue=self._venue,
            ledger=self.ledger,
            write_intents=self._journal_intents,
            settle=self._settle,
        )

    @hot_path
    def _settle(self, prepared: Prepared, answer: SubmitResult) -> ExecutionResult:
        request = prepared.request
        link_id = request.order_link_id
        if self._journal is not None:
            self._journal_ack(answer)
        if answer.status is OrderStatus.UNKNOWN:
            resolved = resolve_unknown(
                self._venue,
                self.ledger,
                request,
                answer,
                attempts=self._lookup_attempts,
                journal_ack=self._journal_ack,
            )
            if isinstance(resolved, Rejected):
                return resolved
            answer = resolved
            self._journal_ack(resolved)
        if answer.status is OrderStatus.REJECTED:
            self.ledger.acknowledge(link_id, OrderStatus.REJECTED, "")
            return venue_rejection(request, answer)
        self.ledger.acknowledge(link_id, answer.status, answer.order_id)
        return accepted(prepared, answer)

    # ---- journal --------------------------------------------------------------------

    @hot_path
    def _journal_intents(self, requests: list[OrderRequest]) -> Rejected | None:
        """Write the intents before they are sent; if they cannot be, trading halts and
        the answer is the rejection of the entries among them.

        The entries are not sent. The exits (reduce-only) are: a journal that cannot
        write must not trap a position (a restart then finds orders its journal does not
        know, and refuses to trade until a person has looked)."""
        if self._journal is None or not requests:
            return None
        prefix = f"{self._run_id}-"
        try:
            items = [(int(r.order_link_id.removeprefix(prefix)), r) for r in requests]
            self._journal.record_intents(self._run_id, items)
        except Exception as exc:  # noqa: BLE001 -- not written: no entry is sent
            self._state.escalate(
                TradingState.HALTED, f"journal cannot write orders before sending: {exc}"
            )
            return failed(Stage.VALIDATION, "the journal cannot write the order; not sent", exc)
        return None

    @hot_path
    def _journal_ack(self, answer: SubmitResult) -> None:
        if self._journal is not None:
            self._journal_after(lambda journal: journal.record_ack(answer))

    @hot_path
    def _journal_after(self, write: Callable[[Journal], object]) -> None:
        """Write what already happened; if that fails, nothing new is opened."""
        if self._journal is None:
            return
        try:
            write(self._journal)
        except Exception as exc:  # noqa: BLE001 -- an unjournaled event halts trading
            self._state.escalate(TradingState.HALTED, f"journal write failed: {exc}")

    # ---- inputs ---------------------------------------------------------------------

    @hot_path
    def _instrument(self, symbol: Symbol) -> Instrument:
        instrument = self._instruments.get(symbol)
        if instrument is None:
            instrument = self._venue.instrument(symbol)
            if not isinstance(instrument, Instrument) or instrument.symbol != symbol:
                raise InvalidValue("instrument", instrument, f"the rules of {symbol}")
            self._instruments[symbol] = instrument
        return instrument

    @hot_path
    def _snapshot(self, symbol: Symbol, ticker: Ticker | None) -> PortfolioSnapshot:
        """Equity, live positions and their last prices; ``ticker`` is ``symbol``'s, just
        read for this entry (each other held symbol's ticker is read once here)."""
        positions = self._venue.positions()
        prices = {}  # no annotated local here: beartype would check it on every call
        for held in positions:
            if held == symbol:
                continue
            other = self._venue.ticker(held)
            if other is not None:
                prices[held] = other.last_price
        if ticker is not None:
            prices[symbol] = ticker.last_price
        return PortfolioSnapshot(self._venue.balance().equity, positions, prices)


@hot_path
def _unclosable(
    snapshot: PortfolioSnapshot, intent: EntryIntent, qty: Qty, instrument: Instrument
) -> Rejected | None:
    """The refusal of an entry after which one market order could not close the position
    (larger than the instrument's max market qty); None when it could."""
    after = abs(signed_after(snapshot.positions.get(intent.symbol), intent.side, qty))
    limit = instrument.max_mkt_order_qty
    if after <= limit:
        return None
    return Rejected(
        Stage.VALIDATION,
        f"the position would be {after} {intent.symbol}, more than one market order can "
        f"close (max {limit}): an exit must always be possible",
        {"position_after": str(after), "qty": str(qty), "max_mkt_order_qty": str(limit)},
    )
