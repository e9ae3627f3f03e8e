"""OpenVEX 0.2.0 output: the schema, which suppressions become statements, determinism and reading back."""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

import jsonschema
import pytest

from shiftsec.model import Finding, FindingType, Location, Package, Report, Severity, Suppression, SuppressionKind
from shiftsec.reporters import openvex
from shiftsec.vex import apply_vex, parse_vex
from tests.conftest import shared
from tests.reporters.conftest import CREATED_AT, TOOL_VERSION, make_finding

SCHEMA: dict[str, Any] = json.loads(shared("schemas", "openvex-0.2.0.schema.json").read_text("utf-8"))

LODASH = Package("lodash", "4.17.20", "npm", "pkg:npm/lodash@4.17.20", Location("web/package-lock.json", 812))
LODASH_ADMIN = dataclasses.replace(LODASH, location=Location("admin/package-lock.json", 40))
REQUESTS = Package("requests", "2.25.0", "PyPI", "pkg:pypi/requests@2.25.0", Location("requirements.txt", 3))
DEBIAN = Package(
    "openssl", "3.0.11-1~deb12u1", "Debian:12", "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64&distro=debian-12"
)
NOPURL = Package("vendored", "1.0", "PyPI", None, Location("vendor/setup.py"))


def suppressed(finding: Finding, kind: SuppressionKind, justification: str | None, reason: str = "Why.") -> Finding:
    suppression = Suppression(
        kind,
        reason,
        owner="sec-team" if kind is SuppressionKind.EXCEPTION else None,
        expires="2025-01-01" if kind is SuppressionKind.EXCEPTION else None,
        justification=justification,
        source="policy.yaml",
    )
    return dataclasses.replace(finding, suppression=suppression)


# name → (finding, written as a statement?)
CASES: dict[str, tuple[Finding, bool]] = {
    "vex not_affected": (
        suppressed(
            make_finding(
                LODASH, "GHSA-35jh-r3h4-6jhm", Severity.HIGH, "Command injection", aliases=("CVE-2021-23337",)
            ),
            SuppressionKind.VEX,
            "vulnerable_code_not_in_execute_path",
            "template() is never called.",
        ),
        True,
    ),
    "exception with justification": (
        suppressed(
            make_finding(
                REQUESTS,
                "GHSA-j8r2-6x86-q33q",
                Severity.MEDIUM,
                "Proxy-Authorization leak",
                aliases=("CVE-2023-32681", "GHSA-j8r2-6x86-q33q"),
            ),
            SuppressionKind.EXCEPTION,
            "vulnerable_code_cannot_be_controlled_by_adversary",
        ),
        True,
    ),
    "qualified purl": (
        suppressed(
            make_finding(DEBIAN, "DEBIAN-CVE-2023-5678", Severity.LOW, "openssl"),
            SuppressionKind.VEX,
            "component_not_present",
        ),
        True,
    ),
    "exception without justification": (
        suppressed(make_finding(REQUESTS, "PYSEC-2023-74", Severity.MEDIUM, "leak"), SuppressionKind.EXCEPTION, None),
        False,
    ),
    "inline ignore": (
        suppressed(
            make_finding(LODASH, "GHSA-p6mc-m468-83gw", Severity.HIGH, "Prototype pollution"),
            SuppressionKind.INLINE,
            "inline_mitigations_already_exist",
        ),
        False,
    ),
    "justification outside OpenVEX": (
        suppressed(
            make_finding(LODASH, "GHSA-29mw-wpgm-hmr9", Severity.MEDIUM, "ReDoS"),
            SuppressionKind.EXCEPTION,
            "code_not_reachable",
        ),
        False,
    ),
    "no purl": (
        suppressed(
            make_finding(NOPURL, "PYSEC-2099-1", Severity.LOW, "vendored"),
            SuppressionKind.VEX,
            "vulnerable_code_not_present",
        ),
        False,
    ),
    "open": (make_finding(LODASH, "GHSA-jf85-cpcp-j695", Severity.CRITICAL, "Prototype pollution"), False),
}
SECRET = Finding(
    FindingType.SECRET,
    "aws-access-key",
    Severity.HIGH,
    "AWS key",
    "AWS key",
    "sha256:0",
    suppression=Suppression(SuppressionKind.EXCEPTION, "test key", justification="component_not_present"),
)


