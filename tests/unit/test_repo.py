"""Meta checks: the README's commands, the CI entry points and the test tree agree."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL)


def _readme_commands() -> list[str]:
    """The code blocks before the README's first section heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    opening = text.split("\n## ", 1)[0]
    return [block.strip() for block in _FENCE.findall(opening)]


def test_readme_opens_with_exactly_two_one_line_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in command for command in commands), commands
    install_and_run, install_and_test = commands
    assert install_and_run.endswith("python -m bot")
    assert "pip install . " in install_and_run
    assert install_and_test.endswith("nox")
    assert 'pip install -e ".[dev]"' in install_and_test


def test_ci_run_executes_the_readme_test_command_verbatim() -> None:
    script = ROOT / ".ci" / "run"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert os.access(script, os.X_OK), ".ci/run must be executable"
    commands = [line.strip() for line in text.splitlines()]
    assert _readme_commands()[1] in commands


def test_workflow_runs_nox_on_every_supported_python() -> None:
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert 'python-version: ["3.11", "3.12", "3.13"]' in workflow
    assert 'pip install -e ".[dev]"' in workflow
    assert re.search(r"^\s+run: nox$", workflow, re.MULTILINE)


def test_every_test_directory_is_a_package() -> None:
    missing = [
        str(directory.relative_to(ROOT))
        for directory in [ROOT / "tests", *(ROOT / "tests").rglob("*")]
        if directory.is_dir()
        and directory.name != "__pycache__"
        and not directory.name.startswith(".")
        and not (directory / "__init__.py").exists()
    ]
    assert not missing, f"add __init__.py to {missing}"
