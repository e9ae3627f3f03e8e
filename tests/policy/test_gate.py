"""The gate: exceptions through their lifecycle (active, expired, stale), inline ignores (honoured or inert),
new-versus-existing against a baseline, and the fail rules."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

import pytest

from shiftsec.model import (
    Finding,
    FindingType,
    Location,
    Package,
    Report,
    Severity,
    Suppression,
    SuppressionKind,
)
from shiftsec.policy.baseline import Baseline
from shiftsec.policy.config import Policy, load_policy
from shiftsec.policy.gate import counts, judge
from shiftsec.policy.matching import glob_matches

TODAY = datetime.date(2026, 11, 23)


def _vuln(rule: str, name: str, version: str, *, severity: Severity = Severity.HIGH, fixed: str | None = "9.9",
          aliases: tuple[str, ...] = (), path: str = "requirements.txt") -> Finding:
    return Finding(FindingType.VULNERABILITY, rule, severity, f"{rule} in {name}", "", f"fp-{rule}-{name}",
                   aliases=aliases, location=Location(path, 3),
                   package=Package(name, version, "PyPI", f"pkg:pypi/{name}@{version}"), fixed_in=fixed)


def _other(kind: FindingType, rule: str, path: str, line: int, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(kind, rule, severity, rule, "", f"fp-{rule}-{path}", location=Location(path, line))


REQUESTS = _vuln("GHSA-j8r2-6x86-q33q", "requests", "2.30.0", aliases=("CVE-2023-32681",))
JINJA = _vuln("GHSA-h5c8-rqwp-cp95", "jinja2", "3.1.2", severity=Severity.MEDIUM)
NOFIX = _vuln("PYSEC-2099-1", "oldlib", "1.0", severity=Severity.CRITICAL, fixed=None)
KEY = _other(FindingType.SECRET, "aws-access-key", "app/settings.py", 2)
POD = _other(FindingType.MISCONFIG, "pss-privileged", "deploy/pod.yaml", 9)


def _policy(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path)


def _judge(tmp_path: Path, findings: list[Finding], policy: Policy, baseline: Baseline | None = None) -> Report:
    report = Report("repo", "directory", "2026-11-23T00:00:00Z", "0", findings=tuple(findings))
    return judge(report, policy, root=tmp_path, today=TODAY, baseline=baseline)


EXCEPTIONS = """\
fail:
  - {name: vulns, type: vulnerability, severity: high}
  - {name: secrets, type: secret}
exceptions:
  - id: cve-2023-32681            # an alias, in another case
    package: pkg:pypi/requests    # no version: every version
    reason: proxy support is not used
    owner: alice@example.com
    expires: 2026-11-23           # the last day it applies is today
    vex_justification: vulnerable_code_not_in_execute_path
  - id: PYSEC-2099-1
    reason: waiting for the vendor
    owner: bob
    expires: 2026-11-22           # yesterday: expired
  - path: "legacy/**"
    reason: the legacy tree is being deleted
    owner: carol
    expires: 2027-06-30           # matches nothing: stale
