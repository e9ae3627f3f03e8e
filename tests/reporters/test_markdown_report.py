"""The Markdown summary (pull-request comment, `$GITHUB_STEP_SUMMARY`): golden files, the verdict section,
the marks on findings, SAST, caps on long lists, and hostile text."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest

from shiftsec.model import Finding, FindingType, Location, Report, Severity
from shiftsec.reporters import markdown


def test_golden_policy(policy_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("policy.md", markdown.render(policy_report))


def test_golden_plain(sample_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.md", markdown.render(sample_report))


def test_verdict_comes_first(policy_report: Report, passed_report: Report) -> None:
    text = markdown.render(policy_report)
    assert text.startswith("## shiftsec: policy ❌ failed\n\n"
                           "Policy `shiftsec.yaml`, compared with `origin/main`: 3 of 4 rules failed.\n")
    assert "| ❌ | fixable-high | vulnerability, severity \\>= HIGH, fix available | 2 |" in text
    assert "| ✅ | misconfig-high | misconfig, severity \\>= HIGH | 0 |" in text
    assert text.index("## shiftsec: policy") < text.index("## shiftsec: dependency vulnerabilities")
    passed = markdown.render(passed_report)
    assert passed.startswith("## shiftsec: policy ✅ passed\n\nPolicy `shiftsec.yaml`, compared with `origin/main` "
                             "(only new findings can fail): all 4 rules passed.\n")
    assert "Exceptions that did not apply" not in passed


def test_failing_findings_say_how_to_fix(policy_report: Report) -> None:
    text = markdown.render(policy_report)
    assert ("- 🟧 HIGH `GHSA-35jh-r3h4-6jhm` Command Injection in lodash · **new** — lodash 4.17.20 — "
            "`web/package-lock.json:812` — fix: Upgrade lodash to 4.17.21 or later.") in text
    assert ("- 🟧 HIGH `github-pat` GitHub personal access token · **new** — `config/settings.py:12` — fix: Revoke "
            "the token on GitHub, then remove it from the code and its history.") in text
    assert "expired 2024-04-30: renew it or fix what it covered" in text
    assert "CVE-2019-10744 (`shiftsec.yaml:21`, owner team-api, reason: old lodash, removed since): matched no " \
           "finding: remove it" in text


@pytest.mark.parametrize(
    ("rule_id", "marks"),
    [
        ("GHSA-xvch-5gv4-984h", "· existing · *suppressed (exception: dev-only build tool, never shipped)*"),
        ("GHSA-q2q7-5pp4-w6pg", "· existing · *suppressed (vex: we never parse user-supplied URLs)*"),
        ("GHSA-jfh8-c2jp-5v3q", "· **new** |"),
        ("B608", "(CWE-89) · **new** · *suppressed (inline: constant table name, reviewed)*"),
        ("Runs as root", "Runs as root user · existing |"),
    ],
)
def test_findings_are_marked(policy_report: Report, rule_id: str, marks: str) -> None:
    rows = [line for line in markdown.render(policy_report).splitlines()
            if line.startswith("| ") and rule_id in line]
    assert any(marks in row for row in rows), rows


def test_without_verdict_nothing_changes(sample_report: Report) -> None:
    text = markdown.render(sample_report)
    assert text.startswith("## shiftsec: dependency vulnerabilities")
    assert "policy" not in text and "**new**" not in text and "suppressed" not in text


def test_sast_section(empty_report: Report) -> None:
    assert "## shiftsec: code issues\n\nNo code issues found." in markdown.render(
        dataclasses.replace(empty_report, scanners=("sast",)))


def _many(kind: FindingType, count: int) -> tuple[Finding, ...]:
    return tuple(Finding(kind, f"R{i:04d}", Severity.HIGH, f"problem {i}", "m", f"fp{i}",
                         location=Location(f"f{i}.txt", 1)) for i in range(count))


@pytest.mark.parametrize(("kind", "columns"), [(FindingType.SECRET, 5), (FindingType.MISCONFIG, 4),
                                               (FindingType.SAST, 4)])
def test_long_tables_are_capped(empty_report: Report, kind: FindingType, columns: int) -> None:
    report = dataclasses.replace(empty_report, scanners=(), findings=_many(kind, markdown.ROW_LIMIT + 7))
    lines = markdown.render(report).splitlines()
    more = [line for line in lines if "… and 7 more" in line]
    assert more == ["| … and 7 more |" + " |" * (columns - 1)]
    assert len([line for line in lines if "problem" in line]) == markdown.ROW_LIMIT


def test_failing_lists_are_capped(policy_report: Report, large_report: Report) -> None:
    assert policy_report.verdict is not None
    rule = dataclasses.replace(policy_report.verdict.rules[0], failing=large_report.findings)
    exceptions = policy_report.verdict.exceptions * 8
    verdict = dataclasses.replace(policy_report.verdict, rules=(rule,), exceptions=exceptions)
    text = markdown.render(dataclasses.replace(large_report, verdict=verdict))
    assert f"- … and {2000 - markdown.RULE_LIMIT} more" in text
    assert f"- … and {16 - markdown.RULE_LIMIT} more" in text
    assert len(text) < 80_000  # GitHub's step summary takes at most 1 MiB per step


def test_hostile_text_is_escaped(policy_report: Report) -> None:
    assert policy_report.verdict is not None
    evil = "x | <img src=x onerror=alert(1)> `code` [link](javascript:alert(2))\n## heading"
    rule = dataclasses.replace(policy_report.verdict.rules[0], name=evil, condition=evil)
    note = dataclasses.replace(policy_report.verdict.exceptions[0], covers=evil, reason=evil)
    verdict = dataclasses.replace(policy_report.verdict, rules=(rule,), exceptions=(note,))
    text = markdown.render(dataclasses.replace(policy_report, verdict=verdict))
    # Escaped (`\\<img`, `\\](`): Markdown shows them as text.
    assert not re.search(r"(?<!\\)<img|(?<!\\)\]\(javascript", text) and "\n## heading" not in text
    assert "x \\| \\<img src=x onerror=alert(1)\\>" in text
