"""``python -m bot`` (and the ``bot`` console script): compose, validate, run the task.

Exit codes: 0 done; 2 the config is not acceptable or the process must not start
(one line on stderr, no traceback); 3 a live start refused by reconciliation (the diff
report on stderr); 1 any other failure the bot names; a bug keeps Hydra's usual
traceback. An error class may name its own code (``exit_code``).

Live runs and operator tasks (``exchange=bybit``, ``task=status|close|panic|reset|
download``) write no Hydra output directory, ``.hydra`` or ``bot.log`` unless
``live.write_outputs=true`` is given: :func:`live_overrides` adds the Hydra settings
that keep it from writing. Only what ``--help`` needs is imported at the top: Hydra is
imported after the ``python -O`` refusal, the engine inside the task.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from bot.errors import BotError, ConfigError, ReconcileRefused, StartupRefused

if TYPE_CHECKING:
    from bot.config import ConfigNode
else:

    def __getattr__(name: str) -> object:
        """Import ``ConfigNode`` when beartype first checks :func:`main`, not for ``--help``."""
        if name == "ConfigNode":
            from bot.config import ConfigNode

            return ConfigNode
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: A command-line override that would put a secret into Hydra's output files.
_SECRET_OVERRIDE = re.compile(r"[+~]*exchange\.api_(key|secret)(=|$)")
#: Command-line choices that make a run live (or an operator task on the live account).
_LIVE_CHOICE = re.compile(r"^[+~]*(exchange=bybit|task=(status|close|panic|reset|download))$")
#: Hydra settings under which a live run writes nothing to disk.
_QUIET_HYDRA = (
    ("hydra.run.dir", "hydra.run.dir=."),
    ("hydra.output_subdir", "hydra.output_subdir=null"),
    ("hydra/job_logging", "hydra/job_logging=none"),
    ("hydra/hydra_logging", "hydra/hydra_logging=none"),
)
#: ``  - risk: standard`` lines of the defaults list in ``config.yaml``.
_DEFAULT_CHOICE = re.compile(r"^\s*-\s*(\w+):\s*(\w+)", re.MULTILINE)


def config_dir() -> Path:
    """The config tree: ``bot/_conf`` inside a wheel, else the repository's ``conf/``."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_conf", package.parent / "conf"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise StartupRefused(f"no config tree found (looked in {package / '_conf'} and conf/)")


def refuse_optimized() -> None:
    """Refuse to start under ``python -O``: beartype and every ``assert`` would be off."""
    if sys.flags.optimize:
        raise StartupRefused(
            "refusing to start under python -O (or PYTHONOPTIMIZE): "
            "run-time type checks would be off"
        )


def refuse_secret_overrides(arguments: list[str]) -> None:
    """Refuse secrets on the command line: Hydra would write them to its output files."""
    for argument in arguments:
        match = _SECRET_OVERRIDE.match(argument)
        if match is not None:
            name = f"exchange.api_{match.group(1)}"
            raise ConfigError(
                name, "<hidden>", "secrets come from the environment only (BYBIT_API_KEY ...)"
            )


def live_overrides(arguments: list[str]) -> list[str]:
    """The Hydra overrides that keep a live run from writing outputs (none otherwise).

    A live run is one whose command line picks ``exchange=bybit`` or an operator task;
    ``live.write_outputs=true`` asks for Hydra's usual outputs. A Hydra key the user set
    is left as given.
    """
    if not any(_LIVE_CHOICE.match(a) for a in arguments):
        return []
    if any(
        a.lstrip("+~").lower() in ("live.write_outputs=true", "live.write_outputs=yes")
        for a in arguments
    ):
        return []
    given = {a.lstrip("+~").split("=", 1)[0] for a in arguments}
    return [override for key, override in _QUIET_HYDRA if key not in given]


def help_text(conf: Path) -> str:
    """The ``--help`` page, read from the config tree without importing Hydra."""
    chosen = dict(_DEFAULT_CHOICE.findall((conf / "config.yaml").read_text(encoding="utf-8")))
    lines = [
        "bot: a fail-closed trading bot for Bybit USDT perpetual futures.",
        "",
        "usage: python -m bot [group=option ...] [key=value ...] [--cfg job] [-m sweep]",
        "",
        "config groups (* = default; pick one with group=option):",
    ]
    options = {group: sorted((conf / group).glob("*.yaml")) for group in chosen}
    width = max((len(o.stem) for found in options.values() for o in found), default=0)
    for group, default in chosen.items():
        lines.append(f"  {group}:")
        for option in options[group]:
            first = option.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
            mark = "*" if option.stem == default else " "
            lines.append(f"   {mark}{option.stem:<{width}}  {first}")
    lines += [
        "",
        "examples:",
        "  python -m bot exchange=bybit risk=strict --cfg job   show the composed config",
        "  python -m bot risk.max_leverage=3 guard=strict       run with overrides",
        "  python -m bot -m strategy.fast=5,10,20               sweep (multirun)",
        "",
        "flags: --cfg job|hydra|all, --resolve, --info, -m/--multirun, --hydra-help,",
        "--version. Keys: BYBIT_API_KEY and BYBIT_API_SECRET from the environment only.",
        "Exit codes: 0 done, 2 config refused (one line on stderr), 1 other failure.",
        f"config tree: {conf}",
    ]
    return "\n".join(lines)


