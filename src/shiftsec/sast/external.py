"""Bandit and Semgrep as optional SAST engines, each run from its own virtual environment.

Both tools pin libraries that conflict with shiftsec's own (semgrep drags cyclonedx-python-lib down to 7.x), so
shiftsec never installs them into its environment. Each engine has a *home*, a virtual environment of its own
under `$XDG_CACHE_HOME/shiftsec/engines/<name>/` (`~/.cache/...` without the variable), made by
`install_engine` (`shiftsec engines install NAME`) with `python -m venv` and `pip install bandit|semgrep`;
or the user configures the tool's executable (or another home folder) instead. `find_engine` says which
executable a run uses: the configured one, else the one in the default home, else None.

`install_engine` is idempotent: an existing home whose executable answers `--version` is reused as it is; one
whose executable does not answer is reported (an `InputError` saying to delete the folder), never silently
rebuilt; a folder without the executable (an interrupted install) is completed. When pip cannot reach the
package index the error is one line with a hint: install from a wheelhouse with
`--pip-arg=--find-links=DIR --pip-arg=--no-index`.

Engines (`SastEngine`s, see `engine`):

- `bandit_engine(executable)`: `bandit -f json -q -o REPORT -- FILES…` in batches, in the scan root (exit 1
  only means issues were found). Bandit's defaults otherwise: every severity and confidence, `# nosec` honoured,
  no configuration file read (files are named, not walked). Its JSON is read by `shiftsec.imports.bandit`
  (the same mapping as `--import`), then each finding's identity is aligned with the built-in engine's: the
  fingerprint is the one the Ruff engine gives the same issue (`sast`, Ruff's code for the Bandit test when
  Ruff ports it, else Bandit's id, path, hash of the flagged line), and Ruff's code becomes an alias. So when
  both engines run, Bandit's B602 and Ruff's S602 on the same line are one finding (`merge`), listed with
  `sources == ("bandit",)` (shiftsec itself is implicit), and a baseline keeps its meaning whichever engine
  reports the issue. Bandit's line range covers the whole statement where Ruff flags a part of it, so the
  fingerprint hashes Bandit's first line only: it equals Ruff's when Ruff flags one line (the usual case). When
  the two name different lines of one statement, `join_statements` (run by `scan_sast` before merging) gives
  the Bandit finding the fingerprint of the Ruff finding of the same test in that statement. The files
  Bandit could not parse are `ScanError`s of kind "parse" (Ruff reports them too).
- `semgrep_engine(executable, rules)`: `semgrep scan --config RULE… --json --metrics=off
  --disable-version-check --no-git-ignore --no-rewrite-rule-ids --quiet -- FILES…` (`semgrep_command`).
  Only local rule files or folders: a URL, and any `--config` that is not an existing local path (a registry
  name such as `p/python`, `auto`) is refused, and rule paths are passed absolute so Semgrep can never read one
  as a registry id. `--no-git-ignore`: the target's walker already chose the files (honouring `.gitignore`);
  Semgrep must not drop some of them again. `--no-rewrite-rule-ids`: rule ids stay as written, not prefixed
  with the rule file's folder (which would change with the checkout's location). The environment adds
  `SEMGREP_SEND_METRICS=off`, `SEMGREP_ENABLE_VERSION_CHECK=0` and proxies pointing at a closed local port (the
  misconfiguration renderer's setting), so a run can never wait on the network. Its JSON is read by
  `shiftsec.imports.semgrep`; as Semgrep without a login reports neither its fingerprint nor the matched lines
  ("requires login"), the fingerprint is rebuilt from the flagged lines read from the file (`sast`, rule id,
  path, hash of the lines, "#2"… for identical ones), so it survives line moves like the built-in engine's.
  Semgrep gets every file of the scan (it picks by its rules' languages); its errors about a scanned file are
  kind "parse", the others (a rule it cannot read) kind "engine".

A tool that cannot run, crashes, times out or writes something that is not its JSON report is a `ScanError`
of kind "engine" (per batch), never an exception: the scan goes on with the other engines and batches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from shiftsec.errors import InputError
from shiftsec.imports._common import Occurrences, snippet_key
from shiftsec.misconfig.render import _OFFLINE
from shiftsec.model import Finding, ScanError, fingerprint
from shiftsec.sast import rules
from shiftsec.sast.engine import EngineResult, SastEngine, batches

BANDIT = "bandit"
SEMGREP = "semgrep"
PACKAGES: Mapping[str, str] = {BANDIT: "bandit", SEMGREP: "semgrep"}  # engine name → PyPI project
ENGINE_ERROR = "engine"
PARSE = "parse"
TIMEOUT = 900.0  # seconds per batch
INSTALL_TIMEOUT = 1800.0
VERSION_TIMEOUT = 120.0  # semgrep's first start is slow
BATCH_FILES = 500
BATCH_CHARS = 60_000
SEMGREP_ENV: Mapping[str, str] = {
    **_OFFLINE, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0",
}
_OFFLINE_WORDS = ("connection", "network is unreachable", "temporary failure in name resolution",
                  "could not find a version", "no matching distribution", "max retries", "proxy")
_WINDOWS = sys.platform == "win32"


# --- homes and installation ----------------------------------------------------------------------------------


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
        return candidate if _runnable(candidate) else None
    candidate = executable_in(default_home(name), name)
    return candidate if _runnable(candidate) else None


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


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


# --- running a tool ------------------------------------------------------------------------------------------


def _args(batch: Sequence[str]) -> list[str]:
    return [name if not name.startswith("-") else f"./{name}" for name in batch]


def _run(tool: str, argv: list[str], root: Path, errors: list[ScanError], ok: tuple[int, ...],
         *, keep_report: bool = False) -> bytes | None:
    """Run one batch; its stdout, or None after recording why it failed. With `keep_report`, an exit code not
    in `ok` still returns stdout when it is a JSON report that lists errors (Semgrep explains itself there)."""
    try:
        proc = subprocess.run(argv, cwd=root, capture_output=True, timeout=TIMEOUT, check=False,
                              env={**os.environ, **SEMGREP_ENV}, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        errors.append(ScanError(".", f"{tool} timed out after {TIMEOUT:.0f} s on a batch of files", ENGINE_ERROR))
        return None
    except OSError as exc:
        errors.append(ScanError(".", f"cannot run {tool}: {exc.strerror or exc}", ENGINE_ERROR))
        return None
    if proc.returncode not in ok and keep_report and _lists_errors(proc.stdout):
        return proc.stdout
    if proc.returncode not in ok:
        tail = proc.stderr.decode("utf-8", "replace").strip().replace("\n", " ")[-300:]
        errors.append(ScanError(".", f"{tool} failed (exit {proc.returncode}){': ' + tail if tail else ''}",
                                ENGINE_ERROR))
        return None
    return proc.stdout


def _lists_errors(data: bytes) -> bool:
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return isinstance(doc, dict) and isinstance(doc.get("results"), list) and bool(doc.get("errors"))


def _report(tool: str, data: bytes | None, errors: list[ScanError]) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        errors.append(ScanError(".", f"{tool} did not write its JSON report: {data[:200]!r}", ENGINE_ERROR))
        return None
    return doc


def _kinds(errors: Sequence[ScanError], batch: Sequence[str]) -> list[ScanError]:
    """The tool's own errors: kind "parse" for a file of the batch it could not read, else "engine"."""
    names = {name.removeprefix("./") for name in batch}
    return [replace(e, kind=PARSE if e.path in names else ENGINE_ERROR) for e in errors]


