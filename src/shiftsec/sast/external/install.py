"""Each external engine's *home*: a virtual environment of its own under `$XDG_CACHE_HOME/shiftsec/engines/<name>/`
(`~/.cache/...` without the variable), made by `install_engine` (`shiftsec engines install NAME`) with
`python -m venv` and `pip install bandit|semgrep`; or the user configures the tool's executable (or another home
folder) instead. `find_engine` says which executable a run uses: the configured one, else the one in the
default home, else None.

`install_engine` is idempotent: an existing home whose executable answers `--version` is reused as it is; one
whose executable does not answer is reported (an `InputError` saying to delete the folder), never silently
rebuilt; a folder without the executable (an interrupted install) is completed. When pip cannot reach the
package index the error is one line with a hint: install from a wheelhouse with
`--pip-arg=--find-links=DIR --pip-arg=--no-index`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from shiftsec.errors import InputError
from shiftsec.misconfig.render import _OFFLINE

BANDIT = "bandit"
SEMGREP = "semgrep"
PACKAGES: Mapping[str, str] = {BANDIT: "bandit", SEMGREP: "semgrep"}  # engine name → PyPI project
INSTALL_TIMEOUT = 1800.0
VERSION_TIMEOUT = 120.0  # semgrep's first start is slow
SEMGREP_ENV: Mapping[str, str] = {
    **_OFFLINE, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0",
}
_OFFLINE_WORDS = ("connection", "network is unreachable", "temporary failure in name resolution",
                  "could not find a version", "no matching distribution", "max retries", "proxy")
_WINDOWS = sys.platform == "win32"


def engines_dir() -> Path:
    """`$XDG_CACHE_HOME/shiftsec/engines` (`~/.cache/shiftsec/engines` without the variable)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "shiftsec" / "engines"


def default_home(name: str) -> Path:
    return engines_dir() / _known(name)


def executable_in(home: Path, name: str) -> Path:
    """The tool's executable inside the virtual environment `home`."""
    return home / "Scripts" / f"{name}.exe" if _WINDOWS else home / "bin" / name


def find_engine(name: str, configured: Path | None = None) -> Path | None:
    """The executable to run for engine `name`: `configured` (an executable, or a home folder holding a virtual
    environment) when given, else the one in the default home; None when there is none. The path returned is
    absolute (engines run in the scan root)."""
    _known(name)
    if configured is not None:
        configured = configured.expanduser().absolute()
        candidate = executable_in(configured, name) if configured.is_dir() else configured
        return candidate if runnable(candidate) else None
    candidate = executable_in(default_home(name), name)
    return candidate if runnable(candidate) else None


def engine_version(executable: Path) -> str | None:
    """The first line `executable --version` prints, or None when it does not run or fails."""
    try:
        proc = subprocess.run([str(executable), "--version"], capture_output=True, timeout=VERSION_TIMEOUT,
                              check=False, env={**os.environ, **SEMGREP_ENV})
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = (proc.stdout or proc.stderr).decode("utf-8", "replace").strip()
    return out.splitlines()[0].strip() if proc.returncode == 0 and out else None


def install_engine(name: str, *, home: Path | None = None, pip_args: Sequence[str] = ()) -> Path:
    """Install engine `name` ("bandit" or "semgrep") into its own virtual environment `home` (default:
    `default_home(name)`) and return its executable. A working install is reused; a broken one is an
    `InputError`; pip failures are one-line `InputError`s with a hint."""
    package = PACKAGES[_known(name)]
    home = (home or default_home(name)).expanduser().absolute()
    exe = executable_in(home, name)
    if exe.exists():
        if engine_version(exe) is not None:
            return exe
        raise InputError(f"{name} in {home} is broken: `{exe} --version` fails",
                         hint=f"delete {home} and run `shiftsec engines install {name}` again")
    python = home / ("Scripts/python.exe" if _WINDOWS else "bin/python")
    if home.exists() and not home.is_dir():
        raise InputError(f"{home} is a file, not a folder: will not install {name} there",
                         hint="choose an empty folder or a new path")
    if not python.exists():
        if home.exists() and any(home.iterdir()) and not (home / "pyvenv.cfg").exists():
            raise InputError(f"{home} exists and is not a virtual environment: will not install {name} there",
                             hint="choose an empty folder or delete it")
        _step([sys.executable, "-m", "venv", str(home)], f"cannot create a virtual environment in {home}", name)
    _step([str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *pip_args, package],
          f"pip could not install {package}", name)
    if engine_version(exe) is None:
        raise InputError(f"{name} was installed in {home} but `{exe} --version` fails",
                         hint=f"delete {home} and run `shiftsec engines install {name}` again")
    return exe


def _step(argv: list[str], failure: str, name: str) -> None:
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=INSTALL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"{failure}: no answer after {INSTALL_TIMEOUT:.0f} s",
                         hint=_WHEELHOUSE.format(name=name)) from exc
    except OSError as exc:
        raise InputError(f"{failure}: {exc}") from exc
    if proc.returncode == 0:
        return
    output = (proc.stderr or proc.stdout).decode("utf-8", "replace")
    lines = [x.strip() for x in output.splitlines() if x.strip() and not x.lstrip().startswith("WARNING:")]
    last = lines[-1] if lines else f"exit {proc.returncode}"
    if any(word in output.lower() for word in _OFFLINE_WORDS):
        raise InputError(f"{failure}: no index or folder of wheels pip can reach offers it ({last[:200]})",
                         hint=_WHEELHOUSE.format(name=name))
    raise InputError(f"{failure}: {last[:300]}")


_WHEELHOUSE = ("offline? install from a folder of wheels: shiftsec engines install {name} "
               "--pip-arg=--find-links=DIR --pip-arg=--no-index")


def _known(name: str) -> str:
    if name not in PACKAGES:
        raise InputError(f"unknown external engine {name!r}: expected one of {', '.join(PACKAGES)}")
    return name


def runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
