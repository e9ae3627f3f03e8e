"""`shiftsec ci` wiring: VEX and other tools' results join the verdict, several outputs are written at once,
the job summary is appended, and an exception with a VEX justification comes out as OpenVEX."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from shiftsec.cli import run
from tests.conftest import CARGO, shared

VEX = {
    "@context": "https://openvex.dev/ns/v0.2.0",
    "@id": "https://example.org/vex/agent-1",
    "author": "Agent team",
    "timestamp": "2026-11-01T10:00:00Z",
    "version": 1,
    "statements": [{
        "vulnerability": {"name": "CVE-2021-25900"},
        "products": [{"@id": "pkg:cargo/smallvec@1.6.0"}],
        "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
        "impact_statement": "insert_many is never called",
    }],
}
GITLEAKS = [{
    "RuleID": "generic-api-key", "Description": "Generic API Key", "StartLine": 2, "EndLine": 2,
    "StartColumn": 1, "EndColumn": 40, "Match": "api_key = 'Zq8Vf3LxP0wZr7TnYb2KdHs9MjC4eGa6'",
    "Secret": "Zq8Vf3LxP0wZr7TnYb2KdHs9MjC4eGa6", "File": "conf/app.ini", "SymlinkFile": "", "Commit": "",
    "Link": "", "Entropy": 4.6, "Author": "", "Email": "", "Date": "", "Message": "", "Tags": [],
    "Fingerprint": "conf/app.ini:generic-api-key:2",
}]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "Cargo.lock").write_text(CARGO.replace("{version}", "1.6.0"))
    return root


def test_vex_suppresses_and_an_import_fails(tree: Path, smallvec_db: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    vex = tmp_path / "agent.openvex.json"
    vex.write_text(json.dumps(VEX))
    leaks = tmp_path / "gitleaks.json"
    leaks.write_text(json.dumps(GITLEAKS))
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "sarif", "junit", "html", "markdown")}
    args = ["ci", str(tree), "--db", str(smallvec_db), "--vex", str(vex), "--import", str(leaks)]
    for fmt, path in outputs.items():
        args += ["--output", f"{fmt}={path}"]
    assert run(args) == 1
    out = capsys.readouterr().out
    report = json.loads(outputs["json"].read_text())
    [vuln] = [f for f in report["findings"] if f["type"] == "vulnerability"]
    assert vuln["status"] == "suppressed" and vuln["suppression"]["kind"] == "vex"
    assert vuln["suppression"]["justification"] == "vulnerable_code_not_in_execute_path"
    [secret] = [f for f in report["findings"] if f["type"] == "secret"]
    assert secret["sources"] == ["gitleaks"] and secret["location"]["path"] == "conf/app.ini"
    failing = {rule["name"]: len(rule["failing"]) for rule in report["policy"]["rules"]}
    assert failing == {"vulnerabilities": 0, "secrets": 1, "misconfigurations": 0, "code": 0}
    assert "1 suppressed" in out and GITLEAKS[0]["Secret"] not in out  # type: ignore[operator]
    # every output written, each in its own format; the JSON report (with its verdict) valid against its schema
    schema = json.loads(Path(__file__).parents[1].joinpath("src/shiftsec/schemas/report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    sarif = json.loads(outputs["sarif"].read_text())
    jsonschema.validate(sarif, json.loads(shared("schemas", "sarif-schema-2.1.0.json").read_text()))
    assert any(r.get("suppressions") for r in sarif["runs"][0]["results"])
    assert outputs["junit"].read_text().startswith("<?xml")
    assert outputs["html"].read_text().startswith("<!DOCTYPE html>")
    markdown = outputs["markdown"].read_text()
    # the job summary is appended to, never replaced
    assert summary.read_text() == "# earlier step\n" + markdown + "\n"
    for path in outputs.values():
        assert GITLEAKS[0]["Secret"] not in path.read_text()  # type: ignore[operator]


def test_an_exception_with_a_vex_justification_becomes_openvex(tree: Path, smallvec_db: Path,
                                                               tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "shiftsec.yaml").write_text("""\
policy:
  exceptions:
    - id: CVE-2021-25900
      package: pkg:cargo/smallvec
      reason: insert_many is never called
      owner: agent-team@example.org
      expires: 2099-12-31
      vex_justification: vulnerable_code_not_in_execute_path
""")
    out_vex = tmp_path / "out.openvex.json"
    assert run(["ci", str(tree), "--db", str(smallvec_db), "--output", f"openvex={out_vex}"]) == 0
    capsys.readouterr()
    document = json.loads(out_vex.read_text())
    jsonschema.validate(document, json.loads(shared("schemas", "openvex-0.2.0.schema.json").read_text()))
    [statement] = document["statements"]
    assert statement["vulnerability"]["name"] in ("CVE-2021-25900", "RUSTSEC-2021-0003")
    assert statement["status"] == "not_affected"
    assert statement["justification"] == "vulnerable_code_not_in_execute_path"
    assert statement["impact_statement"] == "insert_many is never called"
    assert [p["@id"] for p in statement["products"]] == ["pkg:cargo/smallvec@1.6.0"]
    # and read back as VEX it suppresses the same finding without the exception
    (tree / "shiftsec.yaml").unlink()
    assert run(["ci", str(tree), "--db", str(smallvec_db), "--vex", str(out_vex)]) == 0


@pytest.mark.parametrize(("option", "content", "message"), [
    ("--vex", "{}", "not a VEX document (no OpenVEX"),
    ("--import", '{"foo": 1}', "not a results file shiftsec can import (expected SARIF 2.1.0"),
])
def test_unreadable_vex_and_imports_exit_2(tree: Path, smallvec_db: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str],
                                           option: str, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert run(["ci", str(tree), "--db", str(smallvec_db), option, str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err.splitlines()[0] and "Traceback" not in err
    assert message.lower() in err.lower(), err
