"""Operator tasks without a venue: dispatch, mainnet refusal, reset on the journal alone,
the market-data URL, atomic writes, and a download on exchange=sim through a stub."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from bot.config.schema import Network
from bot.config.settings import (
    OFFICIAL_ENDPOINTS,
    BybitSettings,
    DownloadTaskSettings,
    ResetTaskSettings,
)
from bot.engine.live.operator import refuse_unconfirmed_mainnet, reset_task, run_operator_task
from bot.engine.live.operator_download import market_data_url
from bot.engine.live.operator_status import table
from bot.engine.settings import Settings
from bot.errors import ConfigError, OperatorTaskFailed
from bot.execution.journal import Journal
from bot.risk import TradingState
from tests.support.settings import settings_for
from tests.unit.exchange.bybit.payloads import envelope
from tests.unit.exchange.bybit.test_rest import StubHttp

MAINNET = OFFICIAL_ENDPOINTS[Network.mainnet].rest
T = 1_704_067_200_000  # 2024-01-01T00:00:00Z


@pytest.fixture
def bybit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """``settings_for`` with exchange=bybit, test keys in the environment, a tmp journal."""
    monkeypatch.setenv("BYBIT_API_KEY", "k")
    monkeypatch.setenv("BYBIT_API_SECRET", "s")

    def make(*overrides: str) -> Settings:
        journal = f"live.journal={tmp_path / 'journal.sqlite'}"
        return settings_for("exchange=bybit", journal, *overrides)

    return make


def test_table_pads_every_column_to_its_widest_cell() -> None:
    assert table(("a", "bbb"), [("long cell", "1"), ("x", "22")]) == [
        "  a          bbb",
        "  long cell  1",
        "  x          22",
    ]


def test_market_data_comes_from_the_configured_url_or_mainnet(bybit: Any) -> None:
    assert market_data_url(settings_for()) == MAINNET  # exchange=sim
    assert market_data_url(bybit()) == MAINNET  # demo trades on mainnet prices
    testnet = bybit("exchange.network=testnet")
    assert market_data_url(testnet) == OFFICIAL_ENDPOINTS[Network.testnet].rest
    override = bybit("exchange.rest_url=http://127.0.0.1:8123")
    assert market_data_url(override) == "http://127.0.0.1:8123"


@pytest.mark.failclosed
def test_unconfirmed_mainnet_is_refused(bybit: Any) -> None:
    confirmed = bybit("exchange.network=mainnet", "exchange.confirm_mainnet=true")
    assert isinstance(confirmed.exchange, BybitSettings)
    refuse_unconfirmed_mainnet(confirmed.exchange)
    with pytest.raises(ConfigError, match="confirm_mainnet"):
        refuse_unconfirmed_mainnet(dataclasses.replace(confirmed.exchange, confirm_mainnet=False))


@pytest.mark.failclosed
def test_live_operator_tasks_need_exchange_bybit() -> None:
    with pytest.raises(ConfigError, match="operator tasks act on the live account"):
        run_operator_task(settings_for("task=status"))


@pytest.mark.parametrize("state", [TradingState.HALTED, TradingState.REDUCING])
def test_reset_leaves_halted_or_reducing_in_the_journal_alone(
    bybit: Any, state: TradingState, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = bybit("task=reset", "task.reason=ok")
    with Journal(settings.live.journal) as journal:
        journal.record_state(state, "daily loss limit")

    before, after = reset_task(settings, ResetTaskSettings(reason="limits reviewed"))

    assert (before, after) == (state, TradingState.ACTIVE)
    with Journal(settings.live.journal) as journal:
        found = journal.recover()
    assert found.trading_state is TradingState.ACTIVE
    assert found.state_reason == "operator reset: limits reviewed"
    out = capsys.readouterr().out
    assert f"{state.name} (daily loss limit) -> ACTIVE (limits reviewed)" in out


def test_reset_of_an_active_journal_writes_nothing(bybit: Any) -> None:
    settings = bybit("task=reset", "task.reason=ok")
    with Journal(settings.live.journal) as journal:
        journal.record_state(TradingState.ACTIVE, "operator reset: earlier")
    assert reset_task(settings, ResetTaskSettings(reason="again"))[1] is TradingState.ACTIVE
    with Journal(settings.live.journal) as journal:
        assert journal.recover().state_reason == "operator reset: earlier"


def _sim_download(tmp_path: Path, rows: int) -> tuple[Settings, StubHttp]:
    def kline(**kw: Any) -> dict[str, Any]:
        wanted = range(T, T + rows * 60_000, 60_000)
        inside = [ts for ts in wanted if kw["start"] <= ts <= kw["end"]][::-1][: kw["limit"]]
        return envelope({"list": [[str(ts), "10", "11", "9", "10.5", "1", "10"] for ts in inside]})

    now = T + 1440 * 60_000 + 5_000
    stub = StubHttp(
        get_server_time=envelope({"timeSecond": str(now // 1000), "timeNano": str(now * 10**6)}),
        get_kline=kline,
    )
    settings = settings_for("task=download", f"task.path={tmp_path / 'out' / 'sim.parquet'}")
    return settings, stub


def test_download_works_on_exchange_sim_without_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BYBIT_API_KEY", raising=False)
    monkeypatch.delenv("BYBIT_API_SECRET", raising=False)
    settings, stub = _sim_download(tmp_path, 1440)
    task = settings.task
    assert isinstance(task, DownloadTaskSettings)

    run_operator_task(settings, http=stub)

    assert task.path.is_file()
    assert [name for name, _ in stub.calls] == ["get_server_time", "get_kline", "get_kline"]
    assert "downloaded 1440 closed 1m candles of BTCUSDT" in capsys.readouterr().out


@pytest.mark.failclosed
def test_a_failed_rename_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, stub = _sim_download(tmp_path, 1440)
    task = settings.task
    assert isinstance(task, DownloadTaskSettings)

    def refuse(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OperatorTaskFailed, match="No space left on device"):
        run_operator_task(settings, http=stub)
    assert list(task.path.parent.iterdir()) == []
