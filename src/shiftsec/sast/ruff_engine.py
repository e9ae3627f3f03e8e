"""The built-in Python engine: Ruff's security (`S`, its port of Bandit) and bug-prone quality rules, run as a
subprocess and normalised to findings with the severity, confidence and CWE of `rules.py`.

The `ruff` binary comes with the `ruff` Python package (a dependency of shiftsec): the one next to
`sys.executable`, else the one `ruff.__main__.find_ruff_bin()` finds. It runs as

    ruff check --no-cache --isolated --output-format json --exit-zero --preview
               --config lint.explicit-preview-rules=true --target-version py313 --select <rules.selection()> -- FILES

- `--isolated`: the scanned project's own Ruff configuration (ignores, per-file ignores, excludes) must not
  change what the security scan reports; `--no-cache`: nothing is written into the scanned tree.
- `--preview` with explicit preview rules: Bandit's import checks (S401 to S415) are preview rules in
  Ruff; only the rules named in the selection are enabled.
- `--target-version py313`: the newest version every Ruff ≥ 0.6 accepts, so that modern syntax (match,
  type parameters) is never reported as a syntax error.
- no `--force-exclude`: the target's walker already chose the files; Ruff must not drop some of them again
  (e.g. under `build/` or `dist/`).
- files go on the command line in batches (never stdin), relative to the scan root (Ruff runs in it).

Before Ruff runs, every file is checked: unreadable, over `MAX_BYTES` (generated files), holding NUL bytes
(binary) or not UTF-8 (Ruff reads UTF-8 only) → a `ScanError` and the file is not passed to Ruff. Ruff's
`invalid-syntax`/E9 results (syntax errors, Python 2 code) and its "Failed to lint" warnings become one
`ScanError` (kind "parse") per file, never findings; Ruff reports no other diagnostics for such a file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from shiftsec.model import ScanError, Severity
from shiftsec.sast import rules
from shiftsec.sast.engine import EngineResult, Issue, SastEngine, batches, to_findings

NAME = "ruff"
MAX_BYTES = 5 * 1024 * 1024  # larger .py files are generated (tables, bundles): skipped with an error
TARGET_VERSION = "py313"
BATCH_FILES = 2000
BATCH_CHARS = 60_000  # command line length per batch, far below ARG_MAX
TIMEOUT = 900.0  # seconds per batch
PARSE = "parse"
SKIPPED = "skipped"
ENGINE_ERROR = "engine"
_FAILED = re.compile(r"^(?:warning|error): Failed to lint (.+?): (.*)$")
_MASK = re.compile(r"mask `?(0o[0-7]+)`?")
_INT = re.compile(r"\b(\d{2,6})\b")
_MEMBERS = re.compile(r"\bmembers\s*=")
_MEMBERS_CALL = re.compile(r"\bmembers\s*=\s*[A-Za-z_][\w.]*\s*\(")
_CURVE = re.compile(r"SEC[PT](\d{3})", re.IGNORECASE)


@cache
def find_ruff() -> Path | None:
    """The `ruff` binary of the `ruff` package, or None when it is not installed."""
    beside = Path(sys.executable).parent / ("ruff.exe" if sys.platform == "win32" else "ruff")
    if beside.is_file():
        return beside
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

        found = Path(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return None
    return found if found.is_file() else None


def available() -> bool:
    return find_ruff() is not None


def command(ruff: Path, files: Sequence[str], select: Sequence[str] = ()) -> list[str]:
    return [
        str(ruff), "check", "--no-cache", "--isolated", "--output-format", "json", "--exit-zero", "--preview",
        "--config", "lint.explicit-preview-rules=true", "--target-version", TARGET_VERSION,
        "--select", ",".join(select or rules.selection()), "--", *files,
    ]


def run(root: Path, files: Sequence[str]) -> EngineResult:
    """Scan `files` (paths relative to `root`) with Ruff."""
    errors: list[ScanError] = []
    ready = [f for f in files if _check(root, f, errors)]
    ruff = find_ruff()
    if ruff is None:
        errors.append(ScanError(".", "ruff is not installed (pip install ruff)", ENGINE_ERROR))
        return EngineResult((), tuple(errors))
    base = root.resolve()
    diagnostics: list[Mapping[str, Any]] = []
    for batch in batches(ready, BATCH_FILES, BATCH_CHARS):
        diagnostics.extend(_run_batch(ruff, base, batch, errors))
    issues = _issues(base, diagnostics, errors)
    return EngineResult(to_findings(issues), tuple(sorted(errors, key=lambda e: (e.path, e.message))))


ENGINE = SastEngine(name=NAME, languages=("python",), available=available, run=run)


# --- before Ruff ---------------------------------------------------------------------------------------------


def _check(root: Path, rel: str, errors: list[ScanError]) -> bool:
    """True when `rel` can go to Ruff; otherwise an error says why it is skipped."""
    path = root / rel
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            errors.append(ScanError(rel, f"skipped: {size / 1e6:.1f} MB, over the {MAX_BYTES // 2**20} MiB limit "
                                         "for source files (generated?)", SKIPPED))
            return False
        data = path.read_bytes()
    except OSError as exc:
        errors.append(ScanError(rel, f"cannot read: {exc.strerror or exc}", PARSE))
        return False
    if b"\0" in data:
        errors.append(ScanError(rel, "skipped: binary content (NUL bytes), not Python source", SKIPPED))
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(ScanError(rel, f"not UTF-8 text (byte {exc.start}): not scanned (Ruff reads UTF-8 source "
                                     "only)", PARSE))
        return False
    return True


# --- running Ruff --------------------------------------------------------------------------------------------


def _run_batch(ruff: Path, base: Path, batch: list[str], errors: list[ScanError]) -> list[Mapping[str, Any]]:
    # "./" keeps a file named like an option ("-x.py") a path; `--` does the same on recent Ruff.
    args = [name if not name.startswith("-") else f"./{name}" for name in batch]
    select = rules.selection()
    try:
        proc = subprocess.run(command(ruff, args, select), cwd=base, capture_output=True, timeout=TIMEOUT,
                              check=False)
        stderr = proc.stderr.decode("utf-8", "replace")
        gone = _unknown_rules(stderr, select) if proc.returncode == 2 else set()
        if gone:  # another Ruff version removed or does not know some rules: scan with the others
            errors.append(ScanError(".", f"this Ruff cannot select {', '.join(sorted(gone))}: scanned without",
                                    ENGINE_ERROR))
            select = tuple(code for code in select if code not in gone)
            proc = subprocess.run(command(ruff, args, select), cwd=base, capture_output=True, timeout=TIMEOUT,
                                  check=False)
            stderr = proc.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        errors.extend(ScanError(name, f"ruff timed out after {TIMEOUT:.0f} s on this batch", ENGINE_ERROR)
                      for name in batch)
        return []
    except OSError as exc:
        errors.append(ScanError(".", f"cannot run ruff: {exc}", ENGINE_ERROR))
        return []
    for line in stderr.splitlines():
        if match := _FAILED.match(line.strip()):
            errors.append(ScanError(_rel(base, match.group(1)), f"ruff could not read it: {match.group(2)}", PARSE))
    try:
        doc = json.loads(proc.stdout or b"[]")
    except json.JSONDecodeError:
        doc = None
    if proc.returncode != 0 or not isinstance(doc, list):
        errors.append(ScanError(".", f"ruff failed (exit {proc.returncode}): {stderr.strip()[-500:]}", ENGINE_ERROR))
        return []
    return [d for d in doc if isinstance(d, dict)]


def _unknown_rules(stderr: str, select: Sequence[str]) -> set[str]:
    """The selected codes Ruff refuses ("removed and cannot be selected", "Unknown rule selector")."""
    named = set(re.findall(r"\b([A-Z]+[0-9]+)\b", stderr))
    return named & set(select) if "cannot be selected" in stderr or "nknown rule selector" in stderr else set()


def _rel(base: Path, name: str) -> str:
    path = Path(name)
    if path.is_absolute():
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix().removeprefix("./")


def _row(value: Any) -> int | None:
    row = value.get("row") if isinstance(value, dict) else None
    return row if isinstance(row, int) and not isinstance(row, bool) and row > 0 else None


def _is_parse_error(code: Any, name: Any) -> bool:
    return code is None or code == "invalid-syntax" or name == "invalid-syntax" or str(code).startswith("E9")


def _issues(base: Path, diagnostics: list[Mapping[str, Any]], errors: list[ScanError]) -> list[Issue]:
    broken: dict[str, list[str]] = {}
    kept: list[tuple[str, rules.Rule, Mapping[str, Any]]] = []
    for diag in diagnostics:
        path = _rel(base, str(diag.get("filename", "")))
        code, message = diag.get("code"), str(diag.get("message", ""))
        if _is_parse_error(code, diag.get("name")):
            row = _row(diag.get("location"))
            broken.setdefault(path, []).append(f"line {row}: {message}" if row else message)
            continue
        entry = rules.rule(str(code))
        if entry is not None:
            kept.append((path, entry, diag))
    for path, messages in broken.items():
        more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
        errors.append(ScanError(path, f"does not parse as Python 3: {messages[0]}{more}", PARSE))
    lines: dict[str, list[str]] = {}
    issues = []
    for path, entry, diag in kept:
        if path in broken:
            continue
        if path not in lines:
            lines[path] = _lines(base / path)
        issues.append(_issue(path, entry, diag, lines[path]))
    return issues


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _issue(path: str, entry: rules.Rule, diag: Mapping[str, Any], lines: list[str]) -> Issue:
    start = _row(diag.get("location"))
    end = _row(diag.get("end_location")) or start
    code = "\n".join(lines[start - 1:end]) if start is not None and end is not None else ""
    message = str(diag.get("message", "")) or entry.title
    remediation = entry.fix
    fix = diag.get("fix")
    if isinstance(fix, dict) and isinstance(fix.get("message"), str) and fix["message"]:
        remediation += f" Ruff can apply a fix (`ruff check --fix --unsafe-fixes` may be needed): {fix['message']}."
    url = diag.get("url")
    bandit = f"Bandit {entry.bandit_id}" if entry.bandit_id else "quality rule"
    return Issue(
        rule_id=entry.rule_id,
        title=entry.title,
        message=message,
        severity=refine(entry, message, code),
        confidence=entry.confidence,
        path=path,
        line=start,
        end_line=end,
        code=code,
        engine=NAME,
        cwes=(entry.cwe,) if entry.cwe else (),
        remediation=remediation,
        references=(url,) if isinstance(url, str) and url else (),
        description=f"{entry.title} (Ruff {entry.rule_id}, {bandit})",
    )


def refine(entry: rules.Rule, message: str, code: str) -> Severity:
    """Bandit's grade for the cases where one test has two (see `rules`): the table holds the graver one."""
    if entry.rule_id in ("S602", "S605") and "seems safe" in message:
        return Severity.LOW  # the command is a literal: Bandit rates it LOW
    if entry.rule_id == "S324" and "`crypt`" in message:
        return Severity.MEDIUM  # Bandit rates crypt.crypt/mksalt with a weak method MEDIUM, hashlib HIGH
    if entry.rule_id == "S202" and _MEMBERS.search(code):  # Bandit: HIGH without `members=`
        return Severity.LOW if _MEMBERS_CALL.search(code) else Severity.MEDIUM  # a filter function: LOW
    if entry.rule_id == "S103":
        match = _MASK.search(message)
        if match and not int(match.group(1), 8) & 0o002:
            return Severity.MEDIUM  # group-executable/-writable, not world-writable
    if entry.rule_id == "S505":
        if message.startswith("EC"):  # Bandit: HIGH below 160 bits, MEDIUM below 224 (the curve's size)
            curves = [int(n) for n in _CURVE.findall(code)]
            return Severity.HIGH if curves and min(curves) < 160 else Severity.MEDIUM
        sizes = [int(n) for n in _INT.findall(code) if 256 <= int(n) < 2048]
        if sizes and min(sizes) >= 1024:
            return Severity.MEDIUM  # RSA/DSA: HIGH below 1024 bits, MEDIUM below 2048
    return entry.severity
