"""``task=status``: the live account at a glance, read-only.

Positions (side, size, entry, mark, unrealised PnL, liquidation price, leverage), open
orders, the USDT balance, the trading state from the journal, ticker ages against the
venue's clock and the clock skew, as tables. Nothing is sent but reads: no order, no
cancel, no leverage change, and the journal is only read (a missing journal is not
created). The streams are not started: ages come from REST reads.

Fail closed: every read that fails is shown in its section as ``ERROR: ...`` and the task
then raises :class:`~bot.errors.OperatorTaskFailed` (exit code 1), so a partial table is
never mistaken for the whole truth.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TypeVar

from bot.config import BybitSettings
from bot.data.candles import iso_ms
from bot.domain import Order, Price, Symbol
from bot.engine.live.feeds import WallClock
from bot.engine.live.road import open_journal
from bot.engine.settings import Settings
from bot.errors import BotError, ConfigError, OperatorTaskFailed
from bot.exchange.bybit.codec import PositionDetail
from bot.exchange.bybit.rest import BybitHttp, BybitRest
from bot.exchange.protocol import Balance

T = TypeVar("T")
#: Journal anomalies listed by name (the rest are counted).
_ANOMALIES_SHOWN = 3


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What ``task=status`` showed (``text``) and every read that failed (``errors``)."""

    text: str
    errors: tuple[str, ...]


def status_task(
    settings: Settings,
    *,
    http: BybitHttp | None = None,
    now_ms: Callable[[], int] | None = None,
) -> StatusReport:
    """Print the status tables; raise OperatorTaskFailed if any read failed.

    ``http`` replaces pybit's REST client and ``now_ms`` the local clock (tests).
    """
    exchange = settings.exchange
    if not isinstance(exchange, BybitSettings):
        raise ConfigError("exchange", exchange.name, "bybit: status reads the live account")
    wall = WallClock().now_ms if now_ms is None else now_ms
    rest = BybitRest(exchange, http=http, now_ms=wall)
    try:
        report = read_status(settings, exchange, rest, wall)
    finally:
        rest.close()
    print(report.text)
    if report.errors:
        raise OperatorTaskFailed(
            f"status is incomplete: {len(report.errors)} read(s) failed: "
            + "; ".join(report.errors)
        )
    return report


