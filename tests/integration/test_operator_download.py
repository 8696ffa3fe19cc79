"""``task=download`` through the real pybit client against the fake: paging, closed candles
only, the data=file round trip, and a failed download that leaves no file."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pytest

from bot.config.settings import DownloadTaskSettings, FileDataSettings
from bot.data import load_candles
from bot.domain import Bar, Price, Symbol
from bot.engine.live.operator import run_operator_task
from bot.engine.live.operator_download import download_task
from bot.errors import OperatorTaskFailed
from tests.fakes import FakeBybit, Fault
from tests.integration.operator_helpers import keys_from_env, operator_settings, run_bot
from tests.support.settings import settings_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]
MINUTE = 60_000
#: 2024-01-01T00:00:00Z
JAN_1 = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
END = "2024-01-03T00:00:00Z"


def _bar(ts_ms: int) -> Bar:
    """A deterministic candle whose prices wander with the minute."""
    n = ts_ms // MINUTE
    base = Decimal(42_000 + (n * 37) % 900) + Decimal(n % 10) / 10
    return Bar(
        ts_ms,
        Price(base),
        Price(base + 12),
        Price(base - 9),
        Price(base + 3),
        Decimal(n % 7 + 1) / 4,
    )


def _seed(fake: FakeBybit, first_ms: int, count: int, *, open_last: bool = False) -> None:
    """``count`` one-minute BTCUSDT candles from ``first_ms``; the last one open if asked."""
    with fake.lock:
        for i in range(count):
            ts = first_ms + i * MINUTE
            last = i == count - 1
            fake.candles.put_bar(Symbol("BTCUSDT"), "1", _bar(ts), confirm=not (open_last and last))


@pytest.fixture
def keys(fake: FakeBybit, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake's keys in the environment (exchange=bybit wants them; download sends none)."""
    keys_from_env(monkeypatch, fake)


@pytest.mark.usefixtures("keys")
def test_download_pages_dedups_and_round_trips_through_data_file(
    fake: FakeBybit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # two days wanted (2,880 candles), with candles before and after the window
    _seed(fake, JAN_1 - 90 * MINUTE, 2 * 1440 + 180)
    target = tmp_path / "data" / "BTCUSDT-1m.parquet"
    settings = operator_settings(
        fake,
        tmp_path / "journal.sqlite",
        "task=download",
        f"task.path={target}",
        "task.days=2",
        f"task.end='{END}'",
    )

    run_operator_task(settings)

    pages = [parse_qs(r.query) for r in fake.requests("/v5/market/kline")]
    assert len(pages) == 3, "2,880 candles need three requests of at most 1,000"
    assert all(page["limit"] == ["1000"] for page in pages)
    assert sorted(p.name for p in target.parent.iterdir()) == ["BTCUSDT-1m.parquet"]
    out = capsys.readouterr().out
    assert "downloaded 2880 closed 1m candles of BTCUSDT from 2024-01-01T00:00:00.000Z" in out

    data = settings_for("data=file", f"data.path={target}", "data.timeframe=1m").data
    assert isinstance(data, FileDataSettings)
    candles = load_candles(data, seed=1)
    assert len(candles) == 2880
    expected_ts = JAN_1 + MINUTE * np.arange(2880, dtype=np.int64)
    assert np.array_equal(candles.ts_ms, expected_ts)
    bar = _bar(JAN_1 + 100 * MINUTE)
    assert candles.close[100] == float(bar.close)
    assert candles.volume[100] == float(bar.volume)


@pytest.mark.usefixtures("keys")
def test_downloaded_file_backtests_with_data_file(fake: FakeBybit, tmp_path: Path) -> None:
    _seed(fake, JAN_1, 1440)
    target = tmp_path / "btc.parquet"
    settings = operator_settings(
        fake, tmp_path / "j.sqlite", "task=download", f"task.path={target}", "task.days=1"
    )
    task = settings.task
    assert isinstance(task, DownloadTaskSettings)
    download_task(
        settings,
        DownloadTaskSettings(task.symbol, "1m", 1, datetime(2024, 1, 2, tzinfo=UTC), target),
    )

    run = run_bot(fake, tmp_path, "data=file", f"data.path={target}", "data.timeframe=1m")

    assert run.returncode == 0, run.stderr
    assert "1,440 bars" in run.stdout


@pytest.mark.usefixtures("keys")
def test_download_keeps_only_closed_candles(fake: FakeBybit, tmp_path: Path) -> None:
    now = JAN_1 + 600 * MINUTE + 30_000  # 10:00:30, the 10:00 candle is still open
    fake.freeze_clock(now)
    _seed(fake, JAN_1, 601, open_last=True)
    target = tmp_path / "now.parquet"
    settings = operator_settings(
        fake, tmp_path / "j.sqlite", "task=download", f"task.path={target}", "task.days=1"
    )

    run_operator_task(settings)

    data = settings_for("data=file", f"data.path={target}", "data.timeframe=1m").data
    assert isinstance(data, FileDataSettings)
    candles = load_candles(data, seed=1)
    assert len(candles) == 600
    assert int(candles.ts_ms[-1]) == JAN_1 + 599 * MINUTE, "the open 10:00 candle is left out"


@pytest.mark.failclosed
@pytest.mark.usefixtures("keys")
@pytest.mark.parametrize(
    "second_page",
    [
        Fault.http_status(502),
        Fault.non_json(),
        Fault.edit({"result.list.3.2": "NaN"}),
        Fault.drop_connection(),
    ],
    ids=["5xx", "non-json", "malformed", "dropped"],
)
def test_a_failed_download_leaves_no_file(
    fake: FakeBybit, tmp_path: Path, second_page: Fault
) -> None:
    _seed(fake, JAN_1, 2 * 1440)
    target = tmp_path / "out" / "btc.parquet"
    target.parent.mkdir()
    target.write_bytes(b"the previous file")
    fake.inject("/v5/market/kline", Fault.edit({}))  # the first page comes back untouched
    fake.inject("/v5/market/kline", second_page)
    settings = operator_settings(
        fake,
        tmp_path / "j.sqlite",
        "task=download",
        f"task.path={target}",
        "task.days=2",
        f"task.end='{END}'",
    )

    with pytest.raises(OperatorTaskFailed, match="nothing was written to"):
        run_operator_task(settings)

    assert len(fake.requests("/v5/market/kline")) == 2
    assert target.read_bytes() == b"the previous file"
    assert sorted(p.name for p in target.parent.iterdir()) == ["btc.parquet"]


@pytest.mark.failclosed
@pytest.mark.usefixtures("keys")
def test_a_window_without_candles_writes_nothing(fake: FakeBybit, tmp_path: Path) -> None:
    target = tmp_path / "empty.parquet"
    settings = operator_settings(
        fake, tmp_path / "j.sqlite", "task=download", f"task.path={target}", f"task.end='{END}'"
    )
    with pytest.raises(OperatorTaskFailed, match="no closed 1m candle of BTCUSDT"):
        run_operator_task(settings)
    assert not target.exists()
