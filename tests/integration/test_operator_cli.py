"""Operator tasks as a person runs them: ``python -m bot exchange=bybit task=...`` processes
against the fake, with the keys in the environment; output, exit codes, no secret leaks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.risk import TradingState
from tests.fakes import FakeBybit, Fault
from tests.fakes.clients import LoopbackHTTP
from tests.integration.operator_helpers import (
    fake_overrides,
    held,
    market,
    recover,
    resting,
    run_bot,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def test_status_process_prints_the_table_and_exits_0(
    fake: FakeBybit, http: LoopbackHTTP, tmp_path: Path
) -> None:
    market(http, "seed-1", "Buy", "0.010")
    resting(http, "seed-2", "60000")

    run = run_bot(fake, tmp_path, *fake_overrides(fake, tmp_path / "j.sqlite"), "task=status")

    assert run.returncode == 0, run.stderr
    for heading in ("Positions", "Open orders", "Balance (USDT)", "Trading state", "Feeds"):
        assert f"\n{heading}\n" in run.stdout
    assert "BTCUSDT  long  0.01" in run.stdout
    assert "seed-2" in run.stdout
    assert fake.api_secret not in run.stdout + run.stderr
    assert len(fake.requests("/v5/order/create")) == 2, "only the two seeds: status sent none"


@pytest.mark.failclosed
def test_status_process_exits_1_with_one_line_when_the_venue_fails(
    fake: FakeBybit, tmp_path: Path
) -> None:
    fake.inject("/v5/account/wallet-balance", Fault.http_status(503))

    run = run_bot(fake, tmp_path, *fake_overrides(fake, tmp_path / "j.sqlite"), "task=status")

    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert line.startswith("bot: status is incomplete: 1 read(s) failed: balance:")
    assert "503" in line
    assert "ERROR: " in run.stdout


def test_close_panic_reset_as_processes(
    fake: FakeBybit, http: LoopbackHTTP, tmp_path: Path
) -> None:
    journal = tmp_path / "j.sqlite"
    base = fake_overrides(fake, journal)
    market(http, "seed-1", "Buy", "0.010")

    close = run_bot(fake, tmp_path, *base, "task=close", "task.fraction=0.5")
    assert close.returncode == 0, close.stderr
    assert "Sell 0.005 BTCUSDT reduce-only" in close.stdout
    assert held(fake) == {"BTCUSDT": ("Buy", Decimal("0.005"))}

    refused = run_bot(fake, tmp_path, *base, "task=panic")
    assert refused.returncode == 2
    assert "task.confirm" in refused.stderr
    assert held(fake) != {}, "a refused panic sends nothing"

    panic = run_bot(fake, tmp_path, *base, "task=panic", "task.confirm=true")
    assert panic.returncode == 0, panic.stderr
    assert held(fake) == {}
    assert recover(journal).trading_state is TradingState.HALTED

    reset = run_bot(fake, tmp_path, *base, "task=reset", "task.reason='feed checked'")
    assert reset.returncode == 0, reset.stderr
    assert "-> ACTIVE (feed checked)" in reset.stdout
    assert recover(journal).state_reason == "operator reset: feed checked"


@pytest.mark.failclosed
def test_mainnet_without_confirmation_exits_2_before_connecting(
    fake: FakeBybit, tmp_path: Path
) -> None:
    overrides = [*fake_overrides(fake, tmp_path / "j.sqlite"), "exchange.network=mainnet"]

    run = run_bot(fake, tmp_path, *overrides, "task=status")

    assert run.returncode == 2
    assert "confirm_mainnet=true" in run.stderr
    assert fake.requests() == []