"""


def test_exceptions_active_expired_and_stale(tmp_path: Path) -> None:
    judged = _judge(tmp_path, [REQUESTS, JINJA, NOFIX, KEY], _policy(tmp_path, EXCEPTIONS))
    by_rule = {f.rule_id: f for f in judged.findings}
    assert by_rule["GHSA-j8r2-6x86-q33q"].suppression == Suppression(
        SuppressionKind.EXCEPTION, "proxy support is not used", owner="alice@example.com", expires="2026-11-23",
        justification="vulnerable_code_not_in_execute_path", source=f"{tmp_path / 'policy.yaml'}:5")
    assert by_rule["PYSEC-2099-1"].suppression is None  # its exception expired yesterday
    verdict = judged.verdict
    assert verdict is not None and not verdict.passed
    failing = {rule.name: [f.rule_id for f in rule.failing] for rule in verdict.rules}
    assert failing == {"vulns": ["PYSEC-2099-1"], "secrets": ["aws-access-key"]}  # jinja2 is only MEDIUM
    assert [(n.state, n.covers, n.owner, n.expires) for n in verdict.exceptions] == [
        ("expired", "PYSEC-2099-1", "bob", "2026-11-22"),
        ("stale", "at legacy/**", "carol", "2027-06-30"),
    ]
    assert counts(judged) == {"failing": 2, "suppressed": 1, "existing": 0, "open": 1}


def test_a_version_in_the_purl_limits_the_exception(tmp_path: Path) -> None:
    text = EXCEPTIONS.replace("pkg:pypi/requests ", "pkg:pypi/requests@2.31.0")
    judged = _judge(tmp_path, [REQUESTS], _policy(tmp_path, text))
    assert judged.findings[0].suppression is None
    assert ("stale", "CVE-2023-32681 in pkg:pypi/requests@2.31.0") in {(n.state, n.covers.replace("cve", "CVE"))
                                                                        for n in judged.verdict.exceptions}


def test_every_selector_must_match(tmp_path: Path) -> None:
    policy = _policy(tmp_path, """\
exceptions:
  - {id: aws-access-key, path: "tests/**", reason: r, owner: o, expires: 2027-01-01}
  - {fingerprint: fp-pss-privileged-deploy/pod.yaml, reason: r, owner: o, expires: 2027-01-01}
