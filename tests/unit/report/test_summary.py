"""The terminal summary: every metric on its own aligned line, readable numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.report.metrics import compute_metrics
from bot.report.summary import duration_text, summary_table
from tests.unit.report.runs import make_run, trade


def _table() -> str:
    run = make_run(
        [11_000, 9_900, 12_100],
        initial="10000",
        trades=[trade("1234.5", "0.5"), trade("-3")],
        fees="1234.5678",
        funding="-2.5",
    )
    return summary_table(compute_metrics(run), title="ema_cross 12/26 on BTCUSDT 1m")


def test_title_period_and_rules() -> None:
    lines = _table().splitlines()
    assert lines[0] == "ema_cross 12/26 on BTCUSDT 1m"
    assert lines[1].startswith("2023-11-14 22:13 -> 2023-11-14 22:16 UTC (3m, 3 bars)")
    assert set(lines[2]) == {"="}
    assert lines[2] == lines[-1]


def test_values_are_right_aligned_in_one_column() -> None:
    lines = _table().splitlines()[3:-1]
    assert len(lines) == 18
    value_ends = set()
    for line in lines:
        label, _, rest = line.partition("  ")
        value = rest.strip().split("  ")[0]
        value_ends.add(line.index(value, len(label)) + len(value))
    assert len(value_ends) == 1


@pytest.mark.parametrize(
    "expected",
    [
        "Initial equity",
        "10,000.00  USDT",
        "12,100.00  USDT",
        "Total return",
        "21.00  %",
        "Max drawdown",
        "-10.00  %",
        "Max drawdown duration",
        "2m  (2 bars)",
        "Win rate",
        "50.00  %",
        "Profit factor",
        "Expectancy",
        "Fees",
        "1,234.57  USDT",
        "-2.50  USDT (received > 0)",
        "Sharpe",
        "Sortino",
        "CAGR",
        "Exposure",
    ],
)
def test_table_shows(expected: str) -> None:
    assert expected in _table()


def test_infinite_and_zero_values_read_well() -> None:
    metrics = compute_metrics(make_run([100, 100], trades=[trade("5", "0")]))
    table = summary_table(metrics, title="t")
    factor = next(line for line in table.splitlines() if line.startswith("Profit factor"))
    assert factor.endswith(" inf")
    assert "-0.00" not in table


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(days=3, hours=4, minutes=12), "3d 4h 12m"),
        (timedelta(days=1_200), "1,200d 0h 0m"),
        (timedelta(hours=4), "4h 0m"),
        (timedelta(minutes=12, seconds=59), "12m"),
        (timedelta(seconds=45), "45s"),
        (timedelta(0), "0s"),
        (-timedelta(minutes=5), "-5m"),
    ],
)
def test_duration_text(span: timedelta, text: str) -> None:
    assert duration_text(span) == text


def test_huge_ratios_keep_the_column_narrow() -> None:
    # A few hours that gained 1.8 % compound to an absurd CAGR; it is shown in short form.
    metrics = compute_metrics(make_run([101.0, 101.84], step_ms=3_600_000))
    cagr = next(line for line in summary_table(metrics, title="t").splitlines() if "CAGR" in line)
    assert "e+" in cagr
    assert len(cagr) < 40
