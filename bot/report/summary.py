"""The run summary as a fixed-width table for the terminal (plain text, no dependency).

Numbers are right-aligned on one column with thousands separators, units in the next
column, so figures line up by their decimal point. Money shows two decimals (the exact
values are in ``metrics.json``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.report.metrics import Metrics

_COIN = "USDT"


def summary_table(metrics: Metrics, *, title: str) -> str:
    """The summary of a run: title, period, then one aligned line per metric."""
    rows: list[tuple[str, str, str]] = [
        ("Initial equity", _money(metrics.initial), _COIN),
        ("Final equity", _money(metrics.final_equity), _COIN),
        ("Total return", _number(metrics.total_return_pct), "%"),
        ("CAGR", _number(metrics.cagr_pct), "%"),
        ("Sharpe", _number(metrics.sharpe), ""),
        ("Sortino", _number(metrics.sortino), ""),
        ("Calmar", _number(metrics.calmar), ""),
        ("Max drawdown", _number(-metrics.max_drawdown_pct), "%"),
        (
            "Max drawdown duration",
            duration_text(metrics.max_drawdown_duration),
            f"({metrics.max_drawdown_bars:,} bars)",
        ),
        ("Trades", f"{metrics.trades:,}", ""),
        ("Win rate", _number(metrics.win_rate_pct), "%"),
        ("Profit factor", _number(metrics.profit_factor), ""),
        ("Expectancy", _money(metrics.expectancy), f"{_COIN} per trade"),
        ("Net PnL of trades", _money(metrics.net_pnl), _COIN),
        ("Exposure", _number(metrics.exposure_pct), "% of bars"),
        ("Fees", _money(metrics.fees), _COIN),
        ("Funding", _money(metrics.funding), f"{_COIN} (received > 0)"),
        ("Rejected intents", f"{metrics.rejections:,}", ""),
    ]
    label_width = max(len(label) for label, _, _ in rows)
    value_width = max(len(value) for _, value, _ in rows)
    lines = [
        f"{label:<{label_width}}  {value:>{value_width}}  {unit}".rstrip()
        for label, value, unit in rows
    ]
    period = (
        f"{_when(metrics.start_ts_ms)} -> {_when(metrics.end_ts_ms)} UTC"
        f" ({duration_text(timedelta(milliseconds=metrics.end_ts_ms - metrics.start_ts_ms))},"
        f" {metrics.bars:,} bars)"
    )
    width = max(len(title), len(period), *(len(line) for line in lines))
    return "\n".join([title, period, "=" * width, *lines, "=" * width])


def duration_text(span: timedelta) -> str:
    """A span as a trader reads it: ``3d 4h 12m``, ``4h 0m``, ``12m``, ``45s``."""
    seconds = int(span.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{sign}{days:,}d {hours}h {minutes}m"
    if hours:
        return f"{sign}{hours}h {minutes}m"
    if minutes:
        return f"{sign}{minutes}m"
    return f"{sign}{seconds}s"


def _money(value: Decimal) -> str:
    if not value.is_finite():
        return str(value)
    if abs(value) < Decimal("0.005"):
        value = Decimal(0)  # no "-0.00"
    return f"{value:,.2f}"


def _number(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if abs(value) >= 1e9:  # e.g. the CAGR of a few hours' run: keep the column narrow
        return f"{value:.3g}"
    if round(value, 2) == 0:
        value = 0.0  # no "-0.00"
    return f"{value:,.2f}"


def _when(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")
