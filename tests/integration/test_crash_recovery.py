"""Crash recovery: the bot process killed (SIGKILL) at random moments, restarted each time.

One fake Bybit for the whole scenario and one journal file. A driver thread pushes a
confirmed one-minute kline every :data:`BAR_S` seconds (a seeded random walk around
65,000 with a dip every few bars), and the :class:`~tests.support.churn.Churn` strategy
answers every bar with the next step of its cycle: a market buy, a resting GTC limit
buy 2 % below, a reduce-only close, a pause. So at any moment there are resting orders,
fills arriving (the dips fill the resting buys) and closes in flight.

A first clean run journals a fill (see the test). Then, for each seed, a bot process
is started on the same journal and killed with SIGKILL at a seeded moment
(:func:`mode_of`): during the startup (clock, reconciliation and catch-up, warm-up), at
a random time while trading (up to past the first periodic reconciliation), while an
intent is on its way (written, sent, answered), while a create is held by the venue
(in flight: the restart must wait out the venue's ``recv_window`` before it may call
the order "never sent"), just after an order was answered (its fill on the way), or
during a SIGTERM stop (resting entries being cancelled; every second one flattening).
Every start must reach "trading" on its own: the restart catches up the answers and
fills of our own orders and reconciles (policy ``refuse``: a real disagreement would
stop it, exit 3, and fail the test with the report); no process logs an error. A last
run passes a periodic reconciliation and is stopped with SIGTERM (exit 0). Then the
journal and the fake must agree exactly: no ``orderLinkId`` sent twice, every order on
the fake journaled before it was sent, every execution journaled and no journal fill
unknown to the fake, the position equal to the journal's signed fill sum, the open
orders equal, no journal anomaly.

The per-seed outcomes are printed as a table (``pytest -s`` shows it) and written to
``crash_recovery.txt`` under the test's tmp directory.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bot.domain import Bar, Price, Symbol
from bot.execution.journal import Journal
from tests.fakes import FakeBybit, Fault, When
from tests.integration.live_support import MINUTE, history_start
from tests.integration.test_live_process import BotProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SEEDS = range(20)
#: Seconds between two confirmed klines pushed by the driver.
BAR_S = 0.3
#: Bars of history before the first start (warm-up reads the last five).
HISTORY_BARS = 10
#: Minutes of bar time the scenario may use (bars are one minute apart, in the past).
SPAN_MINUTES = 1500
CENTER = Decimal(65000)
SYMBOL = "BTCUSDT"
STRATEGY = (
    "~strategy",
    "+strategy._target_=tests.support.churn.Churn",
    f"+strategy.symbol={SYMBOL}",
)
#: Limits wide enough that the churn is never blocked by them (the test is about crashes).
SETTINGS = (
    "risk.cooldown_after_losses=0",
    "risk.max_orders_per_minute=10000",
    "guard.price_band_bps=500",
    "live.reconcile_every_s=5",
)


#: Startup log events a "startup" seed kills just after (so in the step that follows).
STARTUP_STEPS = ("clock checked", "instrument", "account ready", "reconciled", "subscribed")


class Driver:
    """Pushes a confirmed kline every :data:`BAR_S` seconds until stopped (seeded)."""

    def __init__(self, fake: FakeBybit, start_ms: int, seed: int) -> None:
        self.fake = fake
        self.next_ms = start_ms
        self.close = CENTER
        self.rng = random.Random(seed)
        self.bars = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bar-driver", daemon=True)

    def next_bar(self) -> Bar:
        """The next bar: a small step back toward the center; every few bars a dip of
        3 % that fills every resting buy (they rest 2 % below a recent close)."""
        opened = self.close
        drift = (CENTER - opened) * Decimal("0.3")
        step = Decimal(self.rng.randint(-150, 150))
        close = (opened + drift + step).quantize(Decimal("0.1"))
        high, low = max(opened, close) + 10, min(opened, close) - 10
        if self.rng.random() < 0.08:
            low = (min(opened, close) * Decimal("0.97")).quantize(Decimal("0.1"))
        bar = Bar(self.next_ms, Price(opened), Price(high), Price(low), Price(close), Decimal(1))
        self.close, self.next_ms = close, self.next_ms + MINUTE
        return bar

    def push(self, count: int) -> None:
        """Push ``count`` bars now."""
        for _ in range(count):
            self.fake.push_bar(SYMBOL, self.next_bar())
            self.bars += 1

    def start(self) -> None:
        """Push bars on a thread until :meth:`stop`."""
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.wait(BAR_S):
                self.push(1)
        except BaseException as error:  # handed to the test
            self.error = error

    def stop(self) -> None:
        """Stop pushing (and wait for the thread)."""
        self._stop.set()
        self._thread.join(10)


@dataclass
class Outcome:
    """One seed: when it was killed, what the journal held then, what the restart did."""

    seed: int
    mode: str
    kill_after_s: float
    traded: bool = False
    orders_logged: int = 0
    intents: int = 0
    fills: int = 0
    open_in_journal: int = 0
    restart: str = ""
    caught_up: list[str] = field(default_factory=list)

    def row(self) -> str:
        """One line of the table."""
        caught = "; ".join(self.caught_up) or "-"
        return (
            f"{self.seed:>4} | {self.mode:<19} | {self.kill_after_s:>6.2f} | "
            f"{'yes' if self.traded else 'no':<6} | {self.orders_logged:>6} | "
            f"{self.intents:>7} | {self.fills:>5} | {self.open_in_journal:>4} | "
            f"{self.restart:<8} | {caught}"
        )


HEADER = (
    "seed | mode                | kill s | traded | orders | intents | fills | open | restart  | "
    "restart caught up"
)


def mode_of(seed: int) -> str:
    """Where seed ``seed`` kills: in the startup, at a random time while trading, while an
    intent is on its way (written, sent, answered), just after an order was answered (its
    fill on the way), or during a stop (SIGTERM: resting entries being cancelled). A
    startup kill is never followed by another."""
    return ("startup", "random", "send", "fill", "stop")[seed % 5]


def journal_counts(path: Path, scratch: Path) -> tuple[int, int, int]:
    """(intents, fills, open orders) of the journal as a crashed process left it.

    Read from a copy (with its WAL): closing the last connection to the journal itself
    would checkpoint the WAL, and the restart must find the file as the crash left it.
    """
    scratch.mkdir(exist_ok=True)
    copy = scratch / path.name
    for suffix in ("", "-wal", "-shm"):
        source, target = Path(f"{path}{suffix}"), Path(f"{copy}{suffix}")
        target.unlink(missing_ok=True)
        if source.exists():
            shutil.copyfile(source, target)
    journal = Journal(copy)
    try:
        recovery = journal.recover()
    finally:
        journal.close()
    with sqlite3.connect(copy) as db:
        intents = int(db.execute("SELECT count(*) FROM intents").fetchone()[0])
    return intents, len(recovery.fill_ids), len(recovery.open_orders)


def start_bot(fake: FakeBybit, cwd: Path, *extra: str) -> BotProcess:
    """A bot process on the shared journal trading the churn strategy."""
    return BotProcess(fake, cwd, *SETTINGS, *extra, strategy=STRATEGY)


def restart_words(bot: BotProcess) -> tuple[str, list[str]]:
    """The reconciliation status of a start and what its catch-up recorded."""
    reconciled = bot.events("reconciled")
    status = str(reconciled[0]["status"]) if reconciled else "none"
    caught = [str(e["done"]) for e in bot.events("reconcile catch-up")]
    return status, caught


def kill_one(fake: FakeBybit, cwd: Path, seed: int) -> tuple[Outcome, BotProcess]:
    """Start a bot, kill it (SIGKILL) at the seed's moment; the outcome and the process."""
    rng = random.Random(1000 + seed)
    mode = mode_of(seed)
    # every second stop flattens the position (cancel all, reduce-only close)
    on_stop = "flatten" if mode == "stop" and seed % 2 else "keep"
    bot = start_bot(fake, cwd, f"live.on_stop={on_stop}")
    launched, label = time.monotonic(), mode
    if mode == "startup":
        # just after one startup step: in the next one (rules, account, reconciliation
        # and catch-up, subscriptions, warm-up)
        step = rng.choice(STARTUP_STEPS)
        label = f"after {step}"
        assert bot.wait_event("start", 40), "\n".join(bot.lines)
        wait_until(lambda: bool(bot.events(step)) or bot.process.poll() is not None, 20)
        time.sleep(rng.uniform(0.0, 0.03))
    else:
        assert bot.wait_event("trading", 40), "\n".join(bot.lines)
        if mode == "random":  # up to past the first periodic reconciliation (5 s)
            time.sleep(rng.uniform(0.0, 6.0))
        elif mode == "stop":
            time.sleep(rng.uniform(1.0, 2.0))  # resting entries to cancel
            bot.process.send_signal(signal.SIGTERM)
            bot.wait_event("stopping", 10)
            time.sleep(rng.uniform(0.0, 0.25))
        elif mode == "send" and seed % 10 == 2:
            # a create the venue holds 4 s before placing it (under its 5 s recv_window):
            # killed while it is in flight, the restart must not call it "never sent"
            label = "in-flight"
            sent = len(fake.requests("/v5/order/create"))
            fake.inject("/v5/order/create", Fault.stall(4.0, when=When.BEFORE))
            wait_until(lambda: len(fake.requests("/v5/order/create")) > sent, 15)
        else:
            event = "bar" if mode == "send" else "order"
            wait_for_new(bot, event, busy=mode == "send")
            time.sleep(rng.uniform(0.05, 0.25) if mode == "send" else rng.uniform(0.0, 0.05))
    still_running = bot.process.poll() is None or (mode == "stop" and bot.process.poll() == 0)
    bot.process.send_signal(signal.SIGKILL)
    fake.clear_faults()  # a stall no create reached must not hit the next seed
    label = "stop-flat" if on_stop == "flatten" else label
    outcome = Outcome(seed, label, time.monotonic() - launched)
    bot.finish()
    (cwd / f"bot-{seed:02d}.log").write_text("\n".join(bot.lines) + "\n")
    assert still_running, f"seed {seed}: the bot ended before the kill\n" + "\n".join(bot.lines)
    errors = [e for e in bot.events() if e["level"] == "error"]
    assert not errors, f"seed {seed}: {errors}\n" + "\n".join(bot.lines)
    outcome.traded = bool(bot.events("trading"))
    outcome.orders_logged = len(bot.events("order"))
    outcome.intents, outcome.fills, outcome.open_in_journal = journal_counts(
        cwd / "journal.sqlite", cwd / "at-kill"
    )
    return outcome, bot


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until true or ``timeout`` seconds; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def wait_for_new(bot: BotProcess, event: str, *, busy: bool, timeout: float = 10.0) -> None:
    """Wait for the next log line of ``event`` (``busy``: a bar that produced intents)."""

    def count() -> int:
        found = bot.events(event)
        return sum(1 for e in found if not busy or int(str(e.get("intents", 0))) > 0)

    seen = count()
    deadline = time.monotonic() + timeout
    while count() <= seen and time.monotonic() < deadline:
        time.sleep(0.002)


