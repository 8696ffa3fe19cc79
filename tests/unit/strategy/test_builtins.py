"""Built-in strategies compose and trade end to end; ema_cross matches EmaCross; plug-ins."""

from __future__ import annotations

from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig, open_dict

from bot.__main__ import config_dir
from bot.config import register_schemas
from bot.data import load_candles
from bot.domain import Money
from bot.engine.assemble import build_sim_road
from bot.engine.backtest import run_backtest
from bot.engine.settings import Settings
from bot.errors import ConfigError
from bot.report.record import RunRecord
from bot.strategy.base import Strategy
from bot.strategy.ema_cross import EmaCross
from bot.strategy.rules import RuleStrategy
from bot.wiring import build_settings
from tests.support.settings import settings_for

BUILT_INS = ("ema_cross", "rsi_reversion", "bollinger_breakout", "donchian_trend")


def _backtest(settings: Settings, strategy: Strategy) -> RunRecord:
    candles = load_candles(settings.data, seed=settings.seed)
    road = build_sim_road(settings, run_id="t", start_ms=int(candles.ts_ms[0]))
    exchange: Any = settings.exchange
    record, _ = run_backtest(
        road,
        strategy,
        candles,
        symbol=settings.symbol,
        timeframe="1m",
        tick=exchange.instrument.tick_size,
        initial=exchange.initial_balance,
    )
    return record


@pytest.mark.parametrize("name", BUILT_INS)
def test_each_built_in_composes_and_trades(name: str) -> None:
    settings = settings_for(f"strategy={name}", "data.days=1")
    assert settings.strategy.name == name
    assert settings.strategy.title.startswith(f"{name} ")
    strategy = settings.strategy.build()
    assert isinstance(strategy, RuleStrategy)
    record = _backtest(settings, strategy)
    assert record.trades
    assert len({t.side for t in record.trades}) == 2  # both directions were taken


def test_top_level_tunables_flow_into_the_indicators() -> None:
    settings = settings_for("strategy.fast=5", "strategy.slow=20")
    assert settings.strategy.params == (("fast", 5), ("slow", 20))
    assert settings.strategy.title == "ema_cross 5/20"
    strategy = settings.strategy.build()
    assert isinstance(strategy, RuleStrategy)
    periods = [dict(use.params)["period"] for use in strategy.rules.indicators]
    assert periods == [5, 20]


def test_declarative_ema_cross_trades_exactly_like_the_hand_written_class() -> None:
    settings = settings_for("data.days=1", "strategy.fast=5", "strategy.slow=20")
    declarative = _backtest(settings, settings.strategy.build())  # type: ignore[arg-type]
    by_hand = _backtest(
        settings,
        EmaCross(settings.symbol, fast=5, slow=20, notional=Money("1000"), direction="both"),
    )
    assert len(declarative.trades) > 10
    assert declarative.trades == by_hand.trades
    assert (declarative.equity == by_hand.equity).all()


@pytest.mark.parametrize(
    ("overrides", "key", "shown"),
    [
        (["strategy.indicators.fast.kind=emaa"], "strategy.indicators.fast.kind", "one of: adx"),
        (["strategy.fast=0"], "strategy.fast", "used as strategy.indicators.fast.period"),
        (["strategy.fast=30"], "strategy.slow", "greater than strategy.fast"),
        (
            ["~strategy.entry.long.cross_above", "+strategy.entry.long.gt=[fast,slow]"],
            "strategy.entry.long",
            "cross_above",
        ),
        (["strategy=rsi_reversion", "strategy.oversold=80"], "strategy.overbought", "greater"),
        (
            ["strategy=bollinger_breakout", "~strategy.exits.stop_loss"],
            "strategy.sizing.kind",
            "stop",
        ),
        (["~strategy.indicators.slow"], "strategy.entry.long.cross_above[1]", "fast"),
    ],
)
def test_bad_strategy_configs_are_refused_at_start(
    overrides: list[str], key: str, shown: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_for(*overrides)
    assert caught.value.key == key
    assert shown in caught.value.allowed


def _with_plugin(node: dict[str, Any]) -> DictConfig:
    register_schemas()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        cfg = compose(config_name="config", overrides=["data.days=1"])
    with open_dict(cfg):
        cfg.strategy = node
    return cfg


def test_a_python_class_plugs_in_with_target() -> None:
    cfg = _with_plugin(
        {
            "_target_": "tests.unit.strategy.plugins.BuyOnce",
            "symbol": "${symbol}",
            "notional": "500",
        }
    )
    settings = build_settings(cfg)
    assert settings.strategy.title == "buy_once"
    first, second = settings.strategy.build(), settings.strategy.build()
    assert first is not second  # a fresh strategy per run
    record = _backtest(settings, first)  # type: ignore[arg-type]
    assert record.position[-1] > 0


@pytest.mark.parametrize(
    ("node", "shown"),
    [
        ({"_target_": "tests.unit.strategy.plugins.NotAStrategy", "symbol": "x"}, "Strategy"),
        ({"_target_": "tests.unit.strategy.plugins.Nowhere"}, "importable"),
        ({"_target_": "tests.unit.strategy.plugins.BuyOnce", "symbol": "x"}, "arguments"),
    ],
)
def test_a_target_that_is_not_a_strategy_is_refused(node: dict[str, Any], shown: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_settings(_with_plugin(node))
    assert caught.value.key == "strategy"
    assert shown in str(caught.value)
