"""Dependency paths and upgrade advice, on hand-built graphs."""

from __future__ import annotations

import pytest

from shiftsec.model import Finding, FindingType, Location, Package, Severity
from shiftsec.scanners.advice import advise, annotate, dependency_paths, is_major_bump


def _pkg(name: str, version: str, *, direct: bool | None = False, deps: tuple[str, ...] = (),
         path: str = "Cargo.lock") -> Package:
    return Package(name, version, "crates.io", purl=f"pkg:cargo/{name}@{version}", location=Location(path),
                   direct=direct, depends_on=tuple(f"pkg:cargo/{d}" for d in deps))


# app-direct: web -> http -> smallvec ; web -> log ; cli -> smallvec (shorter path from the other root)
GRAPH = [
    _pkg("web", "1.0.0", direct=True, deps=("http@0.2.0", "log@0.4.0")),
    _pkg("cli", "2.0.0", direct=True, deps=("smallvec@1.6.0",)),
    _pkg("http", "0.2.0", deps=("smallvec@1.6.0",)),
    _pkg("log", "0.4.0"),
    _pkg("smallvec", "1.6.0"),
    _pkg("orphan", "0.1.0"),  # not reachable from a direct dependency
    _pkg("smallvec", "1.6.0", path="other/Cargo.lock", direct=None),  # same purl, another file, no graph
]


def _finding(package: Package, rule: str, fixed: str | None) -> Finding:
    return Finding(FindingType.VULNERABILITY, rule, Severity.HIGH, rule, rule, f"fp-{rule}", package=package,
                   location=package.location, fixed_in=fixed)


def test_shortest_paths_per_file() -> None:
    paths = dependency_paths(GRAPH)
    names = {key: [p.name for p in chain] for key, chain in paths.items()}
    assert names[("Cargo.lock", "pkg:cargo/smallvec@1.6.0")] == ["cli", "smallvec"]  # 2 hops beat 3
    assert names[("Cargo.lock", "pkg:cargo/log@0.4.0")] == ["web", "log"]
    assert names[("Cargo.lock", "pkg:cargo/web@1.0.0")] == ["web"]
    assert ("Cargo.lock", "pkg:cargo/orphan@0.1.0") not in paths
    assert ("other/Cargo.lock", "pkg:cargo/smallvec@1.6.0") not in paths  # files do not share a graph


def test_advice_merges_findings_of_a_package() -> None:
    smallvec, web = GRAPH[4], GRAPH[0]
    findings = [_finding(smallvec, "CVE-1", "1.6.1"), _finding(smallvec, "CVE-2", "2.0.0"),
                _finding(smallvec, "CVE-3", None), _finding(web, "CVE-4", "1.0.3")]
    paths = dependency_paths(GRAPH)
    annotated = annotate(findings, paths)
    assert annotated[0].dependency_path == ("cli@2.0.0", "smallvec@1.6.0")
    assert annotated[3].dependency_path == ("web@1.0.0",)
    by_name = {a.package.name: a for a in advise(annotated, paths)}
    assert by_name["smallvec"].fixed_in == "2.0.0"  # fixes CVE-1 and CVE-2
    assert by_name["smallvec"].major_bump
    assert by_name["smallvec"].unfixed == ("CVE-3",)
    assert by_name["smallvec"].via == GRAPH[1]  # bump cli, which pulls it in
    assert by_name["web"].via is None and not by_name["web"].major_bump


@pytest.mark.parametrize(
    ("ecosystem", "installed", "target", "major"),
    [("crates.io", "1.6.0", "1.6.1", False), ("crates.io", "1.6.0", "2.0.0", True),
     ("crates.io", "0.3.9", "0.4.0", True), ("PyPI", "0.3.9", "0.4.0", False),  # 0.x minor: SemVer only
     ("Go", "v1.2.3", "v2.0.0", True), ("Maven", "2.9.10.1", "2.12.6.1", False), ("npm", "1.0.0", "x", False)],
)
def test_major_bump(ecosystem: str, installed: str, target: str, major: bool) -> None:
    assert is_major_bump(ecosystem, installed, target) is major
