"""SARIF 2.1.0 output: golden file, the official SARIF schema, and what GitHub code scanning relies on."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft4Validator

from shiftsec.model import Finding, Location, Report, Severity
from shiftsec.reporters import sarif
from tests.conftest import shared


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads(shared("schemas", "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def render(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sarif.render(report))
    return data


def validate(validator: Draft4Validator, data: Any) -> None:
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_golden(sample_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.sarif", sarif.render(sample_report))


def test_empty_golden(empty_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("empty.sarif", sarif.render(empty_report))


def test_valid_sarif(sample_report: Report, validator: Draft4Validator) -> None:
    validate(validator, render(sample_report))


def test_empty_report(empty_report: Report, validator: Draft4Validator) -> None:
    data = render(empty_report)
    validate(validator, data)
    run = data["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_log_and_driver(sample_report: Report) -> None:
    data = render(sample_report)
    assert data["version"] == "2.1.0"
    assert len(data["runs"]) == 1
    driver = data["runs"][0]["tool"]["driver"]
    assert driver["name"] == "shiftsec"
    assert driver["version"] == "0.1.0"
    assert "informationUri" not in driver  # optional in SARIF; the project has no public address to give yet


def test_one_rule_per_rule_id_and_indexes_point_at_them(sample_report: Report) -> None:
    run = render(sample_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(set(ids))
    assert set(ids) == {finding.rule_id for finding in sample_report.findings}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_rule_content(sample_report: Report) -> None:
    rules = {rule["id"]: rule for rule in render(sample_report)["runs"][0]["tool"]["driver"]["rules"]}
    log4j = rules["GHSA-jfh8-c2jp-5v3q"]
    assert log4j["shortDescription"] == {"text": "Remote code injection in Log4j"}
    assert log4j["helpUri"] == "https://nvd.nist.gov/vuln/detail/CVE-2021-44228"
    assert log4j["defaultConfiguration"] == {"level": "error"}
    assert log4j["properties"]["security-severity"] == "10.0"
    assert log4j["properties"]["tags"] == ["security", "vulnerability", "Maven"]
    assert "Upgrade org.apache.logging.log4j:log4j-core to 2.15.0 or later." in log4j["help"]["text"]
    assert "Upgrade org.apache.logging.log4j:log4j-core to 2.15.0 or later." in log4j["help"]["markdown"]
    urllib3 = rules["GHSA-q2q7-5pp4-w6pg"]
    assert urllib3["fullDescription"]["text"].startswith("When provided with a URL containing many @")
    # LOW without a CVSS score: the mapped value; UNKNOWN: no security-severity at all.
    assert rules["DEBIAN-CVE-2023-5678"]["properties"]["security-severity"] == "2.0"
    assert "no fixed version is known" in rules["DEBIAN-CVE-2023-5678"]["help"]["text"]
    assert "security-severity" not in rules["GO-2021-0113"]["properties"]
    assert "helpUri" in rules["GO-2021-0113"]
    # Markup-like text is escaped in markdown, kept as is in plain text.
    requests = rules["GHSA-j8r2-6x86-q33q"]
    assert "\\[bold\\]requests\\[/bold\\]" in requests["help"]["markdown"]
    assert "[bold]requests[/bold]" in requests["help"]["text"]


@pytest.mark.parametrize(
    ("severity", "level", "mapped"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "2.0"),
        (Severity.UNKNOWN, "note", None),
    ],
)
def test_levels_and_security_severity(
    sample_report: Report, severity: Severity, level: str, mapped: str | None
) -> None:
    finding = dataclasses.replace(sample_report.findings[0], severity=severity, cvss_score=None)
    run = render(dataclasses.replace(sample_report, findings=(finding,)))["runs"][0]
    rule = run["tool"]["driver"]["rules"][0]
    assert run["results"][0]["level"] == level
    assert rule["defaultConfiguration"]["level"] == level
    assert rule["properties"].get("security-severity") == mapped
    assert sarif.security_severity(severity, 7.25) == "7.2"  # a known score wins, one decimal


def test_results(sample_report: Report) -> None:
    results = {r["ruleId"]: r for r in render(sample_report)["runs"][0]["results"]}
    requests = results["GHSA-j8r2-6x86-q33q"]
    assert requests["level"] == "warning"
    assert requests["message"]["text"] == (
        "requests@2.25.0 (PyPI) is affected by GHSA-j8r2-6x86-q33q (CVE-2023-32681): "
        "Unintended leak of Proxy-Authorization header in [bold]requests[/bold]. Fixed in 2.31.0."
    )
    assert requests["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "requirements.txt"}, "region": {"startLine": 3}}}
    ]
    finding = next(f for f in sample_report.findings if f.rule_id == "GHSA-j8r2-6x86-q33q")
    assert requests["partialFingerprints"] == {"shiftsec/v1": finding.fingerprint}
    openssl = results["DEBIAN-CVE-2023-5678"]
    assert openssl["message"]["text"].endswith("No fixed version is known.")
    assert "region" not in openssl["locations"][0]["physicalLocation"]  # no line known
    xtext = results["GO-2021-0113"]
    assert xtext["locations"][0]["physicalLocation"]["region"] == {"startLine": 12, "endLine": 12}


def test_every_result_has_a_location(sample_report: Report) -> None:
    # GitHub code scanning rejects the whole upload when one result has none.
    for result in render(sample_report)["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_location_falls_back_to_package_then_target(sample_report: Report) -> None:
    requests = next(f for f in sample_report.findings if f.rule_id == "GHSA-j8r2-6x86-q33q")
    without = dataclasses.replace(requests, location=None)
    result = render(dataclasses.replace(sample_report, findings=(without,)))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "requirements.txt"

    log4j = next(f for f in sample_report.findings if f.rule_id == "GHSA-jfh8-c2jp-5v3q")
    result = render(dataclasses.replace(sample_report, findings=(log4j,)))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "examples/webapp"}}

    # A target that names no file (the current directory) leaves nothing to point at.
    result = render(dataclasses.replace(sample_report, target=".", findings=(log4j,)))["runs"][0]["results"][
        0
    ]
    assert "locations" not in result


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("requirements.txt", "requirements.txt"),
        ("./web/package-lock.json", "web/package-lock.json"),
        ("services\\api\\Pipfile.lock", "services/api/Pipfile.lock"),
        ("my app/go.mod", "my%20app/go.mod"),
        ("node_modules/@babel/core/package.json", "node_modules/@babel/core/package.json"),
        ("alpine:3.18", "alpine%3A3.18"),
        ("/srv/app/poetry.lock", "file:///srv/app/poetry.lock"),
        ("C:\\src\\app\\yarn.lock", "file:///C:/src/app/yarn.lock"),
        ("dir/", "dir"),
        (".", None),
        ("", None),
    ],
)
def test_to_uri(path: str, uri: str | None) -> None:
    assert sarif.to_uri(path) == uri


def test_errors_are_notifications(sample_report: Report) -> None:
    invocations = render(sample_report)["runs"][0]["invocations"]
    assert len(invocations) == 1
    assert invocations[0]["executionSuccessful"] is True
    notifications = invocations[0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notifications] == ["invalid-record", "parse"]
    assert notifications[1]["message"]["text"] == (
        "services/api/Pipfile.lock: invalid JSON at line 14, column 3: expecting ',' delimiter"
    )
    assert notifications[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "services/api/Pipfile.lock"
    )


def test_rule_shared_by_several_packages(sample_report: Report, validator: Draft4Validator) -> None:
    lodash = next(f for f in sample_report.findings if f.rule_id == "GHSA-35jh-r3h4-6jhm")
    other = dataclasses.replace(
        lodash,
        package=dataclasses.replace(lodash.package, ecosystem="Bower") if lodash.package else None,
        severity=Severity.CRITICAL,
        cvss_score=9.1,
        remediation="Upgrade lodash (Bower) to 4.17.21 or later.",
        fingerprint="sha256:other",
    )
    data = render(dataclasses.replace(sample_report, findings=(lodash, other)))
    validate(validator, data)
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == 1
    assert rules[0]["properties"]["tags"] == ["security", "vulnerability", "Bower", "npm"]
    assert rules[0]["properties"]["security-severity"] == "9.1"
    assert rules[0]["defaultConfiguration"]["level"] == "error"
    assert rules[0]["help"]["text"].count("Upgrade lodash") == 2
    assert [r["ruleIndex"] for r in data["runs"][0]["results"]] == [0, 0]


def test_finding_without_package(sample_report: Report, validator: Draft4Validator) -> None:
    finding = dataclasses.replace(sample_report.findings[0], package=None, location=Location("a/b.txt", 4))
    data = render(dataclasses.replace(sample_report, findings=(finding,)))
    validate(validator, data)
    result = data["runs"][0]["results"][0]
    assert result["message"]["text"].startswith(f"{finding.rule_id} (CVE-2020-28500): ")
    assert "package" not in result["properties"]


def test_input_order_does_not_matter(sample_report: Report) -> None:
    shuffled = dataclasses.replace(
        sample_report, findings=sample_report.findings[::-1], errors=sample_report.errors[::-1]
    )
    assert sarif.render(shuffled) == sarif.render(sample_report)


def test_large_report(large_report: Report, validator: Draft4Validator) -> None:
    text = sarif.render(large_report)
    data = json.loads(text)
    validate(validator, data)
    run = data["runs"][0]
    assert len(run["results"]) == 2000
    assert len(run["tool"]["driver"]["rules"]) == 1000
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_long_texts_are_bounded(sample_report: Report, validator: Draft4Validator) -> None:
    huge = "A" * 50_000
    finding: Finding = dataclasses.replace(sample_report.findings[0], title=huge, message=huge + "\n" + huge)
    data = render(dataclasses.replace(sample_report, findings=(finding,)))
    validate(validator, data)
    rule = data["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(rule["shortDescription"]["text"]) <= sarif.DESCRIPTION_LIMIT
    assert len(rule["fullDescription"]["text"]) <= sarif.DESCRIPTION_LIMIT
    assert len(rule["help"]["text"]) <= sarif.HELP_LIMIT
    assert len(data["runs"][0]["results"][0]["message"]["text"]) <= sarif.MESSAGE_LIMIT


# --- what the policy said: suppressions, baseline state, exploitation facts, CWEs, SAST -------------------


def test_policy_golden(policy_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("policy.sarif", sarif.render(policy_report))


def test_policy_report_is_valid(policy_report: Report, validator: Draft4Validator) -> None:
    data = render(policy_report)
    validate(validator, data)
    for result in data["runs"][0]["results"]:  # GitHub's requirements hold for every finding type
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert result["partialFingerprints"]["shiftsec/v1"]


def _results(report: Report) -> dict[str, dict[str, Any]]:
    return {result["ruleId"]: result for result in render(report)["runs"][0]["results"]}


@pytest.mark.parametrize(
    ("rule_id", "suppressions"),
    [
        ("GHSA-xvch-5gv4-984h", [{"kind": "external", "status": "accepted",
                                  "justification": "dev-only build tool, never shipped (owner: team-web; expires: "
                                                   "2026-12-31; source: shiftsec.yaml)",
                                  "properties": {"shiftsecKind": "exception"}}]),
        ("GHSA-q2q7-5pp4-w6pg", [{"kind": "external", "status": "accepted",
                                  "justification": "we never parse user-supplied URLs (VEX justification: "
                                                   "vulnerable_code_not_in_execute_path; source: "
                                                   "vex/app.openvex.json)",
                                  "properties": {"shiftsecKind": "vex"}}]),
        ("B608", [{"kind": "inSource", "status": "accepted",
                   "justification": "constant table name, reviewed (source: app/db.py:42)",
                   "properties": {"shiftsecKind": "inline"}}]),
        ("GHSA-jfh8-c2jp-5v3q", None),
        ("github-pat", None),
    ],
)
def test_suppressions(policy_report: Report, rule_id: str, suppressions: list[dict[str, Any]] | None) -> None:
    assert _results(policy_report)[rule_id].get("suppressions") == suppressions


@pytest.mark.parametrize(
    ("rule_id", "state"),
    [("GHSA-jfh8-c2jp-5v3q", "new"), ("github-pat", "new"), ("KSV012", "unchanged"),
     ("GHSA-xvch-5gv4-984h", "unchanged"), ("GO-2021-0113", None)],
)
def test_baseline_state(policy_report: Report, rule_id: str, state: str | None) -> None:
    assert _results(policy_report)[rule_id].get("baselineState") == state


def test_exploitation_facts_and_sources(policy_report: Report) -> None:
    results = _results(policy_report)
    assert results["GHSA-jfh8-c2jp-5v3q"]["properties"]["kev"] is True
    assert results["GHSA-jfh8-c2jp-5v3q"]["properties"]["epss"] == 0.97565
    assert results["GHSA-35jh-r3h4-6jhm"]["properties"]["kev"] is False
    assert "kev" not in results["GO-2021-0113"]["properties"]  # unknown: left out
    assert "epss" not in results["GO-2021-0113"]["properties"]
    assert results["B608"]["properties"]["cwes"] == ["CWE-89"]
    assert results["B608"]["properties"]["alsoReportedBy"] == ["bandit"]


def test_rule_tags_by_type_and_cwe(policy_report: Report) -> None:
    rules = {rule["id"]: rule for rule in render(policy_report)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["B608"]["properties"]["tags"] == ["security", "sast", "external/cwe/cwe-89"]
    assert rules["github-pat"]["properties"]["tags"] == ["security", "secret"]
    assert rules["KSV012"]["properties"]["tags"] == ["security", "misconfig"]
    assert rules["GHSA-jfh8-c2jp-5v3q"]["properties"]["tags"] == ["security", "vulnerability", "Maven"]
    assert rules["B608"]["properties"]["security-severity"] == "5.5"
    assert "Use a parameterised query." in rules["B608"]["help"]["text"]


def test_sast_result(policy_report: Report) -> None:
    result = _results(policy_report)["B608"]
    assert result["message"]["text"] == "B608: Possible SQL injection via string-based query construction."
    assert result["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "app/db.py"}, "region": {"startLine": 42, "endLine": 44}}}
    ]


@pytest.mark.parametrize("cwes", [("CWE-79", "cwe-022", "CWE-79"), ("not a cwe", "CWE-"), ()])
def test_cwe_tags_are_normalised(policy_report: Report, cwes: tuple[str, ...], validator: Draft4Validator) -> None:
    sast = next(f for f in policy_report.findings if f.rule_id == "B608")
    data = render(dataclasses.replace(policy_report, findings=(dataclasses.replace(sast, cwes=cwes),)))
    validate(validator, data)
    tags = data["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]
    expected = ["external/cwe/cwe-22", "external/cwe/cwe-79"] if cwes and cwes[0] == "CWE-79" else []
    assert tags == ["security", "sast", *expected]