def create_link_ids(fake: FakeBybit) -> Counter[str]:
    """How many create requests the fake received per ``orderLinkId`` (batches too)."""
    sent: Counter[str] = Counter()
    for request in fake.requests("/v5/order/create"):
        sent[str(_body(request.body).get("orderLinkId", ""))] += 1
    for request in fake.requests("/v5/order/create-batch"):
        items = _body(request.body).get("request", [])
        for item in items if isinstance(items, list) else []:
            sent[str(item.get("orderLinkId", ""))] += 1
    return sent


def _body(text: str) -> dict[str, object]:
    if text.startswith("{"):
        loaded: dict[str, object] = json.loads(text)
        return loaded
    return {k: v[0] for k, v in parse_qs(text).items()}


def first_create_ms(fake: FakeBybit) -> dict[str, int]:
    """When the fake first received a create of each ``orderLinkId``."""
    first: dict[str, int] = {}
    for request in fake.requests("/v5/order/create"):
        link = str(_body(request.body).get("orderLinkId", ""))
        first.setdefault(link, request.ts_ms)
    return first


def test_kill_9_at_random_moments_loses_no_fill_and_sends_no_order_twice(tmp_path):
    outcomes: list[Outcome] = []
    report = tmp_path / "crash_recovery.txt"
    start_ms = history_start(SPAN_MINUTES)
    with FakeBybit(live_intervals=()) as fake:
        driver = Driver(fake, start_ms, seed=7)
        driver.push(HISTORY_BARS)
        driver.start()
        try:
            # the fake's venue clock runs on bar time, hours behind the wall clock, while
            # a journal without fills anchors its fill window on the wall clock: a first
            # clean run journals a fill, so the window follows the venue's time after it
            prime = start_bot(fake, tmp_path)
            assert prime.wait_event("fill", 40), "\n".join(prime.lines)
            prime.process.send_signal(signal.SIGTERM)
            assert prime.finish()[0] == 0, "\n".join(prime.lines)
            for seed in SEEDS:
                outcome, bot = kill_one(fake, tmp_path, seed)
                if outcomes:
                    outcomes[-1].restart, outcomes[-1].caught_up = restart_words(bot)
                outcomes.append(outcome)
            final = start_bot(fake, tmp_path)
            assert final.wait_event("trading", 40), "\n".join(final.lines)
            outcomes[-1].restart, outcomes[-1].caught_up = restart_words(final)
            # past a periodic reconciliation (every 5 s) with earlier runs' orders resting
            assert final.wait_event("reconciled", 10)
            periodic_seen = wait_until(lambda: len(final.events("reconciled")) >= 2, 15)
            (tmp_path / "bot-final.log").write_text("\n".join(final.lines) + "\n")
            assert periodic_seen, "\n".join(final.lines)
            final.process.send_signal(signal.SIGTERM)
            code, _, err = final.finish()
            (tmp_path / "bot-final.log").write_text(err + "\n")
        finally:
            driver.stop()
            table = "\n".join([HEADER, *(o.row() for o in outcomes)])
            report.write_text(table + "\n")
            print("\n" + table)
        assert driver.error is None, driver.error
        assert code == 0, err
        assert not [e for e in final.events() if e["level"] == "error"], err
        assert final.events("journal closed")[0]["state"] == "active", err
        periodic = final.events("reconciled")[1:]
        assert periodic, err
        assert all(e["status"] == "agrees" for e in periodic), err
        orders = fake.orders()
        executions = [dict(e) for e in fake.desk.executions]
        positions = fake.venue.positions()
        sent = create_link_ids(fake)
        first_sent = first_create_ms(fake)
    # every restart is the next seed's start (or the final run): none was refused, and
    # each that was waited for traded
    assert all(o.restart in ("agrees", "none") for o in outcomes), table
    journal_path = tmp_path / "journal.sqlite"
    with sqlite3.connect(journal_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        written = {
            str(r[0]): int(r[1])
            for r in db.execute("SELECT order_link_id, written_ms FROM intents")
        }
        fills = {str(r[0]): r for r in db.execute("SELECT exec_id, order_link_id FROM fills")}
    journal = Journal(journal_path)
    try:
        recovery = journal.recover()
    finally:
        journal.close()
    ours = [o for o in orders if str(o["orderLinkId"]).startswith("L")]
    assert ours, "the scenario sent no order"
    twice = {link: n for link, n in sent.items() if n > 1}
    assert not twice, f"orderLinkIds sent more than once: {twice}\n{table}"
    links = [str(o["orderLinkId"]) for o in ours]
    assert len(links) == len(set(links))
    unjournaled = [link for link in links if link not in written]
    assert not unjournaled, f"orders on the fake the journal never wrote: {unjournaled}"
    late = [link for link in links if written[link] > first_sent[link]]
    assert not late, f"intents written after their create reached the fake: {late}"
    our_execs = {str(e["execId"]) for e in executions if str(e["orderLinkId"]) in set(links)}
    lost = sorted(our_execs - set(fills))
    assert not lost, f"fills on the fake the journal lacks: {lost}"
    ghosts = sorted(set(fills) - {str(e["execId"]) for e in executions})
    assert not ghosts, f"journal fills the fake does not have: {ghosts}"
    position = positions.get(Symbol(SYMBOL))
    held = Decimal(0) if position is None else position.signed_size
    assert recovery.signed_sizes.get(Symbol(SYMBOL), Decimal(0)) == held
    on_fake = sorted(str(o["orderLinkId"]) for o in ours if o["orderStatus"] in OPEN)
    in_journal = sorted(o.order_link_id for o in recovery.open_orders)
    assert on_fake == in_journal, table
    assert recovery.anomalies == (), recovery.anomalies
    assert sum(o.fills for o in outcomes) > 0, table
    assert len(our_execs) > len(SEEDS), table


OPEN = ("New", "PartiallyFilled", "Untriggered")
