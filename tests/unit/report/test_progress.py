"""The progress bar: quiet unless a terminal watches a run that takes a while."""

from __future__ import annotations

import io

from bot.report.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_silent_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    clock = _Clock()
    progress = Progress(10_000, label="backtest", stream=stream, clock=clock)
    for _ in range(10):
        clock.now += 1.0
        progress.advance(1_000)
    progress.close()
    assert stream.getvalue() == ""
    assert progress.done == 10_000


def test_silent_on_a_terminal_for_a_short_run() -> None:
    stream = _Terminal()
    clock = _Clock()
    progress = Progress(100, label="backtest", stream=stream, clock=clock)
    clock.now += 1.5
    progress.advance(100)
    progress.close()
    assert stream.getvalue() == ""


def test_draws_after_two_seconds_and_ends_the_line() -> None:
    stream = _Terminal()
    clock = _Clock()
    progress = Progress(1_000_000, label="backtest", stream=stream, clock=clock)
    clock.now += 2.5
    progress.advance(250_000)
    assert "backtest [" in stream.getvalue()
    assert " 25.0% 250,000/1,000,000" in stream.getvalue()
    progress.advance(750_000)
    clock.now += 1.0
    progress.close()
    text = stream.getvalue()
    assert "100.0% 1,000,000/1,000,000" in text
    assert text.endswith("\n")


def test_redraws_at_most_ten_times_a_second() -> None:
    stream = _Terminal()
    clock = _Clock()
    progress = Progress(1_000, label="sweep", stream=stream, clock=clock)
    clock.now += 3.0
    for _ in range(100):  # 100 calls over 0.5 s
        clock.now += 0.005
        progress.advance(1)
    assert 1 <= stream.getvalue().count("\r") <= 6


def test_context_manager_closes_once() -> None:
    stream = _Terminal()
    clock = _Clock()
    with Progress(10, label="x", stream=stream, clock=clock) as progress:
        clock.now += 3.0
        progress.advance(10)
    progress.close()
    assert stream.getvalue().count("\n") == 1


def test_defaults_to_standard_error_at_construction(monkeypatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    clock = _Clock()
    progress = Progress(10, label="x", clock=clock)
    clock.now += 5.0
    progress.advance(10)
    progress.close()
    assert stream.getvalue() == ""
    assert progress.done == 10
