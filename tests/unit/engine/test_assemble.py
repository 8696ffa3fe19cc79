"""The road built from config honours the configured close remainder policy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain import CloseIntent, OrderType, Price, Qty, Side
from bot.engine.assemble import build_sim_road
from bot.exchange.protocol import OrderRequest
from bot.execution import Accepted, RemainderPolicy
from tests.support.settings import settings_for

START_MS = 1_704_067_200_000


@pytest.mark.parametrize(
    ("policy", "closed", "left"),
    [("close_all", "0.0015", None), ("keep", "0.001", Decimal("0.0005"))],
)
def test_partial_close_remainder_follows_the_config(
    policy: str, closed: str, left: Decimal | None
) -> None:
    settings = settings_for(f"close_remainder={policy}", "exchange.instrument.qty_step=0.0005")
    assert settings.close_remainder is RemainderPolicy(policy)
    road = build_sim_road(settings, run_id="t", start_ms=START_MS)
    price = Price("40000")
    road.venue.update_market(settings.symbol, price, price, ts_ms=START_MS + 1)
    seed = OrderRequest("seed-1", settings.symbol, Side.BUY, Qty("0.0015"), OrderType.MARKET, False)
    assert road.venue.submit(seed).accepted
    # 0.0015 * 0.8 = 0.0012 -> 0.001 on the grid; 0.0005 would remain, below min qty 0.001
    result = road.executor.submit(CloseIntent(settings.symbol, Decimal("0.8")))
    assert isinstance(result, Accepted)
    assert result.reduce_only
    assert result.qty == Decimal(closed)
    position = road.venue.positions().get(settings.symbol)
    assert (position.size if position else None) == left
    assert ("remainder" in result.note) or ("closing all" in result.note)
