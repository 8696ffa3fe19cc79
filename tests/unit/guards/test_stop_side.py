"""StopTriggerSide: a RISE trigger above last, a FALL trigger below it."""

from __future__ import annotations

import pytest

from bot.domain import TriggerDirection
from bot.guards import StopTriggerSide
from tests.unit.guards.doubles import limit_buy, market_buy, settings, stop_buy, ticker

RISE = TriggerDirection.RISE
FALL = TriggerDirection.FALL


@pytest.mark.parametrize(("trigger", "direction"), [("57601", RISE), ("57599", FALL)])
def test_trigger_on_the_right_side_passes(trigger: str, direction: TriggerDirection) -> None:
    assert StopTriggerSide(settings(), ticker("57600")).check(stop_buy(trigger, direction)) is None


@pytest.mark.parametrize(
    ("trigger", "direction", "wanted"),
    [("57000", RISE, "above"), ("57600", RISE, "above"), ("58000", FALL, "below")],
)
def test_trigger_on_the_wrong_side_is_blocked(
    trigger: str, direction: TriggerDirection, wanted: str
) -> None:
    block = StopTriggerSide(settings(), ticker("57600")).check(stop_buy(trigger, direction))
    assert block is not None
    assert block.guard == "stop_trigger_side"
    shown = f"{int(trigger):,}"
    assert block.reason == (
        f"trigger {shown} ({direction.name}) must be {wanted} last 57,600: it would fire at once"
    )
    assert block.numbers == {"trigger": trigger, "last": "57600", "direction": direction.name}


def test_orders_without_trigger_are_not_its_business() -> None:
    guard = StopTriggerSide(settings(), ticker("57600"))
    assert guard.check(market_buy()) is None
    assert guard.check(limit_buy("50000")) is None


def test_off_when_configured_off() -> None:
    guard = StopTriggerSide(settings(check_stop_side=False), ticker("57600"))
    assert guard.check(stop_buy("50000", RISE)) is None