def main(cfg: ConfigNode) -> float | None:
    """The Hydra task: validate ``cfg`` into settings, then run the task it names.

    Returns the objective for a sweeper; None when it is not finite or, in a multirun,
    when the run failed (the failure is recorded for the sweep table).
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from bot.wiring import build_settings

    hydra_config = HydraConfig.get()
    output_dir = Path(hydra_config.runtime.output_dir)
    try:
        settings = build_settings(cfg)
    except ConfigError as error:
        _job_failed(error, 2, output_dir)
        return None
    from bot.engine.tasks import run_task

    try:
        return run_task(settings, output_dir, plot_aside=hydra_config.mode != RunMode.MULTIRUN)
    except BotError as error:
        _job_failed(error, exit_code(error), output_dir)
    return None


def exit_code(error: BotError) -> int:
    """2 for a config error or a refused start, the error's own ``exit_code`` if it names
    one (3 for a refused reconciliation), else 1."""
    if isinstance(error, ConfigError | StartupRefused):
        return 2
    code = getattr(error, "exit_code", None)
    return code if isinstance(code, int) and not isinstance(code, bool) and code > 0 else 1


def entry() -> None:
    """Console entry point: refuse what must not start, then hand over to Hydra."""
    try:
        refuse_optimized()
        refuse_secret_overrides(sys.argv[1:])
        conf = config_dir()
    except BotError as error:
        _fail(error, 2)
    if {"--help", "-h"} & set(sys.argv[1:]):
        sys.stdout.write(help_text(conf) + "\n")
        raise SystemExit(0)
    import hydra

    from bot.config import register_schemas

    register_schemas()
    # The task function of the importable module, not of ``__main__``: joblib and Ray
    # workers unpickle it by reference, and beartype resolves its hints in that module.
    from bot.__main__ import main as task

    app = hydra.main(config_path=str(conf), config_name="config", version_base="1.3")(task)
    quiet = live_overrides(sys.argv[1:])
    if quiet:  # next to the user's overrides: Hydra's parser wants them in one run
        at = next(i for i, a in enumerate(sys.argv) if i and _LIVE_CHOICE.match(a))
        sys.argv[at:at] = quiet
    with _user_errors_exit_2():
        app()


def _job_failed(error: BotError, code: int, output_dir: Path) -> None:
    """End a single run with ``code``; in a multirun, record the failure and go on.

    A sweep runs every point: the failed one is listed last in the sweep table with its
    error, and the multirun exits with ``code`` once the table is written.
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if HydraConfig.get().mode != RunMode.MULTIRUN:
        _fail(error, code)
    from bot.report.sweep import record_failure

    line = _error_line(error)
    sys.stderr.write(f"{line}\n")
    record_failure(output_dir, line, exit_code=code)


def _error_line(error: BotError) -> str:
    if isinstance(error, ReconcileRefused):
        return f"bot: {error}"  # the reason, then the diff report, one difference a line
    line = " ".join(str(error).split())
    return line if isinstance(error, ConfigError) else f"bot: {line}"


def _fail(error: BotError, code: int) -> NoReturn:
    sys.stderr.write(f"{_error_line(error)}\n")
    raise SystemExit(code)


@contextmanager
def _user_errors_exit_2() -> Iterator[None]:
    """Turn composition errors the user caused into one line and exit code 2.

    Hydra runs composition inside ``hydra._internal.utils.run_and_report``, which prints
    a multi-line report and exits 1 for any exception. The wrapper looks at the error
    first: a user's mistake ends the process with code 2 and one line (``SystemExit``
    is not an ``Exception``, so Hydra lets it through); anything else reaches Hydra's
    own report unchanged.
    """
    from hydra._internal import utils as hydra_utils

    original: Callable[[Callable[[], Any]], Any] = hydra_utils.run_and_report

    def run_and_report(func: Callable[[], Any]) -> Any:
        def guarded() -> Any:
            try:
                return func()
            except Exception as error:
                from bot.wiring import user_config_error

                config_error = user_config_error(error)
                if config_error is None:
                    raise
                _fail(config_error, 2)

        return original(guarded)

    setattr(hydra_utils, "run_and_report", run_and_report)  # noqa: B010 (private API)
    try:
        yield
    finally:
        setattr(hydra_utils, "run_and_report", original)  # noqa: B010


if __name__ == "__main__":
    entry()
