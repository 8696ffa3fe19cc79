"""``python -m bot exchange=bybit ...`` as a real process against the fake Bybit.

SIGTERM and SIGINT stop it cleanly (exit 0): resting entries cancelled, the position
kept or flattened as configured, the journal closed; a second signal during the stop
changes nothing. A refused reconciliation exits 3 with the diff report. The JSON log
lines carry the run id; no file the run wrote and no output holds the API key or
secret; Hydra writes no output directory.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain import Bar, Symbol
from tests.fakes import FakeBybit
from tests.fakes.faults import Fault
from tests.integration.live_support import (
    bars_from,
    history_start,
    live_overrides,
    push_all,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

REPO = Path(__file__).resolve().parents[2]
HISTORY = ("65000", "65010", "65020", "65030", "65040")
STRATEGY = (
    "~strategy",
    "+strategy={_target_:tests.integration.live_strategies.MarketAndRestingBuy,"
    'symbol:BTCUSDT,on_close:"65050",market_qty:"0.010",limit_price:"64500",'
    'limit_qty:"0.010"}',
)


class BotProcess:
    """The bot as a child process; its stderr lines are collected as they come."""

    def __init__(
        self, fake: FakeBybit, cwd: Path, *extra: str, strategy: tuple[str, ...] = STRATEGY
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BYBIT_", "HYDRA_"))}
        env.update(
            PYTHONPATH=str(REPO), BYBIT_API_KEY=fake.api_key, BYBIT_API_SECRET=fake.api_secret
        )
        command = [
            sys.executable,
            "-m",
            "bot",
            *live_overrides(fake, Path("journal.sqlite"), *extra, strategy=strategy),
        ]
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        _RUNNING.append(self)

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def events(self, name: str | None = None) -> list[dict[str, object]]:
        """The JSON log objects written so far (of event ``name``)."""
        found = [json.loads(x) for x in list(self.lines) if x.startswith("{")]
        return [e for e in found if name is None or e["event"] == name]

    def wait_event(self, name: str, timeout: float = 30.0) -> bool:
        """Wait for a log line of event ``name`` (False if the process ended first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.events(name):
                return True
            if self.process.poll() is not None:
                self._reader.join(5)
                return bool(self.events(name))
            time.sleep(0.05)
        return False

    def finish(self, timeout: float = 45.0) -> tuple[int, str, str]:
        """Wait for the exit; (code, stdout, stderr)."""
        try:
            code = self.process.wait(timeout)
            self._reader.join(5)
            assert self.process.stdout is not None
            out = self.process.stdout.read()
        finally:
            self.close()
        return code, out, "\n".join(self.lines)

    def close(self) -> None:
        """Kill the process if it still runs and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._reader.join(5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


_RUNNING: list[BotProcess] = []


@pytest.fixture(autouse=True)
def _no_process_left() -> Iterator[None]:
    """Every bot process a test started is gone (and its pipes closed) after it."""
    yield
    while _RUNNING:
        _RUNNING.pop().close()


@contextmanager
def fake_with_history() -> Iterator[tuple[FakeBybit, list[Bar]]]:
    """A fake with five closed bars, and the next bar (closing at 65050)."""
    start = history_start(20)
    every = bars_from(start, [*HISTORY, "65050"])
    with FakeBybit(live_intervals=()) as fake:
        push_all(fake, every[:-1])
        yield fake, every[-1:]


def files_under(path: Path) -> list[Path]:
    """Every file below ``path``."""
    return [p for p in path.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("signum", "on_stop"), [(signal.SIGTERM, "keep"), (signal.SIGINT, "flatten")]
)
def test_a_signal_stops_cleanly_cancelling_entries_and_keeping_or_flattening(
    tmp_path, signum, on_stop
):
    with fake_with_history() as (fake, live):
        bot = BotProcess(fake, tmp_path, f"live.on_stop={on_stop}")
        assert bot.wait_event("trading"), "\n".join(bot.lines)
        fake.push_bar("BTCUSDT", live[0])
        assert bot.wait_event("fill")
        assert len(bot.events("order")) == 2
        bot.process.send_signal(signum)
        time.sleep(0.05)
        bot.process.send_signal(signum)  # a second signal during the stop changes nothing
        code, out, err = bot.finish()
        orders = {o["orderType"]: o for o in fake.orders() if not o["reduceOnly"]}
        positions = fake.venue.positions()
        closes = [o for o in fake.orders() if o["reduceOnly"]]
    assert code == 0, err
    assert orders["Limit"]["orderStatus"] == "Cancelled"
    assert orders["Market"]["orderStatus"] == "Filled"
    if on_stop == "keep":
        assert positions[Symbol("BTCUSDT")].size == Decimal("0.01")
        assert not closes
    else:
        assert not positions
        assert len(closes) == 1
    assert bot.events("stopping")[0]["reason"] == f"signal {signal.Signals(signum).name}"
    assert bot.events("journal closed")
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cancels = db.execute("SELECT order_link_id FROM cancels").fetchall()
        intents = db.execute("SELECT count(*) FROM intents").fetchone()[0]
    assert cancels == [(orders["Limit"]["orderLinkId"],)]
    assert intents == len(fake.orders())
    assert not out.strip() or "Traceback" not in out


def test_json_logs_carry_the_run_id_and_nothing_holds_a_secret(tmp_path):
    with fake_with_history() as (fake, live):
        # a rate limit makes pybit log a warning naming a URL: it reaches the log bridged
        fake.inject("/v5/position/list", Fault.rate_limited(reset_in_ms=200), times=1)
        bot = BotProcess(fake, tmp_path, "live.max_runtime_s=6")
        assert bot.wait_event("trading"), "\n".join(bot.lines)
        fake.push_bar("BTCUSDT", live[0])
        code, out, err = bot.finish()
        key, secret = fake.api_key, fake.api_secret
    assert code == 0, err
    events = bot.events()
    assert events, err
    run_id = events[0]["run_id"]
    assert str(run_id).startswith("L")
    assert all(e["run_id"] == run_id for e in events)
    assert all(set(e) >= {"ts", "level", "event", "run_id"} for e in events)
    assert all(line.startswith("{") for line in bot.lines if line.strip()), err
    library = bot.events("library")
    assert library
    assert all("://" not in str(e["message"]) for e in library)
    written = files_under(tmp_path)
    assert [p.name for p in written if not p.name.startswith("journal.sqlite")] == []
    blobs = [out, err, *(p.read_bytes().decode("latin-1") for p in written)]
    for value in (key, secret):
        assert all(value not in blob for blob in blobs)
    assert not (tmp_path / "outputs").exists()
    assert not (tmp_path / ".hydra").exists()


def test_a_refused_reconciliation_exits_3_with_the_diff_report(tmp_path):
    from tests.fakes.clients import LoopbackHTTP

    with fake_with_history() as (fake, _):
        http = LoopbackHTTP(
            base_url=fake.rest_url, api_key=fake.api_key, api_secret=fake.api_secret
        )
        http.place_order(
            category="linear", symbol="BTCUSDT", side="Sell", orderType="Market", qty="0.020"
        )
        http.client.close()  # type: ignore[attr-defined]
        bot = BotProcess(fake, tmp_path, strategy=())
        code, _, err = bot.finish()
        before = len(fake.orders())
    assert code == 3, err
    assert before == 1
    assert "bot: refusing to trade: journal and exchange disagree (policy: refuse)" in err
    assert "position mismatch | BTCUSDT" in err
    assert "short 0.02" in err
    assert bot.events("refused")[0]["exit_code"] == 3


def test_live_write_outputs_true_keeps_hydras_outputs_and_a_copy_of_the_log(tmp_path):
    with fake_with_history() as (fake, _):
        bot = BotProcess(
            fake,
            tmp_path,
            "live.max_runtime_s=2",
            "live.write_outputs=true",
            "hydra.run.dir=run",
            strategy=(),
        )
        code, _, err = bot.finish()
        secret = fake.api_secret
    assert code == 0, err
    run = tmp_path / "run"
    config = (run / ".hydra" / "config.yaml").read_text()
    assert "${oc.env:BYBIT_API_SECRET}" in config
    copied = (run / "live.log").read_text().splitlines()
    assert [json.loads(line)["event"] for line in copied] == [e["event"] for e in bot.events()]
    assert all(secret not in p.read_text(errors="replace") for p in files_under(run))


def test_a_restart_after_kill_9_catches_up_and_trades_without_resending(tmp_path):
    with fake_with_history() as (fake, live):
        bot = BotProcess(fake, tmp_path)
        assert bot.wait_event("trading"), "\n".join(bot.lines)
        fake.push_bar("BTCUSDT", live[0])
        assert bot.wait_event("order")
        bot.process.kill()  # SIGKILL: no shutdown, no journal close
        bot.finish()
        again = BotProcess(fake, tmp_path, "live.max_runtime_s=2")
        code, _, err = again.finish()
        links = [o["orderLinkId"] for o in fake.orders()]
        executions = {str(e["execId"]) for e in fake.desk.executions}
    assert code == 0, err
    assert again.events("reconciled")[0]["status"] == "agrees"
    assert again.events("trading")
    assert len(links) == len(set(links))  # nothing was sent twice
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        intents = [r[0] for r in db.execute("SELECT order_link_id FROM intents ORDER BY entry")]
        fills = {r[0] for r in db.execute("SELECT exec_id FROM fills")}
        answers = dict(db.execute("SELECT order_link_id, message FROM acks ORDER BY entry"))
    # The kill can fall after an intent was journaled and before it was sent (the journal
    # is written first, by design): such an intent is never sent afterwards, and the
    # restart records it as never having reached the venue, after waiting out the
    # window in which the venue could still have placed it.
    assert intents[: len(links)] == links, "\n".join([*bot.lines, "----", *again.lines])
    unsent = intents[len(links) :]
    caught = {e["done"] for e in again.events("reconcile catch-up")}
    for link in unsent:
        assert answers.get(link) == "never reached the venue", answers
        assert f"caught up {link}: Rejected on the exchange" in caught, caught
    assert fills == executions
