"""The risk engine: portfolio limits on every entry, and loss limits on the account.

:meth:`RiskEngine.check_entry` approves, shrinks (only when ``allow_shrink``) or blocks
an entry, always with the reason and the numbers. Anything that goes wrong inside the
check (a missing price, a clock that raises, a bug) is a block, never an approval.
:meth:`RiskEngine.on_trade_closed` and :meth:`RiskEngine.on_equity` track the losing
streak, the daily loss (per UTC day) and the drawdown; a breach escalates the trading
state to REDUCING or HALTED as configured. Exits never pass through here.

Every call is O(1) amortised, apart from marking the open positions, which are at most
``max_open_positions`` (50).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from bot.domain import Amount, EntryIntent, Money
from bot.domain.hotpath import hot_path
from bot.guards.base import Clock
from bot.risk.limits import Exposure, exceeded, marked_exposure, rooms
from bot.risk.memory import RiskMemory
from bot.risk.portfolio import PortfolioSnapshot, RiskDecision, cents, cents_down, fmt
from bot.risk.settings import RiskSettings
from bot.risk.state import TradingStateHolder

_MINUTE_MS: Final = 60_000
_DAY_MS: Final = 86_400_000


class RiskEngine:
    """Checks entries against the limits and escalates the state on loss breaches."""

    def __init__(self, settings: RiskSettings, state: TradingStateHolder, clock: Clock) -> None:
        self._settings = settings
        self._state = state
        self._clock = clock
        self._lock = threading.Lock()
        self._approved_at: deque[int] = deque()
        self._losing_streak = 0
        self._cooldown_until_ms: int | None = None
        self._day: int | None = None
        self._day_realised = Decimal(0)
        self._day_start_equity: Decimal | None = None
        self._peak_equity: Decimal | None = None
        self._last_equity: Decimal | None = None
        self._memory_listeners: list[Callable[[RiskMemory], None]] = []
        self._told: RiskMemory | None = None

    # ---- memory across restarts ---------------------------------------------------------

    def memory(self) -> RiskMemory:
        """What the engine remembers now (streak, cooldown, day, peak)."""
        with self._lock:
            return self._memory()

    def restore(self, memory: RiskMemory) -> None:
        """Take up ``memory`` (from the journal) before the first bar of a restart."""
        with self._lock:
            self._losing_streak = memory.losing_streak
            self._cooldown_until_ms = memory.cooldown_until_ms
            self._day = memory.day
            self._day_realised = memory.day_realised
            self._day_start_equity = memory.day_start_equity
            self._peak_equity = memory.peak_equity
            self._last_equity = memory.last_equity
            self._told = memory

    def on_memory(self, listener: Callable[[RiskMemory], None]) -> None:
        """Call ``listener`` with the memory after each update that changed it."""
        with self._lock:
            self._memory_listeners.append(listener)

    def _memory(self) -> RiskMemory:
        return RiskMemory(
            self._losing_streak,
            self._cooldown_until_ms,
            self._day,
            self._day_realised,
            self._day_start_equity,
            self._peak_equity,
            self._last_equity,
        )

    def _tell_memory(self) -> None:
        """Tell the listeners (none in a backtest) when the memory changed."""
        if not self._memory_listeners:
            return
        with self._lock:
            memory = self._memory()
            if memory == self._told:
                return
            self._told = memory
            listeners = tuple(self._memory_listeners)
        for listener in listeners:
            listener(memory)

    @property
    def losing_streak(self) -> int:
        """Losing trades in a row since the last win or the last cooldown."""
        return self._losing_streak

    @property
    def cooldown_until_ms(self) -> int | None:
        """Epoch ms until which entries are blocked by the last cooldown, if any."""
        return self._cooldown_until_ms

    def check_entry(
        self, intent: EntryIntent, notional: Money, snapshot: PortfolioSnapshot
    ) -> RiskDecision:
        """Approve, shrink or block ``notional`` for ``intent``; any error blocks."""
        try:
            with self._lock:
                now = self._clock.now_ms()
                decision = self._check_entry(intent, notional, snapshot, now)
                if decision.approved:
                    self._approved_at.append(now)
                return decision
        except Exception as exc:  # noqa: BLE001 -- fail closed: an error is a block
            kind = type(exc).__name__
            return RiskDecision.block(f"risk check failed: {kind}: {exc}", {"error": kind})

    @hot_path
    def _check_entry(
        self, intent: EntryIntent, notional: Money, snapshot: PortfolioSnapshot, now: int
    ) -> RiskDecision:
        numbers = {"symbol": str(intent.symbol), "requested": str(notional)}
        refusal = self._refuse_by_state_and_pace(now, numbers)
        if refusal is not None:
            return refusal
        equity = Decimal(snapshot.equity)
        numbers["equity"] = str(equity)
        if equity <= 0:
            return RiskDecision.block(
                f"equity {fmt(equity)} is not positive: no entry can be afforded", numbers
            )
        held = len(snapshot.positions)
        limit = self._settings.max_open_positions
        if intent.symbol not in snapshot.positions and held >= limit:
            numbers |= {"open_positions": str(held), "max_open_positions": str(limit)}
            return RiskDecision.block(
                f"{held} positions open; max open positions is {limit}, so no new "
                f"symbol ({intent.symbol}) may be opened",
                numbers,
            )
        exposure = marked_exposure(intent, snapshot)
        if isinstance(exposure, str):
            return RiskDecision.block(exposure, numbers)
        return self._fit(intent, notional, exposure, equity, numbers)

    @hot_path
    def _refuse_by_state_and_pace(self, now: int, numbers: dict[str, str]) -> RiskDecision | None:
        state = self._state.state
        if not state.allows_entries:
            numbers["state"] = state.name
            reason = self._state.reason or "no reason recorded"
            return RiskDecision.block(
                f"trading state is {state.name} ({reason}): no entries", numbers
            )
        until = self._cooldown_until_ms
        if until is not None and now < until:
            numbers |= {"cooldown_until_ms": str(until), "now_ms": str(now)}
            left = -(-(until - now) // _MINUTE_MS)
            return RiskDecision.block(
                f"cooldown after {self._settings.cooldown_after_losses} losing trades in a "
                f"row: entries blocked until {_utc(until)} ({left} min left)",
                numbers,
            )
        window = self._approved_at
        while window and window[0] <= now - _MINUTE_MS:
            window.popleft()
        limit = self._settings.max_orders_per_minute
        if len(window) >= limit:
            numbers |= {"orders_last_minute": str(len(window)), "max_orders_per_minute": str(limit)}
            return RiskDecision.block(
                f"{len(window)} orders in the last minute; limit is {limit} per minute", numbers
            )
        return None

    @hot_path
    def _fit(
        self,
        intent: EntryIntent,
        notional: Money,
        exposure: Exposure,
        equity: Decimal,
        numbers: dict[str, str],
    ) -> RiskDecision:
        settings = self._settings
        total = exposure.total
        if (  # every limit of ``rooms`` below, without building them: the usual answer
            notional <= settings.max_order_notional
            and notional <= settings.max_position_notional - exposure.symbol_same_side
            and notional <= settings.max_total_exposure - total
            and notional <= settings.max_leverage * equity - total
        ):  # ``numbers`` is this check's own dict: no copy needed
            return RiskDecision(True, notional, False, "within every risk limit", numbers)
        limits = rooms(settings, exposure, equity)
        over = [limit for limit, room in limits if notional > room]
        if not over:  # the same limits as above: unreachable, but never approve unchecked
            return RiskDecision.block("risk limits disagree with themselves", numbers)
        after = exposure.total + notional
        numbers |= {
            "symbol_exposure": str(cents(exposure.symbol_same_side)),
            "total_exposure": str(cents(exposure.total)),
            "leverage_after": str(cents(after / equity)),
            "max_order_notional": str(settings.max_order_notional),
            "max_position_notional": str(settings.max_position_notional),
            "max_total_exposure": str(settings.max_total_exposure),
            "max_leverage": str(settings.max_leverage),
            "exceeded": ",".join(over),
        }
        why = "; ".join(
            exceeded(
                limit,
                settings=settings,
                intent=intent,
                notional=notional,
                exposure=exposure,
                equity=equity,
            )
            for limit in over
        )
        fits = cents_down(min(room for _, room in limits))
        if not settings.allow_shrink:
            return RiskDecision.block(why, numbers)
        if fits <= 0:
            return RiskDecision.block(f"{why}; no room left to shrink into", numbers)
        numbers["approved"] = str(fits)
        return RiskDecision.approve(
            Money(fits),
            f"shrunk from {fmt(notional)} to {fmt(fits)} to fit: {why}",
            numbers,
            shrunk=True,
        )

    def on_trade_closed(self, pnl: Amount, ts_ms: int) -> str | None:
        """Count a closed trade; returns the breach reason if the daily loss limit is hit."""
        settings = self._settings
        with self._lock:
            self._roll_day(ts_ms)
            self._day_realised += pnl
            self._losing_streak = self._losing_streak + 1 if pnl < 0 else 0
            streak_limit = settings.cooldown_after_losses
            if streak_limit and settings.cooldown_minutes and self._losing_streak >= streak_limit:
                self._cooldown_until_ms = ts_ms + settings.cooldown_minutes * _MINUTE_MS
                self._losing_streak = 0
            loss = -self._day_realised
        self._tell_memory()
        if loss < settings.daily_loss_limit:
            return None
        reason = (
            f"daily realised loss {fmt(loss)} reached the daily loss limit "
            f"{fmt(settings.daily_loss_limit)} (UTC day {_utc_day(ts_ms)})"
        )
        return self._breach(reason)

    def on_equity(self, equity: Amount, ts_ms: int) -> str | None:
        """Track drawdown and the day's equity loss; returns the breach reason, if any."""
        settings = self._settings
        with self._lock:
            self._roll_day(ts_ms)
            if self._day_start_equity is None:
                self._day_start_equity = Decimal(equity)
            if self._peak_equity is None or equity > self._peak_equity:
                self._peak_equity = Decimal(equity)
            peak = self._peak_equity
            day_start = self._day_start_equity
            self._last_equity = Decimal(equity)
        self._tell_memory()
        reasons: list[str] = []
        if equity <= 0:
            reasons.append(f"equity {fmt(equity)} is not positive")
        elif peak > 0:
            drawdown = (peak - equity) * 100 / peak
            if drawdown >= settings.max_drawdown_pct:
                reasons.append(
                    f"drawdown {fmt(cents(drawdown))}% (peak {fmt(peak)}, equity {fmt(equity)}) "
                    f"reached max drawdown {fmt(settings.max_drawdown_pct)}%"
                )
        day_loss = day_start - equity
        if day_loss >= settings.daily_loss_limit:
            reasons.append(
                f"loss today {fmt(day_loss)} (equity from {fmt(day_start)} to {fmt(equity)}) "
                "reached the daily loss limit "
                f"{fmt(settings.daily_loss_limit)} (UTC day {_utc_day(ts_ms)})"
            )
        if not reasons:
            return None
        return self._breach("; ".join(reasons))

    def _breach(self, reason: str) -> str:
        target = self._settings.on_loss_limit.state
        self._state.escalate(target, f"{reason}: {target.name}")
        return reason

    @hot_path
    def _roll_day(self, ts_ms: int) -> None:
        day = ts_ms // _DAY_MS
        if self._day is None or day > self._day:
            self._day = day
            self._day_realised = Decimal(0)
            # the day starts from the last equity before it (the close of the previous
            # day's last bar); a bar's equity is its close, told at its open time, so
            # this holds for every timeframe up to a day. None: the first equity told.
            self._day_start_equity = self._last_equity


def _utc(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms // 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def _utc_day(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms // 1000, tz=UTC).strftime("%Y-%m-%d")