""")
    judged = _judge(tmp_path, [KEY, POD], policy)
    assert judged.findings[0].suppression is None  # right rule, wrong folder
    assert judged.findings[1].suppression is not None
    assert [n.covers for n in judged.verdict.exceptions] == ["aws-access-key at tests/**"]


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("tests/**", "tests/unit/a.py", True),
    ("tests/**", "src/tests/a.py", False),
    ("tests/", "tests/a.py", True),
    ("*.lock", "web/Gemfile.lock", True),  # no slash: the name, in any folder
    ("web/*.lock", "web/sub/Gemfile.lock", False),
    ("**/fixtures/**", "a/b/fixtures/c/d.json", True),
    ("**/fixtures/**", "fixtures/d.json", True),
    ("./deploy/*.yaml", "deploy/pod.yaml", True),
    (".github/**", ".github/workflows/ci.yml", True),
    ("src/app[12].py", "src/app2.py", True),
    ("deploy", "deploy/pod.yaml", True),  # a folder covers what it holds
    ("deploy", "deployment.yaml", False),
])
def test_path_globs(pattern: str, path: str, matches: bool) -> None:
    assert glob_matches(pattern, path) is matches


def _ignored_tree(tmp_path: Path) -> list[Finding]:
    (tmp_path / "deploy").mkdir()
    lines = ["apiVersion: v1"] * 7 + ["# shiftsec:ignore=pss-privileged the node agent needs it", "privileged: true"]
    (tmp_path / "deploy" / "pod.yaml").write_text("\n".join(lines) + "\n")
    secret = Suppression(SuppressionKind.INLINE, "inline shiftsec:ignore", source="app/settings.py:2")
    return [POD, replace(KEY, suppression=secret)]


def test_inline_ignores_are_honoured_by_default(tmp_path: Path) -> None:
    judged = _judge(tmp_path, _ignored_tree(tmp_path), _policy(tmp_path, "new_only: true\n"))
    pod, key = judged.findings
    assert pod.suppression == Suppression(SuppressionKind.INLINE, "the node agent needs it", source="deploy/pod.yaml:8")
    assert key.suppression is not None and judged.verdict.passed


def test_allow_inline_ignores_false_makes_them_inert(tmp_path: Path) -> None:
    judged = _judge(tmp_path, _ignored_tree(tmp_path), _policy(tmp_path, "allow_inline_ignores: false\n"))
    assert all(f.suppression is None for f in judged.findings)
    failing = {rule.name: [f.rule_id for f in rule.failing] for rule in judged.verdict.rules if rule.failing}
    assert failing == {"secrets": ["aws-access-key"], "misconfigurations": ["pss-privileged"]}


def test_an_ignore_for_another_rule_does_not_cover(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "pod.yaml").write_text("\n" * 8 + "privileged: true  # shiftsec:ignore=pss-host-ports\n")
    judged = _judge(tmp_path, [POD], _policy(tmp_path, "{}\n"))
    assert judged.findings[0].suppression is None and not judged.verdict.passed


def test_new_only_fails_only_on_what_the_change_introduced(tmp_path: Path) -> None:
    baseline = Baseline(frozenset({REQUESTS.fingerprint, KEY.fingerprint}), "git:main")
    judged = _judge(tmp_path, [REQUESTS, KEY, POD], _policy(tmp_path, "new_only: true\n"), baseline)
    assert [f.change for f in judged.findings] == ["existing", "existing", "new"]
    verdict = judged.verdict
    assert [f.rule_id for rule in verdict.rules for f in rule.failing] == ["pss-privileged"]
    assert verdict.new_only and verdict.baseline == "git:main"
    # without new_only the existing ones fail too, still marked existing
    everything = _judge(tmp_path, [REQUESTS, KEY, POD], _policy(tmp_path, "new_only: false\n"), baseline)
    assert sorted(f.rule_id for rule in everything.verdict.rules for f in rule.failing) == [
        "GHSA-j8r2-6x86-q33q", "aws-access-key", "pss-privileged"]
    # with no baseline nothing is "existing": every finding counts
    alone = _judge(tmp_path, [REQUESTS], _policy(tmp_path, "new_only: true\n"))
    assert alone.findings[0].change is None and not alone.verdict.passed and not alone.verdict.new_only


@pytest.mark.parametrize(("rule", "failing"), [
    ("{type: vulnerability, fix_available: true}", ["GHSA-h5c8-rqwp-cp95", "GHSA-j8r2-6x86-q33q"]),
    ("{type: vulnerability, fix_available: false}", ["PYSEC-2099-1"]),
    ("{type: vulnerability, severity: '> high'}", ["PYSEC-2099-1"]),
    ("{type: vulnerability, severity: '<= medium'}", ["GHSA-h5c8-rqwp-cp95"]),
    ("{type: vulnerability, kev: true}", ["GHSA-j8r2-6x86-q33q"]),
    ("{type: vulnerability, epss: '>= 0.5'}", ["PYSEC-2099-1"]),
    ("{rule: 'GHSA-*'}", ["GHSA-h5c8-rqwp-cp95", "GHSA-j8r2-6x86-q33q"]),
    ("{type: [secret, misconfig]}", ["aws-access-key", "pss-privileged"]),
])
def test_rule_conditions(tmp_path: Path, rule: str, failing: list[str]) -> None:
    findings = [replace(REQUESTS, kev=True, epss=0.2), replace(JINJA, kev=False), replace(NOFIX, epss=0.7), KEY, POD]
    judged = _judge(tmp_path, findings, _policy(tmp_path, f"fail:\n  - {rule}\n"))
    assert sorted(f.rule_id for f in judged.verdict.rules[0].failing) == failing


def test_max_allowed_tolerates_a_count(tmp_path: Path) -> None:
    """A quality gate: up to two new duplicated blocks pass, the third fails (and lists all three)."""
    blocks = [_other(FindingType.SAST, "quality-duplication", f"src/m{i}.py", 10, Severity.LOW) for i in range(3)]
    policy = _policy(tmp_path, "fail:\n  - {type: sast, rule: quality-duplication, max_allowed: 2}\n")
    assert _judge(tmp_path, blocks[:2], policy).verdict.passed
    failed = _judge(tmp_path, blocks, policy).verdict
    assert not failed.passed and len(failed.rules[0].failing) == 3
    assert failed.rules[0].condition == "sast, rule quality-duplication, more than 2"
