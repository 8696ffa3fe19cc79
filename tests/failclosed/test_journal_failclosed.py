"""A journal that cannot write stops entries: no unwritten entry is sent, and a record
it cannot write halts trading. Exits still go (reduce-only): a broken journal must not
trap a position."""

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
from bot.safety.panic import Panic
from tests.support.road import BTC, ETH, Road, build_road

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


def assert_halted_by_the_journal(road: Road) -> None:
    assert road.state.state is TradingState.HALTED
    assert "journal cannot write orders before sending" in road.state.reason


def test_an_entry_the_journal_cannot_write_is_not_sent_and_trading_halts(
    tmp_path: Path,
) -> None:
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
    assert_halted_by_the_journal(road)


def test_a_close_the_journal_cannot_write_is_still_sent_reduce_only(tmp_path: Path) -> None:
    # a broken journal must not trap a position (exits are always possible); trading
    # halts, and a restart finds an order its journal does not know and refuses to trade
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.01")
    journal = Journal(tmp_path / "j.sqlite")
    executor = journaled(road, journal)
    journal.close()
    result = executor.submit(CloseIntent(BTC))
    assert isinstance(result, Accepted), str(result)
    assert result.reduce_only
    assert [r.reduce_only for r in road.gateway.sent] == [True]
    assert BTC not in road.venue.positions()
    assert_halted_by_the_journal(road)
    after = executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
    assert isinstance(after, Rejected)
    assert after.stage is Stage.STATE


def test_a_panic_flattens_though_the_journal_cannot_write(tmp_path: Path) -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.01")
    road.open_position(ETH, Side.SELL, "0.5")
    journal = Journal(tmp_path / "j.sqlite")
    executor = journaled(road, journal)
    journal.close()
    report = Panic(executor, road.state, sleep=lambda _: None).trigger("disk full")
    assert report.flat, report
    assert road.venue.positions() == {}
    assert all(r.reduce_only for r in road.gateway.sent)


def test_a_batch_the_journal_cannot_write_sends_its_exits_only(tmp_path: Path) -> None:
    road = build_road()
    road.open_position(BTC, Side.BUY, "0.01")
    journal = Journal(tmp_path / "j.sqlite")
    executor = journaled(road, journal)
    journal.close()
    batch = BatchIntent(
        (
            EntryIntent(BTC, Side.BUY, notional=Money(600)),
            CloseIntent(BTC),
            EntryIntent(BTC, Side.SELL, notional=Money(600)),
        )
    )
    entry, close, other = executor.submit_batch(batch)
    for refused in (entry, other):
        assert isinstance(refused, Rejected)
        assert "journal cannot write the order; not sent" in refused.reason
    assert isinstance(close, Accepted), str(close)
    assert [(r.side, r.reduce_only) for r in road.gateway.sent] == [(Side.SELL, True)]
    assert BTC not in road.venue.positions()
    assert_halted_by_the_journal(road)


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
