"""On seeded random walks (gaps, jumps, funding, liquidations), the event-driven engine
and the bar-by-bar reference leave exactly the same run behind."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.engine.engines import assert_same_run, play, random_candles
from tests.unit.engine.engines import settings as config_for

VARIANTS = (
    ("strategy.fast=3", "strategy.slow=9", "exchange.leverage=25"),
    ("strategy.fast=5", "strategy.slow=20", "strategy.direction=long", "exchange.leverage=50"),
    ("strategy=rsi_reversion", "strategy.period=7", "exchange.leverage=20"),
    ("strategy=donchian_trend", "strategy.entry_period=20", "strategy.exit_period=10"),
    ("strategy=bollinger_breakout", "risk.max_drawdown_pct=1"),
    ("strategy.fast=4", "strategy.slow=12", "risk.daily_loss_limit=3", "risk=strict"),
)


@pytest.mark.property
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    variant=st.sampled_from(VARIANTS),
    gaps=st.booleans(),
)
@settings(max_examples=24, deadline=None)
def test_event_driven_run_equals_bar_by_bar(
    seed: int, variant: tuple[str, ...], gaps: bool
) -> None:
    config = config_for(*variant)
    candles = random_candles(seed, 1_500, gaps=gaps)
    assert_same_run(play(config, candles, "bars"), play(config, candles, "auto"))


@pytest.mark.property
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    minutes=st.sampled_from((60, 240, 1440)),
    limit=st.sampled_from(("1", "3", "10")),
)
@settings(max_examples=12, deadline=None)
def test_on_hourly_and_daily_bars_the_day_starts_and_loss_limits_agree(
    seed: int, minutes: int, limit: str
) -> None:
    # every bar here starts a new day or ends one: the days' starting equity and the
    # daily loss limit are exercised on every visit and every passed stretch
    config = config_for("strategy.fast=4", "strategy.slow=12", f"risk.daily_loss_limit={limit}")
    candles = random_candles(seed, 400, gaps=False, minutes=minutes)
    assert_same_run(play(config, candles, "bars"), play(config, candles, "auto"))


@pytest.mark.property
def test_the_walks_do_reach_liquidations_and_funding() -> None:
    """The generated data exercises the paths the comparison is about."""
    config = config_for(*VARIANTS[0])
    liquidated = funded = 0
    for seed in range(8):
        venue = play(config, random_candles(seed, 1_500), "auto").road.venue
        liquidated += len(venue.liquidations)
        funded += len(venue.funding_payments)
    assert liquidated > 0
    assert funded > 0
