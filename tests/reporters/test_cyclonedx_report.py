"""CycloneDX 1.6 output: golden files, the official 1.6 schema, the component graph, determinism and reading back.

Validation uses cyclonedx-python-lib's strict JSON validator (offline, schemas bundled with the library).
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from shiftsec.model import Location, Package, Report
from shiftsec.reporters import cyclonedx as cdx
from shiftsec.scanners.vulns import scan
from shiftsec.targets.sbom import read_sbom
from shiftsec.vulndb.store import Store
from tests.reporters.conftest import ADMIN_LOCK, API_REQS, WEB_LOCK, build_sbom_report


def validate(text: str) -> None:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)


def render(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cdx.render(report))
    return data


def by_ref(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {component["bom-ref"]: component for component in data["components"]}


# --- golden files and validity ------------------------------------------------------------------------------


def test_golden(sample_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.cdx.json", cdx.render(sample_report))


def test_graph_golden(graph_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("graph.cdx.json", cdx.render(graph_report))


def test_empty_golden(empty_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("empty.cdx.json", cdx.render(empty_report))


@pytest.mark.parametrize("name", ["sample_report", "graph_report", "empty_report"])
def test_valid_cyclonedx_1_6(name: str, request: pytest.FixtureRequest) -> None:
    validate(cdx.render(request.getfixturevalue(name)))


def test_large_report_is_valid() -> None:
    validate(cdx.render(build_sbom_report(500)))


def test_the_validator_does_reject(graph_report: Report) -> None:
    data = render(graph_report)
    data["components"][0]["scope"] = "dev"  # not one of required, optional, excluded
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(data)) is not None


# --- shape --------------------------------------------------------------------------------------------------


def test_document_header(graph_report: Report) -> None:
    data = render(graph_report)
    assert (data["bomFormat"], data["specVersion"], data["version"]) == ("CycloneDX", "1.6", 1)
    assert data["serialNumber"].startswith("urn:uuid:")
    metadata = data["metadata"]
    assert metadata["timestamp"] == graph_report.created_at
    assert metadata["tools"] == {"components": [{"type": "application", "name": "shiftsec", "version": "0.1.0"}]}
    assert metadata["component"]["type"] == "application"
    assert metadata["component"]["name"] == "examples/monorepo"


def test_one_component_per_purl_and_file(graph_report: Report) -> None:
    components = by_ref(render(graph_report))
    assert len(components) == len(graph_report.packages) - 1  # debug is listed twice in the web lockfile
    web = components[f"pkg:npm/debug@2.6.8?file={WEB_LOCK}"]
    admin = components[f"pkg:npm/debug@2.6.8?file={ADMIN_LOCK}"]
    assert web["purl"] == admin["purl"] == "pkg:npm/debug@2.6.8"
    assert web["evidence"]["occurrences"] == [{"location": WEB_LOCK, "line": 120}, {"location": WEB_LOCK, "line": 410}]
    assert admin["evidence"] == {"occurrences": [{"location": ADMIN_LOCK, "line": 12}]}


def test_package_without_purl_is_listed(graph_report: Report) -> None:
    component = by_ref(render(graph_report))[f"nopurl:PyPI/acme-internal@0.4.0?file={API_REQS}"]
    assert "purl" not in component
    assert (component["name"], component["version"]) == ("acme-internal", "0.4.0")


def test_package_without_location_has_no_evidence(sample_report: Report) -> None:
    component = by_ref(render(sample_report))["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]
    assert "evidence" not in component


def test_names_follow_cyclonedx_producers(graph_report: Report) -> None:
    names = {(c.get("group"), c["name"]) for c in render(graph_report)["components"]}
    assert ("com.fasterxml.jackson.core", "jackson-databind") in names  # Maven: group + artifact
    assert ("@babel", "core") in names  # npm scope as group, as cdxgen and cyclonedx-npm write it
    assert (None, "github.com/gin-gonic/gin") in names  # Go: the module path is the name


def test_dev_direct_and_ecosystem(graph_report: Report) -> None:
    components = by_ref(render(graph_report))
    babel = components[f"pkg:npm/%40babel/core@7.12.3?file={WEB_LOCK}"]
    minimist = components[f"pkg:npm/minimist@1.2.5?file={WEB_LOCK}"]
    express = components[f"pkg:npm/express@4.17.1?file={WEB_LOCK}"]
    django = components[f"pkg:pypi/django@3.2.0?file={API_REQS}"]
    assert babel["scope"] == minimist["scope"] == "excluded"
    assert "scope" not in express
    props = {ref: {p["name"]: p["value"] for p in c["properties"]} for ref, c in components.items()}
    assert props[babel["bom-ref"]] == {"shiftsec:ecosystem": "npm", "shiftsec:direct": "true"}
    assert props[minimist["bom-ref"]] == {"shiftsec:ecosystem": "npm", "shiftsec:direct": "false"}
    assert props[django["bom-ref"]] == {"shiftsec:ecosystem": "PyPI"}  # directness unknown


def test_dependency_graph(graph_report: Report) -> None:
    data = render(graph_report)
    graph = {node["ref"]: node.get("dependsOn") for node in data["dependencies"]}
    refs = set(by_ref(data))
    root = data["metadata"]["component"]["bom-ref"]
    for ref, depends_on in graph.items():
        assert ref in refs | {root}
        assert set(depends_on or ()) <= refs
        assert len(set(depends_on or ())) == len(depends_on or ())

    web = f"?file={WEB_LOCK}"
    assert set(graph[root]) == {
        f"pkg:npm/express@4.17.1{web}",
        f"pkg:npm/%40babel/core@7.12.3{web}",
        f"pkg:npm/debug@2.6.8?file={ADMIN_LOCK}",
        f"nopurl:PyPI/acme-internal@0.4.0?file={API_REQS}",
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10?file=backend/pom.xml",
        "pkg:golang/github.com/gin-gonic/gin@v1.6.3?file=go.mod",
    }
    assert graph[f"pkg:npm/express@4.17.1{web}"] == [f"pkg:npm/body-parser@1.19.0{web}", f"pkg:npm/debug@2.6.8{web}"]
    assert graph[f"pkg:npm/body-parser@1.19.0{web}"] == [f"pkg:npm/debug@2.6.8{web}"]  # bytes is not in the file
    assert graph[f"pkg:npm/debug@2.6.8{web}"] == [f"pkg:npm/ms@2.0.0{web}"]  # both copies, one edge
    assert graph[f"pkg:npm/ms@2.0.0{web}"] is None  # a leaf of a recorded graph: depends on nothing
    assert graph["pkg:maven/com.fasterxml.jackson.core/jackson-annotations@2.9.10?file=backend/pom.xml"] is None
    # files that record no graph: their components' dependencies are unknown, so they have no entry
    assert f"pkg:npm/debug@2.6.8?file={ADMIN_LOCK}" not in graph
    assert f"pkg:pypi/django@3.2.0?file={API_REQS}" not in graph


def test_no_root_entry_without_direct_packages() -> None:
    package = Package("left-pad", "1.3.0", "npm", "pkg:npm/left-pad@1.3.0", Location("package-lock.json"))
    data = render(Report(".", "directory", "2024-05-02T08:30:00Z", "0.1.0", packages=(package,)))
    assert data["dependencies"] == []


def test_bom_refs_are_unique_even_when_strings_clash() -> None:
    # purl "…?file=a" found in "b" and purl "…" found in "a&file=b" both render as "pkg:npm/x@1?file=a&file=b"
    odd = Package("x", "1", "npm", "pkg:npm/x@1?file=a", Location("b"))
    plain = Package("x", "1", "npm", "pkg:npm/x@1", Location("a&file=b"))
    data = render(Report(".", "directory", "2024-05-02T08:30:00Z", "0.1.0", packages=(odd, plain)))
    refs = [c["bom-ref"] for c in data["components"]]
    assert sorted(refs) == ["pkg:npm/x@1?file=a&file=b", "pkg:npm/x@1?file=a&file=b#2"]


def test_vulnerabilities(graph_report: Report) -> None:
    data = render(graph_report)
    vulnerabilities = data["vulnerabilities"]
    assert len(vulnerabilities) == len(graph_report.findings)
    debug = [v for v in vulnerabilities if v["id"] == "GHSA-gxpj-cx7g-858c"]
    assert {v["affects"][0]["ref"] for v in debug} == {
        f"pkg:npm/debug@2.6.8?file={WEB_LOCK}",
        f"pkg:npm/debug@2.6.8?file={ADMIN_LOCK}",
    }
    first = debug[0]
    assert first["source"] == {"name": "OSV", "url": "https://osv.dev/vulnerability/GHSA-gxpj-cx7g-858c"}
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"
    assert first["ratings"] == [{"score": 5.3, "severity": "medium", "method": "CVSSv31", "vector": vector}]
    assert first["recommendation"] == "Upgrade debug to 2.6.9 or later."
    assert first["references"] == [
        {"id": "CVE-2017-16137", "source": {"name": "OSV", "url": "https://osv.dev/vulnerability/CVE-2017-16137"}}
    ]
    django = next(v for v in vulnerabilities if v["id"] == "PYSEC-2021-98")
    assert django["ratings"] == [{"severity": "unknown", "method": "CVSSv2", "vector": "AV:N/AC:L/Au:N/C:P/I:N/A:N"}]


def test_no_vulnerabilities_section_without_findings(empty_report: Report) -> None:
    assert "vulnerabilities" not in render(empty_report)


# --- determinism --------------------------------------------------------------------------------------------


def test_same_report_in_any_order_gives_the_same_bytes(graph_report: Report) -> None:
    rng = random.Random(7)
    packages, findings = list(graph_report.packages), list(graph_report.findings)
    rng.shuffle(packages)
    rng.shuffle(findings)
    shuffled = dataclasses.replace(graph_report, packages=tuple(packages), findings=tuple(findings))
    assert cdx.render(shuffled) == cdx.render(graph_report)


def test_serial_number_depends_on_content_not_time(graph_report: Report) -> None:
    later = dataclasses.replace(graph_report, created_at="2025-01-01T00:00:00Z")
    first, second = render(graph_report), render(later)
    assert first["serialNumber"] == second["serialNumber"]
    second["metadata"]["timestamp"] = first["metadata"]["timestamp"]
    assert first == second
    fewer = dataclasses.replace(graph_report, packages=graph_report.packages[1:])
    assert render(fewer)["serialNumber"] != first["serialNumber"]


# --- reading back -------------------------------------------------------------------------------------------


def write(tmp_path: Path, report: Report) -> Path:
    path = tmp_path / "bom.cdx.json"
    path.write_text(cdx.render(report), encoding="utf-8")
    return path


def identities(packages: tuple[Package, ...]) -> set[tuple[str, str, str, str]]:
    return {(p.name, p.version, p.ecosystem, p.location.path if p.location else "") for p in packages}


def test_round_trip_packages(tmp_path: Path, graph_report: Report) -> None:
    inventory = read_sbom(write(tmp_path, graph_report))
    assert [e.message for e in inventory.errors] == [
        f"component 'acme-internal@0.4.0' (bom-ref nopurl:PyPI/acme-internal@0.4.0?file={API_REQS}): no purl"
    ]
    with_purl = tuple(p for p in graph_report.packages if p.purl)
    assert identities(inventory.packages) == identities(with_purl)
    assert {p.name for p in inventory.packages if p.dev} == {"@babel/core", "minimist"}
    assert inventory.skipped == 1  # the target


def test_round_trip_package_without_location(tmp_path: Path, sample_report: Report) -> None:
    path = write(tmp_path, sample_report)
    log4j = next(p for p in read_sbom(path).packages if p.name.endswith("log4j-core"))
    assert log4j.location == Location(str(path))  # found nowhere in particular: the SBOM is where it is


def test_round_trip_findings_keep_fingerprints(tmp_path: Path, graph_report: Report, graph_db: Path) -> None:
    inventory = read_sbom(write(tmp_path, graph_report))
    with Store.open(graph_db) as store:
        direct = scan([p for p in graph_report.packages if not p.dev], store).findings
        read_back = scan([p for p in inventory.packages if not p.dev], store).findings

    def key(findings: tuple[Any, ...]) -> set[tuple[str, str, str, str, str]]:
        return {(f.package.name, f.package.version, f.package.ecosystem, f.rule_id, f.fingerprint) for f in findings}

    assert key(read_back) == key(direct)
    rules = {f.rule_id for f in direct}
    assert rules == {"GHSA-gxpj-cx7g-858c", "PYSEC-2021-98", "GHSA-test-jack-0001", "GO-2020-0001"}
    assert len(key(direct)) == 5  # debug in two lockfiles (listed twice in one of them)


def test_5000_packages(tmp_path: Path) -> None:
    report = build_sbom_report(5000)
    text = cdx.render(report)  # its speed is measured by hand (see the reporter's notes), never asserted here
    path = tmp_path / "big.cdx.json"
    path.write_text(text, encoding="utf-8")
    inventory = read_sbom(path)
    assert identities(inventory.packages) == identities(report.packages)
