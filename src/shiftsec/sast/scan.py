"""Running the source-code scan: choose the files each engine covers and gather their findings and errors.

`scan_sast(root, files)` is the scanner's entry point: `files` are the paths (relative to `root`) the target's
walker listed; the built-in engines (Ruff, quality) get the Python ones (`.py`, `.pyw`; stubs hold no code). The
result keeps the findings (sorted by path, line, rule), the per-file errors and how many files were scanned.
An engine whose languages include "any" (Semgrep, which picks files by its rules' languages) gets every file.
When several engines run, findings of the same issue are merged (`shiftsec.imports.merge.merge`: same
fingerprint; the built-in engine's finding is kept, with every other engine in `sources`).

`engines_from_names` turns the names a user or a policy gives ("ruff", "quality", "bandit", "semgrep") into
engines; the external ones (`external`) must have been installed (`shiftsec engines install NAME`). External
engines run in threads beside the built-in ones; a file Ruff could not parse gets no quality finding (it is
Ruff's error already).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shiftsec.errors import InputError
from shiftsec.model import Finding, ScanError
from shiftsec.sast import quality, ruff_engine
from shiftsec.sast.engine import EngineResult, SastEngine

PYTHON_SUFFIXES = (".py", ".pyw")
BUILT_IN: tuple[SastEngine, ...] = (ruff_engine.ENGINE, quality.ENGINE)


@dataclass(frozen=True, slots=True)
class SastScan:
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    files: int  # files handed to an engine (including those it reported as errors)


def python_files(files: Sequence[str]) -> list[str]:
    return [f for f in files if f.lower().endswith(PYTHON_SUFFIXES)]


def scan_sast(root: Path, files: Sequence[str], engines: Sequence[SastEngine] = BUILT_IN) -> SastScan:
    """Scan `files` (relative to `root`) with `engines` (the built-in Ruff and quality engines by default)."""
    chosen = python_files(files)
    work = [(engine, list(files) if "any" in engine.languages else chosen if "python" in engine.languages
             else []) for engine in engines]
    work = [(engine, given) for engine, given in work if given]
    results = _run_all(root, work)
    # a file the built-in parser rejected (not Python 3, binary, too large) is Ruff's error: the quality
    # engine's findings on it would be noise
    broken = {e.path for (engine, _given), result in zip(work, results, strict=True)
              if engine.name == ruff_engine.NAME for e in result.errors if e.path != "."}
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for (engine, _given), result in zip(work, results, strict=True):
        if engine.name == quality.NAME and broken:
            findings.extend(f for f in result.findings if not (f.location and f.location.path in broken))
        else:
            findings.extend(result.findings)
        errors.extend(result.errors)
    if len(work) > 1:
        from shiftsec.imports.merge import merge
        from shiftsec.sast import external

        if any(engine.name == external.BANDIT for engine, _given in work):
            findings = external.join_statements(root, findings)
        findings = merge(findings)
    findings.sort(key=lambda f: (f.location.path if f.location else "", (f.location.line or 0) if f.location
                                 else 0, f.rule_id))
    scanned = {name for _engine, given in work for name in given}
    return SastScan(tuple(findings), tuple(errors), len(scanned | set(chosen)))


def _run_all(root: Path, work: Sequence[tuple[SastEngine, list[str]]]) -> list[EngineResult]:
    """Each engine's result, in order. External engines (Bandit, Semgrep: minutes of waiting on their own
    processes) run in threads while the built-in ones run here one after the other: two built-in engines side
    by side in threads would only fight over the interpreter lock (measured: slower than in turn)."""
    builtin = {ruff_engine.NAME, quality.NAME}
    if all(engine.name in builtin for engine, _given in work):
        return [engine.run(root, given) for engine, given in work]
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(work), thread_name_prefix="shiftsec-sast") as pool:
        futures: dict[int, Future[EngineResult]] = {
            i: pool.submit(engine.run, root, given) for i, (engine, given) in enumerate(work)
            if engine.name not in builtin}
        here = {i: engine.run(root, given) for i, (engine, given) in enumerate(work) if engine.name in builtin}
        return [here[i] if i in here else futures[i].result() for i in range(len(work))]


ENGINE_NAMES = ("ruff", "quality", "bandit", "semgrep")


def engines_from_names(names: Sequence[str], *, semgrep_rules: Sequence[Path] = (),
                       homes: Mapping[str, Path] | None = None, complexity: int | None = None,
                       duplicate_lines: int | None = None) -> list[SastEngine]:
    """The engines named: "ruff" (the built-in engine), "quality" (complexity and duplication, with these
    thresholds or the defaults), "bandit" and "semgrep" (installed in their own environments; `homes` maps a name
    to a configured executable or home folder, else the default home is used; Semgrep runs `semgrep_rules`, local
    files only). No names: the built-in engines. An unknown name, or an external engine that is not installed,
    is an `InputError`."""
    from shiftsec.sast import external

    chosen: list[SastEngine] = []
    wanted = list(dict.fromkeys(n.strip().lower() for n in names if n.strip())) or ["ruff", "quality"]
    for name in wanted:
        if name == "ruff":
            chosen.append(ruff_engine.ENGINE)
        elif name == "quality":
            chosen.append(quality.quality_engine(complexity or quality.DEFAULT_COMPLEXITY,
                                                 duplicate_lines or quality.DEFAULT_DUPLICATE_LINES)
                          if complexity or duplicate_lines else quality.ENGINE)
        elif name in external.PACKAGES:
            configured = (homes or {}).get(name)
            exe = external.find_engine(name, configured)
            if exe is None:
                where = f" at {configured}" if configured is not None else ""
                raise InputError(f"the {name} engine is not installed{where}",
                                 hint=f"run `shiftsec engines install {name}`")
            chosen.append(external.bandit_engine(exe) if name == external.BANDIT
                          else external.semgrep_engine(exe, semgrep_rules))
        else:
            raise InputError(f"unknown SAST engine {name!r}: expected one of {', '.join(ENGINE_NAMES)}")
    return chosen
