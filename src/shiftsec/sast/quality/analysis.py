"""The quality engine: findings from the two metrics, and the work shared among processes.

A function over the complexity threshold is a MEDIUM finding (CWE-1121) at its `def` line to its last line;
its fingerprint is (rule, path, qualified name), with "#2"… for a name defined again in the same file, so
moving a function keeps its identity and only a function that becomes too complex is new under `--diff-base`.
A duplicated run is one LOW finding (CWE-1041) at the later copy ("lines 10-25 duplicate app/b.py:40-55"); its
fingerprint is (rule, path, hash of the block's line keys).

Quality findings never reach the default policy's `>= high`. A policy turns them into quality-gate conditions
with a fail rule on `rule: quality-*` and a `max_allowed` count, on new code only (`new_only`, `--diff-base`);
see docs/code-quality.md.

From `PARALLEL_FILES` files on, the per-file work (reading, complexity, line keys) is shared among forked
workers, one per core, when this process runs no other thread; duplicates are then found across all files here.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from array import array
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from shiftsec.model import Finding, Severity, fingerprint
from shiftsec.sast.engine import EngineResult, Issue, SastEngine, to_finding
from shiftsec.sast.quality.complexity import complexities
from shiftsec.sast.quality.duplication import block_key, duplicates, keyed
from shiftsec.sast.quality.source import LogicalLine, logical_lines, read_source

NAME = "quality"
COMPLEXITY_RULE = "quality-complexity"
DUPLICATION_RULE = "quality-duplication"
DEFAULT_COMPLEXITY = 15
DEFAULT_DUPLICATE_LINES = 10
PARALLEL_FILES = 200  # from this many files on, the per-file work is shared among forked processes
_COMPLEXITY_FIX = ("Split it into smaller functions, each doing one thing; replace long if/elif chains with a "
                   "lookup table or polymorphism, and return early instead of nesting.")
_DUPLICATION_FIX = ("Extract the shared code into one function (or class) and call it from both places, so a "
                    "fix is made once.")


_RULES = {  # rule id -> title, severity, remediation, description, CWE
    COMPLEXITY_RULE: ("Function too complex", Severity.MEDIUM, _COMPLEXITY_FIX,
                      "Cyclomatic complexity (McCabe, counted as radon does) over the quality gate's threshold",
                      1121),  # CWE-1121: Excessive McCabe Cyclomatic Complexity
    DUPLICATION_RULE: ("Duplicated block", Severity.LOW, _DUPLICATION_FIX,
                       "A block of code repeated elsewhere (compared line by line, string literals, spacing and "
                       "comments ignored)", 1041),  # CWE-1041: Use of Redundant Code
}


def _finding(rule_id: str, message: str, path: str, lines: tuple[int, int], identity: str,
             seen: dict[tuple[str, str], int]) -> Finding:
    """A quality finding, its fingerprint (rule, path, `identity`) told apart from an earlier one of the same
    identity in the file by "#2", "#3"…"""
    title, severity, remediation, description, cwe = _RULES[rule_id]
    seen[path, identity] = count = seen.get((path, identity), 0) + 1
    issue = Issue(rule_id=rule_id, title=title, message=message, severity=severity, confidence="", path=path,
                  line=lines[0], end_line=lines[1], code="", engine=NAME, remediation=remediation,
                  description=description, cwes=(cwe,))
    key = identity + ("" if count == 1 else f"#{count}")
    return replace(to_finding(issue), fingerprint=fingerprint("sast", rule_id, path, key))


def _complexity_findings(path: str, lines: Sequence[LogicalLine], threshold: int) -> list[Finding]:
    findings = []
    seen: dict[tuple[str, str], int] = {}
    for func in complexities(lines):
        identity = "function:" + func.name
        if func.complexity <= threshold:
            seen[path, identity] = seen.get((path, identity), 0) + 1  # a later namesake is still "#2"
            continue
        findings.append(_finding(
            COMPLEXITY_RULE, f"`{func.name}` has cyclomatic complexity {func.complexity} (threshold {threshold})",
            path, (func.line, func.end_line), identity, seen))
    return findings



def _duplication_findings(paths: Sequence[str], keys: Sequence[Sequence[int]],
                          spans: Sequence[Sequence[int]], size: int) -> list[Finding]:
    """`spans[i]` holds file i's counted lines as first line, last line, first line, last line…"""
    findings = []
    seen: dict[tuple[str, str], int] = {}
    for dup in duplicates(keys, size):
        path, mine, theirs = paths[dup.index], spans[dup.index], spans[dup.origin]
        line, end = mine[2 * dup.start], mine[2 * dup.end + 1]
        origin = f"{paths[dup.origin]}:{theirs[2 * dup.origin_start]}-{theirs[2 * dup.origin_end + 1]}"
        findings.append(_finding(
            DUPLICATION_RULE, f"lines {line}-{end} duplicate {origin} ({dup.end - dup.start + 1} logical lines)",
            path, (line, end), "block:" + block_key(keys[dup.index][dup.start:dup.end + 1]), seen))
    return findings



