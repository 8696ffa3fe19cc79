"""Every error the bot raises on purpose, in one hierarchy.

::

    BotError                      anything the bot raises on purpose
    ├── ConfigError               the composed config is not acceptable (exit code 2)
    ├── StartupRefused            the process must not start (e.g. ``python -O``)
    │   └── JournalUnavailable    the journal cannot be opened or read at start
    ├── TypeViolation             a value of the wrong type crossed a checked boundary
    ├── DomainError               a value or a transition the domain does not allow
    │   ├── InvalidValue          a number or name failed validation (None, "", NaN, ...)
    │   ├── InvalidTransition     an order status change the state machine forbids
    │   └── SizingRejected        a quantity cannot be derived without capping or bumping
    │       ├── BelowMinQty
    │       ├── BelowMinNotional
    │       └── AboveMaxQty
    ├── ExchangeError             something a venue said or failed to say
    │   ├── MalformedResponse     wire data the codec cannot turn into domain values
    │   ├── VenueRejected         the venue refused a request (with its code)
    │   └── AmbiguousOutcome      the venue may or may not have acted (timeout, 5xx)
    ├── DataError                 candles that cannot be used (bad file, row, column)
    ├── JournalError              the journal cannot be opened, read or written
    ├── ReconcileRefused          journal and exchange disagree or cannot be read (exit 3)
    └── OperatorTaskFailed        an operator task could not do or show all it was asked

``BotError`` subclasses carry a message meant for a trader: what was wrong, the value,
and what is allowed.
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(BotError):
    """The composed configuration is not acceptable; the bot exits with code 2.

    ``key`` is the dotted config path, ``value`` what was given, ``allowed`` what is
    accepted.
    """

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key = key
        self.value = value
        self.allowed = allowed
        super().__init__(f"config error: {key}={value!r} is not allowed; {allowed}")


class StartupRefused(BotError):
    """The process must not start at all, for a reason stated in one line."""


class TypeViolation(BotError, TypeError):
    """A value of the wrong type crossed a checked boundary (raised by beartype)."""


class DomainError(BotError, ValueError):
    """A value or a transition that the trading domain does not allow."""


class InvalidValue(DomainError):
    """A number, name or field failed validation.

    ``field`` names what was being built, ``value`` is what was given and ``allowed``
    says what would have been accepted.
    """

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field}={value!r} is invalid: {allowed}")


class InvalidTransition(DomainError):
    """An order status change that the order state machine forbids."""


class SizingRejected(DomainError):
    """No quantity can be derived without silently capping or bumping it.

    ``numbers`` holds the figures behind the decision, as strings, for reports.
    """

    def __init__(self, reason: str, numbers: dict[str, str]) -> None:
        self.reason = reason
        self.numbers = dict(numbers)
        detail = ", ".join(f"{k}={v}" for k, v in self.numbers.items())
        super().__init__(f"{reason} ({detail})")


class BelowMinQty(SizingRejected):
    """The quantity, rounded down to the step, is below the instrument's minimum."""


class BelowMinNotional(SizingRejected):
    """The order's notional value is below the instrument's minimum notional."""


class AboveMaxQty(SizingRejected):
    """The quantity is above the instrument's maximum for this order type."""


class ExchangeError(BotError):
    """Something a venue said, or failed to say."""


class MalformedResponse(ExchangeError):
    """Wire data that the codec cannot turn into domain values."""


class VenueRejected(ExchangeError):
    """The venue refused a request; ``code`` is the venue's own code."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"venue rejected ({code}): {message}")


class AmbiguousOutcome(ExchangeError):
    """The venue may or may not have acted: the order must be looked up, not resent."""


class DataError(BotError):
    """Candles that cannot be used; nothing of the source is loaded.

    ``source`` names the file (or generator), ``row`` is the 1-based data row (the first
    candle is row 1) or ``None`` when the whole source is at fault, ``line`` the line of
    the file for text formats (the header is line 1), ``column`` the column concerned and
    ``reason`` what was wrong, with the numbers.
    """

    def __init__(
        self,
        source: str,
        reason: str,
        *,
        row: int | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source = source
        self.reason = reason
        self.row = row
        self.line = line
        self.column = column
        where = ""
        if row is not None:
            where = f"row {row}" + (f" (line {line} of the file)" if line is not None else "")
        if column is not None:
            where = f"{where}, column {column}" if where else f"column {column}"
        place = f"{source}: {where}" if where else source
        super().__init__(f"{place}: {reason}; nothing was loaded")


class JournalError(BotError):
    """The journal cannot be opened, read or written; ``path`` names the file.

    Raised for an unknown schema version, a failed write (nothing of that write is
    kept) and a row that cannot be turned back into domain values.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"journal {path}: {reason}")


class ReconcileRefused(BotError):
    """The bot refuses to trade after reconciling: the live runner exits with code 3.

    Raised when the exchange could not be read (under every policy: a startup sync
    failure is never adoptable), when journal and exchange disagree under the ``refuse``
    policy, or when ``adopt`` cannot resolve a difference. ``reason`` says which;
    ``report`` is the :class:`~bot.execution.reconcile.ReconcileReport`, and the message
    ends with its diff table.
    """

    exit_code = 3

    def __init__(self, reason: str, report: object) -> None:
        self.reason = reason
        self.report = report
        super().__init__(f"refusing to trade: {reason}\n{report}")


class OperatorTaskFailed(BotError):
    """An operator task (``status``, ``close``, ``panic``, ``reset``, ``download``) could
    not do, or could not show, everything it was asked; the process exits non-zero.

    The message says what is missing or still open, in one line: a status read that
    failed, a position that is still held after a panic, a download that wrote nothing.
    """


class JournalUnavailable(StartupRefused):
    """The journal cannot be opened or read when a live road is built.

    A trading start refuses on it (exit 2); the operator's ``task=panic`` catches it
    and still cancels and flattens, without a journal, saying so.
    """
