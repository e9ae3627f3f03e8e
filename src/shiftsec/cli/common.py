"""What every command shares: the `main` group, the option sets, the database path, rendering and writing a
report, the `--fail-on` gate, progress bars, and messages on stderr. Only the CLI prints and exits."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from shiftsec import __version__
from shiftsec.errors import UsageError

FIXTURE_DIRS = "testdata,test_data,fixtures,__fixtures__,__snapshots__"

F = TypeVar("F", bound=Callable[..., Any])
SEVERITIES = ("low", "medium", "high", "critical")
FORMATS = ("table", "json", "sarif", "markdown", "cyclonedx", "spdx", "junit", "html", "openvex")
SCANNERS = ("vuln", "secret", "misconfig", "sast", "none")
MAX_LISTED_ERRORS = 50


def report_options(func: F) -> F:
    """--format, --output and --fail-on, as every scan command takes them."""
    for option in reversed((
        click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report here."),
        click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False),
                     help="Exit 1 when a finding has at least this severity."),
    )):
        func = option(func)
    return func


def misconfig_options(func: F) -> F:
    """The misconfiguration options `fs` and `config` share."""
    func = click.option("--no-render", is_flag=True,
                        help="Do not render Helm charts (helm template) and kustomizations (kustomize build).")(func)
    func = click.option("--checks", "checks", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
                        help="A folder (or file) of custom checks in Rego, run beside the built-in ones "
                             "(repeatable).")(func)
    return click.option("--standard", type=click.Choice(["pss-baseline", "pss-restricted"]),
                        help="Only the controls of this Pod Security Standards level (default: every check, the "
                             "restricted level included).")(func)


def secret_options(func: F) -> F:
    """The secret scanner's options, shared by `fs` and `repo`."""
    for option in reversed((
        click.option("--secret-config", type=click.Path(dir_okay=False, path_type=Path),
                     help="A gitleaks-format TOML rule file to use instead of shiftsec's rules."),
        click.option("--secret-max-mb", type=click.FloatRange(min=0), default=10, show_default=True, metavar="MB",
                     help="Search at most this much of a file (in history: of what one commit adds to one file); "
                          "larger ones are listed in errors; 0 = no limit."),
        click.option("--secret-include-generated", is_flag=True,
                     help="Also search lockfiles, minified bundles and source maps for secrets."),
        click.option("--secret-fixture-dirs", default=FIXTURE_DIRS, show_default=True, metavar="NAMES",
                     help="Comma-separated folder names whose files hold test data and are not searched for "
                          "secrets; '' searches them too."),
    )):
        func = option(func)
    return func


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="SHIFTSEC_DB",
        help="Advisory database file (default: $XDG_CACHE_HOME/shiftsec/db.sqlite; env SHIFTSEC_DB).",
    )(func)


def resolve_db(db_path: Path | None) -> Path:
    from shiftsec.vulndb.store import default_path

    return db_path or default_path()


def err(message: str) -> None:
    click.echo(message, err=True)


def freeze_imports() -> None:
    """Keep what is loaded so far (modules, rules, check tables) out of every later garbage collection: a scan
    allocates many objects, and each collection would otherwise walk the imports again (2.6% of the
    instructions of `config` on Checkov's Kubernetes examples, callgrind). The process is short-lived."""
    import gc

    gc.freeze()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="shiftsec", message="%(prog)s %(version)s")
def main() -> None:
    """shiftsec: the security team's checks in every pipeline run."""



def secret_filter(include_generated: bool, fixture_dirs: str) -> Any:
    """The secret scanner's FileFilter from the CLI options."""
    from shiftsec.scanners.secrets import FileFilter

    names = tuple(name.strip() for name in fixture_dirs.split(",") if name.strip())
    if any("/" in name for name in names):
        raise UsageError(f"--secret-fixture-dirs {fixture_dirs!r}: folder names, not paths (comma-separated)")
    return FileFilter(include_generated=include_generated, fixture_dirs=names)


def render(report: Any, fmt: str, *, to_terminal: bool = False) -> str:
    """The report in one of FORMATS (each reporter imported only when used)."""
    if fmt == "table":
        import shutil

        from shiftsec.reporters import table

        width = shutil.get_terminal_size((120, 24)).columns if to_terminal else 120
        return str(table.render(report, color=to_terminal, width=width))
    import importlib

    name = "json" if fmt == "json" else fmt
    return str(importlib.import_module(f"shiftsec.reporters.{name}").render(report))


def write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def emit(report: Any, fmt: str, output: Path | None) -> None:
    to_terminal = output is None and sys.stdout.isatty()
    text = render(report, fmt, to_terminal=to_terminal)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    write(output, text)


def fail_on_gate(report: Any, fail_on: str | None) -> None:
    if not fail_on:
        return
    from shiftsec.model import Severity

    threshold = Severity.parse(fail_on)
    failing = [f for f in report.findings if f.severity >= threshold and f.suppression is None]
    if failing:
        err(f"{len(failing)} findings at or above {threshold.name}: failing (--fail-on {fail_on})")
        raise SystemExit(1)


class Progress:
    """A rich progress bar on stderr when it is a terminal; silent otherwise (CI logs stay clean)."""

    def __init__(self, label: str, unit: str = "files") -> None:
        self.label = label
        self.unit = unit
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            task = self._tasks.setdefault("", self._bar.add_task(self.label, total=total))
            self._bar.update(task, completed=done, total=total)

    def download(self, name: str, done: int, total: int | None) -> None:
        if self._bar is not None:
            if name not in self._tasks:
                self._tasks[name] = self._bar.add_task(f"{self.label} {name}", total=total)
            self._bar.update(self._tasks[name], completed=done, total=total)


