"""Stream health for the guards in a live run: a reconnect blocks entries until resynced."""

from __future__ import annotations

import pytest

from bot.engine.live.feeds import FeedHealth


class Stream:
    """A stream's health as the runner sees it."""

    def __init__(self, *, connected: bool = True, silent: bool = False) -> None:
        self.connected = connected
        self.silent = silent
        self.needs_resync = False

    def is_connected(self) -> bool:
        return self.connected

    def is_silent(self) -> bool:
        return self.silent

    def last_message_ms(self) -> int | None:
        return 1


def test_healthy_only_when_every_stream_is_up_and_resynced():
    public, private = Stream(), Stream()
    health = FeedHealth(public, [private])
    assert health.is_connected()
    assert health.why_not() == ""


@pytest.mark.failclosed
@pytest.mark.parametrize(
    ("which", "change", "words"),
    [
        ("public", {"connected": False}, "market stream not connected"),
        ("public", {"silent": True}, "market stream silent"),
        ("public", {"needs_resync": True}, "market stream waiting for a REST resync"),
        ("private", {"connected": False}, "private stream not connected"),
        ("private", {"needs_resync": True}, "private stream waiting for a REST resync"),
    ],
)
def test_any_unhealthy_stream_blocks_and_says_why(which, change, words):
    public, private = Stream(), Stream()
    for name, value in change.items():
        setattr(public if which == "public" else private, name, value)
    health = FeedHealth(public, [private])
    assert not health.is_connected()
    assert words in health.why_not()


def test_a_silent_private_stream_is_not_a_fault():
    public, private = Stream(), Stream(silent=True)
    assert FeedHealth(public, [private]).is_connected()
