"""The kill switch works when the journal cannot be opened; a trading start still refuses.

A corrupt file, an unknown schema version: ``task=panic`` cancels every order and
flattens reduce-only without a journal, says "journal unavailable: ...; panic ran
without it" and exits non-zero (OperatorTaskFailed) so the journal gets repaired.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config.settings import PanicTaskSettings
from bot.engine.live.operator import panic_task
from bot.errors import JournalUnavailable, OperatorTaskFailed, StartupRefused
from tests.fakes import FakeBybit
from tests.fakes.clients import LoopbackHTTP
from tests.integration.live_support import LiveBot, live_settings, tap_stderr
from tests.integration.operator_helpers import (
    create_bodies,
    held,
    keys_from_env,
    market,
    open_links,
    operator_settings,
    resting,
)

pytestmark = [pytest.mark.integration, pytest.mark.failclosed, pytest.mark.timeout(60)]


def corrupt(path: Path) -> None:
    """Bytes that are no SQLite database (a torn or overwritten file)."""
    path.write_bytes(b"this is not a database, e.g. a torn or overwritten file\n" * 100)


def unknown_version(path: Path) -> None:
    """A SQLite file whose schema version this bot does not read."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
        db.execute("PRAGMA user_version=99")


BROKEN: dict[str, Callable[[Path], None]] = {
    "corrupt": corrupt,
    "unknown schema version": unknown_version,
}
WHY = {"corrupt": "file is not a database", "unknown schema version": "schema version 99"}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_panic_cancels_and_flattens_when_the_journal_cannot_be_opened(
    kind: str,
    fake: FakeBybit,
    http: LoopbackHTTP,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys_from_env(monkeypatch, fake)
    journal = tmp_path / "journal.sqlite"
    BROKEN[kind](journal)
    market(http, "manual-1", "Buy", "0.010")
    resting(http, "manual-2", "60000")
    seeded = len(create_bodies(fake))

    settings = operator_settings(fake, journal, "task=panic", "task.confirm=true")
    with pytest.raises(OperatorTaskFailed) as failed:
        panic_task(settings, PanicTaskSettings(confirm=True))

    assert held(fake) == {}, "flat"
    assert open_links(fake) == [], "the resting order is cancelled"
    closes = create_bodies(fake)[seeded:]
    assert [(b["side"], Decimal(str(b["qty"])), b["reduceOnly"]) for b in closes] == [
        ("Sell", Decimal("0.010"), True)
    ]
    message = str(failed.value)
    assert "journal unavailable:" in message
    assert WHY[kind] in message
    assert "panic ran without it" in message
    assert "not flat" not in message
    out = capsys.readouterr().out
    assert "WARNING: journal unavailable:" in out
    assert "cancelled 1 order(s): manual-2" in out
    assert "flat: yes" in out


def test_a_trading_start_still_refuses_a_corrupt_journal(
    fake: FakeBybit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tap = tap_stderr(monkeypatch)
    corrupt(tmp_path / "journal.sqlite")
    with pytest.raises(JournalUnavailable, match="file is not a database") as refused:
        LiveBot.start(live_settings(fake, tmp_path, monkeypatch), tap)
    assert isinstance(refused.value, StartupRefused)
    assert fake.requests("/v5/order/create") == []
