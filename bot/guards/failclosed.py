"""The fail-closed skeleton every built-in guard shares, and its input readers.

A built-in guard implements :meth:`FailClosedGuard.evaluate` and reads its inputs with
the readers below, which raise :class:`InputUnavailable` when a source answers nothing
usable. :meth:`FailClosedGuard.check` turns *any* exception into a :class:`Block`, so
a missing, unparseable or raising input, or a bug in the guard itself, blocks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from bot.domain import Intent, Symbol, Ticker
from bot.domain.hotpath import hot_path
from bot.errors import BotError
from bot.guards.base import Block


class InputUnavailable(BotError):
    """A guard could not get an input it needs, or got one it cannot trust."""


class FailClosedGuard(ABC):
    """Base of the built-in guards: whatever goes wrong inside ``evaluate`` blocks."""

    name: str
    entry_only: bool

    @hot_path
    def check(self, intent: Intent) -> Block | None:
        """None when the intent may proceed; a Block otherwise, also on any error."""
        try:
            return self.evaluate(intent)
        except Exception as exc:  # noqa: BLE001 -- fail closed: an error is a block
            return error_block(self.name, exc)

    @abstractmethod
    def evaluate(self, intent: Intent) -> Block | None:
        """The guard's rule; may raise, which :meth:`check` turns into a block."""


def error_block(guard: str, exc: BaseException) -> Block:
    """The block for a guard that could not decide because of ``exc``."""
    kind = type(exc).__name__
    if isinstance(exc, InputUnavailable):
        return Block(guard, str(exc), {"error": kind})
    return Block(guard, f"could not check: {kind}: {exc}", {"error": kind})


@hot_path
def read_ticker(lookup: Callable[[Symbol], object], symbol: Symbol) -> Ticker:
    """The latest ticker of ``symbol`` from ``lookup`` (a source's ``ticker`` method).

    Raises :class:`InputUnavailable` when there is none or it is not a usable ticker.
    (It takes the bound method, not the source: checking a protocol on every call is
    slow, and this is the hot path.)
    """
    ticker = lookup(symbol)
    if ticker is None:
        raise InputUnavailable(f"no ticker for {symbol}: the price source has none")
    if not isinstance(ticker, Ticker) or ticker.symbol != symbol:
        raise InputUnavailable(f"no usable ticker for {symbol}: got {ticker!r}")
    return ticker


@hot_path
def read_ms(what: str, value: object) -> int:
    """An integer number of milliseconds from a source, or raise :class:`InputUnavailable`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputUnavailable(f"{what} is unknown: got {value!r}")
    return value


@hot_path
def bps(price: Decimal, reference: Decimal) -> Decimal:
    """Distance of ``price`` from ``reference`` in basis points of the reference."""
    return abs(price - reference) * 10_000 / reference


def fmt(number: Decimal | int) -> str:
    """A number exactly as given, thousands separated: ``61,200`` or ``0.00012``."""
    return f"{Decimal(number).normalize():,f}"


def fmt_bps(value: Decimal) -> str:
    """Basis points rounded to a tenth for reading: ``625`` or ``200.4``."""
    return fmt(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
