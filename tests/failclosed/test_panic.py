"""Panic: every callback runs whatever the others raise, the account ends flat and HALTED.

The old bot's panic caught three exception types; here any ``Exception`` is recorded
and the sequence goes on, and ``KeyboardInterrupt``/``SystemExit`` wait until the end.
A fail-open variant (a panic that catches only the old three types) is shown to fail
the same assertions.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from bot.domain import EntryIntent, Money, Side
from bot.execution import Rejected, Stage
from bot.risk import TradingState
from bot.safety.panic import CallbackFailure, Panic
from tests.support.road import BTC, ETH, Road, build_road

pytestmark = pytest.mark.failclosed


class CustomFailure(Exception):
    """A callback error type nobody anticipated."""


def _raiser(exc: BaseException) -> Callable[[], None]:
    def callback() -> None:
        raise exc

    return callback


def _recorded(calls: list[str], name: str, then: Callable[[], None]) -> Callable[[], None]:
    def callback() -> None:
        calls.append(name)
        then()

    return callback


def _road_with_positions() -> Road:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.1")
    road.open_position(ETH, Side.SELL, "1")
    return road


class _OldThreeTypesPanic(Panic):
    """The old bot's mistake: only three exception types were caught per callback."""

    def _run_callbacks(self, failures, held):
        ran = []
        for name, callback in self._callbacks:
            ran.append(name)
            try:
                callback()
            except (ValueError, TypeError, KeyError) as exc:
                failures.append(CallbackFailure(name, repr(exc)))
        return ran


def _panic_and_check(panic_class: type[Panic]) -> None:
    road = _road_with_positions()
    panic = panic_class(road.executor, road.state, backoff_s=0.0)
    calls: list[str] = []
    raisers = {
        "value": ValueError("bad value"),
        "os": OSError("disk full"),
        "custom": CustomFailure("surprise"),
        "interrupt": KeyboardInterrupt(),
    }
    for name, exc in raisers.items():
        panic.register(name, _recorded(calls, name, _raiser(exc)))
    panic.register("notify", _recorded(calls, "notify", lambda: None))

    with pytest.raises(KeyboardInterrupt):
        panic.trigger("operator pressed the button")

    assert calls == ["value", "os", "custom", "interrupt", "notify"]
    assert road.venue.positions() == {}
    assert road.state.state is TradingState.HALTED
    closes = road.executor_requests()
    assert closes
    assert all(r.reduce_only for r in closes)


def test_every_callback_runs_and_the_account_ends_flat_and_halted() -> None:
    _panic_and_check(Panic)


def test_fail_open_variant_is_caught_panic_callbacks() -> None:
    # the old panic lets OSError escape: the later callbacks never run
    with pytest.raises((AssertionError, OSError)):
        _panic_and_check(_OldThreeTypesPanic)


def test_report_names_each_failure_and_the_close_attempts() -> None:
    road = _road_with_positions()
    panic = Panic(road.executor, road.state, backoff_s=0.0)
    panic.register("value", _raiser(ValueError("bad value")))
    panic.register("custom", _raiser(CustomFailure("surprise")))

    report = panic.trigger("drawdown")

    assert report.flat
    assert report.callbacks_run == ("value", "custom")
    assert [f.name for f in report.failures] == ["value", "custom"]
    assert "ValueError: bad value" in report.failures[0].error
    assert "CustomFailure: surprise" in report.failures[1].error
    assert report.close_attempts == 1


def test_system_exit_from_a_callback_is_held_until_the_end() -> None:
    road = _road_with_positions()
    panic = Panic(road.executor, road.state, backoff_s=0.0)
    after: list[str] = []
    panic.register("exit", _raiser(SystemExit(3)))
    panic.register("after", lambda: after.append("ran"))

    with pytest.raises(SystemExit):
        panic.trigger("shutdown")

    assert after == ["ran"]
    assert road.venue.positions() == {}


def test_cancel_all_failing_still_flattens_and_is_reported() -> None:
    road = _road_with_positions()

    def broken_cancel(symbol=None):
        raise OSError("network down")

    road.gateway.cancel_all = broken_cancel  # type: ignore[method-assign]
    report = Panic(road.executor, road.state, backoff_s=0.0).trigger("test")

    assert report.flat
    assert any("cancel all failed: OSError: network down" in e for e in report.errors)


def test_unreadable_positions_are_never_reported_as_flat() -> None:
    road = _road_with_positions()
    sleeps: list[float] = []

    def broken_positions():
        raise TimeoutError("no answer")

    road.gateway.positions = broken_positions  # type: ignore[method-assign]
    panic = Panic(road.executor, road.state, max_attempts=3, backoff_s=0.5, sleep=sleeps.append)
    report = panic.trigger("test")

    assert not report.flat
    assert report.close_attempts == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff between attempts
    assert sum("positions unavailable" in e for e in report.errors) == 4


def test_after_panic_no_entry_reaches_the_venue_until_an_operator_reset() -> None:
    road = _road_with_positions()
    Panic(road.executor, road.state, backoff_s=0.0).trigger("test")
    sent_before = len(road.gateway.sent)

    result = road.executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(1_000)))

    assert isinstance(result, Rejected)
    assert result.stage is Stage.STATE
    assert len(road.gateway.sent) == sent_before
    road.state.reset("operator checked the account")
    assert road.executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(1_000))).accepted


def test_panic_is_idempotent_and_runs_callbacks_once() -> None:
    road = _road_with_positions()
    panic = Panic(road.executor, road.state, backoff_s=0.0)
    runs: list[int] = []
    panic.register("count", lambda: runs.append(1))

    first = panic.trigger("one")
    second = panic.trigger("two")

    assert first.flat
    assert second.flat
    assert second.close_attempts == 0
    assert runs == [1]


def test_a_callback_registered_after_the_panic_runs_once_at_once() -> None:
    road = _road_with_positions()
    panic = Panic(road.executor, road.state, backoff_s=0.0)
    panic.trigger("test")
    runs: list[int] = []

    panic.register("late", lambda: runs.append(1))
    panic.register("late-broken", _raiser(OSError("late")))

    assert runs == [1]
    assert [f.name for f in panic.late_failures] == ["late-broken"]


def test_panic_closes_the_whole_position_reduce_only() -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.123")
    Panic(road.executor, road.state, backoff_s=0.0).trigger("test")
    (close,) = road.executor_requests()
    assert close.reduce_only
    assert close.qty == Decimal("0.123")
