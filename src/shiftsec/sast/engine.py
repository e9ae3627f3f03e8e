"""The SAST engine adapter interface and the normalisation of an engine's results to `Finding`s.

An engine is a `SastEngine` description: a name, the languages it covers, `available()` (is its tool
installed) and `run(root, files) -> EngineResult`. `files` are paths relative to `root`, already chosen by the
target's walker (ignores, vendored folders); an engine never walks the file system. Files an engine cannot
scan (unreadable, not text, too large, not parseable) are `ScanError`s in the result, never exceptions and
never findings; one bad file never stops the others.

Each engine reports `Issue`s (engine-neutral: rule, severity, confidence, CWE, location, fix guidance) and
`to_findings` turns them into `sast` findings. The flagged source code is never stored (reports carry no code):
it only feeds the fingerprint, `fingerprint("sast", rule_id, path, "snippet:" + hash of the flagged lines with
whitespace normalised)`, so a finding keeps its identity when lines move; two identical flagged lines of one
rule in one file get "#2", "#3"… in file order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from shiftsec.imports._common import Occurrences, snippet_key
from shiftsec.model import Finding, FindingType, Location, ScanError, Severity, fingerprint


@dataclass(frozen=True, slots=True)
class Issue:
    """One result of an engine before normalisation. `code` is the flagged source text (lines `line` to
    `end_line`): used for the fingerprint only. `cwes` are CWE numbers."""

    rule_id: str
    title: str
    message: str
    severity: Severity
    confidence: str  # HIGH, MEDIUM, LOW ("" when the engine does not say)
    path: str
    line: int | None
    end_line: int | None
    code: str
    engine: str
    cwes: tuple[int, ...] = ()
    remediation: str = ""
    references: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class EngineResult:
    findings: tuple[Finding, ...] = ()
    errors: tuple[ScanError, ...] = ()


@dataclass(frozen=True, slots=True)
class SastEngine:
    """What shiftsec knows of one engine: its `name`, the `languages` it scans, `available()` (False when its
    tool is not installed) and `run(root, files)`."""

    name: str
    languages: tuple[str, ...]
    available: Callable[[], bool]
    run: Callable[[Path, Sequence[str]], EngineResult]


def batches(files: Sequence[str], max_files: int, max_chars: int) -> Iterator[list[str]]:
    """`files` in consecutive batches of at most `max_files` names and about `max_chars` characters of command
    line (a name longer than that is a batch of its own)."""
    batch: list[str] = []
    chars = 0
    for name in files:
        if batch and (len(batch) >= max_files or chars + len(name) + 1 > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(name)
        chars += len(name) + 1
    if batch:
        yield batch


def cwe_link(number: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{number}.html"


def to_findings(issues: Iterable[Issue]) -> tuple[Finding, ...]:
    """`sast` findings for `issues`, sorted by path, line and rule (the order fingerprints count duplicates in)."""
    occurrences = Occurrences()
    ordered = sorted(issues, key=lambda i: (i.path, i.line or 0, i.rule_id))
    return tuple(to_finding(issue, occurrences) for issue in ordered)


def to_finding(issue: Issue, occurrences: Occurrences | None = None) -> Finding:
    key = "snippet:" + snippet_key(issue.code) if issue.code.strip() else "no-snippet"
    if occurrences is not None:
        key += occurrences(issue.rule_id, issue.path, key)
    end = issue.end_line if issue.end_line is not None and issue.line is not None and issue.end_line > issue.line \
        else None
    confidence = f" (confidence: {issue.confidence.lower()})" if issue.confidence else ""
    references = dict.fromkeys([*issue.references, *(cwe_link(n) for n in issue.cwes)])
    return Finding(
        type=FindingType.SAST,
        rule_id=issue.rule_id,
        severity=issue.severity,
        title=issue.title,
        message=issue.message + confidence,
        fingerprint=fingerprint("sast", issue.rule_id, issue.path, key),
        location=Location(issue.path, issue.line, end),
        remediation=issue.remediation,
        references=tuple(r for r in references if r),
        description=issue.description,
        cwes=tuple(f"CWE-{n}" for n in sorted(set(issue.cwes)) if n > 0),
    )
