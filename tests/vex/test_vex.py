"""VEX reading (OpenVEX 0.2.0 and 0.0.x, CycloneDX 1.4 to 1.6 JSON) and its application to findings.

Fixtures in `fixtures/` are the examples of the OpenVEX specification and of CycloneDX's bom-examples
(JSON syntax errors of the spec's snippets fixed), plus hand-written documents for the error cases.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shiftsec.errors import InputError, ParseError
from shiftsec.model import Finding, FindingType, Package, Severity, Suppression, SuppressionKind, fingerprint
from shiftsec.purl import parse_purl
from shiftsec.vex import (
    CYCLONEDX_JUSTIFICATIONS,
    OPENVEX_JUSTIFICATIONS,
    VexStatement,
    VexStatus,
    apply_vex,
    parse_vex,
    purl_matches,
    read_vex,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def finding(
    rule_id: str, purl: str | None, *, aliases: tuple[str, ...] = (), kind: FindingType = FindingType.VULNERABILITY
) -> Finding:
    package = None
    if purl is not None or kind is FindingType.VULNERABILITY:
        parsed = parse_purl(purl) if purl else None
        name = parsed.name if parsed else "thing"
        version = (parsed.version or "") if parsed else "1.0"
        package = Package(name, version, "npm", purl)
    return Finding(
        type=kind,
        rule_id=rule_id,
        severity=Severity.HIGH,
        title=rule_id,
        message=rule_id,
        fingerprint=fingerprint(rule_id, purl or ""),
        aliases=aliases,
        package=package,
    )


def openvex(*statements: dict[str, Any], timestamp: str = "2024-05-01T00:00:00Z") -> str:
    return json.dumps(
        {
            "@context": "https://openvex.dev/ns/v0.2.0",
            "@id": "https://openvex.dev/docs/example/vex-test",
            "author": "tests",
            "timestamp": timestamp,
            "version": 1,
            "statements": list(statements),
        }
    )


def stmt(name: str, status: str, *purls: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"vulnerability": {"name": name}, "products": [{"@id": p} for p in purls], "status": status}
    if status == "not_affected" and "justification" not in extra and "impact_statement" not in extra:
        body["justification"] = "vulnerable_code_not_present"
    body.update(extra)
    return body


def statements_of(text: str) -> tuple[VexStatement, ...]:
    document = parse_vex(text, "vex.json")
    assert document.errors == ()
    return document.statements


# --- reading OpenVEX ------------------------------------------------------------------------------------


def test_spec_minimal_example() -> None:
    document = read_vex(fixture("openvex-minimal.json"))
    assert document.format == "openvex"
    (statement,) = document.statements
    assert statement.vulnerability == "CVE-2023-12345"
    assert statement.status is VexStatus.FIXED
    assert [str(p) for p in statement.products] == [
        "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
        "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64",
    ]
    # nanosecond timestamp with an offset, inherited from the document
    assert statement.timestamp == datetime(2023, 1, 9, 0, 2, 3, 647787, tzinfo=UTC)
    assert statement.source == fixture("openvex-minimal.json")


def test_spec_spring_example() -> None:
    (statement,) = read_vex(fixture("openvex-spring.json")).statements
    assert statement.status is VexStatus.NOT_AFFECTED
    assert statement.justification == "vulnerable_code_not_in_execute_path"
    assert statement.aliases == ("GHSA-jfh8-c2jp-5v3q",)
    assert statement.vulnerability_id == "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"
    # @id and identifiers.purl name the same package: read once
    assert [str(p) for p in statement.products] == ["pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"]
    assert statement.impact_statement is not None and statement.impact_statement.startswith("Spring Boot users")


def test_v0_0_x_string_forms() -> None:
    document = read_vex(fixture("openvex-v0.0.x.json"))
    assert document.errors == ()
    assert [(s.vulnerability, s.status) for s in document.statements] == [
        ("CVE-2023-12345", VexStatus.FIXED),
        ("CVE-2023-12345", VexStatus.NOT_AFFECTED),
    ]
    assert str(document.statements[1].products[0]) == "pkg:apk/wolfi/product@1.23.0-r1?arch=armv7"


def test_subcomponents_and_other_identifiers() -> None:
    product = {
        "@id": "https://example.com/images/app@sha256:abcd",
        "identifiers": {"cpe23": "cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*"},
        "subcomponents": [{"@id": "pkg:npm/lodash@4.17.20"}, {"identifiers": {"purl": "pkg:npm/minimist@1.2.5"}}],
    }
    (statement,) = statements_of(
        openvex({"vulnerability": {"name": "CVE-1"}, "products": [product], "status": "fixed"})
    )
    assert [str(p) for p in statement.products] == ["pkg:npm/lodash@4.17.20", "pkg:npm/minimist@1.2.5"]
    assert statement.other_products == (
        "https://example.com/images/app@sha256:abcd",
        "cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*",
    )


def test_bad_statements_become_errors_and_the_rest_is_read() -> None:
    document = read_vex(fixture("openvex-bad-statements.json"))
    assert [s.vulnerability for s in document.statements] == ["CVE-2024-0001", "CVE-2024-0008"]
    assert document.statements[1].products == ()  # a non-purl product: kept, matches nothing
    messages = [e.message for e in document.errors]
    assert all(e.kind == "vex" and e.path == fixture("openvex-bad-statements.json") for e in document.errors)
    expected = [
        'statement 2: CVE-2024-0002: unknown status "won\'t_fix"',
        "statement 3: 'vulnerability' has no 'name'",
        "statement 4: CVE-2024-0003: a not_affected statement needs a 'justification' or an 'impact_statement'",
        "statement 5: CVE-2024-0004: unknown justification 'code_not_reachable'",
        "statement 6: CVE-2024-0005: product 1 'pkg:/requests@2.25.0' is not a valid purl",
        "statement 7: CVE-2024-0006: 'timestamp' 'yesterday' is not an RFC 3339 date-time",
        "statement 8: not an object",
    ]
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), message


# --- reading CycloneDX ----------------------------------------------------------------------------------


def test_cyclonedx_bomlink_to_another_bom_uses_the_purl_fragment() -> None:
    document = read_vex(fixture("cdx-bomlink.json"))
    assert document.format == "cyclonedx" and document.errors == ()
    (statement,) = document.statements
    assert statement.vulnerability == "CVE-2020-25649"
    assert statement.aliases == ("SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302",)
    assert statement.status is VexStatus.NOT_AFFECTED
    assert (statement.original_status, statement.original_justification) == ("not_affected", "code_not_reachable")
    assert statement.justification == "vulnerable_code_not_in_execute_path"
    assert [str(p) for p in statement.products] == [
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"
    ]
    assert statement.timestamp is None  # no metadata.timestamp, no analysis dates


def test_cyclonedx_component_without_purl_is_reported() -> None:
    document = read_vex(fixture("cdx-cisa-case1-not-affected.json"))
    (statement,) = document.statements
    assert statement.products == ()
    (error,) = document.errors
    assert error.message == (
        "vulnerability 1: CVE-2021-44228: affects ref 'product-ABC' names a component without a purl: "
        "it matches nothing"
    )


def test_cyclonedx_states_refs_and_errors() -> None:
    document = read_vex(fixture("cdx-sbom-with-vex.json"))
    got = {s.vulnerability: (s.status, s.justification, [str(p) for p in s.products]) for s in document.statements}
    assert got == {
        "CVE-2020-25649": (
            VexStatus.NOT_AFFECTED,
            "component_not_present",
            ["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"],
        ),
        "CVE-2021-23337": (VexStatus.NOT_AFFECTED, None, ["pkg:npm/lodash@4.17.20"]),
        # a BOM-Link into this BOM, percent-encoded fragment, nested component
        "CVE-2021-44906": (VexStatus.FIXED, None, ["pkg:npm/minimist@1.2.5"]),
        "CVE-2099-0001": (VexStatus.UNDER_INVESTIGATION, None, ["pkg:npm/lodash@4.17.20"]),
        "CVE-2099-0002": (VexStatus.AFFECTED, None, ["pkg:npm/lodash@4.17.20"]),
        "CVE-2099-0006": (VexStatus.FIXED, None, ["pkg:npm/minimist@1.2.5"]),  # a purl as the ref itself
    }
    by_id = {s.vulnerability: s for s in document.statements}
    assert by_id["CVE-2021-23337"].aliases == ("GHSA-35jh-r3h4-6jhm",)
    assert by_id["CVE-2021-23337"].timestamp == datetime(2024, 4, 1, tzinfo=UTC)  # analysis.firstIssued
    assert by_id["CVE-2020-25649"].timestamp == datetime(2024, 5, 1, tzinfo=UTC)  # metadata.timestamp
    assert [e.message for e in document.errors] == [
        "vulnerability 5: CVE-2099-0002: affects ref 'no-purl' names a component without a purl: it matches nothing",
        "vulnerability 5: CVE-2099-0002: affects ref 'missing-ref' names no component of this document",
        "vulnerability 6: CVE-2099-0003: unknown analysis state 'wont_fix'",
        "vulnerability 7: CVE-2099-0004: unknown analysis justification 'not_my_problem'",
    ]


@pytest.mark.parametrize(
    ("cyclonedx", "openvex_word"),
    [
        ("code_not_present", "vulnerable_code_not_present"),
        ("code_not_reachable", "vulnerable_code_not_in_execute_path"),
        ("requires_configuration", "vulnerable_code_cannot_be_controlled_by_adversary"),
        ("requires_dependency", "component_not_present"),
        ("requires_environment", "vulnerable_code_cannot_be_controlled_by_adversary"),
        ("protected_by_compiler", "inline_mitigations_already_exist"),
        ("protected_at_runtime", "inline_mitigations_already_exist"),
        ("protected_at_perimeter", "inline_mitigations_already_exist"),
        ("protected_by_mitigating_control", "inline_mitigations_already_exist"),
    ],
)
def test_cyclonedx_justification_mapping(cyclonedx: str, openvex_word: str) -> None:
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "vulnerabilities": [
            {
                "id": "CVE-1",
                "analysis": {"state": "not_affected", "justification": cyclonedx},
                "affects": [{"ref": "pkg:npm/a@1"}],
            }
        ],
    }
    (statement,) = statements_of(json.dumps(bom))
    assert statement.justification == openvex_word
    assert openvex_word in OPENVEX_JUSTIFICATIONS
    assert set(CYCLONEDX_JUSTIFICATIONS.values()) <= OPENVEX_JUSTIFICATIONS


# --- invalid documents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "x.json: invalid JSON at line 1, column 2: "),
        (b"\xff\xfe{}", "x.json: a VEX document must be UTF-8 JSON"),
        ("[]", "x.json: not a VEX document (expected a JSON object)"),
        ('{"bomFormat": "SPDX"}', "x.json: not a VEX document (no OpenVEX '@context'"),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2024-01-01T00:00:00Z"}',
            "x.json: OpenVEX document has no 'statements' list",
        ),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": []}',
            "x.json: OpenVEX document has no 'timestamp'",
        ),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "soon", "statements": []}',
            "x.json: OpenVEX 'timestamp' 'soon' is not an RFC 3339",
        ),
        (
            '{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "2024-01-01T00:00:00Z", "author": 7, '
            '"statements": []}',
            "x.json: OpenVEX 'author' must be a string",
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.3", "vulnerabilities": []}',
            "x.json: CycloneDX specVersion '1.3' is not supported",
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": {}}',
            "x.json: CycloneDX 'vulnerabilities' must be a list",
        ),
        (
            '{"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"timestamp": 5}}',
            "x.json: CycloneDX 'metadata.timestamp' must be a string",
        ),
    ],
)
def test_invalid_documents_raise_parse_error(content: str | bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_vex(content, "x.json")
    text = str(caught.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.json: cannot read VEX document"):
        read_vex(tmp_path / "missing.json")


# --- matching -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement_purl", "package_purl", "matches"),
    [
        ("pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.20", True),
        ("pkg:npm/lodash", "pkg:npm/lodash@4.17.20", True),  # no version: every version
        ("pkg:npm/lodash@4.17.21", "pkg:npm/lodash@4.17.20", False),
        ("pkg:npm/lodash@4.17.20", "pkg:npm/lodash", False),
        ("pkg:npm/underscore@4.17.20", "pkg:npm/lodash@4.17.20", False),
        ("pkg:pypi/lodash@4.17.20", "pkg:npm/lodash@4.17.20", False),
        ("pkg:npm/%40babel/core@7.0.0", "pkg:npm/%40babel/core@7.0.0", True),
        ("pkg:npm/core@7.0.0", "pkg:npm/%40babel/core@7.0.0", False),  # namespace differs
        ("pkg:pypi/Django_Rest@1.0", "pkg:pypi/django-rest@1.0", True),  # normalized by the purl parser
        # qualifiers: ignored unless the statement's purl has them
        ("pkg:maven/g/a@1.0", "pkg:maven/g/a@1.0?type=jar", True),
        ("pkg:maven/g/a@1.0?type=jar", "pkg:maven/g/a@1.0?type=jar&classifier=x", True),
        ("pkg:maven/g/a@1.0?type=pom", "pkg:maven/g/a@1.0?type=jar", False),
        ("pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", "pkg:apk/wolfi/git@2.39.0-r1", False),
        ("pkg:apk/wolfi/git?arch=x86_64", "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64", True),
    ],
)
def test_purl_matching(statement_purl: str, package_purl: str, matches: bool) -> None:
    assert purl_matches(parse_purl(statement_purl), parse_purl(package_purl)) is matches


@pytest.mark.parametrize(
    ("status", "suppressed"),
    [("not_affected", True), ("fixed", True), ("affected", False), ("under_investigation", False)],
)
def test_each_openvex_status(status: str, suppressed: bool) -> None:
    extra = {"action_statement": "Upgrade."} if status == "affected" else {}
    statements = statements_of(openvex(stmt("CVE-2024-1", status, "pkg:npm/lodash@4.17.20", **extra)))
    (result,) = apply_vex([finding("CVE-2024-1", "pkg:npm/lodash@4.17.20")], statements)
    assert (result.suppression is not None) is suppressed
    if suppressed:
        assert result.suppression is not None
        assert result.suppression.kind is SuppressionKind.VEX
        assert result.suppression.source == "vex.json"


@pytest.mark.parametrize(
    ("rule_id", "aliases", "name", "statement_aliases", "matches"),
    [
        ("CVE-2024-1", (), "CVE-2024-1", [], True),
        ("cve-2024-1", (), "CVE-2024-1", [], True),  # case-insensitive
        ("GHSA-aaaa-bbbb-cccc", ("CVE-2024-1",), "CVE-2024-1", [], True),  # a finding alias
        ("GHSA-aaaa-bbbb-cccc", (), "CVE-2024-1", ["ghsa-AAAA-bbbb-cccc"], True),  # a statement alias
        ("GHSA-aaaa-bbbb-cccc", ("CVE-2024-2",), "CVE-2024-3", ["CVE-2024-2"], True),  # alias meets alias
        ("CVE-2024-9", ("GHSA-x",), "CVE-2024-1", ["GHSA-y"], False),
    ],
)
def test_vulnerability_matching(
    rule_id: str, aliases: tuple[str, ...], name: str, statement_aliases: list[str], matches: bool
) -> None:
    body = stmt(name, "fixed", "pkg:npm/lodash@4.17.20")
    body["vulnerability"]["aliases"] = statement_aliases
    (result,) = apply_vex([finding(rule_id, "pkg:npm/lodash@4.17.20", aliases=aliases)], statements_of(openvex(body)))
    assert (result.suppression is not None) is matches


def test_what_is_never_touched() -> None:
    statements = statements_of(openvex(stmt("R1", "fixed", "pkg:npm/lodash@4.17.20"), stmt("R2", "fixed")))
    existing = Suppression(SuppressionKind.EXCEPTION, "accepted", owner="sec", justification="component_not_present")
    findings = [
        finding("R1", None, kind=FindingType.SECRET),  # not a vulnerability
        finding("R1", None),  # a package without purl
        dataclasses.replace(finding("R1", "pkg:npm/lodash@4.17.20"), suppression=existing),  # already suppressed
        finding("R2", "pkg:npm/lodash@4.17.20"),  # a statement without products matches nothing
        finding("R3", "pkg:npm/lodash@4.17.20"),  # no statement names it
    ]
    assert apply_vex(findings, statements) == findings


def test_justification_and_reason() -> None:
    statements = statements_of(
        openvex(
            stmt(
                "A",
                "not_affected",
                "pkg:npm/a@1",
                justification="inline_mitigations_already_exist",
                impact_statement="Sandboxed.",
            ),
            stmt("B", "not_affected", "pkg:npm/b@1", justification="component_not_present"),
            stmt("C", "fixed", "pkg:npm/c@1", status_notes="Backported in 1-r2."),
            stmt("D", "fixed", "pkg:npm/d@1"),
        )
    )
    results = apply_vex([finding(r, f"pkg:npm/{r.lower()}@1") for r in "ABCD"], statements)
    got = [(f.suppression.justification, f.suppression.reason) for f in results if f.suppression]
    assert got == [
        ("inline_mitigations_already_exist", "Sandboxed."),
        (
            "component_not_present",
            "A VEX statement marks this vulnerability not_affected (component_not_present) for this package.",
        ),
        (None, "Backported in 1-r2."),
        (None, "A VEX statement marks this vulnerability fixed for this package."),
    ]


@pytest.mark.parametrize(
    ("state", "suppressed", "reason"),
    [
        (
            "not_affected",
            True,
            "A VEX statement marks this vulnerability not_affected (code_not_present) for this package.",
        ),
        (
            "false_positive",
            True,
            "A VEX statement marks this vulnerability false_positive (code_not_present) for this package.",
        ),
        ("resolved", True, "A VEX statement marks this vulnerability resolved (code_not_present) for this package."),
        (
            "resolved_with_pedigree",
            True,
            "A VEX statement marks this vulnerability resolved_with_pedigree (code_not_present) for this package.",
        ),
        ("exploitable", False, None),
        ("in_triage", False, None),
    ],
)
def test_each_cyclonedx_state(state: str, suppressed: bool, reason: str | None) -> None:
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"type": "library", "bom-ref": "a", "name": "a", "purl": "pkg:npm/a@1"}],
        "vulnerabilities": [
            {
                "id": "CVE-1",
                "analysis": {"state": state, "justification": "code_not_present"},
                "affects": [{"ref": "a"}],
            }
        ],
    }
    (result,) = apply_vex([finding("CVE-1", "pkg:npm/a@1")], statements_of(json.dumps(bom)))
    if suppressed:
        assert result.suppression == Suppression(
            SuppressionKind.VEX, reason or "", justification="vulnerable_code_not_present", source="vex.json"
        )
    else:
        assert result.suppression is None


def test_cyclonedx_detail_is_the_reason() -> None:
    document = read_vex(fixture("cdx-bomlink.json"))
    (result,) = apply_vex(
        [finding("CVE-2020-25649", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar")],
        document.statements,
    )
    assert result.suppression is not None
    assert result.suppression.reason.startswith("Automated dataflow analysis")
    assert result.suppression.justification == "vulnerable_code_not_in_execute_path"


# --- override order -------------------------------------------------------------------------------------


def test_spec_update_example_later_statement_wins() -> None:
    statements = read_vex(fixture("openvex-update.json")).statements
    git = "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"
    (result,) = apply_vex([finding("CVE-2023-12345", git)], statements)
    assert result.suppression is not None  # fixed (document time) is later than under_investigation
    (other_arch,) = apply_vex([finding("CVE-2023-12345", "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64")], statements)
    assert other_arch.suppression is None


@pytest.mark.parametrize(
    ("first", "second", "suppressed"),
    [
        # same timestamp: document order decides
        (("fixed", None), ("affected", None), False),
        (("affected", None), ("fixed", None), True),
        # timestamps decide over document order
        (("fixed", "2024-06-01T00:00:00Z"), ("affected", "2024-05-01T00:00:00Z"), True),
        # offsets count: 2024-06-01T00:00+02:00 is 2024-05-31T22:00Z, before 23:00Z
        (("affected", "2024-06-01T00:00:00+02:00"), ("not_affected", "2024-05-31T23:00:00Z"), True),
        (("under_investigation", "2024-01-01T00:00:00Z"), ("not_affected", None), True),  # inherits 2024-05-01
    ],
)
def test_override_order(first: tuple[str, str | None], second: tuple[str, str | None], suppressed: bool) -> None:
    bodies = []
    for status, timestamp in (first, second):
        extra: dict[str, Any] = {"action_statement": "Upgrade."} if status == "affected" else {}
        if timestamp:
            extra["timestamp"] = timestamp
        bodies.append(stmt("CVE-1", status, "pkg:npm/a@1", **extra))
    (result,) = apply_vex([finding("CVE-1", "pkg:npm/a@1")], statements_of(openvex(*bodies)))
    assert (result.suppression is not None) is suppressed


def test_later_document_overrides_earlier_one_and_versionless_purls() -> None:
    old = statements_of(openvex(stmt("CVE-1", "not_affected", "pkg:npm/a"), timestamp="2024-01-01T00:00:00Z"))
    new = statements_of(openvex(stmt("CVE-1", "affected", "pkg:npm/a@2", action_statement="Upgrade.")))
    findings = [finding("CVE-1", "pkg:npm/a@1"), finding("CVE-1", "pkg:npm/a@2")]
    results = apply_vex(findings, [*old, *new])
    assert [f.suppression is not None for f in results] == [True, False]
    # statements without a timestamp anywhere fall back to the order they are given in
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "vulnerabilities": [
            {"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "pkg:npm/a@2"}]},
            {"id": "CVE-1", "analysis": {"state": "in_triage"}, "affects": [{"ref": "pkg:npm/a@2"}]},
        ],
    }
    assert apply_vex(findings[1:], statements_of(json.dumps(bom)))[0].suppression is None


def test_order_of_findings_is_kept() -> None:
    statements = statements_of(openvex(stmt("B", "fixed", "pkg:npm/b@1")))
    findings = [finding(r, f"pkg:npm/{r.lower()}@1") for r in "CBA"]
    assert [f.rule_id for f in apply_vex(findings, statements)] == ["C", "B", "A"]
