"""Helpers of the live-runner tests: settings aimed at a fake, a bot on a thread, bars.

::

    with FakeBybit(live_intervals=()) as fake:
        push_history(fake, bars)                    # closed klines before the start
        bot = LiveBot.start(live_settings(fake, tmp_path, monkeypatch), tap)
        fake.push_bar("BTCUSDT", bar)               # a confirmed kline on the stream
        bot.wait_events("bar", 1)
        bot.stop()                                  # StopFlag, as SIGTERM would

The bot runs :func:`bot.engine.live.runner.run_live` in-process on a thread (the real
pybit clients against the fake); its JSON log lines go to a :class:`LogTap`.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config.settings import StrategySettings
from bot.domain import Bar, Intent, Price
from bot.engine.live.runner import run_live
from bot.engine.live.session import LiveSession, StopFlag
from bot.engine.settings import Settings
from bot.strategy.base import Book, ClosedBar
from tests.fakes import FakeBybit
from tests.support.settings import settings_for

MINUTE = 60_000
#: The strategy of these tests: a 2/4 EMA cross, no cooldown to differ between clocks.
STRATEGY = ("strategy.fast=2", "strategy.slow=4", "risk.cooldown_after_losses=0")


def live_overrides(
    fake: FakeBybit, journal: Path, *extra: str, strategy: Sequence[str] = STRATEGY
) -> list[str]:
    """The command-line overrides of a live run against ``fake`` (keys from the env)."""
    return [
        "exchange=bybit",
        f"exchange.rest_url={fake.rest_url}",
        f"exchange.ws_public_url={fake.ws_public_url}",
        f"exchange.ws_private_url={fake.ws_private_url}",
        "exchange.timeout_s=3",
        "data.timeframe=1m",
        f"live.journal={journal}",
        "live.log_format=json",
        "live.warmup_bars=5",
        "live.reconcile_every_s=5",
        *strategy,
        *extra,
    ]


def live_settings(
    fake: FakeBybit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> Settings:
    """Validated settings of a live run against ``fake``, journal in ``tmp_path``."""
    monkeypatch.setenv("BYBIT_API_KEY", fake.api_key)
    monkeypatch.setenv("BYBIT_API_SECRET", fake.api_secret)
    return settings_for(*live_overrides(fake, tmp_path / "journal.sqlite", *extra))


def bars_from(start_ms: int, closes: Sequence[str], first_open: str | None = None) -> list[Bar]:
    """One-minute bars; each opens at the previous close (so a backtest's next-open
    price equals the live run's price at the close)."""
    found: list[Bar] = []
    previous = Decimal(first_open if first_open is not None else closes[0])
    for index, text in enumerate(closes):
        close = Decimal(text)
        found.append(
            Bar(
                start_ms + index * MINUTE,
                Price(previous),
                Price(max(previous, close)),
                Price(min(previous, close)),
                Price(close),
                Decimal(1),
            )
        )
        previous = close
    return found


def history_start(count: int) -> int:
    """A minute boundary ``count + 30`` minutes ago: closed bars from there on."""
    now = int(time.time() * 1000)
    return (now // MINUTE - count - 30) * MINUTE


class LogTap(io.StringIO):
    """A thread-safe stderr that keeps every line; JSON lines are parsed on demand."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            return super().write(text)

    def text(self) -> str:
        """Everything written so far."""
        with self._lock:
            return self.getvalue()

    def events(self, name: str | None = None) -> list[dict[str, object]]:
        """The JSON log objects (of event ``name``), in order."""
        found = []
        for line in self.text().splitlines():
            if not line.startswith("{"):
                continue
            item = json.loads(line)
            if name is None or item.get("event") == name:
                found.append(item)
        return found


class LiveBot:
    """``run_live`` on a thread; :meth:`stop` asks it to stop as a signal would."""

    def __init__(self, settings: Settings, tap: LogTap) -> None:
        self.settings = settings
        self.tap = tap
        self.flag = StopFlag()
        self.error: BaseException | None = None
        self.session: LiveSession | None = None
        self.thread = threading.Thread(target=self._run, name="live-bot", daemon=True)

    @classmethod
    def start(cls, settings: Settings, tap: LogTap) -> LiveBot:
        """Start the bot; returns once it trades (or raises what refused the start)."""
        bot = cls(settings, tap)
        bot.thread.start()
        bot.wait(lambda: bool(tap.events("trading")) or not bot.thread.is_alive(), 20)
        if bot.error is not None:
            raise bot.error
        return bot

    def _run(self) -> None:
        try:
            run_live(self.settings, None, stop=self.flag, started=self._started)
        except BaseException as error:  # handed to the test
            self.error = error

    def _started(self, session: LiveSession) -> None:
        self.session = session

    def wait(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Poll ``condition`` until true or ``timeout`` seconds; its last value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return condition()

    def wait_events(self, name: str, count: int, timeout: float = 10.0) -> bool:
        """Wait until ``count`` log lines of event ``name`` were written."""
        return self.wait(lambda: len(self.tap.events(name)) >= count, timeout)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the bot to stop and wait for it; re-raises what it raised."""
        self.flag.request("test stop")
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise AssertionError("the live bot did not stop")
        if self.error is not None:
            raise self.error


def tap_stderr(monkeypatch: pytest.MonkeyPatch) -> LogTap:
    """stderr replaced by a :class:`LogTap` for the rest of the test."""
    found = LogTap()
    monkeypatch.setattr(sys, "stderr", found)
    return found


def push_all(fake: FakeBybit, bars: Sequence[Bar], symbol: str = "BTCUSDT") -> None:
    """Push ``bars`` as confirmed klines, in order."""
    for bar in bars:
        fake.push_bar(symbol, bar)


class ByClose:
    """A scripted strategy: the intents listed for a bar's close price, else none."""

    name = "scripted"

    def __init__(self, plan: dict[str, Sequence[Intent]]) -> None:
        self._plan = {float(price): list(intents) for price, intents in plan.items()}
        self.seen: list[ClosedBar] = []

    def on_bar(self, bar: ClosedBar, book: Book) -> Sequence[Intent]:
        """The planned intents of ``bar.close``."""
        self.seen.append(bar)
        return self._plan.get(bar.close, [])


def with_strategy(settings: Settings, strategy: ByClose) -> Settings:
    """``settings`` trading ``strategy`` (built once, handed to the run)."""
    return replace(
        settings, strategy=StrategySettings(name=strategy.name, params=(), build=lambda: strategy)
    )
