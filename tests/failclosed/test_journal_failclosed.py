"""A journal that cannot write stops orders: nothing unwritten is sent, and a lost record halts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.domain import (
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Fill,
    Money,
    OrderType,
    Qty,
    Side,
)
from bot.errors import InvalidValue, JournalError
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution import Accepted, Executor, Rejected, Stage
from bot.execution.journal import Journal
from bot.risk import TradingState
from tests.support.road import BTC, Road, build_road

pytestmark = pytest.mark.failclosed


def journaled(road: Road, journal: Journal, first_seq: int = 1) -> Executor:
    """An executor on the road's parts, writing to ``journal``."""
    return Executor(
        road.gateway,
        road.guards,
        road.risk,
        road.state,
        run_id="r",
        journal=journal,
        first_seq=first_seq,
    )


class LosesAnswers(Journal):
    """Writes intents but fails on answers."""

    def record_ack(self, answer: SubmitResult) -> None:
        """Always fails."""
        raise JournalError(str(self.path), "disk full")


class LosesFills(Journal):
    """Writes intents and answers but fails on fills."""

    def record_fills(self, fills: Sequence[Fill]) -> int:
        """Always fails."""
        raise JournalError(str(self.path), "disk full")


def test_an_intent_the_journal_cannot_write_is_not_sent(tmp_path: Path) -> None:
    road = build_road()
    journal = Journal(tmp_path / "j.sqlite")
    executor = journaled(road, journal)
    journal.close()
    result = executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
    assert isinstance(result, Rejected)
    assert result.stage is Stage.VALIDATION
    assert "journal cannot write the order; not sent" in result.reason
    assert road.gateway.calls["submit"] == 0
    assert list(executor.ledger) == []


def test_a_batch_the_journal_cannot_write_is_not_sent(tmp_path: Path) -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.01")
    journal = Journal(tmp_path / "j.sqlite")
    executor = journaled(road, journal)
    journal.close()
    batch = BatchIntent((EntryIntent(BTC, Side.BUY, notional=Money(600)), CloseIntent(BTC)))
    results = executor.submit_batch(batch)
    assert [type(r) for r in results] == [Rejected, Rejected]
    assert road.gateway.calls["submit_batch"] == 0
    assert road.gateway.sent == []


def test_a_sequence_already_in_the_journal_is_refused_at_construction(tmp_path: Path) -> None:
    road = build_road()
    with Journal(tmp_path / "j.sqlite") as journal:
        journaled(road, journal).submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
        with pytest.raises(InvalidValue, match="after 1, the run's last sequence"):
            journaled(road, journal)  # a restart that forgot to continue the sequence
        assert journaled(road, journal, first_seq=2) is not None
    assert [r.order_link_id for r in road.gateway.sent] == ["r-1"]


def test_a_link_id_already_written_by_another_run_is_not_sent(tmp_path: Path) -> None:
    road = build_road()
    with Journal(tmp_path / "j.sqlite") as journal:
        request = OrderRequest("r-1", BTC, Side.BUY, Qty("0.01"), OrderType.MARKET, False)
        journal.record_intent(request, run_id="other", seq=1)
        result = journaled(road, journal).submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
    assert isinstance(result, Rejected)
    assert road.gateway.sent == []


def test_an_answer_the_journal_loses_halts_trading(tmp_path: Path) -> None:
    road = build_road()
    with LosesAnswers(tmp_path / "j.sqlite") as journal:
        executor = journaled(road, journal)
        result = executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
        assert isinstance(result, Accepted)  # it was sent: the answer is still told
        assert road.state.state is TradingState.HALTED
        assert "journal write failed" in road.state.reason
        assert "disk full" in road.state.reason
        after = executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
        (unanswered,) = journal.recover().unanswered
    assert isinstance(after, Rejected)
    assert after.stage is Stage.STATE
    assert unanswered.order_link_id == "r-1"  # a restart looks it up before resending


def test_a_fill_the_journal_loses_halts_trading(tmp_path: Path) -> None:
    road = build_road()
    with LosesFills(tmp_path / "j.sqlite") as journal:
        executor = journaled(road, journal)
        executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
        assert road.state.allows_entries
        assert len(executor.sync_fills()) == 1
    assert road.state.state is TradingState.HALTED
    assert "disk full" in road.state.reason
