"""The JSON report: golden output, the shipped JSON Schema, ordering, summary and edge cases."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from shiftsec.model import Report, ScanError, Severity
from shiftsec.reporters import json as json_reporter

DOCS = Path(__file__).resolve().parents[2] / "docs" / "report-format.md"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema_file = resources.files("shiftsec").joinpath("schemas/report.schema.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate(validator: Draft202012Validator, data: Any) -> None:
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_golden(sample_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.json", json_reporter.render(sample_report))


def test_empty_golden(empty_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("empty.json", json_reporter.render(empty_report))


def test_output_matches_schema(sample_report: Report, validator: Draft202012Validator) -> None:
    validate(validator, json.loads(json_reporter.render(sample_report)))


def test_empty_report(empty_report: Report, validator: Draft202012Validator) -> None:
    data = json.loads(json_reporter.render(empty_report))
    validate(validator, data)
    assert data["database"] is None
    assert data["packages"] == data["findings"] == data["errors"] == []
    assert data["summary"] == {
        "packages": 0,
        "vulnerable_packages": 0,
        "findings": 0,
        "errors": 0,
        "by_severity": {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 0, "LOW": 0, "UNKNOWN": 0},
        "secrets_searched": None,
    }
    assert data["scanners"] == ["vuln"]


def test_top_level_shape(sample_report: Report) -> None:
    data = json.loads(json_reporter.render(sample_report))
    assert list(data) == [
        "schema_version",
        "tool",
        "target",
        "created_at",
        "scanners",
        "database",
        "summary",
        "packages",
        "findings",
        "errors",
        "advice",
        "policy",
    ]
    assert data["schema_version"] == json_reporter.SCHEMA_VERSION == "1.5.0"
    assert data["tool"] == {"name": "shiftsec", "version": "0.1.0"}
    assert data["target"] == {"path": "examples/webapp", "type": "directory"}
    assert data["created_at"] == "2024-05-02T08:30:00Z"
    assert data["database"]["advisories"] == 187_342


def test_summary_counts(sample_report: Report) -> None:
    summary = json.loads(json_reporter.render(sample_report))["summary"]
    assert summary == {
        "packages": 8,
        "vulnerable_packages": 7,
        "findings": 8,
        "errors": 2,
        "by_severity": {"CRITICAL": 2, "HIGH": 2, "MEDIUM": 2, "LOW": 1, "UNKNOWN": 1},
        "secrets_searched": None,
    }
    assert list(summary["by_severity"]) == ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]


def test_whole_inventory_sorted(sample_report: Report) -> None:
    packages = json.loads(json_reporter.render(sample_report))["packages"]
    keys = [(p["ecosystem"], p["name"], p["version"]) for p in packages]
    assert keys == sorted(keys)
    assert ("PyPI", "flask", "2.3.3") in keys  # not vulnerable, still listed
    log4j = next(p for p in packages if p["ecosystem"] == "Maven")
    assert log4j["location"] is None
    assert log4j["direct"] is None
    minimist = next(p for p in packages if p["name"] == "minimist")
    assert minimist["dev"] is True
    assert minimist["location"] == {"path": "web/package-lock.json", "line": 1290, "end_line": None, "commit": None,
                                    "layer": None}


def test_findings_sorted_and_complete(sample_report: Report) -> None:
    findings = json.loads(json_reporter.render(sample_report))["findings"]
    order = [(f["severity"], f["package"]["name"], f["rule_id"]) for f in findings]
    assert order == [
        ("CRITICAL", "minimist", "GHSA-xvch-5gv4-984h"),
        ("CRITICAL", "org.apache.logging.log4j:log4j-core", "GHSA-jfh8-c2jp-5v3q"),
        ("HIGH", "lodash", "GHSA-35jh-r3h4-6jhm"),
        ("HIGH", "urllib3", "GHSA-q2q7-5pp4-w6pg"),
        ("MEDIUM", "lodash", "GHSA-29mw-wpgm-hmr9"),
        ("MEDIUM", "requests", "GHSA-j8r2-6x86-q33q"),
        ("LOW", "openssl", "DEBIAN-CVE-2023-5678"),
        ("UNKNOWN", "golang.org/x/text", "GO-2021-0113"),
    ]
    model_fields = {field.name for field in dataclasses.fields(sample_report.findings[0])}
    # every field of Finding, and `status`, derived from `suppression`, nothing else
    assert set(findings[0]) == model_fields | {"status"}
    log4j = findings[1]
    assert log4j["location"] is None
    assert log4j["aliases"] == ["CVE-2021-44228"]
    assert log4j["cvss_score"] == 10.0
    openssl = findings[6]
    assert openssl["fixed_in"] is None
    assert openssl["fixed_versions"] == []
    assert openssl["remediation"] == ""


def test_errors(sample_report: Report) -> None:
    errors = json.loads(json_reporter.render(sample_report))["errors"]
    assert errors == [
        {
            "path": "sbom/app.cdx.json",
            "kind": "invalid-record",
            "message": "component 'left-pad' has no version; skipped",
        },
        {
            "path": "services/api/Pipfile.lock",
            "kind": "parse",
            "message": "invalid JSON at line 14, column 3: expecting ',' delimiter",
        },
    ]


def test_input_order_does_not_matter(sample_report: Report) -> None:
    shuffled = dataclasses.replace(
        sample_report,
        packages=sample_report.packages[::-1],
        findings=sample_report.findings[3:] + sample_report.findings[:3],
        errors=sample_report.errors[::-1],
    )
    assert json_reporter.render(shuffled) == json_reporter.render(sample_report)


def test_deterministic_text(sample_report: Report) -> None:
    text = json_reporter.render(sample_report)
    assert text == json_reporter.render(sample_report)
    assert text.endswith("}\n")
    assert "\n  \"schema_version\": \"1.5.0\",\n" in text


def test_not_a_number_score_is_null(sample_report: Report, validator: Draft202012Validator) -> None:
    finding = dataclasses.replace(sample_report.findings[0], cvss_score=float("nan"))
    data = json.loads(json_reporter.render(dataclasses.replace(sample_report, findings=(finding,))))
    validate(validator, data)
    assert data["findings"][0]["cvss_score"] is None


def test_undecodable_file_name_still_encodes(empty_report: Report) -> None:
    report = dataclasses.replace(empty_report, errors=(ScanError("bad-\udcff.lock", "cannot read"),))
    text = json_reporter.render(report)
    text.encode("utf-8")  # no lone surrogate left
    assert json.loads(text)["errors"][0]["path"] == "bad-\udcff.lock"


def test_fast_encoder_writes_what_the_stdlib_would(sample_report: Report) -> None:
    """orjson writes the report; the text must be exactly the standard library's indent=2 form."""
    text = json_reporter.render(sample_report)
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_large_report(large_report: Report, validator: Draft202012Validator) -> None:
    text = json_reporter.render(large_report)
    data = json.loads(text)
    validate(validator, data)
    assert len(data["findings"]) == 2000
    assert data["summary"]["by_severity"] == {
        "CRITICAL": 400,
        "HIGH": 400,
        "MEDIUM": 400,
        "LOW": 400,
        "UNKNOWN": 400,
    }
    severities = [Severity[f["severity"]] for f in data["findings"]]
    assert severities == sorted(severities, reverse=True)


def _schema_property_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for name, child in node.get("properties", {}).items():
            yield name
            yield from _schema_property_names(child)
        for key in ("$defs", "items"):
            if key in node:
                yield from _schema_property_names(node[key])
        if "$defs" not in node and "properties" not in node:
            for child in node.values():
                if isinstance(child, dict):
                    yield from _schema_property_names(child)


def test_docs_describe_every_field() -> None:
    schema_file = resources.files("shiftsec").joinpath("schemas/report.schema.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    docs = DOCS.read_text(encoding="utf-8")
    names = set(_schema_property_names(schema))
    assert {"schema_version", "fingerprint", "by_severity", "end_line"} <= names
    missing = sorted(name for name in names if not re.search(rf"`[\w.\[\]]*\b{re.escape(name)}\b", docs))
    assert not missing, f"docs/report-format.md does not mention: {missing}"
    assert json_reporter.SCHEMA_VERSION in docs
