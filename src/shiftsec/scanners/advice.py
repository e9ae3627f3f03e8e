"""What a developer should do about the findings: dependency paths and one upgrade per vulnerable package.

- Paths: within each lockfile, a breadth-first walk from the direct dependencies along `Package.depends_on`
  gives every package its shortest chain from a direct dependency (`Finding.dependency_path`).
- Advice: per vulnerable package, the smallest version that fixes all of its findings (the highest of their
  `fixed_in`), whether that is a major bump, and for a transitive package the direct dependency at the head
  of its path: the one to bump (or to pin the transitive version under).
A major bump compares the leading number; for SemVer ecosystems below 1.0 the second number counts as major
(`0.3.x` → `0.4.0` may break, as SemVer allows).
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Iterable, Sequence

from shiftsec.model import Advice, Finding, Package

__all__ = ["Advice", "advise", "annotate", "dependency_paths", "is_major_bump"]
from shiftsec.vulndb import versions

_SEMVER_ECOSYSTEMS = frozenset({"npm", "crates.io", "Go", "Pub", "Hex", "SwiftURL", "NuGet", "Packagist"})
_LEADING = re.compile(r"v?(\d+)(?:\.(\d+))?")

PackageId = tuple[str, str]  # (source file, purl or name@version)


def _pid(package: Package) -> PackageId:
    path = package.location.path if package.location else ""
    return path, package.purl or f"{package.name}@{package.version}"


def dependency_paths(packages: Iterable[Package]) -> dict[PackageId, tuple[Package, ...]]:
    """Shortest chain from a direct dependency to each package reachable in its file's graph."""
    by_file: dict[str, dict[str, Package]] = {}
    for package in packages:
        path, ident = _pid(package)
        by_file.setdefault(path, {})[ident] = package
    paths: dict[PackageId, tuple[Package, ...]] = {}
    for path, nodes in by_file.items():
        queue: deque[str] = deque()
        for ident, package in nodes.items():
            if package.direct:
                paths[(path, ident)] = (package,)
                queue.append(ident)
        while queue:
            ident = queue.popleft()
            chain = paths[(path, ident)]
            for child in nodes[ident].depends_on:
                if child in nodes and (path, child) not in paths:
                    paths[(path, child)] = (*chain, nodes[child])
                    queue.append(child)
    return paths


def _major(ecosystem: str, version: str) -> tuple[int, int] | None:
    match = _LEADING.match(version)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 0 and versions.base_ecosystem(ecosystem) in _SEMVER_ECOSYSTEMS:
        return (0, int(match.group(2) or 0))
    return (major, 0)


def is_major_bump(ecosystem: str, installed: str, target: str) -> bool:
    before, after = _major(ecosystem, installed), _major(ecosystem, target)
    return before is not None and after is not None and after > before


def annotate(findings: Sequence[Finding], paths: dict[PackageId, tuple[Package, ...]]) -> tuple[Finding, ...]:
    """`findings` with their `dependency_path` filled in where the graph knows one."""
    out = []
    for finding in findings:
        chain = paths.get(_pid(finding.package)) if finding.package else None
        path = tuple(f"{p.name}@{p.version}" for p in chain) if chain else ()
        out.append(dataclasses.replace(finding, dependency_path=path) if path else finding)
    return tuple(out)


def advise(findings: Sequence[Finding], paths: dict[PackageId, tuple[Package, ...]]) -> tuple[Advice, ...]:
    """One `Advice` per vulnerable package."""
    grouped: dict[PackageId, list[Finding]] = {}
    for finding in findings:
        if finding.package is not None:
            grouped.setdefault(_pid(finding.package), []).append(finding)
    advice = []
    for ident, group in grouped.items():
        package = group[0].package
        assert package is not None
        fixes = [f.fixed_in for f in group if f.fixed_in]
        fixed_in = max(fixes, key=lambda v: versions.parse(package.ecosystem, v)) if fixes else None
        unfixed = tuple(sorted(f.rule_id for f in group if not f.fixed_in))
        chain = paths.get(ident, ())
        via = chain[0] if len(chain) > 1 else None
        advice.append(
            Advice(
                package=package,
                fixed_in=fixed_in,
                major_bump=bool(fixed_in) and is_major_bump(package.ecosystem, package.version, fixed_in or ""),
                rule_ids=tuple(sorted(f.rule_id for f in group)),
                via=via,
                unfixed=unfixed,
            )
        )
    return tuple(advice)
