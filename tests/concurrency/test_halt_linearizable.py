"""The halt is linearizable with sending: a halt that lands between an entry's checks and
its send still stops it, even when it is set from another thread.

The risk engine below lets the halt happen at the worst moment: after every check that
reads the state has passed, before the executor takes the send lock. A fail-open
variant (an executor that does not look at the state again under the lock) is shown to
let the entry through.
"""

from __future__ import annotations

import threading

import pytest

from bot.domain import EntryIntent, Money, Side
from bot.execution import Executor, Rejected, Stage
from bot.risk import RiskEngine, TradingState
from bot.safety.panic import Panic
from tests.support.road import BTC, Road, build_road

pytestmark = [pytest.mark.concurrency, pytest.mark.timeout(30)]


class _HaltDuringCheck(RiskEngine):
    """Approves, but only after another thread has halted trading."""

    panic: Panic | None = None

    def check_entry(self, intent, notional, snapshot):
        decision = super().check_entry(intent, notional, snapshot)
        if self.panic is not None:
            halter = threading.Thread(target=self.panic.trigger, args=("mid-flight",))
            halter.start()
            halter.join(10)
        return decision


class _NoSecondLook(Executor):
    """Fail-open mutant: sends without re-checking the state under the lock."""

    def _send_one(self, prepared):
        self.ledger.record(prepared.request.to_order())
        return self._settle(prepared, self._venue.submit(prepared.request))


def _race(executor_class: type[Executor]) -> Road:
    road = build_road(risk_class=_HaltDuringCheck)
    if executor_class is not Executor:
        road.executor.__class__ = executor_class
    risk = road.risk
    if not isinstance(risk, _HaltDuringCheck):
        raise AssertionError("the road did not use the halting risk engine")
    risk.panic = Panic(road.executor, road.state, backoff_s=0.0)

    result = road.executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(1_000)))

    assert road.state.state is TradingState.HALTED
    assert isinstance(result, Rejected), f"an entry got through after the halt: {result}"
    assert result.stage is Stage.STATE
    assert road.venue.accepted_count == 0
    return road


def test_a_halt_between_the_checks_and_the_send_stops_the_entry() -> None:
    _race(Executor)


def test_fail_open_variant_is_caught_send_without_second_look() -> None:
    with pytest.raises(AssertionError, match="got through"):
        _race(_NoSecondLook)
