"""OpenVEX 0.2.0 JSON: the report's justified suppressions as VEX statements others can consume.

Shape (https://github.com/openvex/spec, schema `openvex_json_schema_0.2.0.json`):

* one `not_affected` statement per suppressed vulnerability finding whose suppression has a justification
  in OpenVEX's vocabulary (kind `exception` or `vex`): `vulnerability.name` is the rule id, `aliases` its
  aliases, `products` the package purl (`@id`), `justification` the suppression's, `impact_statement` its
  reason; `status_notes` says where the decision came from. Findings without a package purl are left out
  (a statement needs a product), and identical statements (the same package in two lockfiles) are written
  once, since the schema wants statements to be unique.
* statements carry no timestamp of their own: they inherit the document's, `report.created_at`.
* `@id` is `https://openvex.dev/docs/shiftsec/vex-<SHA-256>` of the document without `@id` and
  `timestamp`: the same findings give the same id. `author` is "shiftsec", `version` 1.

A report with no such finding gives a document with an empty `statements` list; the 0.2.0 schema asks for
at least one statement, so that document is the one output that does not validate.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from shiftsec.model import Finding, FindingType, Report, SuppressionKind
from shiftsec.reporters._common import dump_json, sorted_findings

CONTEXT = "https://openvex.dev/ns/v0.2.0"
ID_PREFIX = "https://openvex.dev/docs/shiftsec/vex-"
AUTHOR = "shiftsec"
JUSTIFICATIONS = frozenset(
    {
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    }
)
_KINDS = frozenset({SuppressionKind.EXCEPTION, SuppressionKind.VEX})


def render(report: Report) -> str:
    """The report as an OpenVEX 0.2.0 JSON document (2-space indent, trailing newline)."""
    return dump_json(to_dict(report))


def to_dict(report: Report) -> dict[str, Any]:
    statements: list[dict[str, Any]] = []
    seen: set[bytes] = set()
    for finding in sorted_findings(report.findings):
        statement = _statement(finding)
        if statement is None:
            continue
        key = orjson.dumps(statement, option=orjson.OPT_SORT_KEYS)
        if key not in seen:
            seen.add(key)
            statements.append(statement)
    body: dict[str, Any] = {
        "author": AUTHOR,
        "version": 1,
        "tooling": f"shiftsec {report.tool_version}",
        "statements": statements,
    }
    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return {
        "@context": CONTEXT,
        "@id": ID_PREFIX + digest,
        "author": AUTHOR,
        "timestamp": report.created_at,
        "version": 1,
        "tooling": body["tooling"],
        "statements": statements,
    }


def _statement(finding: Finding) -> dict[str, Any] | None:
    suppression = finding.suppression
    package = finding.package
    if (
        finding.type is not FindingType.VULNERABILITY
        or suppression is None
        or suppression.kind not in _KINDS
        or suppression.justification not in JUSTIFICATIONS
        or package is None
        or not package.purl
    ):
        return None
    vulnerability: dict[str, Any] = {"name": finding.rule_id}
    aliases = list(dict.fromkeys(alias for alias in finding.aliases if alias and alias != finding.rule_id))
    if aliases:
        vulnerability["aliases"] = aliases
    statement: dict[str, Any] = {
        "vulnerability": vulnerability,
        "products": [{"@id": package.purl}],
        "status": "not_affected",
        "justification": suppression.justification,
    }
    if suppression.reason.strip():
        statement["impact_statement"] = suppression.reason
    statement["status_notes"] = _notes(finding)
    return statement


def _notes(finding: Finding) -> str:
    suppression = finding.suppression
    assert suppression is not None
    if suppression.kind is SuppressionKind.VEX:
        origin = "a VEX statement"
    else:
        origin = "a policy exception"
        if suppression.owner:
            origin += f" owned by {suppression.owner}"
        if suppression.expires:
            origin += f", expiring {suppression.expires}"
    if suppression.source:
        origin += f" ({suppression.source})"
    return f"Suppressed in shiftsec by {origin}."
