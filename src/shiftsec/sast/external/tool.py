"""Running an external tool over the scan's files, batch by batch, offline, and reading its JSON reports
(`run_tool`, which both engines use).

Every run has the environment of `install.SEMGREP_ENV` (Semgrep's metrics and version check off, proxies
pointing at a closed local port), no standard input and a time limit per batch (`TIMEOUT`). A tool that cannot
run, crashes, times out or writes something that is not its JSON report is a `ScanError` of kind "engine",
never an exception; the tool's own errors about a file of the batch are kind "parse".
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from shiftsec.imports._common import Imported
from shiftsec.model import Finding, ScanError
from shiftsec.sast.engine import EngineResult, batches
from shiftsec.sast.external.install import SEMGREP_ENV, runnable

ENGINE_ERROR = "engine"
PARSE = "parse"
TIMEOUT = 900.0  # seconds per batch
BATCH_FILES = 500
BATCH_CHARS = 60_000


def safe_names(batch: Sequence[str]) -> list[str]:
    return [name if not name.startswith("-") else f"./{name}" for name in batch]


def run_batch(tool: str, argv: list[str], root: Path, errors: list[ScanError], ok: tuple[int, ...],
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


def read_report(tool: str, data: bytes | None, errors: list[ScanError]) -> dict[str, Any] | None:
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


def classify_errors(errors: Sequence[ScanError], batch: Sequence[str]) -> list[ScanError]:
    """The tool's own errors: kind "parse" for a file of the batch it could not read, else "engine"."""
    names = {name.removeprefix("./") for name in batch}
    return [replace(e, kind=PARSE if e.path in names else ENGINE_ERROR) for e in errors]


def missing(tool: str, executable: Path) -> EngineResult:
    return EngineResult((), (ScanError(".", f"{tool} not found at {executable}: run `shiftsec engines install "
                                            f"{tool}`", ENGINE_ERROR),))


def file_lines(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return []


def run_tool(tool: str, executable: Path, root: Path, files: Sequence[str],
             command: Callable[[Sequence[str], Path], list[str]],
             read: Callable[[Mapping[str, Any], str, str], Imported], *, ok: tuple[int, ...],
             to_file: bool = False, keep_report: bool = False) -> EngineResult:
    """`executable` over `files` in batches, in `root`: `command(names, report)` is one batch's command line
    (with `to_file` the tool writes its JSON to `report`, else to stdout), `read(doc, tool, root)` reads a
    report. The findings come back as the report gives them; errors sorted and without repeats."""
    if not runnable(executable):
        return missing(tool, executable)
    findings: list[Finding] = []
    errors: list[ScanError] = []
    with tempfile.TemporaryDirectory(prefix=f"shiftsec-{tool}-") as tmp:
        report = Path(tmp) / f"{tool}.json"
        for batch in batches(files, BATCH_FILES, BATCH_CHARS):
            report.unlink(missing_ok=True)
            data = run_batch(tool, command(safe_names(batch), report), root, errors, ok, keep_report=keep_report)
            if data is not None and to_file:
                data = report.read_bytes() if report.is_file() else b""
            doc = read_report(tool, data, errors)
            if doc is not None:
                imported = read(doc, tool, str(root))
                findings.extend(imported.findings)
                errors.extend(classify_errors(imported.errors, batch))
    return EngineResult(tuple(findings), tuple(sorted(set(errors), key=lambda e: (e.path, e.message))))
