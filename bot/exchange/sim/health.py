"""Feed health of the simulated venue, for the guards.

The simulated venue is its own market-data feed: its stream is connected and its
last message is the venue clock's time; its clock is the bot's clock, so skew is 0.
Tests that need a sick feed replace these with their own sources.
"""

from __future__ import annotations

from bot.domain.hotpath import hot_path
from bot.exchange.sim.venue import SimExchange


class SimStreamHealth:
    """Stream health of a :class:`SimExchange`: alive, last heard at the venue time."""

    def __init__(self, venue: SimExchange) -> None:
        self._clock = venue.clock  # a venue keeps one clock for life

    @hot_path  # the guards validate every reading (read_ms, `is not True`)
    def is_connected(self) -> bool:
        """Always connected: the venue is in-process."""
        return True

    @hot_path  # the guards validate every reading (read_ms, `is not True`)
    def last_message_ms(self) -> int | None:
        """The venue clock (``server_time_ms``): every market update is a message."""
        return self._clock.now_ms()


class SimClockSkew:
    """The simulated venue and the bot share one clock."""

    @hot_path  # the guards validate every reading (read_ms, `is not True`)
    def skew_ms(self) -> int | None:
        """Zero: one clock."""
        return 0
