"""Validated settings from the real config tree, as ``python -m bot <overrides>`` builds them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from bot.__main__ import config_dir
from bot.config import register_schemas
from bot.engine.settings import Settings
from bot.wiring import build_settings


def settings_for(*overrides: str) -> Settings:
    """The settings of ``python -m bot <overrides>``."""
    register_schemas()
    with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
        return build_settings(compose(config_name="config", overrides=list(overrides)))


def bybit_settings_for(monkeypatch: pytest.MonkeyPatch, journal: Path, *overrides: str) -> Settings:
    """The settings of ``python -m bot exchange=bybit live.journal=<journal> <overrides>``
    with placeholder keys in the environment (nothing here connects to anything)."""
    monkeypatch.setenv("BYBIT_API_KEY", "k")
    monkeypatch.setenv("BYBIT_API_SECRET", "s")
    return settings_for("exchange=bybit", f"live.journal={journal}", *overrides)
