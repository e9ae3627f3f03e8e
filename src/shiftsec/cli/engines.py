"""`shiftsec engines`: install and list the optional external SAST engines (Bandit, Semgrep), each in a virtual
environment of its own (see `shiftsec.sast.external`).

`engines install NAME [--home DIR] [--pip-arg ARG]...` prints the executable and its version; a failure (pip
cannot reach an index, a broken home) is an `InputError`: one line and a hint, exit 2. `engines list` shows,
for each external engine, whether it is installed in its default home (or at the executable or home folder
given with `--bandit`/`--semgrep`, or by the `scanners.sast` section of `--config` or of the current folder's
shiftsec.yaml), broken (its executable does not answer `--version`) or missing, its version
and its path; `--format json` prints the same as a JSON array.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from shiftsec.cli.common import main

ENGINES = ("bandit", "semgrep")


@main.group()
def engines() -> None:
    """Install and list the optional SAST engines (Bandit, Semgrep), each in its own virtual environment."""


@engines.command("install")
@click.argument("name", type=click.Choice(ENGINES))
@click.option("--home", type=click.Path(file_okay=False, path_type=Path),
              help="Virtual environment to install into (default: $XDG_CACHE_HOME/shiftsec/engines/NAME).")
@click.option("--pip-arg", "pip_args", multiple=True, metavar="ARG",
              help="Extra argument for `pip install` (repeatable), e.g. --pip-arg=--find-links=DIR "
                   "--pip-arg=--no-index to install offline from a folder of wheels.")
def engines_install(name: str, home: Path | None, pip_args: tuple[str, ...]) -> None:
    """Install engine NAME (bandit or semgrep) into its own virtual environment; an existing working install is
    reused."""
    from shiftsec.sast import external

    exe = external.install_engine(name, home=home, pip_args=pip_args)
    version = external.engine_version(exe) or "unknown version"
    click.echo(f"{name}: {exe} ({version})")


@engines.command("list")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--bandit", "bandit", type=click.Path(path_type=Path), metavar="PATH",
              help="Bandit's executable or home folder, when not the default home.")
@click.option("--semgrep", "semgrep", type=click.Path(path_type=Path), metavar="PATH",
              help="Semgrep's executable or home folder, when not the default home.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), metavar="FILE",
              help="A shiftsec.yaml whose scanners.sast.bandit and scanners.sast.semgrep say where the engines are "
                   "(default: the one in the current folder, if any; --bandit and --semgrep win).")
def engines_list(fmt: str, bandit: Path | None, semgrep: Path | None, config_path: Path | None) -> None:
    """Show each external engine: installed or not, its version and its executable."""
    from shiftsec.policy.config import find_config, load_config
    from shiftsec.sast import external

    config_path = config_path or find_config(Path.cwd())
    paths = dict(load_config(config_path).scanner("sast").engine_paths) if config_path is not None else {}
    configured = {"bandit": bandit or paths.get("bandit"), "semgrep": semgrep or paths.get("semgrep")}
    rows = []
    for name in ENGINES:
        exe = external.find_engine(name, configured[name])
        version = external.engine_version(exe) if exe is not None else None
        where = configured[name] or external.default_home(name)
        rows.append({
            "name": name,
            "installed": exe is not None and version is not None,
            "version": version,
            "path": str(exe) if exe is not None else None,
            "home": str(where),
        })
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        if row["installed"]:
            click.echo(f"{row['name']:<8} installed      {row['version']}  {row['path']}")
        elif row["path"]:
            click.echo(f"{row['name']:<8} broken         `{row['path']} --version` fails: delete {row['home']} "
                       f"and run `shiftsec engines install {row['name']}`")
        else:
            click.echo(f"{row['name']:<8} not installed  (looked in {row['home']}; "
                       f"`shiftsec engines install {row['name']}`)")