def report(findings: list[Finding]) -> Report:
    return Report(
        target=".", target_type="directory", created_at=CREATED_AT, tool_version=TOOL_VERSION, findings=tuple(findings)
    )


def all_findings() -> list[Finding]:
    return [finding for finding, _ in CASES.values()] + [SECRET]


def render(findings: list[Finding]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(openvex.render(report(findings)))
    return data


def test_document_validates_against_the_openvex_schema() -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(render(all_findings()))


def test_document_fields() -> None:
    data = render(all_findings())
    assert data["@context"] == "https://openvex.dev/ns/v0.2.0"
    assert data["@id"].startswith("https://openvex.dev/docs/shiftsec/vex-")
    assert (data["author"], data["timestamp"], data["version"]) == ("shiftsec", CREATED_AT, 1)


@pytest.mark.parametrize("name", list(CASES))
def test_which_findings_become_statements(name: str) -> None:
    finding, written = CASES[name]
    statements = render([finding])["statements"]
    assert len(statements) == (1 if written else 0)
    if written:
        (statement,) = statements
        assert finding.suppression is not None and finding.package is not None
        assert statement["status"] == "not_affected"
        assert statement["vulnerability"]["name"] == finding.rule_id
        assert statement["vulnerability"].get("aliases", []) == [a for a in finding.aliases if a != finding.rule_id]
        assert statement["products"] == [{"@id": finding.package.purl}]
        assert statement["justification"] == finding.suppression.justification
        assert statement["impact_statement"] == finding.suppression.reason


def test_status_notes_say_where_the_decision_came_from() -> None:
    statements = render([CASES["vex not_affected"][0], CASES["exception with justification"][0]])["statements"]
    notes = {s["vulnerability"]["name"]: s["status_notes"] for s in statements}
    assert notes == {
        "GHSA-35jh-r3h4-6jhm": "Suppressed in shiftsec by a VEX statement (policy.yaml).",
        "GHSA-j8r2-6x86-q33q": "Suppressed in shiftsec by a policy exception owned by sec-team, expiring 2025-01-01 "
        "(policy.yaml).",
    }


def test_same_package_in_two_files_is_one_statement() -> None:
    first = CASES["vex not_affected"][0]
    second = dataclasses.replace(first, package=LODASH_ADMIN, location=LODASH_ADMIN.location, fingerprint="sha256:2")
    data = render([first, second])
    assert len(data["statements"]) == 1
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_deterministic_whatever_the_finding_order() -> None:
    findings = all_findings()
    expected = openvex.render(report(findings))
    shuffled = findings[:]
    random.Random(7).shuffle(shuffled)
    assert openvex.render(report(shuffled)) == expected
    later = dataclasses.replace(report(findings), created_at="2025-01-01T00:00:00Z")
    assert json.loads(openvex.render(later))["@id"] == json.loads(expected)["@id"]  # id ignores the timestamp
    other = render(findings[:1])
    assert other["@id"] != json.loads(expected)["@id"]


def test_empty_document_only_misses_the_minimum_of_one_statement() -> None:
    data = render([CASES["open"][0]])
    assert data["statements"] == []
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    assert [(list(e.path), e.validator) for e in errors] == [(["statements"], "minItems")]


def test_round_trip_suppresses_exactly_the_written_findings() -> None:
    findings = all_findings()
    text = openvex.render(report(findings))
    document = parse_vex(text, "out.openvex.json")
    assert document.errors == ()
    open_findings = [dataclasses.replace(f, suppression=None) for f in findings]
    reapplied = apply_vex(open_findings, document.statements)
    written = {finding.fingerprint for finding, was_written in CASES.values() if was_written}
    assert {f.fingerprint for f in reapplied if f.suppression is not None} == written
    by_fingerprint = {f.fingerprint: f for f in findings}
    for finding in reapplied:
        if finding.suppression is None:
            continue
        original = by_fingerprint[finding.fingerprint].suppression
        assert original is not None
        assert finding.suppression.kind is SuppressionKind.VEX
        assert (finding.suppression.justification, finding.suppression.reason) == (
            original.justification,
            original.reason,
        )
        assert finding.suppression.source == "out.openvex.json"
