"""SARIF 2.1.0 output, shaped for GitHub code scanning and other SARIF consumers.

This module owns `--format sarif`: one run whose `tool.driver.rules` holds one rule per distinct rule id
(an advisory), and one result per finding pointing at the file the vulnerable package was found in.

Choices made for GitHub code scanning:

* `properties.security-severity` on each rule is the CVSS base score when one is known, otherwise a value
  chosen inside GitHub's band for the severity (CRITICAL 9.5, HIGH 8.0, MEDIUM 5.5, LOW 2.0); it is left out
  for UNKNOWN. The `security` tag is always present, as GitHub needs it to read `security-severity`.
* GitHub rejects a whole upload if any result has no location, so a finding without a location of its own
  uses its package's location, then the scan target. URIs are relative, with forward slashes; absolute
  paths become `file://` URIs.
* `partialFingerprints["shiftsec/v1"]` carries the finding's fingerprint (rule, package and file path,
  never line numbers), so alerts are matched across runs.
* Inputs that could not be fully read are `toolExecutionNotifications` of the single invocation, which
  stays `executionSuccessful: true`: the scan finished.

What the policy said (`shiftsec ci`):

* A suppressed finding is still a result, with `suppressions`: kind `external` for a governed exception or a
  VEX statement, `inSource` for a `shiftsec:ignore` comment or an annotation, `status: "accepted"`, and a
  `justification` holding the reason, then the owner, expiry, VEX justification and source where known.
  GitHub code scanning closes such alerts as dismissed instead of reporting them open.
* `baselineState` is `new` or `unchanged` when the findings were compared with a baseline (`change`).
* `properties.kev` / `properties.epss` carry the exploitation facts when known; a rule's CWEs become tags
  `external/cwe/cwe-N` (GitHub shows them), and its type (`vulnerability`, `secret`, `misconfig`, `sast`) a tag.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from shiftsec.model import Finding, FindingType, Location, Report, ScanError, Severity, Suppression, SuppressionKind
from shiftsec.reporters._common import clip, dump_json, finding_location, one_line, sorted_findings

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "shiftsec"
# The project's home page; shown by SARIF viewers next to the tool name.
FINGERPRINT_KEY = "shiftsec/v1"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.UNKNOWN: "note",
}

# Used when no CVSS score is known: a value inside GitHub's band for each severity
# (critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9).
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
}

# GitHub shows at most 1024 characters of a rule's descriptions.
DESCRIPTION_LIMIT = 1024
HELP_LIMIT = 20_000
MESSAGE_LIMIT = 2_000
LIST_LIMIT = 20

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")
# Characters kept as they are in a relative URI path; everything else is percent-encoded. A colon is
# encoded, so that `alpine:3.18` is not read as a URI with the scheme `alpine`.
_URI_SAFE = "/@!$&'()*+,;=~"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")
_CWE = re.compile(r"^\s*CWE-(\d+)\s*$", re.IGNORECASE)
BASELINE_STATES = {"new": "new", "existing": "unchanged"}
SUPPRESSION_KINDS = {SuppressionKind.EXCEPTION: "external", SuppressionKind.VEX: "external",
                     SuppressionKind.INLINE: "inSource"}


def render(report: Report) -> str:
    """The report as a SARIF 2.1.0 log (2-space indent, trailing newline)."""
    return dump_json(to_dict(report))


def to_dict(report: Report) -> dict[str, Any]:
    """The SARIF log as plain JSON-ready data."""
    findings = sorted_findings(report.findings)
    rules = _collect_rules(findings)
    rule_index = {rule.rule_id: index for index, rule in enumerate(rules)}
    target_uri = to_uri(report.target)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.tool_version,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    _notification(error) for error in sorted(report.errors, key=_error_key)
                ],
            }
        ],
        "results": [_result(finding, rule_index[finding.rule_id], target_uri) for finding in findings],
        "properties": {
            "target": report.target,
            "targetType": report.target_type,
            "createdAt": report.created_at,
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


# --- rules ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Rule:
    """What one rule id's findings say about it; the first (worst) finding describes the rule."""

    rule_id: str
    first: Finding
    severity: Severity
    cvss_score: float | None = None
    ecosystems: set[str] = field(default_factory=set)
    kinds: set[FindingType] = field(default_factory=set)
    cwes: set[int] = field(default_factory=set)
    remediations: dict[str, None] = field(default_factory=dict)  # ordered set


