"""The readers of other tools' results: detection, field mapping, bad entries, invalid files, no leaked secrets."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from shiftsec.errors import ParseError
from shiftsec.imports import FORMATS, detect, read_data, read_results
from shiftsec.model import Commit, Finding, FindingType, Location, Report, Severity, SuppressionKind, fingerprint
from shiftsec.reporters import json as json_report

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = "/home/ci/work/repo"  # the directory the fixtures' absolute paths were scanned in


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def read(name: str) -> Any:
    return read_results(str(FIXTURES / name), root=ROOT)


def find(name: str, rule_id: str) -> Finding:
    matches = [f for f in read(name).findings if f.rule_id == rule_id]
    assert len(matches) == 1, [f.rule_id for f in read(name).findings]
    return matches[0]


@pytest.mark.parametrize(
    ("fixture", "fmt", "tools", "count"),
    [
        ("trivy.json", "trivy", ("trivy",), 5),
        ("gitleaks.json", "gitleaks", ("gitleaks",), 2),
        ("bandit.json", "bandit", ("bandit",), 2),
        ("semgrep.json", "semgrep", ("semgrep",), 2),
        ("codeql-trivy.sarif", "sarif", ("codeql", "trivy"), 4),
    ],
)
def test_detects_format_and_reads_every_good_entry(fixture: str, fmt: str, tools: tuple[str, ...], count: int) -> None:
    assert detect(load(fixture)) == fmt
    imported = read(fixture)
    assert (imported.format, imported.tools, len(imported.findings)) == (fmt, tools, count)
    assert all(f.sources and f.sources[0] in tools for f in imported.findings)


@pytest.mark.parametrize(
    ("doc", "fmt"),
    [
        ([], "gitleaks"),  # gitleaks writes an empty array when it finds nothing
        ({"SchemaVersion": 2, "ArtifactName": "."}, "trivy"),  # Trivy omits Results when there are none
        ({"errors": [], "generated_at": "2024-05-02T08:30:00Z", "metrics": {}, "results": []}, "bandit"),
        ({"errors": [], "paths": {"scanned": []}, "results": [], "version": "1.70.0"}, "semgrep"),
        ({"version": "2.1.0", "runs": []}, "sarif"),
        ({"bomFormat": "CycloneDX", "specVersion": "1.5"}, None),
        ({"results": [{"id": 1}]}, None),
        ([{"id": 1}], None),
        ("text", None),
    ],
)
def test_detect(doc: Any, fmt: str | None) -> None:
    assert detect(doc) == fmt
    if fmt is not None:
        assert fmt in FORMATS
        assert read_data(json.dumps(doc), "x.json").findings == ()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "invalid JSON at line 1, column 1"),
        (b"{not json", "invalid JSON at line 1, column 2"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}', "not a results file"),
        (b'{"version": "2.0.0", "runs": []}', "SARIF version '2.0.0' is not supported"),
        (b'{"SchemaVersion": 1, "Results": []}', "SchemaVersion 1 is not supported"),
        (b'{"SchemaVersion": 2, "Results": {}}', "'Results' is not an array"),
    ],
)
def test_invalid_file_is_a_one_line_parse_error_naming_the_file(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        read_data(data, "reports/other.json")
    message = str(info.value)
    assert message.startswith("reports/other.json: ")
    assert reason in message
    assert "\n" not in message


def test_unreadable_file_is_a_parse_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(ParseError, match=r"nope\.json: cannot read"):
        read_results(str(missing))


@pytest.mark.parametrize(
    ("fixture", "errors"),
    [
        ("trivy.json", [("trivy.json", "Results[0].Vulnerabilities[2]: missing 'PkgName'")]),
        ("gitleaks.json", [("gitleaks.json", "finding 3: github-pat in scripts/release.sh: missing 'Secret'")]),
        ("bandit.json", [
            ("bandit.json", "results[2]: line_number: expected a line number, got a string"),
            ("app/broken.py", "bandit: syntax error while parsing AST from file"),
        ]),
        ("semgrep.json", [
            ("semgrep.json", "results[2]: missing 'path'"),
            ("app/legacy.py", "semgrep: Syntax error at line app/legacy.py:9:"),
        ]),
        ("codeql-trivy.sarif", [("codeql-trivy.sarif", "runs[0].results[3]: no ruleId")]),
    ],
)
def test_bad_entries_become_errors_and_the_rest_is_read(fixture: str, errors: list[tuple[str, str]]) -> None:
    got = [(Path(e.path).name if e.path.endswith(fixture) else e.path, e.message) for e in read(fixture).errors]
    assert got == errors
    assert {e.kind for e in read(fixture).errors} == {"import"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"version": "2.1.0", "runs": [{"tool": {}}]}, "runs[0]: tool.driver: expected an object, got null"),
        ({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": {}}]},
         "runs[0].results[0]: result: expected an object, got null"),
        ({"SchemaVersion": 2, "Results": ["x"]}, "Results[0]: result: expected an object, got a string"),
        ({"SchemaVersion": 2, "Results": [{"Target": "a", "Secrets": {}}]},
         "Results[0].Secrets: expected an array of objects"),
        ([{"RuleID": "x", "File": "a", "Secret": "s", "StartLine": "1"}],
         "finding 1: StartLine: expected a line number, got a string"),
        ({"results": [{"check_id": "r", "path": "a", "extra": []}]},
         "results[0]: extra: expected an object, got an array"),
        ({"results": [{"test_id": "B1", "filename": "a", "issue_text": "t", "issue_cwe": 5}], "metrics": {}},
         "results[0]: issue_cwe: expected an object, got int"),
    ],
)
def test_malformed_entries(doc: Any, message: str) -> None:
    imported = read_data(json.dumps(doc), "r.json")
    assert [e.message for e in imported.errors] == [message]
    assert imported.findings == ()


# --- field mapping ------------------------------------------------------------------------------------------

AWS_SECRET = "AKIAZ7QH4XJ2LRNW5KTB"
GENERIC_SECRET = "q8Vf3LxP0wZr7TnYb2KdHs9MjC4eGa6U"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("trivy.json", "CVE-2023-32681", {
        "type": FindingType.VULNERABILITY, "severity": Severity.MEDIUM,
        "title": "python-requests: Unintended leak of Proxy-Authorization header",
        "location": Location("requirements.txt"),
        "package.name": "requests", "package.version": "2.25.0", "package.ecosystem": "PyPI",
        "package.purl": "pkg:pypi/requests@2.25.0", "fixed_in": "2.31.0", "fixed_versions": ("2.31.0",),
        "cvss_score": 6.1, "cvss_vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", "cwes": ("CWE-200",),
        "references": ("https://avd.aquasec.com/nvd/cve-2023-32681",
                       "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q",
                       "https://nvd.nist.gov/vuln/detail/CVE-2023-32681"),
        "published": "2023-05-26T18:15:14.147Z", "remediation": "Upgrade requests to 2.31.0 or later.",
        "sources": ("trivy",), "aliases": (),
        # the same parts as scanners/vulns.py: type, primary id, base ecosystem, normalised name, path
        "fingerprint": fingerprint("vulnerability", "CVE-2023-32681", "PyPI", "requests", "requirements.txt"),
    }),
    ("trivy.json", "GHSA-v845-jxx5-vc9f", {
        "severity": Severity.HIGH, "fixed_versions": ("1.26.17", "2.0.6"), "fixed_in": "1.26.17",
        "cvss_score": None, "cwes": (),
    }),
    ("trivy.json", "CVE-2023-5678", {
        "package.ecosystem": "Debian:12", "package.name": "openssl", "location": None, "aliases": ("DSA-5532-1",),
        "fixed_in": "3.0.11-1~deb12u2", "cvss_score": 5.3, "cwes": ("CWE-606", "CWE-754"),
        "fingerprint": fingerprint("vulnerability", "CVE-2023-5678", "Debian", "openssl", ""),
    }),
    ("trivy.json", "AVD-DS-0002", {
        "type": FindingType.MISCONFIG, "severity": Severity.HIGH, "aliases": ("DS002",),
        "title": "Image user should not be 'root'", "location": Location("Dockerfile", 1, 4),
        "message": "Specify at least 1 USER command in Dockerfile with non-root user as argument",
        "remediation": "Add 'USER <non root user name>' line to the Dockerfile",
        "description": "Running containers with 'root' user can lead to a container escape situation.",
        "references": ("https://avd.aquasec.com/misconfig/ds002",
                       "https://docs.docker.com/develop/develop-images/dockerfile_best-practices/"),
    }),
    ("trivy.json", "aws-access-key-id", {
        "type": FindingType.SECRET, "severity": Severity.CRITICAL, "location": Location("config/app.env", 2, 2),
        "evidence": None, "secret_sha256": None, "title": "AWS Access Key ID",
    }),
    ("gitleaks.json", "aws-access-key-id", {  # gitleaks' aws-access-token is shiftsec's aws-access-key-id
        "type": FindingType.SECRET, "severity": Severity.HIGH, "aliases": ("aws-access-token",),
        "location": Location("deploy/settings.py", 3, 3, Commit(
            "5f0c8a1e2b3d4c5e6f708192a3b4c5d6e7f80912", "Dana Developer", "dana@example.com", "2024-04-30T14:02:11Z")),
        "evidence": "AKIA… (20 characters)", "secret_sha256": _sha(AWS_SECRET), "sources": ("gitleaks",),
        "fingerprint": fingerprint("secret", "aws-access-key-id", _sha(AWS_SECRET), "deploy/settings.py"),
    }),
    ("gitleaks.json", "generic-api-key", {
        "location": Location("services/api/config.yaml", 7, 7),  # absolute path made relative to ROOT
        "fingerprint": fingerprint("secret", "generic-api-key", _sha(GENERIC_SECRET), "services/api/config.yaml"),
    }),
    ("bandit.json", "B608", {
        "type": FindingType.SAST, "severity": Severity.MEDIUM, "location": Location("app/db.py", 14),
        "title": "Possible SQL injection vector through string-based query construction.",
        "message": "Possible SQL injection vector through string-based query construction. (confidence: low)",
        "cwes": ("CWE-89",), "sources": ("bandit",),
        "references": ("https://bandit.readthedocs.io/en/1.7.8/plugins/b608_hardcoded_sql_expressions.html",
                       "https://cwe.mitre.org/data/definitions/89.html"),
        "description": "Bandit check B608 (hardcoded_sql_expressions)",
    }),
    ("bandit.json", "B107", {
        "severity": Severity.LOW, "location": Location("app/db.py", 20, 21), "cwes": ("CWE-259",),
        "title": "Possible hardcoded password: hunt… (17 characters)",
    }),
    ("semgrep.json", "python.django.security.injection.sql.sql-injection-using-db-cursor-execute."
                     "sql-injection-db-cursor-execute", {
        "type": FindingType.SAST, "severity": Severity.MEDIUM, "location": Location("app/views.py", 12, 13),
        "title": "User-controlled data from a request is passed to 'execute()'. This could lead to a SQL injection.",
        "cwes": ("CWE-89",), "suppression": None, "sources": ("semgrep",),
        "references": ("https://docs.djangoproject.com/en/3.0/topics/security/#sql-injection-protection",
                       "https://semgrep.dev/r/python.django.security.injection.sql.sql-injection-using-db-cursor-"
                       "execute.sql-injection-db-cursor-execute"),
    }),
    ("semgrep.json", "python.lang.security.audit.insecure-hash-algorithms.insecure-hash-algorithm-md5", {
        "severity": Severity.LOW, "location": Location("app/util.py", 4), "cwes": ("CWE-327",),
        "references": ("https://tools.ietf.org/html/rfc6151",),
        "message": "Detected MD5 hash algorithm which is considered insecure. (confidence: high)",
        "suppression.kind": SuppressionKind.INLINE,
    }),
    ("codeql-trivy.sarif", "py/sql-injection", {
        "type": FindingType.SAST, "severity": Severity.HIGH,  # security-severity 8.8
        "title": "SQL query built from user-controlled sources",
        "message": "This SQL query depends on a [user-provided value](1).",
        "description": "Building a SQL query from user-controlled sources is vulnerable to insertion of malicious "
                       "SQL code by the user.",
        "remediation": "# SQL query built from user-controlled sources\nUse parameterized queries.",
        "references": ("https://codeql.github.com/codeql-query-help/python/py-sql-injection/",),
        "location": Location("app/views.py", 12, 13), "cwes": ("CWE-89",), "sources": ("codeql",),
    }),
    ("codeql-trivy.sarif", "py/clear-text-logging-sensitive-data", {
        "severity": Severity.MEDIUM,  # result level warning (the rule's default is error)
        "location": Location("app/auth.py", 40),  # file:// uri under originalUriBaseIds made relative
        "cwes": ("CWE-312", "CWE-359", "CWE-532"),
        "suppression.kind": SuppressionKind.INLINE, "suppression.reason": "test credentials only",
    }),
    ("codeql-trivy.sarif", "CVE-2023-32681", {
        "type": FindingType.VULNERABILITY, "severity": Severity.MEDIUM, "sources": ("trivy",),
        "location": Location("requirements.txt", 1), "package": None,
    }),
    ("codeql-trivy.sarif", "DS002", {"type": FindingType.MISCONFIG, "severity": Severity.LOW}),  # level note
]


@pytest.mark.parametrize(("fixture", "rule_id", "expected"), CASES, ids=[f"{c[0]}:{c[1][:40]}" for c in CASES])
def test_mapping(fixture: str, rule_id: str, expected: dict[str, Any]) -> None:
    finding = find(fixture, rule_id)
    for key, value in expected.items():
        got: Any = finding
        for part in key.split("."):
            got = getattr(got, part)
        assert got == value, key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("external/cwe/cwe-089", ("CWE-89",)),
        ("CWE-89: Improper Neutralization", ("CWE-89",)),
        (["cwe-79", "CWE-79", 352], ("CWE-79", "CWE-352")),
        ("security", ()),
    ],
)
def test_cwe_spellings_in_sarif_tags(value: Any, expected: tuple[str, ...]) -> None:
    tags = value if isinstance(value, list) else [value]
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "T", "rules": [
        {"id": "r", "properties": {"tags": [t for t in tags if isinstance(t, str)],
                                   "cwe": [str(t) for t in tags if isinstance(t, int)]}}]}},
        "results": [{"ruleId": "r", "message": {"text": "m"}}]}]}
    assert read_data(json.dumps(doc), "t.sarif").findings[0].cwes == expected


@pytest.mark.parametrize(
    ("tool", "rule_id", "tags", "kind"),
    [
        ("Gitleaks", "aws-access-token", [], FindingType.SECRET),
        ("Trivy", "aws-access-key-id", ["secret", "security"], FindingType.SECRET),
        ("Grype", "some-id", [], FindingType.VULNERABILITY),
        ("AnyTool", "GHSA-j8r2-6x86-q33q", [], FindingType.VULNERABILITY),
        ("Checkov", "CKV_K8S_20", [], FindingType.MISCONFIG),
        ("AnyTool", "rule-1", ["iac"], FindingType.MISCONFIG),
        ("Semgrep OSS", "python.lang.security.eval", ["security"], FindingType.SAST),
    ],
)
def test_sarif_type_heuristics(tool: str, rule_id: str, tags: list[str], kind: FindingType) -> None:
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": tool, "rules": [
        {"id": rule_id, "properties": {"tags": tags}}]}}, "results": [{"ruleId": rule_id, "message": {"text": "m"}}]}]}
    [finding] = read_data(json.dumps(doc), "t.sarif").findings
    assert finding.type is kind
    assert finding.sources == (tool.lower(),)


@pytest.mark.parametrize(
    ("level", "security_severity", "severity"),
    [("error", None, Severity.HIGH), ("warning", None, Severity.MEDIUM), ("note", None, Severity.LOW),
     ("none", None, Severity.UNKNOWN), (None, None, Severity.MEDIUM), ("note", "9.8", Severity.CRITICAL),
     ("error", "2.0", Severity.LOW)],
)
def test_sarif_severity(level: str | None, security_severity: str | None, severity: Severity) -> None:
    result: dict[str, Any] = {"ruleId": "r", "message": {"text": "m"}}
    if level:
        result["level"] = level
    props = {"security-severity": security_severity} if security_severity else {}
    doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "rules": [{"id": "r", "properties": props}]}},
                                         "results": [result]}]}
    assert read_data(json.dumps(doc), "t.sarif").findings[0].severity is severity


def test_fingerprints_ignore_line_moves_but_tell_results_apart() -> None:
    def sarif(*lines: int) -> tuple[str, ...]:
        doc = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [
            {"ruleId": "r", "message": {"text": "m"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": n}}}]}
            for n in lines]}]}
        return tuple(f.fingerprint for f in read_data(json.dumps(doc), "t.sarif").findings)

    assert sarif(3, 9) == sarif(10, 30)
    assert len(set(sarif(3, 9))) == 2


# --- secrets ------------------------------------------------------------------------------------------------

TRIVY_RAW_MATCH = "AWS_ACCESS_KEY_ID=AKIAQ3EGRJ5VT6LM2XPD"


def _trivy_with_raw_match() -> str:
    """Trivy masks the value in Match and Code; a report written without masking must not leak either."""
    doc = load("trivy.json")
    secret = doc["Results"][3]["Secrets"][0]
    secret["Match"] = TRIVY_RAW_MATCH
    secret["Code"]["Lines"][0]["Content"] = secret["Code"]["Lines"][0]["Highlighted"] = TRIVY_RAW_MATCH
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("source", "secrets"),
    [
        ("gitleaks.json", [AWS_SECRET, GENERIC_SECRET, "aws_access_key_id = AKIAZ7QH4XJ2LRNW5KTB",
                           'api_key: "q8Vf3LxP0wZr7TnYb2KdHs9MjC4eGa6U"', "add deploy settings"]),
        ("trivy-raw", [TRIVY_RAW_MATCH, "AKIAQ3EGRJ5VT6LM2XPD"]),
        ("bandit.json", ["hunter2-Tr0ub4dor"]),
    ],
)
def test_secret_values_never_reach_the_report(source: str, secrets: list[str]) -> None:
    imported = read_data(_trivy_with_raw_match(), "trivy.json") if source == "trivy-raw" else read(source)
    report = Report(target=".", target_type="directory", created_at="2024-05-02T08:30:00Z", tool_version="0.1.0",
                    findings=imported.findings, errors=imported.errors, scanners=("secret",))
    text = json_report.render(report)
    assert imported.findings
    for secret in secrets:
        assert secret not in text
    assert all(secret not in repr(f) for f in imported.findings for secret in secrets)


def test_a_semgrep_rule_error_without_message_uses_its_long_message() -> None:
    # Semgrep reports a rule file it cannot load with `long_msg`/`short_msg` and no `message`
    doc = {"version": "1.182.0", "results": [], "paths": {"scanned": []}, "errors": [
        {"code": 7, "level": "error", "type": "InvalidRuleSchemaError", "short_msg": "Invalid rule schema",
         "long_msg": "One of these properties is missing: 'pattern', 'patterns'", "spans": []},
        {"code": 7, "level": "error", "type": ["InvalidRuleSchemaError"]},
    ]}
    imported = read_data(json.dumps(doc), "semgrep.json")
    assert [e.message for e in imported.errors] == [
        "semgrep: One of these properties is missing: 'pattern', 'patterns'",
        "semgrep: InvalidRuleSchemaError",
    ]