def _missing(tool: str, executable: Path) -> EngineResult:
    return EngineResult((), (ScanError(".", f"{tool} not found at {executable}: run `shiftsec engines install "
                                            f"{tool}`", ENGINE_ERROR),))


# --- Bandit --------------------------------------------------------------------------------------------------

_RUFF_CODE = {rule.bandit_id: rule.rule_id for rule in rules.RULES if rule.bandit_id}


def bandit_command(executable: Path, output: Path, files: Sequence[str]) -> list[str]:
    return [str(executable), "-f", "json", "-q", "-o", str(output), "--", *files]


def bandit_engine(executable: Path) -> SastEngine:
    executable = executable.absolute()  # it runs in the scan root

    def run(root: Path, files: Sequence[str]) -> EngineResult:
        if not _runnable(executable):
            return _missing(BANDIT, executable)
        from shiftsec.imports.bandit import from_document

        base = root.resolve()
        findings: list[Finding] = []
        errors: list[ScanError] = []
        with tempfile.TemporaryDirectory(prefix="shiftsec-bandit-") as tmp:
            report = Path(tmp) / "bandit.json"
            for batch in batches(files, BATCH_FILES, BATCH_CHARS):
                report.unlink(missing_ok=True)
                if _run(BANDIT, bandit_command(executable, report, _args(batch)), base, errors, (0, 1)) is None:
                    continue
                data = report.read_bytes() if report.is_file() else b""
                doc = _report(BANDIT, data, errors)
                if doc is not None:
                    imported = from_document(doc, BANDIT, str(base))
                    findings.extend(imported.findings)
                    errors.extend(_kinds(imported.errors, batch))
        return EngineResult(align(base, findings), tuple(sorted(set(errors), key=lambda e: (e.path, e.message))))

    return SastEngine(name=BANDIT, languages=("python",), available=lambda: _runnable(executable), run=run)


