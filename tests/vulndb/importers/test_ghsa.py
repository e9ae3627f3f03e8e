"""GitHub advisory JSON → OSV: the reference converter's golden files, the REST shape, broken input."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import ghsa
from tests.conftest import shared

GOLDEN = (
    "equals_no_patch",
    "equals_with_patch",
    "full_ranges",
    "greater_than_equals_no_patch",
    "less_than_equals_no_patch",
    "less_than_equals_with_patch",
    "maven_greater_than",
    "multiple_ranges_in_package",
    "npm_greater_than",
    "pypi_normalize",
    "withdrawn",
)


def _testdata() -> Path:
    return shared("advisories", "osv-schema", "tools", "ghsa", "testdata")


def test_every_golden_pair_is_covered() -> None:
    inputs = sorted(p.name[: -len(".json")] for p in _testdata().glob("*.json") if not p.name.endswith(".osv.json"))
    assert inputs == sorted(GOLDEN)


@pytest.mark.parametrize("name", GOLDEN)
def test_reference_output_equals_golden(name: str) -> None:
    source = _testdata() / f"{name}.json"
    expected = json.loads((_testdata() / f"{name}.osv.json").read_text())
    assert ghsa.to_osv(json.loads(source.read_text()), str(source)) == expected


@pytest.mark.parametrize("name", GOLDEN)
def test_convert_is_golden_plus_severity_and_database_specific(name: str) -> None:
    source = _testdata() / f"{name}.json"
    raw = json.loads(source.read_text())
    expected = json.loads((_testdata() / f"{name}.osv.json").read_text())
    [record] = ghsa.convert(str(source), source.read_bytes())
    severity = record.pop("severity", None)
    specific = record.pop("database_specific")
    assert record == expected
    assert specific == {"source": "ghsa", "severity": raw["severity"]}
    vector = raw["cvss"]["vectorString"]
    assert severity == ([{"type": "CVSS_V3", "score": vector}] if vector else None)


REST = {
    "ghsa_id": "GHSA-xxxx-yyyy-zzzz",
    "cve_id": "CVE-2024-0001",
    "url": "https://api.github.com/advisories/GHSA-xxxx-yyyy-zzzz",
    "html_url": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
    "summary": "Path traversal in Example",
    "description": "Example before 1.4.2 lets an attacker read files.",
    "type": "reviewed",
    "severity": "high",
    "identifiers": [
        {"value": "GHSA-xxxx-yyyy-zzzz", "type": "GHSA"},
        {"value": "CVE-2024-0001", "type": "CVE"},
    ],
    "references": ["https://nvd.nist.gov/vuln/detail/CVE-2024-0001", "https://example.org/fix"],
    "published_at": "2024-01-02T03:04:05Z",
    "updated_at": "2024-02-03T04:05:06Z",
    "withdrawn_at": None,
    "vulnerabilities": [
        {
            "package": {"ecosystem": "pip", "name": "Example_Pkg"},
            "vulnerable_version_range": ">= 1.0, < 1.4.2",
            "first_patched_version": "1.4.2",
            "vulnerable_functions": [],
        },
        {
            "package": {"ecosystem": "npm", "name": "example"},
            "vulnerable_version_range": "<= 2.0.0",
            "first_patched_version": {"identifier": "2.0.1"},
        },
        {
            "package": {"ecosystem": "rust", "name": "example-rs"},
            "vulnerable_version_range": "= 0.3.0",
            "first_patched_version": None,
        },
    ],
    "cvss": {"vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "score": 7.5},
    "cvss_severities": {
        "cvss_v3": {"vector_string": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "score": 7.5},
        "cvss_v4": {
            "vector_string": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
            "score": 8.7,
        },
    },
    "cwes": [{"cwe_id": "CWE-22", "name": "Path Traversal"}],
}

REST_EXPECTED: dict[str, Any] = {
    "schema_version": "1.5.0",
    "id": "GHSA-xxxx-yyyy-zzzz",
    "aliases": ["CVE-2024-0001"],
    "published": "2024-01-02T03:04:05Z",
    "modified": "2024-02-03T04:05:06Z",
    "summary": "Path traversal in Example",
    "details": "Example before 1.4.2 lets an attacker read files.",
    "references": [
        {"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"},
        {"type": "WEB", "url": "https://example.org/fix"},
    ],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "example-pkg"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.4.2"}]}],
            "versions": [],
            "database_specific": {
                "ghsa": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
                "cwes": [{"cweId": "CWE-22", "name": "Path Traversal"}],
            },
        },
        {
            "package": {"ecosystem": "npm", "name": "example"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.1"}]}],
            "versions": [],
            "database_specific": {
                "ghsa": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
                "cwes": [{"cweId": "CWE-22", "name": "Path Traversal"}],
            },
        },
        {
            "package": {"ecosystem": "crates.io", "name": "example-rs"},
            "ranges": [],
            "versions": ["0.3.0"],
            "database_specific": {
                "ghsa": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz",
                "cwes": [{"cweId": "CWE-22", "name": "Path Traversal"}],
            },
        },
    ],
    "severity": [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"},
        {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"},
    ],
    "database_specific": {"source": "ghsa", "severity": "HIGH"},
}


def test_rest_shape() -> None:
    assert ghsa.convert("GHSA-xxxx-yyyy-zzzz.json", json.dumps(REST).encode()) == [REST_EXPECTED]


@pytest.mark.parametrize(
    ("ecosystem", "version", "expected"),
    [
        pytest.param("npm", "2.1.0", "2.1.1-0", id="semver-release"),
        pytest.param("Go", "1.0.0-rc.1", "1.0.0-rc.1.0", id="semver-prerelease"),
        pytest.param("Maven", "11.6", "11.6.1", id="maven-two-parts"),
        pytest.param("PyPI", "1.2.3.4", "1.2.4.4", id="numeric-four-parts"),
        pytest.param("Maven", "1.0-beta1", "1.0-beta1", id="non-numeric-kept"),
    ],
)
def test_greater_than_lower_bound(ecosystem: str, version: str, expected: str) -> None:
    assert ghsa._next_version(ecosystem, version) == expected


def _golden_input() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_testdata() / "full_ranges.json").read_text())
    return data


def _mutated(change: str) -> bytes:
    doc = copy.deepcopy(_golden_input())
    node = doc["vulnerabilities"]["nodes"][0]
    if change == "no-id":
        del doc["ghsaId"]
    elif change == "identifiers-not-list":
        doc["identifiers"] = "GHSA-mr95-9rr4-668f"
    elif change == "unknown-ecosystem":
        node["package"]["ecosystem"] = "COBOL"
    elif change == "bad-range":
        node["vulnerableVersionRange"] = ">=2.5.0"
    elif change == "unknown-operator":
        node["vulnerableVersionRange"] = "~> 2.5.0"
    elif change == "exact-and-bound":
        node["vulnerableVersionRange"] = "= 2.5.0, < 2.6"
    elif change == "no-range":
        node["vulnerableVersionRange"] = None
    elif change == "patched-not-string":
        node["firstPatchedVersion"] = {"identifier": 2.5}
    elif change == "no-package":
        del node["package"]
    return json.dumps(doc).encode()


_RAW = {"truncated": b'{"ghsaId": "GHSA-1', "not-utf8": b"\xff\xfe{}", "not-object": b"[1, 2]"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param("truncated", "not valid JSON", id="truncated"),
        pytest.param("not-utf8", "not UTF-8", id="not-utf8"),
        pytest.param("not-object", "must be a JSON object", id="not-object"),
        pytest.param("no-id", "'ghsaId'", id="missing-id"),
        pytest.param("identifiers-not-list", "'identifiers' must be a list", id="identifiers-type"),
        pytest.param("unknown-ecosystem", "unknown GitHub ecosystem 'COBOL'", id="ecosystem"),
        pytest.param("bad-range", "cannot read vulnerable version range", id="range-no-space"),
        pytest.param("unknown-operator", "unknown operator '~>'", id="range-operator"),
        pytest.param("exact-and-bound", "both an exact version and bounds", id="range-mixed"),
        pytest.param("no-range", "missing vulnerable version range", id="range-missing"),
        pytest.param("patched-not-string", "firstPatchedVersion", id="patched-type"),
        pytest.param("no-package", "no 'package'", id="package-missing"),
    ],
)
def test_broken_input(change: str, message: str) -> None:
    data = _RAW[change] if change in _RAW else _mutated(change)
    with pytest.raises(InvalidRecord, match=re.escape(message)):
        ghsa.convert("advisory.json", data)