class _Part(NamedTuple):
    """What one worker measured of its share of the files. It comes back from a child process, so the per-line
    data are arrays (pickled as bytes): each file's line keys, and its spans as first line, last line, …"""

    findings: list[Finding]
    paths: list[str]
    keys: list[array[int]]
    spans: list[array[int]]


def _measure(root: Path, files: Sequence[str], complexity: int) -> _Part:
    """Complexity findings, and duplication keys and spans, of `files` in the order given."""
    part = _Part([], [], [], [])
    for rel in files:
        text = read_source(root / rel)
        if text is None:
            continue  # the Ruff engine reports it
        lines = logical_lines(text)
        part.findings.extend(_complexity_findings(rel, lines, complexity))
        part.paths.append(rel)
        keys, spans = keyed(lines)
        part.keys.append(keys)
        part.spans.append(spans)
    return part


def _shares(root: Path, files: Sequence[str], count: int) -> list[list[str]]:
    """`files` cut into `count` consecutive shares of about the same number of bytes."""
    sizes = []
    for rel in files:
        try:
            sizes.append((root / rel).stat().st_size)
        except OSError:
            sizes.append(0)
    total = sum(sizes) or 1
    shares: list[list[str]] = [[] for _ in range(count)]
    done = 0
    for rel, size in zip(files, sizes, strict=True):
        shares[min(count - 1, done * count // total)].append(rel)
        done += size
    return [share for share in shares if share]


def _measure_all(root: Path, files: Sequence[str], complexity: int) -> list[_Part]:
    """`_measure` over `files`, in forked worker processes (one per core) when the tree is large, this process
    runs no other thread (forking beside threads can deadlock) and fork exists; else here."""
    cores = os.cpu_count() or 1
    if (len(files) < PARALLEL_FILES or cores < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [_measure(root, files, complexity)]
    shares = _shares(root, files, cores)
    context = multiprocessing.get_context("fork")
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=len(shares), mp_context=context) as pool:
            return list(pool.map(_measure, [root] * len(shares), shares, [complexity] * len(shares)))
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        return [_measure(root, files, complexity)]  # no process to spare: the same work here


def analyse(root: Path, files: Sequence[str], complexity: int = DEFAULT_COMPLEXITY,
            duplicate_lines: int = DEFAULT_DUPLICATE_LINES) -> EngineResult:
    """Complexity and duplication findings for `files` (paths relative to `root`), sorted by path and line."""
    paths: list[str] = []
    keys: list[array[int]] = []
    spans: list[array[int]] = []
    findings: list[Finding] = []
    for part in _measure_all(root, sorted(dict.fromkeys(files)), complexity):
        findings.extend(part.findings)
        paths.extend(part.paths)
        keys.extend(part.keys)
        spans.extend(part.spans)
    findings.extend(_duplication_findings(paths, keys, spans, duplicate_lines))
    findings.sort(key=lambda f: (f.location.path if f.location else "",
                                 (f.location.line or 0) if f.location else 0, f.rule_id))
    return EngineResult(tuple(findings), ())


def quality_engine(complexity: int = DEFAULT_COMPLEXITY,
                   duplicate_lines: int = DEFAULT_DUPLICATE_LINES) -> SastEngine:
    """The quality engine with these thresholds: functions over `complexity` and duplicated runs of at least
    `duplicate_lines` logical lines are reported."""
    if complexity < 1 or duplicate_lines < 1:
        raise ValueError("quality thresholds must be at least 1")

    def run(root: Path, files: Sequence[str]) -> EngineResult:
        return analyse(root, files, complexity, duplicate_lines)

    return SastEngine(name=NAME, languages=("python",), available=lambda: True, run=run)


ENGINE = quality_engine()