def _collect_rules(findings: list[Finding]) -> list[_Rule]:
    """One `_Rule` per distinct rule id, sorted by id; a single pass with a dict (no quadratic lookups)."""
    by_id: dict[str, _Rule] = {}
    for finding in findings:
        rule = by_id.get(finding.rule_id)
        if rule is None:
            rule = by_id[finding.rule_id] = _Rule(finding.rule_id, finding, finding.severity)
        rule.severity = max(rule.severity, finding.severity)
        score = finding.cvss_score
        if score is not None and math.isfinite(score) and score > 0:
            rule.cvss_score = score if rule.cvss_score is None else max(rule.cvss_score, score)
        if finding.package is not None:
            rule.ecosystems.add(finding.package.ecosystem)
        rule.kinds.add(finding.type)
        for cwe in finding.cwes:
            match = _CWE.match(cwe)
            if match:
                rule.cwes.add(int(match.group(1)))
        if finding.remediation and len(rule.remediations) < LIST_LIMIT:
            rule.remediations[finding.remediation] = None
    return [by_id[rule_id] for rule_id in sorted(by_id)]


def security_severity(severity: Severity, cvss_score: float | None) -> str | None:
    """GitHub's `security-severity`: the CVSS score with one decimal, else the severity's mapped value."""
    if cvss_score is not None and math.isfinite(cvss_score) and cvss_score > 0:
        return f"{min(cvss_score, 10.0):.1f}"
    return SECURITY_SEVERITY.get(severity)


def _help_uri(finding: Finding) -> str | None:
    for reference in finding.references:
        if reference.startswith(("https://", "http://")):
            return reference
    return None


def _rule(rule: _Rule) -> dict[str, Any]:
    first = rule.first
    title = one_line(first.title, DESCRIPTION_LIMIT) or rule.rule_id
    full = clip(first.description or first.message, DESCRIPTION_LIMIT).strip() or title
    kinds = [kind.value for kind in FindingType if kind in rule.kinds]
    cwes = [f"external/cwe/cwe-{number}" for number in sorted(rule.cwes)]
    tags = ["security", *kinds, *sorted(rule.ecosystems), *cwes]
    properties: dict[str, Any] = {}
    score = security_severity(rule.severity, rule.cvss_score)
    if score is not None:
        properties["security-severity"] = score
    properties["tags"] = tags
    properties["precision"] = "very-high"
    descriptor: dict[str, Any] = {
        "id": rule.rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
    }
    help_uri = _help_uri(first)
    if help_uri is not None:
        descriptor["helpUri"] = help_uri
    descriptor["help"] = {"text": _help_text(rule), "markdown": _help_markdown(rule)}
    descriptor["properties"] = properties
    return descriptor


def _aliases(finding: Finding) -> list[str]:
    return [alias for alias in finding.aliases if alias != finding.rule_id]


