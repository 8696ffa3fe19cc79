"""What a guard is, what it says, and the inputs it reads.

A guard answers ``None`` (no objection) or a :class:`Block` with a reason and the
numbers behind it. The :class:`~bot.guards.chain.GuardChain` turns an exception inside
a guard into a block, so a guard that cannot decide never lets an entry through.

The protocols are ``runtime_checkable`` so that beartype can check the sources handed to
a guard's constructor (a fake missing a method is refused when the chain is built).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.domain import Intent, Symbol, Ticker


@dataclass(frozen=True, slots=True)
class Block:
    """One guard's objection: who, why in words, and the figures."""

    guard: str
    reason: str
    numbers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.guard}: {self.reason}"


@runtime_checkable
class Guard(Protocol):
    """A pre-trade check. ``entry_only`` guards are skipped for reduce-only exits."""

    name: str
    entry_only: bool

    def check(self, intent: Intent) -> Block | None:
        """None when the intent may proceed, else the reason it may not."""
        ...


@runtime_checkable
class PriceSource(Protocol):
    """Latest ticker per symbol. May return None or raise: both mean "no price"."""

    def ticker(self, symbol: Symbol) -> Ticker | None:
        """Latest ticker of ``symbol``."""
        ...


@runtime_checkable
class StreamHealth(Protocol):
    """Whether the market-data stream is alive. May raise: that means "unhealthy"."""

    def last_message_ms(self) -> int | None:
        """Epoch ms of the last message received, or None if none yet."""
        ...

    def is_connected(self) -> bool:
        """True while the connection is up."""
        ...


@runtime_checkable
class ClockSkew(Protocol):
    """Difference between the local and the venue clock. May raise."""

    def skew_ms(self) -> int | None:
        """local minus venue time in ms, or None if never measured."""
        ...


@runtime_checkable
class Clock(Protocol):
    """Local time source; the backtest drives it from the bars."""

    def now_ms(self) -> int:
        """Epoch milliseconds now."""
        ...
