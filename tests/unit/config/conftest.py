"""Shared helpers for config tests: compose with Hydra's API, run ``python -m bot``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from bot.__main__ import config_dir
from bot.config import register_schemas

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def conf() -> Path:
    """The config tree the bot uses (the repository's conf/ in a source checkout)."""
    return config_dir()


@pytest.fixture
def composer(conf: Path) -> Iterator[object]:
    """A function composing the bot's config with overrides, like ``python -m bot``."""
    register_schemas()
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):

        def compose_bot(*overrides: str) -> DictConfig:
            return compose(config_name="config", overrides=list(overrides))

        yield compose_bot


def run_bot(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None, optimize: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot`` in ``tmp_path`` (Hydra writes its outputs there)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BYBIT_")}
    environment.pop("HYDRA_FULL_ERROR", None)
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env or {})
    command = [sys.executable, *(["-O"] if optimize else []), "-m", "bot", *args]
    return subprocess.run(
        command,
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
