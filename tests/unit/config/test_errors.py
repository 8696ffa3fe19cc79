"""Config errors stop the bot before anything runs: exit 2 and one line naming the key."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from bot.wiring import build_settings

from .conftest import run_bot

SECRET = "do-not-print-this-secret"


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    ("override", "key", "shown"),
    [
        ("risk.max_leverage=abc", "risk.max_leverage", "an integer"),
        ("risk.max_leverage=0", "risk.max_leverage", "from 1 to 100"),
        ("risk.max_leverage=1000", "risk.max_leverage", "from 1 to 100"),
        ("risk.max_order_notional=-5", "risk.max_order_notional", "positive"),
        ("guard.price_band_bps=0", "guard.price_band_bps", "from 1 to 5,000"),
        ("+risk.max_levrage=3", "risk.max_levrage", "unknown key"),
        ("strategy.indicators.fast.kind=emaa", "strategy.indicators.fast.kind", "one of: adx, atr"),
        ("strategy.fast=0", "strategy.fast", "an integer from 1"),
    ],
)
def test_cli_config_error_exits_2_with_one_line(tmp_path, override, key, shown):
    result = run_bot(tmp_path, override, f"hydra.run.dir={tmp_path / 'run'}")
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert key in line
    assert shown in line
    assert "task run" not in result.stdout  # nothing ran


def test_missing_secret_names_the_variable_and_exits_2(tmp_path):
    result = run_bot(tmp_path, "exchange=bybit", env={"BYBIT_API_SECRET": SECRET})
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "BYBIT_API_KEY" in line
    assert SECRET not in result.stderr + result.stdout


def test_mainnet_without_confirmation_exits_2(tmp_path):
    env = {"BYBIT_API_KEY": SECRET, "BYBIT_API_SECRET": SECRET}
    result = run_bot(tmp_path, "exchange=bybit", "exchange.network=mainnet", env=env)
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "exchange.network" in line
    assert "confirm_mainnet" in line
    assert SECRET not in result.stderr + result.stdout


def test_bad_group_choice_lists_the_options(tmp_path):
    result = run_bot(tmp_path, "risk=yolo")
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert "risk='yolo'" in line
    assert "standard, strict" in line
    assert "schema" not in line


def test_secret_on_the_command_line_is_refused_before_hydra(tmp_path):
    result = run_bot(tmp_path, "exchange=bybit", f"exchange.api_key={SECRET}")
    assert result.returncode == 2
    assert "environment only" in _one_line(result.stderr)
    assert SECRET not in result.stderr
    assert not (tmp_path / "outputs").exists()  # nothing written


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["risk.max_leverage=101"], "risk.max_leverage"),
        (["risk.max_open_positions=0"], "risk.max_open_positions"),
        (["risk.max_open_positions=51"], "risk.max_open_positions"),
        (["risk.daily_loss_limit=0"], "risk.daily_loss_limit"),
        (["risk.max_drawdown_pct=0"], "risk.max_drawdown_pct"),
        (["risk.max_drawdown_pct=100.5"], "risk.max_drawdown_pct"),
        (["risk.max_drawdown_pct=abc"], "risk.max_drawdown_pct"),
        (["risk.cooldown_after_losses=-1"], "risk.cooldown_after_losses"),
        (["risk.cooldown_minutes=10081"], "risk.cooldown_minutes"),
        (["risk.max_orders_per_minute=0"], "risk.max_orders_per_minute"),
        (["risk.max_order_notional=NaN"], "risk.max_order_notional"),
        (["risk.max_order_notional=30000"], "risk.max_order_notional"),
        (["risk.max_position_notional=60000"], "risk.max_position_notional"),
        (["guard.price_band_bps=5001"], "guard.price_band_bps"),
        (["guard.max_feed_age_ms=0"], "guard.max_feed_age_ms"),
        (["guard.max_stream_silence_ms=3600001"], "guard.max_stream_silence_ms"),
        (["guard.max_clock_skew_ms=60001"], "guard.max_clock_skew_ms"),
        (["strategy.fast=0"], "strategy.fast"),
        (["strategy.fast=30"], "strategy.slow"),
        (["strategy.sizing.notional=-1"], "strategy.sizing.notional"),
        (["strategy.indicators.fast.kind=emaa"], "strategy.indicators.fast.kind"),
        (["+strategy.foo=1"], "strategy.foo"),
        (["data.days=0"], "data.days"),
        (["data.timeframe=7m"], "data.timeframe"),
        (["data.start=yesterday"], "data.start"),
        (["data.start=2024-01-01T00:00:00"], "data.start"),
        (["data=file"], "data.path"),
        (["data=file", "data.path=/nonexistent/candles.csv"], "data.path"),
        (["task.objective=luck"], "task.objective"),
        (["exchange.initial_balance=0"], "exchange.initial_balance"),
        (["exchange.leverage=0"], "exchange.leverage"),
        (["exchange.taker_fee_bps=-1"], "exchange.taker_fee_bps"),
        (["exchange.instrument.qty_step=0"], "exchange.instrument.qty_step"),
        (["exchange.instrument.min_order_qty=2000"], "exchange.instrument.min_order_qty"),
        (["symbol=BTC-USD"], "symbol"),
        (["seed=-1"], "seed"),
        (["+risk.max_levrage=3"], "risk.max_levrage"),
        (["+exchange.instrument.tick=1"], "exchange.instrument.tick"),
        (["+foo=1"], "foo"),
    ],
)
def test_out_of_range_values_raise_config_error_naming_the_key(composer, overrides, key):
    with pytest.raises(ConfigError) as caught:
        build_settings(composer(*overrides))
    assert caught.value.key == key
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_secret_is_refused(composer, monkeypatch, value):
    monkeypatch.setenv("BYBIT_API_KEY", "k")
    monkeypatch.setenv("BYBIT_API_SECRET", value)
    with pytest.raises(ConfigError) as caught:
        build_settings(composer("exchange=bybit"))
    assert caught.value.key == "exchange.api_secret"
    assert "BYBIT_API_SECRET" in str(caught.value)


def test_unset_secret_is_refused(composer, monkeypatch):
    monkeypatch.delenv("BYBIT_API_KEY", raising=False)
    monkeypatch.setenv("BYBIT_API_SECRET", "s")
    with pytest.raises(ConfigError, match="BYBIT_API_KEY") as caught:
        build_settings(composer("exchange=bybit"))
    assert caught.value.key == "exchange.api_key"


def test_literal_secret_in_config_is_refused(composer, monkeypatch):
    monkeypatch.setenv("BYBIT_API_SECRET", "s")
    with pytest.raises(ConfigError) as caught:
        build_settings(composer("exchange=bybit", "exchange.api_key=plain-text-key"))
    assert caught.value.key == "exchange.api_key"
    assert "plain-text-key" not in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["exchange=bybit", "exchange.network=mainnet"], "exchange.network"),
        (["exchange=bybit", "exchange.rest_url=ftp://x"], "exchange.rest_url"),
        (["exchange=bybit", "exchange.ws_public_url=http://x"], "exchange.ws_public_url"),
        (["exchange=bybit", "exchange.recv_window_ms=0"], "exchange.recv_window_ms"),
        (["exchange=bybit", "exchange.timeout_s=121"], "exchange.timeout_s"),
        (["exchange=bybit", "exchange.category=spot"], "exchange.category"),
    ],
)
def test_bybit_settings_are_checked(composer, monkeypatch, overrides, key):
    monkeypatch.setenv("BYBIT_API_KEY", "k")
    monkeypatch.setenv("BYBIT_API_SECRET", "s")
    with pytest.raises(ConfigError) as caught:
        build_settings(composer(*overrides))
    assert caught.value.key == key
