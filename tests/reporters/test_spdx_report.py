"""SPDX 2.3 output: golden files, spdx-tools' full validation, relationships, determinism and reading back."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from shiftsec.model import Location, Package, Report
from shiftsec.reporters import spdx
from shiftsec.scanners.vulns import scan
from shiftsec.targets.sbom import read_sbom
from shiftsec.vulndb.store import Store
from tests.reporters.conftest import ADMIN_LOCK, API_REQS, WEB_LOCK, build_sbom_report


def write(tmp_path: Path, report: Report, name: str = "bom.spdx.json") -> Path:
    path = tmp_path / name
    path.write_text(spdx.render(report), encoding="utf-8")
    return path


def validate(path: Path) -> None:
    messages = validate_full_spdx_document(parse_file(str(path)))
    assert not messages, "\n".join(m.validation_message for m in messages[:10])


def render(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(spdx.render(report))
    return data


def packages_by_source(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Packages by (name, file): the file is what `sourceInfo` names, "" for the root or a package found nowhere."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for package in data["packages"]:
        source = package.get("sourceInfo", "").removeprefix("package found in: ")
        found[(package["name"], source)] = package
    return found


# --- golden files and validity ------------------------------------------------------------------------------


def test_golden(sample_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.spdx.json", spdx.render(sample_report))


def test_graph_golden(graph_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("graph.spdx.json", spdx.render(graph_report))


def test_empty_golden(empty_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("empty.spdx.json", spdx.render(empty_report))


@pytest.mark.parametrize("name", ["sample_report", "graph_report", "empty_report"])
def test_valid_spdx_2_3(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    validate(write(tmp_path, request.getfixturevalue(name)))


def test_large_report_is_valid(tmp_path: Path) -> None:
    validate(write(tmp_path, build_sbom_report(500)))


def test_the_validator_does_reject(graph_report: Report, tmp_path: Path) -> None:
    data = render(graph_report)
    data["relationships"].append(
        {"spdxElementId": "SPDXRef-Target", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-Nowhere"}
    )
    path = tmp_path / "broken.spdx.json"
    path.write_text(json.dumps(data))
    assert validate_full_spdx_document(parse_file(str(path)))


# --- shape --------------------------------------------------------------------------------------------------


def test_document_header(graph_report: Report) -> None:
    data = render(graph_report)
    assert (data["spdxVersion"], data["dataLicense"], data["SPDXID"]) == ("SPDX-2.3", "CC0-1.0", "SPDXRef-DOCUMENT")
    assert data["name"] == "examples/monorepo"
    assert data["documentNamespace"].startswith("https://spdx.org/spdxdocs/shiftsec-examples-monorepo-")
    assert data["creationInfo"] == {"created": "2024-05-02T08:30:00Z", "creators": ["Tool: shiftsec-0.1.0"]}


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("2024-05-02T08:30:00Z", "2024-05-02T08:30:00Z"),
        ("2024-05-02T10:30:00.123456+02:00", "2024-05-02T08:30:00Z"),
        ("2024-05-02T08:30:00", "2024-05-02T08:30:00Z"),
    ],
)
def test_created_in_spdx_form(created_at: str, expected: str) -> None:
    assert spdx.spdx_time(created_at) == expected


def test_packages(graph_report: Report) -> None:
    data = render(graph_report)
    root = data["packages"][0]
    assert root["SPDXID"] == "SPDXRef-Target"
    assert (root["name"], root["primaryPackagePurpose"]) == ("examples/monorepo", "SOURCE")
    found = packages_by_source(data)
    assert len(data["packages"]) == 1 + len(graph_report.packages) - 1  # debug is listed twice in the web lockfile
    web, admin = found[("debug", WEB_LOCK)], found[("debug", ADMIN_LOCK)]
    assert web["SPDXID"] != admin["SPDXID"]
    purl_ref = {
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": "pkg:npm/debug@2.6.8",
    }
    assert web["externalRefs"] == admin["externalRefs"] == [purl_ref]
    assert web["SPDXID"].startswith("SPDXRef-Package-npm-debug-2.6.8-")
    for package in data["packages"]:
        assert package["downloadLocation"] == package["licenseConcluded"] == package["licenseDeclared"] == "NOASSERTION"
        assert package["filesAnalyzed"] is False
    internal = found[("acme-internal", API_REQS)]
    assert "externalRefs" not in internal
    assert internal["versionInfo"] == "0.4.0"
    ids = [package["SPDXID"] for package in data["packages"]]
    assert len(set(ids)) == len(ids)


def test_relationships(graph_report: Report) -> None:
    data = render(graph_report)
    ids = {key: package["SPDXID"] for key, package in packages_by_source(data).items()}
    edges = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in data["relationships"]}
    assert len(edges) == len(data["relationships"])
    root = "SPDXRef-Target"
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", root) in edges
    assert {related for element, kind, related in edges if element == root and kind == "DEPENDS_ON"} == {
        ids[("express", WEB_LOCK)],
        ids[("@babel/core", WEB_LOCK)],
        ids[("debug", ADMIN_LOCK)],
        ids[("acme-internal", API_REQS)],
        ids[("com.fasterxml.jackson.core:jackson-databind", "backend/pom.xml")],
        ids[("github.com/gin-gonic/gin", "go.mod")],
    }
    assert {element for element, kind, _ in edges if kind == "DEV_DEPENDENCY_OF"} == {
        ids[("@babel/core", WEB_LOCK)],
        ids[("minimist", WEB_LOCK)],
    }
    depends = {(element, related) for element, kind, related in edges if kind == "DEPENDS_ON" and element != root}
    assert depends == {
        (ids[("express", WEB_LOCK)], ids[("body-parser", WEB_LOCK)]),
        (ids[("express", WEB_LOCK)], ids[("debug", WEB_LOCK)]),
        (ids[("body-parser", WEB_LOCK)], ids[("debug", WEB_LOCK)]),
        (ids[("debug", WEB_LOCK)], ids[("ms", WEB_LOCK)]),
        (ids[("@babel/core", WEB_LOCK)], ids[("minimist", WEB_LOCK)]),
        (
            ids[("com.fasterxml.jackson.core:jackson-databind", "backend/pom.xml")],
            ids[("com.fasterxml.jackson.core:jackson-annotations", "backend/pom.xml")],
        ),
    }


def test_spdx_ids_are_valid_and_unique_for_odd_names() -> None:
    # "a.b" and "a b" reduce to the same text ("SPDXRef-Package-npm-a-b-1-…"): the hash keeps them apart
    names = ["a.b", "a b", "ünïcode", "@scope/x", "::", ""]
    packages = tuple(Package(n, "1", "npm", None, Location("x")) for n in names)
    data = render(Report(".", "directory", "2024-05-02T08:30:00Z", "0.1.0", packages))
    ids = [package["SPDXID"] for package in data["packages"]]
    assert len(set(ids)) == len(ids) == len(names) + 1
    assert all(re.fullmatch(r"SPDXRef-[A-Za-z0-9.-]+", spdx_id) for spdx_id in ids)


# --- determinism --------------------------------------------------------------------------------------------


def test_same_report_in_any_order_gives_the_same_bytes(graph_report: Report) -> None:
    packages = list(graph_report.packages)
    random.Random(3).shuffle(packages)
    assert spdx.render(dataclasses.replace(graph_report, packages=tuple(packages))) == spdx.render(graph_report)


def test_namespace_depends_on_content_not_time(graph_report: Report) -> None:
    first = render(graph_report)
    second = render(dataclasses.replace(graph_report, created_at="2025-01-01T00:00:00Z"))
    assert first["documentNamespace"] == second["documentNamespace"]
    second["creationInfo"]["created"] = first["creationInfo"]["created"]
    assert first == second
    fewer = render(dataclasses.replace(graph_report, packages=graph_report.packages[1:]))
    assert fewer["documentNamespace"] != first["documentNamespace"]


# --- reading back -------------------------------------------------------------------------------------------


def identities(packages: tuple[Package, ...]) -> set[tuple[str, str, str, str]]:
    return {(p.name, p.version, p.ecosystem, p.location.path if p.location else "") for p in packages}


def test_round_trip_packages(tmp_path: Path, graph_report: Report) -> None:
    inventory = read_sbom(write(tmp_path, graph_report))
    assert identities(inventory.packages) == identities(tuple(p for p in graph_report.packages if p.purl))
    assert {p.name for p in inventory.packages if p.dev} == {"@babel/core", "minimist"}
    internal = packages_by_source(render(graph_report))[("acme-internal", API_REQS)]["SPDXID"]
    assert [e.message for e in inventory.errors] == [f"component 'acme-internal@0.4.0' (SPDXID {internal}): no purl"]
    assert inventory.skipped == 1  # the target


def test_round_trip_findings_keep_fingerprints(tmp_path: Path, graph_report: Report, graph_db: Path) -> None:
    inventory = read_sbom(write(tmp_path, graph_report))
    with Store.open(graph_db) as store:
        direct = scan([p for p in graph_report.packages if not p.dev], store).findings
        read_back = scan([p for p in inventory.packages if not p.dev], store).findings

    def key(findings: tuple[Any, ...]) -> set[tuple[str, str, str, str, str]]:
        return {(f.package.name, f.package.version, f.package.ecosystem, f.rule_id, f.fingerprint) for f in findings}

    assert key(read_back) == key(direct)
    assert len(key(direct)) == 5


def test_5000_packages(tmp_path: Path) -> None:
    report = build_sbom_report(5000)
    inventory = read_sbom(write(tmp_path, report))  # speed is measured by hand, never asserted here
    assert identities(inventory.packages) == identities(report.packages)
