"""Typing as behaviour: each file in ``must_fail/`` must be refused by mypy, for the right reason.

A file marks the lines mypy must refuse with ``# expect: <error-code> [words]``; the
words, when given, must appear in mypy's message. Every expected error must be reported
on its line, and nothing else may be reported, so a file cannot "fail" for an unrelated
reason such as a broken import. Without mypy these tests fail: they never skip.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MUST_FAIL = Path(__file__).resolve().parent / "must_fail"
FILES = sorted(p for p in MUST_FAIL.glob("*.py") if p.name != "__init__.py")
_EXPECT = re.compile(r"#\s*expect:\s*(?P<code>[a-z-]+)(?P<words>.*)$")
_ERROR = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)\s+\[(?P<code>[a-z-]+)\]$"
)


@dataclass(frozen=True)
class Expected:
    line: int
    code: str
    words: str


@dataclass(frozen=True)
class Reported:
    line: int
    code: str
    message: str


def _expected(path: Path) -> list[Expected]:
    found = []
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        match = _EXPECT.search(text)
        if match:
            found.append(Expected(number, match["code"], match["words"].strip()))
    return found


@pytest.fixture(scope="module")
def mypy_run() -> tuple[int, dict[str, list[Reported]], str]:
    """One mypy run over every must-fail file, with the repository's configuration."""
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed: the must-fail typing tests cannot run")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--no-error-summary",
            "--show-error-codes",
            "--no-pretty",
            *(str(p.relative_to(ROOT)) for p in FILES),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    reported: dict[str, list[Reported]] = {}
    for text in result.stdout.splitlines():
        match = _ERROR.match(text.strip())
        if match:
            name = Path(match["path"]).name
            reported.setdefault(name, []).append(
                Reported(int(match["line"]), match["code"], match["message"])
            )
    return result.returncode, reported, result.stdout + result.stderr


def test_there_are_must_fail_files() -> None:
    names = {p.name for p in FILES}
    assert {"swapped_price_qty.py", "close_without_reduce_only.py"} <= names
    for path in FILES:
        assert _expected(path), f"{path.name} marks no expected error"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_mypy_refuses_the_file_for_the_expected_reasons(
    path: Path, mypy_run: tuple[int, dict[str, list[Reported]], str]
) -> None:
    returncode, reported, output = mypy_run
    assert returncode == 1, f"mypy should report type errors (exit 1), got {returncode}:\n{output}"
    errors = reported.get(path.name, [])
    for expected in _expected(path):
        on_line = [e for e in errors if e.line == expected.line and e.code == expected.code]
        assert on_line, f"{path.name}:{expected.line}: no [{expected.code}] error in:\n{output}"
        assert any(expected.words in e.message for e in on_line), (
            f"{path.name}:{expected.line}: {expected.words!r} not in {on_line}"
        )
    marked = {(e.line, e.code) for e in _expected(path)}
    unexpected = [e for e in errors if (e.line, e.code) not in marked]
    assert not unexpected, f"{path.name}: errors on unmarked lines: {unexpected}"
