"""The stop-trigger side: a stop that would fire at once is not a stop."""

from __future__ import annotations

from bot.domain import Intent, TriggerDirection
from bot.domain.hotpath import hot_path
from bot.guards.base import Block, PriceSource
from bot.guards.failclosed import FailClosedGuard, fmt, read_ticker
from bot.guards.settings import GuardSettings


class StopTriggerSide(FailClosedGuard):
    """Blocks a triggered entry whose trigger is already on the wrong side of the last price.

    A RISE trigger must be above the last price, a FALL trigger below it. Without a
    last price the side cannot be proven, so the entry is blocked.
    """

    name = "stop_trigger_side"
    entry_only = True

    def __init__(self, settings: GuardSettings, prices: PriceSource) -> None:
        self._enabled = settings.check_stop_side
        self._prices = prices

    @hot_path  # the chain checked the intent; it checks the answer (see FailClosedGuard)
    def evaluate(self, intent: Intent) -> Block | None:
        """Block when the trigger price is at or past the last price in its direction."""
        trigger = intent.trigger_price
        if not self._enabled or trigger is None:
            return None
        last = read_ticker(self._prices.ticker, intent.symbol).last_price
        direction = intent.trigger_direction
        if direction is TriggerDirection.RISE and trigger > last:
            return None
        if direction is TriggerDirection.FALL and trigger < last:
            return None
        if direction is TriggerDirection.RISE:
            wanted = "above"
        elif direction is TriggerDirection.FALL:
            wanted = "below"
        else:
            wanted = "given a direction"
        name = "none" if direction is None else direction.name
        return Block(
            self.name,
            f"trigger {fmt(trigger)} ({name}) must be {wanted} last {fmt(last)}: "
            "it would fire at once",
            {"trigger": str(trigger), "last": str(last), "direction": name},
        )
