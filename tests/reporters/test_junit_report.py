"""JUnit XML: golden files, the shape CI test-report parsers read, and hostile text.

Parsed with the standard library's ElementTree and, where it is installed, with junitparser (the library
many CI integrations use). The structural check follows the common JUnit schema (Jenkins' junit-10.xsd,
which GitLab and the GitHub test-reporter actions also read): which elements may hold which, and the
attributes each must have.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from shiftsec.model import Finding, FindingType, Location, Report, Severity, Suppression, SuppressionKind
from shiftsec.reporters import junit

# element → (required attributes, allowed child elements): the subset of junit-10.xsd shiftsec writes into.
SCHEMA: dict[str, tuple[set[str], set[str]]] = {
    "testsuites": (set(), {"testsuite"}),
    "testsuite": ({"name", "tests"}, {"properties", "testcase", "system-out", "system-err"}),
    "properties": (set(), {"property"}),
    "property": ({"name", "value"}, set()),
    "testcase": ({"name", "classname"}, {"skipped", "error", "failure", "system-out", "system-err"}),
    "failure": (set(), set()),
    "skipped": (set(), set()),
    "system-out": (set(), set()),
    "system-err": (set(), set()),
}
COUNTS = ("tests", "failures", "errors", "skipped")


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def check_shape(root: ET.Element) -> None:
    """Every element is one the schema knows, holds only what it may, and has its required attributes;
    the counts add up and are integers; times are decimals."""
    assert root.tag == "testsuites"
    for element in root.iter():
        required, allowed = SCHEMA[element.tag]
        assert required <= set(element.attrib), (element.tag, element.attrib)
        assert {child.tag for child in element} <= allowed, element.tag
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases)
        assert int(suite.get("failures", "")) == sum(case.find("failure") is not None for case in cases)
        assert int(suite.get("skipped", "")) == sum(case.find("skipped") is not None for case in cases)
        assert int(suite.get("errors", "")) == 0
        float(suite.get("time", ""))
        for case in cases:
            float(case.get("time", ""))
            assert len([c for c in case if c.tag in ("failure", "skipped", "error")]) <= 1
    for key in COUNTS:
        assert int(root.get(key, "")) == sum(int(s.get(key, "")) for s in root.iter("testsuite"))


def cases(root: ET.Element, suite: str) -> dict[str, ET.Element]:
    found = root.find(f"testsuite[@name='{suite}']")
    assert found is not None, suite
    return {case.get("name", ""): case for case in found.findall("testcase")}


def test_golden_policy(policy_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("policy.junit.xml", junit.render(policy_report))


def test_golden_no_verdict(sample_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.junit.xml", junit.render(sample_report))


@pytest.mark.parametrize("name", ["policy_report", "passed_report", "sample_report", "empty_report"])
def test_shape(name: str, request: pytest.FixtureRequest) -> None:
    check_shape(parse(junit.render(request.getfixturevalue(name))))


def test_one_case_per_rule(policy_report: Report) -> None:
    root = parse(junit.render(policy_report))
    suite = root.find("testsuite[@name='policy']")
    assert suite is not None
    assert suite.get("timestamp") == "2024-05-02T08:30:00"
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["policy"] == "shiftsec.yaml"
    assert properties["baseline"] == "origin/main"
    assert properties["passed"] == "false"
    rules = cases(root, "policy")
    assert list(rules) == ["no-critical", "fixable-high", "no-secrets", "misconfig-high"]  # the policy's order
    assert {case.get("classname") for case in rules.values()} == {"shiftsec.policy"}
    assert rules["misconfig-high"].find("failure") is None
    failure = rules["fixable-high"].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("type") == "policy-rule"
    assert failure.get("message") == "2 open findings meet the rule: vulnerability, severity >= HIGH, fix available"
    # Worst first; each with severity, rule id, title, location, package and the fix.
    assert failure.text.index("GHSA-jfh8-c2jp-5v3q") < failure.text.index("GHSA-35jh-r3h4-6jhm")
    for expected in ("HIGH GHSA-35jh-r3h4-6jhm: Command Injection in lodash", "at: web/package-lock.json:812",
                     "package: lodash 4.17.20 (npm)", "fix: Upgrade lodash to 4.17.21 or later.", "change: new"):
        assert expected in failure.text
    one = rules["no-critical"].find("failure")
    assert one is not None and one.get("message", "").startswith("1 open finding meets the rule: ")


def test_exceptions_suite(policy_report: Report) -> None:
    notes = cases(parse(junit.render(policy_report)), "exceptions")
    expired = notes["expired: GHSA-29mw-wpgm-hmr9 in lodash (shiftsec.yaml:14)"]
    failure = expired.find("failure")
    assert failure is not None and failure.get("type") == "expired-exception"
    assert "2024-04-30" in failure.get("message", "") and "team-web" in failure.get("message", "")
    stale = notes["stale: CVE-2019-10744 (shiftsec.yaml:21)"]
    assert stale.find("failure") is None
    skipped = stale.find("skipped")
    assert skipped is not None and "remove it" in skipped.get("message", "")


def test_passed_verdict(passed_report: Report) -> None:
    root = parse(junit.render(passed_report))
    assert root.get("failures") == "0"
    assert [s.get("name") for s in root.iter("testsuite")] == ["policy"]  # no exception notes: no suite
    assert root.find(".//property[@name='new_only']") is not None
    assert root.find(".//property[@name='new_only']").get("value") == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("scanners", "findings", "expected"),
    [
        # (scanners that ran, finding types, {case: fails?})
        (("vuln",), (), {"vulnerability": False}),
        (("vuln", "secret"), (FindingType.SECRET,), {"vulnerability": False, "secret": True}),
        ((), (FindingType.SAST, FindingType.MISCONFIG), {"misconfig": True, "sast": True}),
        (("misconfig",), (FindingType.VULNERABILITY,), {"vulnerability": True, "misconfig": False}),
    ],
)
def test_without_verdict_one_case_per_type(
    empty_report: Report, scanners: tuple[str, ...], findings: tuple[FindingType, ...], expected: dict[str, bool]
) -> None:
    made = tuple(
        Finding(kind, f"R{i}", Severity.LOW, "t", "m", f"fp{i}", location=Location("f.txt", 1))
        for i, kind in enumerate(findings)
    )
    report = dataclasses.replace(empty_report, scanners=scanners, findings=made)
    got = cases(parse(junit.render(report)), "findings")
    assert {name: case.find("failure") is not None for name, case in got.items()} == expected
    assert list(got) == list(expected)  # the finding types' order


def test_without_verdict_suppressed_findings_do_not_fail(sample_report: Report) -> None:
    quiet = Suppression(SuppressionKind.VEX, "not reachable")
    findings = tuple(dataclasses.replace(f, suppression=quiet) for f in sample_report.findings[1:])
    report = dataclasses.replace(sample_report, findings=(sample_report.findings[0], *findings))
    case = cases(parse(junit.render(report)), "findings")["vulnerability"]
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "1 open vulnerability finding"
    out = case.find("system-out")
    assert out is not None and out.text == "7 suppressed findings not counted"
    all_quiet = dataclasses.replace(report, findings=findings)
    assert cases(parse(junit.render(all_quiet)), "findings")["vulnerability"].find("failure") is None


def test_errors_go_to_system_err(sample_report: Report) -> None:
    err = parse(junit.render(sample_report)).find("testsuite/system-err")
    assert err is not None and err.text is not None
    assert "services/api/Pipfile.lock: invalid JSON" in err.text


HOSTILE = "<b>&amp;</b> ]]> \"quoted\" 'single' \x1b[31mred\x1b[0m \x00nul \x0bvt \x85nel \udcff bad-byte"


def test_hostile_text_is_escaped(policy_report: Report) -> None:
    log4j = next(f for f in policy_report.findings if f.rule_id == "GHSA-jfh8-c2jp-5v3q")
    hostile = dataclasses.replace(log4j, title=HOSTILE, remediation=HOSTILE, rule_id="R<&>\x01")
    assert policy_report.verdict is not None
    rule = dataclasses.replace(policy_report.verdict.rules[0], name=HOSTILE, condition=HOSTILE, failing=(hostile,))
    verdict = dataclasses.replace(policy_report.verdict, rules=(rule,), policy=HOSTILE)
    report = dataclasses.replace(policy_report, findings=(hostile,), verdict=verdict, target=HOSTILE)
    text = junit.render(report)
    root = parse(text)
    check_shape(root)
    case = root.find("testsuite/testcase")
    assert case is not None
    name = case.get("name", "")
    assert "<b>&amp;</b> ]]> \"quoted\" 'single'" in name  # round-trips as text
    assert "\x1b" not in text and "\x00" not in text and "\x85" not in text and "\x0b" not in text
    assert "\\udcff" in name  # an undecodable byte is spelled out, not dropped
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert "CRITICAL R<&>: <b>&amp;</b> ]]>" in failure.text
    text.encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize(
    ("created_at", "timestamp"),
    [("2024-05-02T08:30:00Z", "2024-05-02T08:30:00"), ("2024-05-02T10:30:00.123+02:00", "2024-05-02T08:30:00"),
     ("2024-05-02T08:30:00", "2024-05-02T08:30:00"), ("yesterday", None)],
)
def test_timestamp(empty_report: Report, created_at: str, timestamp: str | None) -> None:
    suite = parse(junit.render(dataclasses.replace(empty_report, created_at=created_at))).find("testsuite")
    assert suite is not None and suite.get("timestamp") == timestamp


def test_long_lists_are_capped(policy_report: Report, large_report: Report) -> None:
    assert policy_report.verdict is not None
    rule = dataclasses.replace(policy_report.verdict.rules[0], failing=large_report.findings)
    report = dataclasses.replace(policy_report, verdict=dataclasses.replace(policy_report.verdict, rules=(rule,)))
    failure = parse(junit.render(report)).find(".//failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message", "").startswith("2000 open findings")
    assert failure.text.rstrip().endswith(f"… and {2000 - junit.LIST_LIMIT} more")


@pytest.mark.parametrize("name", ["policy_report", "sample_report", "passed_report"])
def test_junitparser_reads_it(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser", reason="junitparser is not installed (optional)")
    report: Report = request.getfixturevalue(name)
    path = tmp_path / "junit.xml"
    path.write_text(junit.render(report), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    root = parse(junit.render(report))
    suites = list(xml)
    assert [s.name for s in suites] == [s.get("name") for s in root.iter("testsuite")]
    for suite, element in zip(suites, root.iter("testsuite"), strict=True):
        assert suite.tests == int(element.get("tests", ""))
        assert suite.failures == int(element.get("failures", ""))
        assert suite.skipped == int(element.get("skipped", ""))
        for case in suite:
            kinds = {type(r).__name__ for r in case.result}
            failed = not case.is_passed and not case.is_skipped
            assert failed == ("Failure" in kinds)
