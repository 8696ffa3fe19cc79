"""``python -m bot``: help, refusal under -O, secrets kept out of outputs, wiring helpers."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from bot.domain import Money
from bot.errors import ConfigError, TypeViolation
from bot.wiring import instantiate_checked, user_config_error

from .config.conftest import run_bot

SECRET = "do-not-print-this-secret"
ENV = {"BYBIT_API_KEY": SECRET, "BYBIT_API_SECRET": SECRET}


def test_help_exits_0_and_lists_groups(tmp_path):
    result = run_bot(tmp_path, "--help")
    assert result.returncode == 0
    for group in ("exchange", "risk", "guard", "strategy", "data", "task"):
        assert f"  {group}:" in result.stdout
    assert "*sim" in result.stdout
    assert "_schema" not in result.stdout


def test_python_O_is_refused_with_one_line(tmp_path):
    result = run_bot(tmp_path, optimize=True)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "python -O" in lines[0]
    assert not (tmp_path / "outputs").exists()


def test_cfg_job_keeps_secrets_as_interpolations(tmp_path):
    result = run_bot(tmp_path, "exchange=bybit", "risk=strict", "--cfg", "job", env=ENV)
    assert result.returncode == 0, result.stderr
    assert "${oc.env:BYBIT_API_KEY}" in result.stdout
    assert "${oc.env:BYBIT_API_SECRET}" in result.stdout
    assert SECRET not in result.stdout


def test_cfg_job_composes_without_the_env(tmp_path):
    result = run_bot(tmp_path, "exchange=bybit", "--cfg", "job")
    assert result.returncode == 0, result.stderr
    assert "network: demo" in result.stdout


def test_live_outputs_when_asked_never_hold_a_resolved_secret(tmp_path):
    # mainnet without its confirmation is refused (exit 2) before any connection; with
    # live.write_outputs=true Hydra has written its files by then: no secret in them
    run_dir = tmp_path / "run"
    result = run_bot(
        tmp_path,
        "exchange=bybit",
        "exchange.network=mainnet",
        "live.write_outputs=true",
        f"hydra.run.dir={run_dir}",
        env=ENV,
    )
    assert result.returncode == 2, result.stderr
    assert "exchange.confirm_mainnet=true" in result.stderr
    written = "".join(p.read_text() for p in run_dir.rglob("*") if p.is_file())
    assert "${oc.env:BYBIT_API_KEY}" in written
    assert SECRET not in written + result.stdout + result.stderr


@pytest.mark.parametrize("choice", ["exchange=bybit", "task=status", "task=panic", "task=download"])
def test_a_live_command_line_writes_no_hydra_outputs(tmp_path, choice):
    # refused at the config check, before connecting: nothing may be on disk
    extra = ["exchange=bybit"] if choice != "exchange=bybit" else []
    result = run_bot(tmp_path, choice, *extra, "exchange.network=mainnet", env=ENV)
    assert result.returncode == 2, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_live_overrides_only_for_live_command_lines():
    from bot.__main__ import live_overrides

    quiet = [
        "hydra.run.dir=.",
        "hydra.output_subdir=null",
        "hydra/job_logging=none",
        "hydra/hydra_logging=none",
    ]
    assert live_overrides(["exchange=bybit", "risk=strict"]) == quiet
    assert live_overrides(["task=status"]) == quiet
    assert live_overrides(["risk=strict"]) == []
    assert live_overrides(["exchange=bybit", "live.write_outputs=true"]) == []
    given = live_overrides(["exchange=bybit", "hydra.run.dir=/x"])
    assert given == quiet[1:]


def test_exit_codes_follow_the_error():
    from bot.__main__ import exit_code
    from bot.errors import ExchangeError, ReconcileRefused, StartupRefused

    assert exit_code(ConfigError("k", 1, "x")) == 2
    assert exit_code(StartupRefused("clock off")) == 2
    assert exit_code(ReconcileRefused("differs", "report")) == 3
    assert exit_code(ExchangeError("down")) == 1


def test_multirun_sweeps_and_exits_2_when_a_point_is_a_config_error(tmp_path):
    ok = run_bot(
        tmp_path, "-m", "strategy.fast=5,10", "data.days=1", f"hydra.sweep.dir={tmp_path / 'ok'}"
    )
    assert ok.returncode == 0, ok.stderr
    assert "ema_cross 5/26" in ok.stdout
    assert "ema_cross 10/26" in ok.stdout
    bad = run_bot(tmp_path, "-m", "strategy.fast=5,30", f"hydra.sweep.dir={tmp_path / 'bad'}")
    assert bad.returncode == 2
    assert "strategy.slow" in bad.stderr.strip().splitlines()[-1]


def test_main_rejects_a_non_config():
    from bot.__main__ import main

    with pytest.raises(TypeViolation):
        main({"seed": 7})  # type: ignore[arg-type]


def test_instantiate_checked_builds_and_checks_the_type():
    node = OmegaConf.create({"strategy": {"_target_": "bot.domain.Money", "value": "12.5"}})
    assert instantiate_checked(node.strategy, Money) == Money("12.5")
    with pytest.raises(ConfigError) as caught:
        instantiate_checked(node.strategy, int)
    assert caught.value.key == "strategy"


def test_instantiate_checked_turns_domain_errors_into_config_errors():
    node = OmegaConf.create({"limit": {"_target_": "bot.domain.Money", "value": "-1"}})
    with pytest.raises(ConfigError) as caught:
        instantiate_checked(node.limit, Money)
    assert caught.value.key == "limit"


def test_instantiate_checked_names_a_missing_target():
    node = OmegaConf.create({"x": {"_target_": "bot.no_such_thing.Nope"}})
    with pytest.raises(ConfigError, match="importable"):
        instantiate_checked(node.x, object)


def test_bugs_are_not_user_config_errors():
    assert user_config_error(ZeroDivisionError("bug")) is None
    assert user_config_error(KeyError("bug")) is None