def _help_text(rule: _Rule) -> str:
    first = rule.first
    lines = [f"{rule.rule_id}: {one_line(first.title, DESCRIPTION_LIMIT) or rule.rule_id}"]
    aliases = _aliases(first)
    if aliases:
        lines.append(f"Aliases: {', '.join(aliases)}")
    lines.append(f"Severity: {rule.severity.name}")
    if first.cvss_score is not None or first.cvss_vector:
        lines.append(f"CVSS: {_cvss_text(first)}")
    details = clip(first.description or first.message, HELP_LIMIT // 2).strip()
    if details:
        lines += ["", details]
    if rule.remediations:
        lines += ["", "Remediation:"] + [f"- {one_line(text, 500)}" for text in rule.remediations]
    else:
        lines += ["", "Remediation: no fixed version is known."]
    references = first.references[:LIST_LIMIT]
    if references:
        lines += ["", "References:"] + [f"- {one_line(reference, 500)}" for reference in references]
    return clip("\n".join(lines), HELP_LIMIT)


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _md_link(url: str) -> str:
    clean = one_line(url, 500)
    if clean.startswith(("https://", "http://")) and not re.search(r"[\s<>]", clean):
        return f"<{clean}>"
    return _md(clean)


def _help_markdown(rule: _Rule) -> str:
    first = rule.first
    title = one_line(first.title, DESCRIPTION_LIMIT) or rule.rule_id
    lines = [f"**{_md(rule.rule_id)}**: {_md(title)}", ""]
    aliases = _aliases(first)
    lines.append("| Severity | CVSS | Aliases |")
    lines.append("| --- | --- | --- |")
    cvss = _md(_cvss_text(first)) if first.cvss_score is not None or first.cvss_vector else "-"
    lines.append(f"| {rule.severity.name} | {cvss} | {_md(', '.join(aliases)) or '-'} |")
    details = clip(first.description or first.message, HELP_LIMIT // 2).strip()
    if details:
        lines += ["", _md(details)]
    lines += ["", "**Remediation**", ""]
    if rule.remediations:
        lines += [f"- {_md(one_line(text, 500))}" for text in rule.remediations]
    else:
        lines.append("No fixed version is known.")
    references = first.references[:LIST_LIMIT]
    if references:
        lines += ["", "**References**", ""] + [f"- {_md_link(reference)}" for reference in references]
    return clip("\n".join(lines), HELP_LIMIT)


def _cvss_text(finding: Finding) -> str:
    parts = []
    if finding.cvss_score is not None and math.isfinite(finding.cvss_score):
        parts.append(f"{finding.cvss_score:.1f}")
    if finding.cvss_vector:
        parts.append(one_line(finding.cvss_vector, 200))
    return " ".join(parts)


# --- results ----------------------------------------------------------------------------------------------


def to_uri(path: str) -> str | None:
    """A file path as a SARIF URI: relative with forward slashes, or `file://` when absolute.

    None for a path that names nothing (empty or `.`).
    """
    posix = path.replace("\\", "/")
    if _WINDOWS_DRIVE.match(posix):
        return "file:///" + posix[:2] + quote(posix[2:], safe=_URI_SAFE)
    if posix.startswith("/"):
        return "file://" + quote("/" + posix.lstrip("/"), safe=_URI_SAFE)
    while posix.startswith("./"):
        posix = posix[2:].lstrip("/")
    posix = posix.rstrip("/")
    if posix in ("", "."):
        return None
    return quote(posix, safe=_URI_SAFE)


def _physical_location(uri: str, location: Location | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if location is not None and location.line is not None and location.line >= 1:
        region: dict[str, Any] = {"startLine": location.line}
        if location.end_line is not None and location.end_line >= location.line:
            region["endLine"] = location.end_line
        physical["region"] = region
    return physical


def _message(finding: Finding) -> str:
    package = finding.package
    name = f"{finding.rule_id} ({', '.join(_aliases(finding))})" if _aliases(finding) else finding.rule_id
    title = one_line(finding.title, 300)
    if package is None:
        text = f"{name}: {title}" if title else name
    else:
        text = f"{package.name}@{package.version} ({package.ecosystem}) is affected by {name}"
        if title:
            text += f": {title}"
    text = text.rstrip(".") + "."
    if finding.fixed_in:
        text += f" Fixed in {finding.fixed_in}."
    elif package is not None:
        text += " No fixed version is known."
    return one_line(text, MESSAGE_LIMIT)


def _result(finding: Finding, rule_index: int, target_uri: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
    }
    location = finding_location(finding)
    uri = to_uri(location.path) if location is not None else None
    if uri is None:
        uri, location = target_uri, None
    if uri is not None:
        result["locations"] = [{"physicalLocation": _physical_location(uri, location)}]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.change in BASELINE_STATES:
        result["baselineState"] = BASELINE_STATES[finding.change]
    if finding.suppression is not None:
        result["suppressions"] = [_suppression(finding.suppression)]
    properties: dict[str, Any] = {"severity": finding.severity.name}
    if finding.package is not None:
        package = finding.package
        properties["package"] = {
            "name": package.name,
            "version": package.version,
            "ecosystem": package.ecosystem,
        }
        if package.purl:
            properties["package"]["purl"] = package.purl
    if finding.fixed_in:
        properties["fixedIn"] = finding.fixed_in
    if finding.kev is not None:
        properties["kev"] = finding.kev
    if finding.epss is not None and math.isfinite(finding.epss):
        properties["epss"] = finding.epss
    if finding.cwes:
        properties["cwes"] = list(finding.cwes)
    if finding.sources:
        properties["alsoReportedBy"] = list(finding.sources)
    commit = finding.location.commit if finding.location is not None else None
    if commit is not None:
        properties["commit"] = {"sha": commit.sha, "author": commit.author, "email": commit.email, "date": commit.date}
    result["properties"] = properties
    return result


def justification(suppression: Suppression) -> str:
    """Why a finding is suppressed, in one line: the reason, then owner, expiry, VEX justification, source."""
    details = [
        f"{label}: {value}"
        for label, value in (("owner", suppression.owner), ("expires", suppression.expires),
                             ("VEX justification", suppression.justification), ("source", suppression.source))
        if value
    ]
    reason = suppression.reason or f"suppressed ({suppression.kind.value})"
    return one_line(f"{reason} ({'; '.join(details)})" if details else reason, MESSAGE_LIMIT)


def _suppression(suppression: Suppression) -> dict[str, Any]:
    return {
        "kind": SUPPRESSION_KINDS[suppression.kind],
        "status": "accepted",
        "justification": justification(suppression),
        "properties": {"shiftsecKind": suppression.kind.value},
    }


# --- notifications ----------------------------------------------------------------------------------------


def _error_key(error: ScanError) -> tuple[str, str, str]:
    return (error.path, error.kind, error.message)


def _notification(error: ScanError) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": one_line(f"{error.path}: {error.message}", MESSAGE_LIMIT)},
        "descriptor": {"id": error.kind or "error"},
    }
    uri = to_uri(error.path)
    if uri is not None:
        notification["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
    return notification
