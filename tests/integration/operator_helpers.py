"""Shared pieces of the operator-task tests: settings aimed at a fake, wire reads, seeding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.engine.settings import Settings
from bot.execution.journal import Journal
from bot.execution.journal_records import Recovery
from tests.fakes import FakeBybit
from tests.fakes.clients import LoopbackHTTP
from tests.support.settings import settings_for

REPO = Path(__file__).resolve().parents[2]


def fake_overrides(fake: FakeBybit, journal: Path) -> list[str]:
    """Command-line overrides that aim ``exchange=bybit`` at ``fake`` with ``journal``."""
    return [
        "exchange=bybit",
        f"exchange.rest_url={fake.rest_url}",
        f"exchange.ws_public_url={fake.ws_public_url}",
        f"exchange.ws_private_url={fake.ws_private_url}",
        "exchange.timeout_s=2",
        f"live.journal={journal}",
    ]


def keys_from_env(monkeypatch: pytest.MonkeyPatch, fake: FakeBybit) -> None:
    """The fake's test key pair in ``BYBIT_API_KEY`` / ``BYBIT_API_SECRET``."""
    monkeypatch.setenv("BYBIT_API_KEY", fake.api_key)
    monkeypatch.setenv("BYBIT_API_SECRET", fake.api_secret)


def operator_settings(fake: FakeBybit, journal: Path, *overrides: str) -> Settings:
    """The settings of ``python -m bot exchange=bybit <fake URLs> <overrides>``."""
    return settings_for(*fake_overrides(fake, journal), *overrides)


def run_bot(fake: FakeBybit, cwd: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` as a real process with the fake's keys in its environment."""
    env = {
        **os.environ,
        "BYBIT_API_KEY": fake.api_key,
        "BYBIT_API_SECRET": fake.api_secret,
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *overrides],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def market(http: LoopbackHTTP, link: str, side: str, qty: str, symbol: str = "BTCUSDT") -> None:
    """A market order placed by hand (not through the bot), e.g. to open a position."""
    http.place_order(
        category="linear",
        symbol=symbol,
        side=side,
        orderType="Market",
        qty=qty,
        orderLinkId=link,
    )


def resting(http: LoopbackHTTP, link: str, price: str, qty: str = "0.010") -> None:
    """A resting BTCUSDT buy limit order placed by hand."""
    http.place_order(
        category="linear",
        symbol="BTCUSDT",
        side="Buy",
        orderType="Limit",
        qty=qty,
        price=price,
        timeInForce="GTC",
        orderLinkId=link,
    )


def held(fake: FakeBybit) -> dict[str, tuple[str, Decimal]]:
    """The fake's positions: symbol -> (side, size)."""
    with fake.lock:
        return {str(s): (p.side.value, p.size) for s, p in fake.venue.positions().items()}


def open_links(fake: FakeBybit) -> list[str]:
    """Link ids of the fake's open orders."""
    with fake.lock:
        return [o.order_link_id for o in fake.venue.open_orders()]


def create_bodies(fake: FakeBybit) -> list[dict[str, object]]:
    """Every ``/v5/order/create`` body the fake received, decoded, oldest first."""
    return [json.loads(r.body) for r in fake.requests("/v5/order/create")]


def recover(path: Path) -> Recovery:
    """What the journal at ``path`` holds now."""
    with Journal(path) as journal:
        return journal.recover()
