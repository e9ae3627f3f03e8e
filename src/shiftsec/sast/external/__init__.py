"""Bandit and Semgrep as optional SAST engines, each run from its own virtual environment.

Both tools pin libraries that conflict with shiftsec's own (semgrep drags cyclonedx-python-lib down to 7.x), so
shiftsec never installs them into its environment.

- `install`: each engine's *home* (a virtual environment under `$XDG_CACHE_HOME/shiftsec/engines/<name>/`),
  `install_engine` (`shiftsec engines install NAME`) and `find_engine` (the configured executable or home, else
  the default home);
- `tool`: running one batch of files offline and reading its JSON report; a tool that cannot run, crashes,
  times out or writes something that is not its report is a `ScanError` of kind "engine" (per batch), never an
  exception: the scan goes on with the other engines and batches;
- `bandit`: `bandit_engine`, its findings aligned with the built-in engine's identity (`align`,
  `join_statements`) so the two merge;
- `semgrep`: `semgrep_engine` with local rule files only (`local_rules`), never the registry or the network.
"""

from shiftsec.sast.external.bandit import bandit_command, bandit_engine, join_statements
from shiftsec.sast.external.install import (
    BANDIT,
    PACKAGES,
    SEMGREP,
    SEMGREP_ENV,
    default_home,
    engine_version,
    engines_dir,
    executable_in,
    find_engine,
    install_engine,
)
from shiftsec.sast.external.semgrep import local_rules, semgrep_command, semgrep_engine

__all__ = [
    "BANDIT", "PACKAGES", "SEMGREP", "SEMGREP_ENV", "bandit_command", "bandit_engine", "default_home",
    "engine_version", "engines_dir", "executable_in", "find_engine", "install_engine", "join_statements",
    "local_rules", "semgrep_command", "semgrep_engine",
]
