"""Semgrep's JSON output (`semgrep scan --json`): `results[]` with check_id, path, start {line, col},
end {line, col} and extra {message, severity, metadata, fingerprint, lines, is_ignored}, and `errors[]`.

Every result is a `sast` finding: rule `check_id`, severity from `extra.severity` (ERROR → HIGH, WARNING →
MEDIUM, INFO → LOW; the newer CRITICAL/HIGH/MEDIUM/LOW words as they are), CWEs from `metadata.cwe` (a list or
a string such as "CWE-89: Improper Neutralization…"), references from `metadata.references` and
`metadata.source`, `metadata.confidence` and the OWASP categories in the message. A result marked
`is_ignored` (a `nosemgrep` comment) is kept as suppressed (inline). `extra.lines` (which may hold a secret)
is never kept; the fingerprint ("sast", rule, path, discriminator) uses Semgrep's own `fingerprint`, else a
hash of `lines`, else the occurrence of the rule in the file (the CE placeholder "requires login" counts as
absent). Semgrep's own errors become `ScanError`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shiftsec.imports._common import (
    ERROR_KIND,
    Imported,
    Occurrences,
    cwes,
    first_line,
    line,
    looks_like_results,
    obj,
    opt_obj,
    read_entries,
    rel_path,
    results_document,
    severity_word,
    snippet_key,
    strings,
    text,
    unique,
)
from shiftsec.model import (
    Finding,
    FindingType,
    Location,
    ScanError,
    Severity,
    Suppression,
    SuppressionKind,
    fingerprint,
)

TOOL = "semgrep"
LEVELS: Mapping[str, Severity] = {"ERROR": Severity.HIGH, "WARNING": Severity.MEDIUM, "INFO": Severity.LOW}
_PLACEHOLDER = "requires login"


def looks_like(doc: Any) -> bool:
    return looks_like_results(doc, "check_id", ("paths", "skipped_rules"), all_keys=False)


def read(data: bytes | str, name: str, root: str | None = None) -> Imported:
    """Read a Semgrep JSON report; `name` labels errors, `root` makes absolute paths relative."""
    return from_document(results_document(data, name, "Semgrep"), name, root)


def from_document(doc: Mapping[str, Any], name: str, root: str | None = None) -> Imported:
    occurrences = Occurrences()
    findings, errors = read_entries(
        ((f"results[{i}]", e) for i, e in enumerate(doc["results"])), lambda e: [_finding(e, root, occurrences)], name
    )
    raw_errors = doc.get("errors")
    for i, raw in enumerate(raw_errors if isinstance(raw_errors, list) else []):
        if not isinstance(raw, dict):
            errors.append(ScanError(name, f"errors[{i}]: expected an object", ERROR_KIND))
            continue
        where = raw.get("path")
        # a rule error (InvalidRuleSchemaError…) carries no `message`, only `long_msg`/`short_msg`
        message = next((raw[key] for key in ("message", "long_msg", "short_msg") if isinstance(raw.get(key), str)
                        and raw[key].strip()), None)
        kind = raw.get("type")
        label = kind[0] if isinstance(kind, list) and kind and isinstance(kind[0], str) else kind
        errors.append(ScanError(
            rel_path(where, root) if isinstance(where, str) and where else name,
            f"semgrep: {first_line(message, 300) if isinstance(message, str) else label or 'error'}",
            ERROR_KIND,
        ))
    return Imported("semgrep", (TOOL,), tuple(findings), tuple(errors))


def _severity(word: str) -> Severity:
    return LEVELS.get(word.upper()) or severity_word(word)


def _finding(entry: Any, root: str | None, occurrences: Occurrences) -> Finding:
    item = obj(entry, "result")
    rule_id = text(item, "check_id", required=True)
    path = rel_path(text(item, "path", required=True), root)
    start = line(opt_obj(item, "start"), "line")
    end = line(opt_obj(item, "end"), "line")
    extra = opt_obj(item, "extra")
    meta = opt_obj(extra, "metadata")
    message = text(extra, "message") or rule_id
    own = text(extra, "fingerprint")
    lines = text(extra, "lines")
    if own and own != _PLACEHOLDER:
        discriminator = "fp:" + own
    elif lines and lines != _PLACEHOLDER:
        discriminator = "snippet:" + snippet_key(lines)
    else:
        discriminator = occurrences(rule_id, path)
    notes = []
    if text(meta, "confidence"):
        notes.append(f"confidence: {text(meta, 'confidence').lower()}")
    owasp = strings(meta.get("owasp"))
    if owasp:
        notes.append("OWASP " + ", ".join(owasp))
    suppression = None
    if extra.get("is_ignored") is True:
        suppression = Suppression(SuppressionKind.INLINE, "nosemgrep comment", source=path)
    return Finding(
        type=FindingType.SAST,
        rule_id=rule_id,
        severity=_severity(text(extra, "severity")),
        title=first_line(message),
        message=message + (f" ({'; '.join(notes)})" if notes else ""),
        fingerprint=fingerprint("sast", rule_id, path, discriminator),
        location=Location(path, start, end if end is not None and start is not None and end > start else None),
        references=unique([*strings(meta.get("references")), *strings(meta.get("source"))]),
        cwes=cwes(strings(meta.get("cwe"))),
        suppression=suppression,
        sources=(TOOL,),
    )
