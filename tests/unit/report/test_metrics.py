"""Metrics on small curves and trade lists whose answers are worked out by hand."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest

from bot.errors import ConfigError, InvalidValue
from bot.report.metrics import OBJECTIVE_NAMES, compute_metrics, drawdown_pct
from tests.unit.report.runs import DAY, MINUTE, T0, make_run, trade


def test_total_return_final_equity_and_span() -> None:
    metrics = compute_metrics(make_run([110, 99, 121]))
    assert metrics.total_return_pct == pytest.approx(21.0)
    assert metrics.final_equity == Decimal("121")
    assert metrics.initial == Decimal("100")
    assert metrics.bars == 3
    # From the first bar's open to the last bar's close.
    assert (metrics.start_ts_ms, metrics.end_ts_ms) == (T0, T0 + 3 * MINUTE)


def test_drawdown_depth_and_recovery_time() -> None:
    # Curve 100 -> 110 -> 99 -> 121: 10 % under the 110 peak, back above it two bars later.
    metrics = compute_metrics(make_run([110, 99, 121]))
    assert metrics.max_drawdown_pct == pytest.approx(10.0)
    assert metrics.max_drawdown_bars == 2
    assert metrics.max_drawdown_duration == timedelta(minutes=2)


def test_drawdown_duration_is_the_longest_not_the_deepest() -> None:
    # 10 % dip recovered after 2 bars, then a 1 % dip that lasts 4 bars.
    metrics = compute_metrics(make_run([90, 100, 99, 99, 99, 101]))
    assert metrics.max_drawdown_pct == pytest.approx(10.0)
    assert metrics.max_drawdown_bars == 4
    assert metrics.max_drawdown_duration == timedelta(minutes=4)


def test_unrecovered_drawdown_runs_to_the_end() -> None:
    # Peak is the first close (100, equal to the wallet); never back above it.
    metrics = compute_metrics(make_run([100, 90, 95], step_ms=DAY))
    assert metrics.max_drawdown_pct == pytest.approx(10.0)
    assert metrics.max_drawdown_bars == 2
    assert metrics.max_drawdown_duration == timedelta(days=2)


def test_the_initial_wallet_is_a_peak() -> None:
    metrics = compute_metrics(make_run([80, 100]))
    assert metrics.max_drawdown_pct == pytest.approx(20.0)
    assert metrics.max_drawdown_bars == 2
    np.testing.assert_allclose(drawdown_pct(make_run([80, 100])), [20.0, 0.0])


def test_no_drawdown_on_a_rising_curve() -> None:
    metrics = compute_metrics(make_run([101, 102, 104]))
    assert metrics.max_drawdown_pct == 0.0
    assert metrics.max_drawdown_bars == 0
    assert metrics.max_drawdown_duration == timedelta(0)
    assert metrics.calmar == math.inf


def test_cagr_over_one_and_two_years() -> None:
    one_year = np.linspace(100, 121, 365)
    assert compute_metrics(make_run(one_year, step_ms=DAY)).cagr_pct == pytest.approx(21.0)
    two_years = np.linspace(100, 121, 730)
    assert compute_metrics(make_run(two_years, step_ms=DAY)).cagr_pct == pytest.approx(10.0)


def test_cagr_of_a_total_loss_and_a_short_run_do_not_raise() -> None:
    assert compute_metrics(make_run([50, 0], step_ms=DAY)).cagr_pct == -100.0
    assert compute_metrics(make_run([50, 0], step_ms=DAY)).total_return_pct == -100.0
    doubled_in_two_minutes = compute_metrics(make_run([150, 200]))
    assert doubled_in_two_minutes.cagr_pct == math.inf


def test_sharpe_and_sortino_by_hand() -> None:
    # Daily returns +10 %, -5 %: mean 0.025, sample sd 0.15/sqrt(2), downside sqrt(0.00125).
    metrics = compute_metrics(make_run([110, 104.5], step_ms=DAY))
    assert metrics.sharpe == pytest.approx(math.sqrt(2) / 6 * math.sqrt(365))
    assert metrics.sortino == pytest.approx(math.sqrt(365) / math.sqrt(2))


def test_sharpe_sign_follows_the_curve() -> None:
    rng = np.random.default_rng(7)
    noise = rng.normal(0.0, 0.5, 500)
    rising = 1_000 + np.arange(500) * 1.0 + noise
    falling = 1_000 - np.arange(500) * 1.0 + noise
    up = compute_metrics(make_run(rising, initial="1000"))
    down = compute_metrics(make_run(falling, initial="1000"))
    assert up.sharpe > 0
    assert up.sortino > 0
    assert down.sharpe < 0
    assert down.sortino < 0


def test_flat_curve_has_zero_ratios() -> None:
    metrics = compute_metrics(make_run([100, 100, 100, 100]))
    assert (metrics.sharpe, metrics.sortino, metrics.calmar) == (0.0, 0.0, 0.0)
    assert metrics.total_return_pct == 0.0
    assert metrics.cagr_pct == 0.0


def test_no_losing_bar_gives_infinite_sortino_and_finite_sharpe() -> None:
    metrics = compute_metrics(make_run([101, 103, 104, 107]))
    assert metrics.sortino == math.inf
    assert 0 < metrics.sharpe < math.inf


def test_too_few_points_give_zero_ratios() -> None:
    metrics = compute_metrics(make_run([120]))
    assert (metrics.sharpe, metrics.sortino) == (0.0, 0.0)
    assert metrics.total_return_pct == pytest.approx(20.0)


def test_empty_run_reports_the_wallet() -> None:
    metrics = compute_metrics(make_run([]))
    assert metrics.bars == 0
    assert metrics.final_equity == Decimal("100")
    assert metrics.total_return_pct == 0.0
    assert metrics.exposure_pct == 0.0
    assert metrics.max_drawdown_bars == 0


def test_trade_statistics_with_wins_losses_and_a_scratch() -> None:
    trades = [trade("11"), trade("-3"), trade("7"), trade("1")]  # nets 10, -4, 6, 0
    metrics = compute_metrics(make_run([100, 112], trades=trades))
    assert metrics.trades == 4
    assert metrics.win_rate_pct == pytest.approx(50.0)
    assert metrics.profit_factor == pytest.approx(4.0)
    assert metrics.expectancy == Decimal("3")
    assert metrics.net_pnl == Decimal("12")


def test_profit_factor_without_losses_is_infinite() -> None:
    metrics = compute_metrics(make_run([100, 116], trades=[trade("11"), trade("7")]))
    assert metrics.profit_factor == math.inf
    assert metrics.win_rate_pct == 100.0


def test_profit_factor_with_only_losses_or_no_trades_is_zero() -> None:
    losers = compute_metrics(make_run([100, 90], trades=[trade("-3"), trade("-5")]))
    assert losers.profit_factor == 0.0
    assert losers.expectancy == Decimal("-5")
    none = compute_metrics(make_run([100, 100]))
    assert (none.trades, none.win_rate_pct, none.profit_factor) == (0, 0.0, 0.0)
    assert none.expectancy == Decimal(0)


def test_fees_count_against_a_win() -> None:
    metrics = compute_metrics(make_run([100, 100], trades=[trade("1", "1.5")]))
    assert metrics.win_rate_pct == 0.0
    assert metrics.expectancy == Decimal("-0.5")


def test_exposure_counts_bars_with_a_position() -> None:
    metrics = compute_metrics(make_run([100, 101, 102, 103], position=[0, 0.5, -0.5, 0]))
    assert metrics.exposure_pct == pytest.approx(50.0)


def test_costs_are_passed_through_exactly() -> None:
    metrics = compute_metrics(make_run([100, 99], fees="1.2345", funding="-0.01"))
    assert metrics.fees == Decimal("1.2345")
    assert metrics.funding == Decimal("-0.01")


def test_objectives() -> None:
    metrics = compute_metrics(make_run(np.linspace(100, 121, 365), step_ms=DAY))
    assert metrics.objective("sharpe") == metrics.sharpe
    assert metrics.objective("sortino") == metrics.sortino
    assert metrics.objective("total_return") == pytest.approx(21.0)
    dipped = compute_metrics(make_run([110, 99, 121], step_ms=DAY))
    assert dipped.objective("calmar") == pytest.approx(dipped.cagr_pct / 10.0)
    assert set(OBJECTIVE_NAMES) == {"sharpe", "sortino", "total_return", "calmar"}


def test_unknown_objective_names_the_choices() -> None:
    metrics = compute_metrics(make_run([100, 101]))
    with pytest.raises(ConfigError, match="sharpe, sortino, total_return, calmar"):
        metrics.objective("profit")


def test_as_dict_is_valid_json() -> None:
    metrics = compute_metrics(
        make_run([110, 99, 121], trades=[trade("11"), trade("7")], fees="0.1")
    )
    data = metrics.as_dict()
    text = json.dumps(data, allow_nan=False)
    back = json.loads(text)
    assert back["profit_factor"] == "inf"
    assert back["fees"] == "0.1"
    assert back["final_equity"] == "121.0"
    assert back["max_drawdown_duration_s"] == 120.0
    assert back["trades"] == 2
    assert back["total_return_pct"] == pytest.approx(21.0)


def test_arrays_of_different_lengths_are_refused() -> None:
    run = make_run([100, 101])
    broken = type(run)(
        symbol=run.symbol,
        timeframe=run.timeframe,
        ts_ms=run.ts_ms,
        close=run.close,
        equity=run.equity[:1],
        position=run.position,
        trades=run.trades,
        initial=run.initial,
        fees=run.fees,
        funding=run.funding,
        rejections=run.rejections,
    )
    with pytest.raises(InvalidValue, match=r"run\.equity"):
        compute_metrics(broken)
