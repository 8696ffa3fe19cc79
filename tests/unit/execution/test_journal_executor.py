"""Executor + journal on the sim venue: written before sent, continued after a restart."""

from __future__ import annotations

from pathlib import Path

from bot.domain import (
    BatchIntent,
    CloseIntent,
    EntryIntent,
    Money,
    OrderStatus,
    OrderType,
    Price,
    Side,
    TimeInForce,
)
from bot.exchange.protocol import OrderRequest, SubmitResult
from bot.execution import Accepted, Executor, Rejected, Stage
from bot.execution.journal import Journal, restore_state
from bot.risk import TradingState
from tests.support.road import BTC, ETH, Road, VenueProxy, build_road


def journaled(road: Road, journal: Journal, *, run_id: str = "r", first_seq: int = 1) -> Executor:
    """An executor on the road's parts, writing to ``journal``."""
    return Executor(
        road.gateway,
        road.guards,
        road.risk,
        road.state,
        run_id=run_id,
        journal=journal,
        first_seq=first_seq,
    )


class Peeking(VenueProxy):
    """Reads the journal at the moment an order reaches the venue."""

    journal: Journal
    seen: list[tuple[str, OrderStatus]]

    def submit(self, request: OrderRequest) -> SubmitResult:
        """Records what the journal held for this order before it is forwarded."""
        self.seen.extend((o.order_link_id, o.status) for o in self.journal.recover().open_orders)
        return super().submit(request)


def test_the_intent_is_in_the_journal_before_the_venue_sees_it(tmp_path: Path) -> None:
    road = build_road(gateway=Peeking)
    with Journal(tmp_path / "j.sqlite") as journal:
        proxy = road.gateway
        assert isinstance(proxy, Peeking)
        proxy.journal, proxy.seen = journal, []
        executor = journaled(road, journal)
        result = executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
        assert isinstance(result, Accepted)
        assert proxy.seen == [("r-1", OrderStatus.PENDING)]
        (answered,) = journal.recover().open_orders
        assert answered.status is OrderStatus.NEW  # "Filled" counts once its fills are in
        executor.sync_fills()
        recovery = journal.recover()
    assert recovery.open_orders == ()
    assert recovery.last_seq == {"r": 1}


def test_answers_fills_and_cancels_are_written(tmp_path: Path) -> None:
    road = build_road()
    with Journal(tmp_path / "j.sqlite") as journal:
        executor = journaled(road, journal)
        executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
        resting = EntryIntent(
            ETH,
            Side.BUY,
            notional=Money(300),
            order_type=OrderType.LIMIT,
            limit_price=Price("2950"),
            time_in_force=TimeInForce.GTC,
        )
        assert isinstance(executor.submit(resting), Accepted)
        fills = executor.sync_fills()
        assert len(fills) == 1
        assert executor.cancel_all() == ["r-2"]
        recovery = journal.recover()
        acks = journal._conn.execute("SELECT order_link_id, status FROM acks").fetchall()
    assert recovery.fill_ids == {fills[0].exec_id}
    assert recovery.open_orders == ()
    assert [tuple(a) for a in acks] == [("r-1", "Filled"), ("r-2", "New")]


def test_a_batch_is_written_in_one_go_with_consecutive_sequence_numbers(tmp_path: Path) -> None:
    road = build_road()
    with Journal(tmp_path / "j.sqlite") as journal:
        executor = journaled(road, journal)
        items = tuple(EntryIntent(BTC, Side.BUY, notional=Money(600)) for _ in range(3))
        results = executor.submit_batch(BatchIntent(items))
        assert all(isinstance(r, Accepted) for r in results)
        assert journal.last_seq("r") == 3
        assert len(executor.sync_fills()) == 3
        assert len(journal.recover().fill_ids) == 3


def test_a_restart_continues_the_sequence_and_never_reuses_a_link_id(tmp_path: Path) -> None:
    road = build_road()
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        first = journaled(road, journal)
        for _ in range(3):
            first.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
    with Journal(path) as journal:
        recovery = journal.recover()
        second = journaled(road, journal, first_seq=recovery.next_seq("r"))
        again = second.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
        close = second.submit(CloseIntent(BTC))
    assert isinstance(again, Accepted)
    assert again.order_link_id == "r-4"
    assert isinstance(close, Accepted)
    assert close.order_link_id == "r-5"
    links = [r.order_link_id for r in road.gateway.sent]
    assert links == ["r-1", "r-2", "r-3", "r-4", "r-5"]


def test_halted_survives_a_restart_and_blocks_entries(tmp_path: Path) -> None:
    road = build_road()
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        journal.follow(road.state)
        road.state.escalate(TradingState.HALTED, "panic: operator")
    restarted = build_road()
    with Journal(path) as journal:
        recovery = journal.recover()
        assert restore_state(restarted.state, recovery) is True
        executor = journaled(restarted, journal, first_seq=recovery.next_seq("r"))
        result = executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
    assert restarted.state.state is TradingState.HALTED
    assert isinstance(result, Rejected)
    assert result.stage is Stage.STATE
    assert restarted.gateway.sent == []


def test_without_a_journal_nothing_changes(tmp_path: Path) -> None:
    road = build_road()
    result = road.executor.submit(EntryIntent(BTC, Side.BUY, notional=Money(600)))
    assert isinstance(result, Accepted)
    assert result.order_link_id == "test-1"
    assert list(tmp_path.iterdir()) == []
