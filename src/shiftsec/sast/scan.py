"""Running the source-code scan: choose the files each engine covers and gather their findings and errors.

`scan_sast(root, files)` is the scanner's entry point: `files` are the paths (relative to `root`) the target's
walker listed; the built-in engine (Ruff) gets the Python ones (`.py`, `.pyw`; stubs hold no code). The result
keeps the findings (sorted by path, line, rule), the per-file errors and how many files were scanned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shiftsec.model import Finding, ScanError
from shiftsec.sast import ruff_engine
from shiftsec.sast.engine import SastEngine

PYTHON_SUFFIXES = (".py", ".pyw")
BUILT_IN: tuple[SastEngine, ...] = (ruff_engine.ENGINE,)


@dataclass(frozen=True, slots=True)
class SastScan:
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    files: int  # files handed to an engine (including those it reported as errors)


def python_files(files: Sequence[str]) -> list[str]:
    return [f for f in files if f.lower().endswith(PYTHON_SUFFIXES)]


def scan_sast(root: Path, files: Sequence[str], engines: Sequence[SastEngine] = BUILT_IN) -> SastScan:
    """Scan `files` (relative to `root`) with `engines` (the built-in Ruff engine by default)."""
    findings: list[Finding] = []
    errors: list[ScanError] = []
    chosen = python_files(files)
    for engine in engines:
        if "python" not in engine.languages or not chosen:
            continue
        result = engine.run(root, chosen)
        findings.extend(result.findings)
        errors.extend(result.errors)
    findings.sort(key=lambda f: (f.location.path if f.location else "", (f.location.line or 0) if f.location
                                 else 0, f.rule_id))
    return SastScan(tuple(findings), tuple(errors), len(chosen))
