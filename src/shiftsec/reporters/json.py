"""The versioned JSON report: shiftsec's machine-readable output and its compatibility promise.

This module owns the shape of `--format json`. The shape is described by the JSON Schema shipped as
package data (`shiftsec/schemas/report.schema.json`, draft 2020-12) and documented field by field in
`docs/report-format.md`. `SCHEMA_VERSION` follows semantic versioning: adding a field bumps the minor
version, removing or renaming one (or changing its type or meaning) bumps the major version.

The output is deterministic: keys come in a fixed order, findings are sorted by severity (worst first),
package name and rule id, and packages by ecosystem, name and version.
"""

from __future__ import annotations

import math
from typing import Any

from shiftsec.model import (
    Advice,
    DatabaseInfo,
    Finding,
    FindingType,
    Location,
    Package,
    Report,
    ScanError,
    Severity,
    Suppression,
    Verdict,
)
from shiftsec.reporters._common import (
    dump_json,
    package_sort_key,
    severity_counts,
    sorted_findings,
    sorted_packages,
    vulnerable_package_count,
)

SCHEMA_VERSION = "1.5.0"
TOOL_NAME = "shiftsec"


def render(report: Report) -> str:
    """The report as pretty-printed JSON (2-space indent, UTF-8 text, trailing newline)."""
    return dump_json(to_dict(report))


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data, in the documented key order."""
    findings = sorted_findings(report.findings)
    counts = severity_counts(findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "target": {"path": report.target, "type": report.target_type},
        "created_at": report.created_at,
        "scanners": list(report.scanners),
        "database": _database(report.database),
        "summary": {
            "packages": len(report.packages),
            "vulnerable_packages": vulnerable_package_count(findings),
            "findings": len(findings),
            "errors": len(report.errors),
            "by_severity": {severity.name: count for severity, count in counts.items()},
            "secrets_searched": report.secrets_searched,
        },
        "packages": [_package(package) for package in sorted_packages(report.packages)],
        "findings": [_finding(finding) for finding in findings],
        "errors": [_error(error) for error in sorted(report.errors, key=_error_key)],
        "advice": [_advice(a) for a in sorted(report.advice, key=lambda a: package_sort_key(a.package))],
        "policy": _verdict(report.verdict),
    }


def _verdict(verdict: Verdict | None) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "passed": verdict.passed,
        "source": verdict.policy,
        "new_only": verdict.new_only,
        "baseline": verdict.baseline,
        "rules": [
            {"name": rule.name, "condition": rule.condition, "passed": not rule.failing,
             "failing": sorted(finding.fingerprint for finding in rule.failing)}
            for rule in verdict.rules
        ],
        "exceptions": [
            {"state": note.state, "covers": note.covers, "reason": note.reason, "owner": note.owner,
             "expires": note.expires, "source": note.source}
            for note in verdict.exceptions
        ],
    }


def _database(database: DatabaseInfo | None) -> dict[str, Any] | None:
    if database is None:
        return None
    return {
        "path": database.path,
        "schema_version": database.schema_version,
        "advisories": database.advisories,
        "updated_at": database.updated_at,
    }


def _location(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    commit = location.commit
    return {
        "path": location.path,
        "line": location.line,
        "end_line": location.end_line,
        "commit": None if commit is None else {
            "sha": commit.sha, "author": commit.author, "email": commit.email, "date": commit.date,
        },
        "layer": None if location.layer is None else {
            "digest": location.layer.digest, "diff_id": location.layer.diff_id,
            "created_by": location.layer.created_by,
        },
    }


def _package(package: Package | None) -> dict[str, Any] | None:
    if package is None:
        return None
    return {
        "name": package.name,
        "version": package.version,
        "ecosystem": package.ecosystem,
        "purl": package.purl,
        "location": _location(package.location),
        "direct": package.direct,
        "dev": package.dev,
        "depends_on": list(package.depends_on),
    }


def _score(score: float | None) -> float | None:
    # JSON has no NaN or Infinity; a score that is not a number is no score.
    if score is None or not math.isfinite(score):
        return None
    return score


# Enum attribute lookups are Python-level descriptors: looked up once here, not twice per finding.
_TYPE_VALUE = {member: member.value for member in FindingType}
_SEVERITY_NAME = {member: member.name for member in Severity}


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "type": _TYPE_VALUE[finding.type],
        "rule_id": finding.rule_id,
        "aliases": list(finding.aliases),
        "severity": _SEVERITY_NAME[finding.severity],
        "cvss_score": _score(finding.cvss_score),
        "cvss_vector": finding.cvss_vector,
        "title": finding.title,
        "message": finding.message,
        "package": _package(finding.package),
        "location": _location(finding.location),
        "fixed_in": finding.fixed_in,
        "fixed_versions": list(finding.fixed_versions),
        "remediation": finding.remediation,
        "references": list(finding.references),
        "published": finding.published,
        "dependency_path": list(finding.dependency_path),
        "evidence": finding.evidence,
        "secret_sha256": finding.secret_sha256,
        "description": finding.description,
        "fingerprint": finding.fingerprint,
        "cwes": list(finding.cwes),
        "kev": finding.kev,
        "epss": _score(finding.epss),
        "change": finding.change,
        "status": "open" if finding.suppression is None else "suppressed",
        "suppression": _suppression(finding.suppression),
        "sources": list(finding.sources),
    }


def _suppression(suppression: Suppression | None) -> dict[str, Any] | None:
    if suppression is None:
        return None
    return {
        "kind": suppression.kind.value,
        "reason": suppression.reason,
        "owner": suppression.owner,
        "expires": suppression.expires,
        "justification": suppression.justification,
        "source": suppression.source,
    }


def _advice(advice: Advice) -> dict[str, Any]:
    return {
        "package": _package(advice.package),
        "fixed_in": advice.fixed_in,
        "major_bump": advice.major_bump,
        "via": _package(advice.via),
        "rule_ids": list(advice.rule_ids),
        "unfixed": list(advice.unfixed),
    }


def _error_key(error: ScanError) -> tuple[str, str, str]:
    return (error.path, error.kind, error.message)


def _error(error: ScanError) -> dict[str, Any]:
    return {"path": error.path, "kind": error.kind, "message": error.message}