def align(root: Path, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Bandit's findings with the identity the built-in engine gives the same issue: the fingerprint of Ruff's
    code for the test (Bandit's id when Ruff has no port), and Ruff's code as an alias."""
    occurrences = Occurrences()
    lines: dict[str, list[str]] = {}

    def order(f: Finding) -> tuple[str, int, str]:
        return (f.location.path if f.location else "", (f.location.line or 0) if f.location else 0,
                _RUFF_CODE.get(f.rule_id, f.rule_id))

    aligned = []
    for finding in sorted(findings, key=order):
        path, start = (finding.location.path, finding.location.line) if finding.location else ("", None)
        code = ""
        if start is not None and path:
            if path not in lines:
                lines[path] = _lines(root / path)
            code = "\n".join(lines[path][start - 1:start])
        rule_id = _RUFF_CODE.get(finding.rule_id, finding.rule_id)
        key = "snippet:" + snippet_key(code) if code.strip() else "no-snippet"
        key += occurrences(rule_id, path, key)
        aliases = tuple(dict.fromkeys([*finding.aliases, *([rule_id] if rule_id != finding.rule_id else [])]))
        aligned.append(replace(finding, fingerprint=fingerprint("sast", rule_id, path, key), aliases=aliases))
    return tuple(aligned)


def join_statements(root: Path, findings: Sequence[Finding]) -> list[Finding]:
    """`findings` of several engines, each Bandit finding that shares its fingerprint with no other finding
    given the fingerprint of the built-in engine's finding of the same test in the same statement (a logical
    line, `quality.source.logical_lines`), when that one is alone too: the two tools name different lines of one
    statement (Bandit the line of `shell=True`, Ruff the call's first line; Ruff a whole multi-line string,
    Bandit its first line), and `merge` then makes them one finding. Each Ruff finding takes one Bandit finding
    at most, the first in file order."""
    from bisect import bisect_right
    from collections import Counter

    from shiftsec.sast.quality.source import LogicalLine, logical_lines

    prints = Counter(f.fingerprint for f in findings)
    ported = set(_RUFF_CODE.values())
    alone: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.location is not None and f.location.line is not None and f.rule_id in ported \
                and prints[f.fingerprint] == 1:
            alone.setdefault((f.location.path, f.rule_id), []).append(f)
    statements: dict[str, tuple[list[int], list[LogicalLine]]] = {}

    def statement(path: str, line: int) -> tuple[int, int]:
        if path not in statements:
            parsed = logical_lines("\n".join(_lines(root / path)))
            statements[path] = ([x[0] for x in parsed], parsed)
        starts, parsed = statements[path]
        i = bisect_right(starts, line) - 1
        return (parsed[i][0], parsed[i][1]) if i >= 0 and parsed[i][1] >= line else (line, line)

    out = []
    for f in findings:
        code = _RUFF_CODE.get(f.rule_id)
        if code is None or f.location is None or f.location.line is None or prints[f.fingerprint] > 1 \
                or not alone.get((f.location.path, code)):
            out.append(f)
            continue
        first, last = statement(f.location.path, f.location.line)
        candidates = alone[f.location.path, code]
        match = next((r for r in candidates if r.location is not None and r.location.line is not None
                      and first <= r.location.line <= last), None)
        if match is not None:
            candidates.remove(match)
        out.append(f if match is None else replace(f, fingerprint=match.fingerprint))
    return out


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return []


# --- Semgrep -------------------------------------------------------------------------------------------------


def relocate(root: Path, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Semgrep's findings with a fingerprint built from the flagged lines read from the file (the CLI without a
    login reports neither its fingerprint nor the lines); findings without a readable line keep theirs."""
    occurrences = Occurrences()
    lines: dict[str, list[str]] = {}

    def order(f: Finding) -> tuple[str, int, str]:
        return (f.location.path if f.location else "", (f.location.line or 0) if f.location else 0, f.rule_id)

    relocated = []
    for finding in sorted(findings, key=order):
        location = finding.location
        if location is None or location.line is None or not location.path:
            relocated.append(finding)
            continue
        if location.path not in lines:
            lines[location.path] = _lines(root / location.path)
        code = "\n".join(lines[location.path][location.line - 1:location.end_line or location.line])
        if not code.strip():
            relocated.append(finding)
            continue
        key = "snippet:" + snippet_key(code)
        key += occurrences(finding.rule_id, location.path, key)
        relocated.append(replace(finding, fingerprint=fingerprint("sast", finding.rule_id, location.path, key)))
    return tuple(relocated)



def local_rules(rules_paths: Sequence[Path]) -> list[Path]:
    """`rules_paths` made absolute, after checking each is an existing local file or folder; anything else (a
    registry name, `auto`, a URL) is an `InputError`: shiftsec never fetches Semgrep rules."""
    if not rules_paths:
        raise InputError("semgrep needs local rule files: none were given",
                         hint="pass the security team's Semgrep rule files (YAML) or a folder of them")
    checked = []
    for value in rules_paths:
        text = str(value)
        if "://" in text or not text.strip() or not Path(text).exists():
            raise InputError(f"semgrep rules {text!r}: not an existing local file or folder (shiftsec never uses "
                             "the Semgrep registry or URLs)", hint="download the rules once and pass their path")
        checked.append(Path(text).resolve())
    return checked


def semgrep_command(executable: Path, rules_paths: Sequence[Path], files: Sequence[str]) -> list[str]:
    """The command line a Semgrep batch runs (refuses non-local rules, see `local_rules`)."""
    configs = [arg for path in local_rules(rules_paths) for arg in ("--config", str(path))]
    return [str(executable), "scan", *configs, "--json", "--metrics=off", "--disable-version-check",
            "--no-git-ignore", "--no-rewrite-rule-ids", "--quiet", "--", *files]


def semgrep_engine(executable: Path, rules_paths: Sequence[Path]) -> SastEngine:
    checked = local_rules(rules_paths)
    executable = executable.absolute()  # it runs in the scan root

    def run(root: Path, files: Sequence[str]) -> EngineResult:
        if not _runnable(executable):
            return _missing(SEMGREP, executable)
        from shiftsec.imports.semgrep import from_document

        base = root.resolve()
        findings: list[Finding] = []
        errors: list[ScanError] = []
        for batch in batches(files, BATCH_FILES, BATCH_CHARS):
            # exit 0: done; 1: findings with --error; 2 and up: Semgrep's errors, listed in its JSON when it wrote it
            data = _run(SEMGREP, semgrep_command(executable, checked, _args(batch)), base, errors, (0, 1),
                        keep_report=True)
            doc = _report(SEMGREP, data, errors)
            if doc is not None:
                imported = from_document(doc, SEMGREP, str(base))
                findings.extend(imported.findings)
                errors.extend(_kinds(imported.errors, batch))
        return EngineResult(relocate(base, findings), tuple(sorted(set(errors), key=lambda e: (e.path, e.message))))

    return SastEngine(name=SEMGREP, languages=("any",), available=lambda: _runnable(executable), run=run)
