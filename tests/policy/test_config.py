"""shiftsec.yaml and --policy files: what is read, and one precise error (file, line, key) for each mistake."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from shiftsec.cli import run
from shiftsec.model import FindingType, Severity
from shiftsec.policy.config import DEFAULT_POLICY, ConfigError, load_config, load_policy

GOOD = """\
version: 1
skip: [vendor/**]
scanners:
  vuln: {include_dev: true}
  secret: false
  misconfig:
    standard: pss-baseline
    checks: [policy/checks]
  sast:
    engines: [ruff, quality, bandit, semgrep]
    bandit: tools/bandit-venv
    semgrep_rules: [policy/semgrep]
    complexity: 12
    duplicate_lines: 8
policy:
  new_only: false
  allow_inline_ignores: false
  fail:
    - name: fixable-high
      type: vulnerability
      severity: ">= high"
      fix_available: true
    - name: exploited
      type: vulnerability
      kev: true
    - name: likely
      type: [vulnerability]
      epss: 0.1
    - type: secret
    - name: critical-pods
      type: misconfig
      severity: "== critical"
      rule: ["pss-*"]
  exceptions:
    - id: CVE-2023-32681
      package: pkg:pypi/requests
      reason: the proxy code path is not used
      owner: alice@example.com
      expires: 2027-03-31
      vex_justification: vulnerable_code_not_in_execute_path
    - path: "tests/**"
      reason: fixtures
      owner: security-team
      expires: "2026-12-31"
"""


def _write(tmp_path: Path, text: str, name: str = "shiftsec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_full_file_is_read(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    assert config.skip == ("vendor/**",)
    assert config.scanner("vuln").include_dev and config.scanner("secret").enabled is False
    misconfig = config.scanner("misconfig")
    assert misconfig.standard == "pss-baseline" and misconfig.checks == (tmp_path / "policy/checks",)
    sast = config.scanner("sast")
    assert sast.engines == ("ruff", "quality", "bandit", "semgrep")
    assert sast.engine_paths == (("bandit", tmp_path / "tools/bandit-venv"),)
    assert sast.semgrep_rules == (tmp_path / "policy/semgrep",)
    assert (sast.complexity, sast.duplicate_lines) == (12, 8)
    policy = config.policy
    assert (policy.new_only, policy.allow_inline_ignores) == (False, False)
    assert policy.source == str(tmp_path / "shiftsec.yaml")
    rules = {rule.name: rule for rule in policy.fail}
    assert list(rules) == ["fixable-high", "exploited", "likely", "secret-3", "critical-pods"]
    assert rules["fixable-high"].severities == {Severity.HIGH, Severity.CRITICAL}
    assert rules["fixable-high"].describe() == "vulnerability, severity >= HIGH, fix available"
    assert rules["exploited"].kev is True and rules["likely"].min_epss == 0.1
    assert rules["secret-3"].types == (FindingType.SECRET,) and rules["secret-3"].severities is None
    assert rules["critical-pods"].severities == {Severity.CRITICAL} and rules["critical-pods"].rule_ids == ("pss-*",)
    first, second = policy.exceptions
    assert first.expires == datetime.date(2027, 3, 31) and first.packages == ("pkg:pypi/requests",)
    assert first.source == f"{tmp_path / 'shiftsec.yaml'}:35"  # the line of its first key
    assert first.covers() == "CVE-2023-32681 in pkg:pypi/requests"
    assert second.expires == datetime.date(2026, 12, 31) and second.paths == ("tests/**",)


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    config = load_config(None)
    assert config.policy == DEFAULT_POLICY and config.policy.new_only and config.policy.allow_inline_ignores
    assert [rule.name for rule in DEFAULT_POLICY.fail] == ["vulnerabilities", "secrets", "misconfigurations", "code"]


def test_the_security_teams_policy_file_wins(tmp_path: Path) -> None:
    repo = _write(tmp_path, GOOD)
    team = _write(tmp_path, "fail:\n  - type: secret\nallow_inline_ignores: false\n", "team.yaml")
    config = load_config(repo, policy_file=team)
    # the repository's exceptions and rules are gone; its scanner settings stay
    assert config.policy.exceptions == () and [r.name for r in config.policy.fail] == ["secret-0"]
    assert config.policy.source == str(team) and config.scanner("misconfig").standard == "pss-baseline"
    nested = _write(tmp_path, "policy:\n  new_only: false\n", "nested.yaml")
    assert load_policy(nested).new_only is False and load_policy(nested).fail == DEFAULT_POLICY.fail


@pytest.mark.parametrize(("text", "expected"), [
    ("polcy: {}\n", "shiftsec.yaml:1: polcy: unknown key (expected one of: version, scanners, skip, policy)"),
    ("version: 2\n", "shiftsec.yaml:1: version: unsupported version 2"),
    ("policy:\n  new_only: yes please\n", "shiftsec.yaml:2: policy.new_only: expected true or false, found a text"),
    ("policy:\n  fail:\n    - type: vuln\n", "shiftsec.yaml:3: policy.fail[0].type: unknown finding type 'vuln'"),
    ("policy:\n  fail:\n    - type: secret\n      severity: hgh\n",
     "shiftsec.yaml:4: policy.fail[0].severity: unknown severity 'hgh'"),
    ("policy:\n  fail:\n    - type: vulnerability\n      epss: 5\n",
     "shiftsec.yaml:4: policy.fail[0].epss: expected a probability from 0 to 1"),
    ("policy:\n  fail:\n    - {}\n", "shiftsec.yaml:3: policy.fail[0]: an empty rule would fail on every finding"),
    ("policy:\n  fail:\n    - {name: a, type: secret}\n    - {name: a, type: misconfig}\n",
     "shiftsec.yaml:4: policy.fail[1].name: duplicate rule name 'a'"),
    ("policy:\n  fail: secret\n", "shiftsec.yaml:2: policy.fail: expected a list of rules, found a text"),
    ("policy:\n  fail:\n    - {type: sast, max_allowed: -1}\n",
     "shiftsec.yaml:3: policy.fail[0].max_allowed: expected a whole number of 0 or more, found -1"),
    ("policy:\n  exceptions:\n    - id: CVE-1\n      reason: r\n      expires: 2027-01-01\n",
     "shiftsec.yaml:3: policy.exceptions[0]: an exception needs `owner`"),
    ("policy:\n  exceptions:\n    - id: CVE-1\n      reason: r\n      owner: o\n",
     "shiftsec.yaml:3: policy.exceptions[0]: an exception needs `expires`"),
    ("policy:\n  exceptions:\n    - id: CVE-1\n      reason: r\n      owner: o\n      expires: 2027-02-30\n",
     "shiftsec.yaml:6: policy.exceptions[0].expires: expected a date as YYYY-MM-DD, found a text ('2027-02-30')"),
    ("policy:\n  exceptions:\n    - id: CVE-1\n      reason: r\n      owner: o\n      expires: next week\n",
     "shiftsec.yaml:6: policy.exceptions[0].expires: expected a date as YYYY-MM-DD"),
    ("policy:\n  exceptions:\n    - reason: r\n      owner: o\n      expires: 2027-01-01\n",
     "shiftsec.yaml:3: policy.exceptions[0]: an exception must say what it covers"),
    ("policy:\n  exceptions:\n    - package: requests\n      reason: r\n      owner: o\n      expires: 2027-01-01\n",
     "shiftsec.yaml:3: policy.exceptions[0].package: not a package URL"),
    ("policy:\n  exceptions:\n    - id: X\n      reason: r\n      owner: o\n      expires: 2027-01-01\n"
     "      vex_justification: because\n",
     "shiftsec.yaml:7: policy.exceptions[0].vex_justification: unknown VEX justification 'because'"),
    ("policy:\n  exceptions:\n    - id: X\n      reason: r\n      owner: o\n      expires: 2027-01-01\n      team: t\n",
     "shiftsec.yaml:7: policy.exceptions[0].team: unknown key"),
    ("scanners:\n  sast: 3\n",
     "shiftsec.yaml:2: scanners.sast: expected a mapping, found a number (3)"),
    ("scanners:\n  sast: {engines: [ruff, pmd]}\n",
     "shiftsec.yaml:2: scanners.sast.engines[1]: unknown engine 'pmd' (expected one of: ruff, quality, bandit, "
     "semgrep)"),
    ("scanners:\n  sast:\n    engines: [semgrep]\n",
     "shiftsec.yaml:3: scanners.sast.engines: the semgrep engine needs `semgrep_rules`"),
    ("scanners:\n  sast: {complexity: 0}\n",
     "shiftsec.yaml:2: scanners.sast.complexity: expected a whole number of 1 or more, found 0"),
    ("scanners:\n  sast: {duplicate_lines: ten}\n",
     "shiftsec.yaml:2: scanners.sast.duplicate_lines: expected a whole number"),
    ("scanners:\n  misconfig: {standard: cis}\n",
     "shiftsec.yaml:2: scanners.misconfig.standard: unknown standard 'cis'"),
    ("- a\n- b\n", "shiftsec.yaml:1: expected a mapping at the top, found a list"),
    ("policy: [\n", "shiftsec.yaml:2: invalid YAML"),
    ("a: &x [*x]\n", "shiftsec.yaml: a YAML alias refers to itself"),
    ("---\na: 1\n---\nb: 2\n", "shiftsec.yaml: one YAML document expected, found 2"),
])
def test_each_mistake_is_one_line_naming_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(tmp_path) + "/") and "\n" not in message
    assert message.removeprefix(str(tmp_path) + "/").startswith(expected), message


def test_the_cli_exits_2_with_the_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shiftsec.yaml").write_text("policy:\n  exceptions:\n    - id: X\n      reason: r\n      owner: o\n")
    assert run(["ci", str(tmp_path), "--db", str(tmp_path / "none.db")]) == 2
    out, err = capsys.readouterr()
    assert err.splitlines()[0] == (f"shiftsec: error: {tmp_path}/shiftsec.yaml:3: policy.exceptions[0]: an exception "
                                   "needs `expires` (every exception has a reason, an owner and an expiry date)")
    assert "Traceback" not in err and out == ""
    (tmp_path / "shiftsec.yaml").unlink()
    assert run(["ci", str(tmp_path), "--policy", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: no such file" in capsys.readouterr().err


def _schema_check(text: str) -> bool:
    """Whether the shipped JSON Schema accepts the file (dates kept as text, as shiftsec reads them)."""
    import json

    import jsonschema

    from shiftsec.policy.yamlfile import _Loader

    schema = json.loads(Path(__file__).parents[2].joinpath("src/shiftsec/schemas/shiftsec-config.schema.json")
                        .read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    data = yaml.load(text, Loader=_Loader) or {}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return validator.is_valid(data)


SCHEMA_CASES = [GOOD, "{}\n", "policy:\n  fail:\n    - type: secret\n", "scanners:\n  secret: false\n"]


@pytest.mark.parametrize("text", SCHEMA_CASES)
def test_the_schema_accepts_what_shiftsec_accepts(tmp_path: Path, text: str) -> None:
    load_config(_write(tmp_path, text))
    assert _schema_check(text)


@pytest.mark.parametrize(("text", "expected"), [
    case for case in test_each_mistake_is_one_line_naming_file_line_and_key.pytestmark[0].args[1]  # type: ignore[attr-defined]
    if "invalid YAML" not in case[1] and "alias" not in case[1] and "one YAML document" not in case[1]
    and "duplicate rule name" not in case[1]
])
def test_the_schema_rejects_what_shiftsec_rejects(text: str, expected: str) -> None:
    # (a duplicate rule name is beyond JSON Schema; the YAML-level mistakes never reach a schema)
    assert not _schema_check(text), expected
