"""The terminal table with a policy verdict: the verdict first, marks on findings, suppressed findings with
their reason, SAST findings, and caps on long lists."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from shiftsec.model import Report
from shiftsec.reporters import table


def test_golden_policy(policy_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("policy.txt", table.render(policy_report, color=False, width=120))


def test_verdict_first(policy_report: Report, passed_report: Report) -> None:
    lines = table.render(policy_report).splitlines()
    assert lines[:3] == [
        "Policy FAILED (shiftsec.yaml, baseline origin/main): 3 of 4 rules failed",
        "  ✗ no-critical  any type, severity >= CRITICAL  (1 finding)",
        "      CRITICAL GHSA-jfh8-c2jp-5v3q  [new] Remote code injection in Log4j  "
        "org.apache.logging.log4j:log4j-core 2.14.1  → Upgrade org.apache.logging.log4j:log4j-core to 2.15.0 or "
        "later.",
    ]
    assert "  ✓ misconfig-high  misconfig, severity >= HIGH" in lines
    assert ("    expired  GHSA-29mw-wpgm-hmr9 in lodash  (shiftsec.yaml:14, owner team-web, expires 2024-04-30): "
            "renew it or fix what it covered") in lines
    passed = table.render(passed_report).splitlines()
    assert passed[0] == ("Policy PASSED (shiftsec.yaml, baseline origin/main, only new findings can fail): "
                         "all 4 rules passed")


def test_marks_and_suppressed_reasons(policy_report: Report) -> None:
    text = table.render(policy_report, width=160)
    assert "│ [suppressed: exception] Prototype Pollution in minimist" in text
    assert "│ [new] Command Injection in lodash" in text
    assert "  app/db.py:42  MEDIUM  B608 (CWE-89)  [new] [suppressed: inline] Query built" in text
    assert ("  CRITICAL GHSA-xvch-5gv4-984h  minimist 1.2.5  exception: dev-only build tool, never shipped "
            "(owner team-web, expires 2026-12-31)") in text
    assert "vex: we never parse user-supplied URLs (VEX vulnerable_code_not_in_execute_path)" in text
    assert "\n1 code issue in 1 file\n" in text


def test_colour_only_when_asked(policy_report: Report) -> None:
    assert "\x1b[" not in table.render(policy_report)
    assert "\x1b[1;31mFAILED" in table.render(policy_report, color=True)


def test_long_rule_lists_are_capped(policy_report: Report, large_report: Report) -> None:
    assert policy_report.verdict is not None
    rule = dataclasses.replace(policy_report.verdict.rules[0], failing=large_report.findings)
    verdict = dataclasses.replace(policy_report.verdict, rules=(rule,))
    text = table.render(dataclasses.replace(policy_report, verdict=verdict))
    assert f"      … and {2000 - table.RULE_LIMIT} more\n" in text


def test_without_verdict_unchanged(sample_report: Report) -> None:
    text = table.render(sample_report)
    assert "Policy" not in text and "[new]" not in text and "Suppressed" not in text
