"""Every combination of config groups composes and validates into typed settings."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from bot.config import BybitSettings, Network, SimSettings
from bot.domain import Money
from bot.engine.settings import Settings
from bot.wiring import build_settings

GROUPS = {
    "exchange": ("sim", "bybit"),
    "risk": ("standard", "strict"),
    "guard": ("standard", "strict"),
    "strategy": ("ema_cross", "rsi_reversion", "bollinger_breakout", "donchian_trend"),
    "data": ("synthetic", "file"),
    "task": ("run",),
}
#: Every task, with the keys it needs on the command line (tested one by one below).
TASKS = {
    "run": (),
    "status": (),
    "close": ("task.fraction=0.5",),
    "panic": ("task.confirm=true",),
    "reset": ("task.reason=feed checked",),
    "download": ("task.path=data/BTCUSDT-1m.parquet",),
}


def test_group_files_match_the_tested_options(conf: Path):
    for group, options in {**GROUPS, "task": tuple(TASKS)}.items():
        on_disk = {path.stem for path in (conf / group).glob("*.yaml")}
        assert on_disk == set(options), group


@pytest.mark.parametrize("task", list(TASKS))
def test_every_task_composes_and_builds(composer, task, monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", "key-for-test")
    monkeypatch.setenv("BYBIT_API_SECRET", "secret-for-test")
    settings = build_settings(composer("exchange=bybit", f"task={task}", *TASKS[task]))
    assert settings.task.name == task
    assert type(settings.task).__name__.lower().startswith(task)


@pytest.mark.parametrize("choice", list(itertools.product(*GROUPS.values())), ids="-".join)
def test_every_combination_composes_and_builds(composer, choice, monkeypatch, tmp_path):
    monkeypatch.setenv("BYBIT_API_KEY", "key-for-test")
    monkeypatch.setenv("BYBIT_API_SECRET", "secret-for-test")
    candles = tmp_path / "candles.csv"
    candles.write_text("ts_ms,open,high,low,close,volume\n", encoding="utf-8")
    overrides = [f"{group}={option}" for group, option in zip(GROUPS, choice, strict=True)]
    if "data=file" in overrides:
        overrides.append(f"data.path={candles}")
    cfg = composer(*overrides)
    settings = build_settings(cfg)
    assert isinstance(settings, Settings)
    assert settings.exchange.name == choice[0]
    assert settings.data.name == choice[4]
    assert settings.symbol == "BTCUSDT"


def test_defaults_are_the_documented_ones(composer):
    settings = build_settings(composer())
    assert isinstance(settings.exchange, SimSettings)
    assert settings.exchange.initial_balance == Money("10000")
    assert settings.exchange.taker_fee_bps == Decimal("5.5")
    assert settings.exchange.instrument.tick_size == Decimal("0.10")
    assert settings.risk.max_leverage == 10
    assert settings.risk.max_order_notional == Money("10000")
    assert settings.guard.price_band_bps == 200
    assert settings.strategy.params == (("fast", 12), ("slow", 26))
    assert settings.strategy.title == "ema_cross 12/26"
    assert settings.seed == 7


def test_strict_profiles_are_tighter(composer):
    standard = build_settings(composer())
    strict = build_settings(composer("risk=strict", "guard=strict"))
    assert strict.risk.max_leverage < standard.risk.max_leverage
    assert strict.risk.daily_loss_limit < standard.risk.daily_loss_limit
    assert strict.guard.price_band_bps < standard.guard.price_band_bps
    assert strict.risk.on_loss_limit.value == "halted"


def test_bybit_resolves_official_endpoints_and_hides_secrets(composer, monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", "key-for-test")
    monkeypatch.setenv("BYBIT_API_SECRET", "secret-for-test")
    settings = build_settings(composer("exchange=bybit"))
    exchange = settings.exchange
    assert isinstance(exchange, BybitSettings)
    assert exchange.network is Network.demo
    assert exchange.endpoints.rest == "https://api-demo.bybit.com"
    assert exchange.api_secret.reveal() == "secret-for-test"
    assert "secret-for-test" not in repr(settings)
    assert "key-for-test" not in repr(settings)


def test_endpoint_override_is_kept(composer, monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", "k")
    monkeypatch.setenv("BYBIT_API_SECRET", "s")
    settings = build_settings(composer("exchange=bybit", "exchange.rest_url=http://127.0.0.1:8080"))
    assert isinstance(settings.exchange, BybitSettings)
    assert settings.exchange.endpoints.rest == "http://127.0.0.1:8080"


def test_mainnet_with_confirmation_builds(composer, monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", "k")
    monkeypatch.setenv("BYBIT_API_SECRET", "s")
    settings = build_settings(
        composer("exchange=bybit", "exchange.network=mainnet", "exchange.confirm_mainnet=true")
    )
    assert isinstance(settings.exchange, BybitSettings)
    assert settings.exchange.endpoints.rest == "https://api.bybit.com"