def read_status(
    settings: Settings, exchange: BybitSettings, rest: BybitRest, now_ms: Callable[[], int]
) -> StatusReport:
    """Read everything ``status`` shows and render it; failed reads are kept, not raised."""
    failed: dict[str, str] = {}

    def attempt(what: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except BotError as error:
            failed[what] = " ".join(str(error).split())
            return None

    lines = [f"bot status: Bybit {exchange.network.value} at {rest.rest_url}"]
    details = attempt("positions", rest.position_details)
    lines += _section("Positions", _position_rows(details), failed.get("positions"))
    orders = attempt("open orders", rest.open_orders)
    lines += _section("Open orders", _order_rows(orders), failed.get("open orders"))
    balance = attempt("balance", rest.balance)
    lines += _section("Balance (USDT)", _balance_rows(balance), failed.get("balance"))
    state = attempt("trading state", partial(_journal_state, settings.live.journal))
    shown = state if state is not None else [f"ERROR: {failed.get('trading state')}"]
    lines += ["", "Trading state", *(f"  {line}" for line in shown)]
    skew = attempt("clock skew", rest.measure_skew_ms)
    symbols = sorted({settings.symbol, *(details or {})})
    tickers = [(s, attempt(f"ticker {s}", partial(_ticker_row, rest, s))) for s in symbols]
    lines += _feeds(settings, skew, tickers, now_ms(), failed)
    errors = tuple(f"{what}: {error}" for what, error in failed.items())
    if errors:
        lines += ["", f"INCOMPLETE: {len(errors)} read(s) failed (see the ERROR lines above)"]
    return StatusReport("\n".join(lines), errors)


# -- sections ----------------------------------------------------------------------------

Rows = tuple[Sequence[str], list[Sequence[str]]]


def _section(title: str, rows: Rows | None, error: str | None) -> list[str]:
    """A titled table, a note when it has no rows, or the error of its read."""
    if rows is None:
        return ["", title, f"  ERROR: {error or 'not read'}"]
    headers, body = rows
    if not body:
        return ["", title, "  (none)"]
    return ["", title, *table(headers, body)]


def _position_rows(details: dict[Symbol, PositionDetail] | None) -> Rows | None:
    if details is None:
        return None
    headers = ("symbol", "side", "size", "entry", "mark", "unrealised PnL", "liq price", "lev")
    body: list[Sequence[str]] = []
    for symbol in sorted(details):
        detail = details[symbol]
        held = detail.position
        body.append(
            (
                str(symbol),
                "long" if held.side.sign > 0 else "short",
                _num(held.size),
                _num(held.entry_price),
                _num(detail.mark_price),
                _num(detail.unrealised_pnl),
                _num(detail.liq_price),
                _num(detail.leverage),
            )
        )
    return headers, body


def _order_rows(orders: list[Order] | None) -> Rows | None:
    if orders is None:
        return None
    headers = ("link id", "symbol", "side", "type", "qty", "filled", "price", "trigger", "reduce")
    body: list[Sequence[str]] = [
        (
            order.order_link_id,
            str(order.symbol),
            order.side.value,
            order.order_type.value,
            _num(order.qty),
            _num(order.filled_qty),
            _num(order.price),
            _num(order.trigger_price),
            "yes" if order.reduce_only else "no",
        )
        for order in orders
    ]
    return headers, body


def _balance_rows(balance: Balance | None) -> Rows | None:
    if balance is None:
        return None
    row = (_num(balance.wallet), _num(balance.equity), _num(balance.available))
    return ("wallet", "equity", "available"), [row]


def _journal_state(path: Path) -> list[str]:
    """The last trading state the journal holds, and what it knows of open orders."""
    if not path.exists():
        return [f"ACTIVE (no journal yet at {path}: nothing was ever halted)"]
    journal, recovery = open_journal(path)
    journal.close()
    state = recovery.trading_state
    if state is None:
        shown = "ACTIVE (no state change recorded)"
    else:
        reason = recovery.state_reason or "no reason recorded"
        shown = f"{state.name} ({reason})"
    counts = (
        f"journal {path}: {len(recovery.open_orders)} open order(s), "
        f"{len(recovery.unanswered)} unanswered, {len(recovery.anomalies)} anomaly(ies)"
    )
    shown_anomalies = [f"  anomaly: {text}" for text in recovery.anomalies[:_ANOMALIES_SHOWN]]
    more = len(recovery.anomalies) - _ANOMALIES_SHOWN
    return [shown, counts, *shown_anomalies, *([f"  ... and {more} more"] if more > 0 else [])]


def _ticker_row(rest: BybitRest, symbol: Symbol) -> tuple[Price, Price | None, int]:
    found = rest.ticker(symbol)
    if found is None:
        raise OperatorTaskFailed(f"the venue lists no ticker for {symbol}")
    return found.last_price, found.mark_price, found.ts_ms


def _feeds(
    settings: Settings,
    skew: int | None,
    tickers: list[tuple[Symbol, tuple[Price, Price | None, int] | None]],
    local_ms: int,
    failed: dict[str, str],
) -> list[str]:
    """Clock skew against the venue and each ticker's age on the venue's clock."""
    lines = ["", "Feeds"]
    skew_limit = settings.guard.max_clock_skew_ms
    if skew is None:
        lines.append(f"  clock skew: ERROR: {failed.get('clock skew')}")
        venue_ms = local_ms
    else:
        verdict = "ok" if abs(skew) <= skew_limit else "TOO LARGE: entries are blocked"
        shown = f"{skew:+d} ms (local - venue; limit {skew_limit} ms)"
        lines.append(f"  clock skew: {shown}: {verdict}")
        venue_ms = local_ms - skew
    lines.append(f"  venue time: {iso_ms(venue_ms)}")
    age_limit = settings.guard.max_feed_age_ms
    rows: list[Sequence[str]] = []
    for symbol, read in tickers:
        if read is None:
            rows.append((str(symbol), "-", "-", "-", f"ERROR: {failed.get(f'ticker {symbol}')}"))
            continue
        last, mark, ts_ms = read
        age = venue_ms - ts_ms
        verdict = "ok" if age <= age_limit else f"STALE (limit {age_limit} ms)"
        rows.append((str(symbol), _num(last), _num(mark), iso_ms(ts_ms), f"{age} ms {verdict}"))
    lines += table(("ticker", "last", "mark", "time", "age on venue clock"), rows)
    lines.append("  streams: not started by status (tickers read over REST)")
    return lines


# -- text ----------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines of a plain-text table, two spaces indented, columns padded to fit."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    return [
        "  " + "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in (headers, *rows)
    ]


def _num(value: Decimal | None) -> str:
    """A decimal as plain digits (no exponent), ``-`` for none."""
    return "-" if value is None else format(value, "f")
