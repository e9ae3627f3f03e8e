"""Bandit's JSON report (`bandit -r . -f json`): `results[]` with test_id, test_name, issue_text,
issue_severity, issue_confidence, issue_cwe {id, link}, filename, line_number, line_range, more_info and code,
and `errors[]` ({filename, reason}) for files Bandit could not scan.

Every result is a `sast` finding: rule `test_id` (B608), severity `issue_severity` (UNDEFINED → UNKNOWN), the
confidence in the message (a hard-coded password Bandit quotes in `issue_text` is redacted), `more_info` and
the CWE link as references. `code` (which may hold a hard-coded password) is never kept: only a hash of its
lines without their numbers tells two results of one rule in one file apart in the fingerprint ("sast", rule,
path, snippet hash), which therefore survives line moves.
Bandit's own errors become `ScanError`s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shiftsec.imports._common import (
    ERROR_KIND,
    Imported,
    Occurrences,
    cwes,
    items,
    line,
    looks_like_results,
    obj,
    opt_obj,
    read_entries,
    rel_path,
    results_document,
    severity_word,
    snippet_key,
    text,
    unique,
)
from shiftsec.model import Finding, FindingType, Location, ScanError, fingerprint
from shiftsec.scanners.secrets import redact

TOOL = "bandit"
_NUMBERED = re.compile(r"^\s*\d+\s?", re.MULTILINE)
# B105/B106/B107 quote the password in issue_text: "Possible hardcoded password: 'hunter2'".
_PASSWORD = re.compile(r"(hardcoded password: )'(.*)'$", re.IGNORECASE)


def looks_like(doc: Any) -> bool:
    return looks_like_results(doc, "test_id", ("metrics", "generated_at"))


def read(data: bytes | str, name: str, root: str | None = None) -> Imported:
    """Read a Bandit JSON report; `name` labels errors, `root` makes absolute paths relative."""
    return from_document(results_document(data, name, "Bandit"), name, root)


def from_document(doc: Mapping[str, Any], name: str, root: str | None = None) -> Imported:
    occurrences = Occurrences()
    findings, errors = read_entries(
        ((f"results[{i}]", e) for i, e in enumerate(doc["results"])), lambda e: [_finding(e, root, occurrences)], name
    )
    raw_errors = doc.get("errors")
    for i, raw in enumerate(raw_errors if isinstance(raw_errors, list) else []):
        if isinstance(raw, dict):
            where = rel_path(text(raw, "filename"), root) if isinstance(raw.get("filename"), str) else ""
            reason = raw.get("reason")
            errors.append(ScanError(where or name, f"bandit: {reason if isinstance(reason, str) else raw}",
                                    ERROR_KIND))
        else:
            errors.append(ScanError(name, f"errors[{i}]: expected an object", ERROR_KIND))
    return Imported("bandit", (TOOL,), tuple(findings), tuple(errors))


def _finding(entry: Any, root: str | None, occurrences: Occurrences) -> Finding:
    item = obj(entry, "result")
    rule_id = text(item, "test_id", required=True)
    path = rel_path(text(item, "filename", required=True), root)
    issue = _PASSWORD.sub(lambda m: f"{m.group(1)}{redact(m.group(2))}", text(item, "issue_text", required=True))
    start = line(item, "line_number")
    numbers = [n for n in items(item, "line_range") if isinstance(n, int) and not isinstance(n, bool)]
    end = max(numbers) if numbers and start is not None and max(numbers) > start else None
    weakness = opt_obj(item, "issue_cwe")
    code = item.get("code")
    discriminator = (
        "snippet:" + snippet_key(_NUMBERED.sub("", code))
        if isinstance(code, str) and code.strip()
        else occurrences(rule_id, path)
    )
    confidence = text(item, "issue_confidence")
    name = text(item, "test_name")
    return Finding(
        type=FindingType.SAST,
        rule_id=rule_id,
        severity=severity_word(text(item, "issue_severity")),
        title=issue,
        message=issue + (f" (confidence: {confidence.lower()})" if confidence else ""),
        fingerprint=fingerprint("sast", rule_id, path, discriminator),
        location=Location(path, start, end),
        references=unique([text(item, "more_info"), text(weakness, "link")]),
        description=f"Bandit check {rule_id} ({name})" if name else "",
        cwes=cwes([weakness.get("id")]),
        sources=(TOOL,),
    )

