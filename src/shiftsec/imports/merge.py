"""Merging findings that describe the same issue, from shiftsec and from imported tools, into one.

Two findings are the same issue when any of these holds (the relation is closed transitively):
* they have the same `fingerprint` (the readers build fingerprints from the same parts as shiftsec's scanners);
* both are about a package, their id groups overlap (`rule_id` + `aliases`: a GHSA and the CVE it aliases),
  and they have the same package (base ecosystem, normalised name, version) in the same file
  (`location.path`, else `package.location.path`);
* both are secrets with the same `secret_sha256` in the same file (gitleaks and shiftsec name some rules
  differently: the hash decides).

The merged finding is built on the richest member: shiftsec's own finding (`sources == ()`) when there is one,
else the one with the most fields set. Its empty fields are filled from the others in order, `aliases`,
`references`, `cwes` and `fixed_versions` become unions, and `sources` is the sorted union of every member's
sources. shiftsec itself is implicit: a finding shiftsec made lists only the other tools that reported it,
and never "shiftsec". Output order follows the first member of each group in the input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from shiftsec.model import Finding, FindingType, Severity
from shiftsec.vulndb import versions
from shiftsec.vulndb.names import normalize


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per issue; see the module docstring for when two findings are one issue."""
    members = list(findings)
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    seen: dict[tuple[Any, ...], int] = {}
    for i, finding in enumerate(members):
        for key in _keys(finding):
            if key in seen:
                union(seen[key], i)
            else:
                seen[key] = i
    groups: dict[int, list[Finding]] = {}
    for i, finding in enumerate(members):
        groups.setdefault(root(i), []).append(finding)
    return [group[0] if len(group) == 1 else _combine(group) for group in groups.values()]


def _path(finding: Finding) -> str:
    if finding.location is not None:
        return finding.location.path
    if finding.package is not None and finding.package.location is not None:
        return finding.package.location.path
    return ""


def _keys(finding: Finding) -> list[tuple[Any, ...]]:
    keys: list[tuple[Any, ...]] = [("fingerprint", finding.fingerprint)]
    pkg = finding.package
    if pkg is not None:
        base = versions.base_ecosystem(pkg.ecosystem)
        identity = (base, normalize(base, pkg.name), pkg.version, _path(finding))
        keys.extend(("advisory", advisory_id, *identity) for advisory_id in (finding.rule_id, *finding.aliases))
    if finding.type is FindingType.SECRET and finding.secret_sha256:
        keys.append(("secret", finding.secret_sha256, _path(finding)))
    return keys


def _richness(finding: Finding) -> int:
    return sum(1 for f in dataclasses.fields(finding) if not _empty(getattr(finding, f.name)))


def _empty(value: Any) -> bool:
    return value is None or value in ("", ()) or value is Severity.UNKNOWN


_UNIONS = ("references", "cwes", "fixed_versions")


def _combine(group: Sequence[Finding]) -> Finding:
    native = [f for f in group if not f.sources]
    best = native[0] if native else max(group, key=_richness)  # max keeps the first of equals
    others = [f for f in group if f is not best]
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(best):
        name = field.name
        if name in ("aliases", "sources", *_UNIONS):
            continue
        if _empty(getattr(best, name)):
            filler = next((getattr(f, name) for f in others if not _empty(getattr(f, name))), None)
            if filler is not None:
                changes[name] = filler
    for name in _UNIONS:
        merged = tuple(dict.fromkeys(v for f in (best, *others) for v in getattr(f, name)))
        if name == "cwes":
            merged = tuple(sorted(merged, key=lambda c: (len(c), c)))
        changes[name] = merged
    ids = {i for f in group for i in (f.rule_id, *f.aliases)}
    changes["aliases"] = tuple(sorted(ids - {best.rule_id}))
    changes["sources"] = tuple(sorted({s for f in group for s in f.sources}))
    return dataclasses.replace(best, **changes)
