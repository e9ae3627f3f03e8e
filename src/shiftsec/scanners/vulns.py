"""The vulnerability scanner: packages + advisory database → one finding per (package, flaw).

For each package it looks up the affected rows of its (base ecosystem, normalized name), keeps those whose
ecosystem release fits the package's (`Debian:12` advisories for `Debian:12` packages; an advisory without a
release applies to every release), evaluates the OSV ranges, drops withdrawn advisories, and merges the
advisories that describe the same flaw (linked through `id`/`aliases`, e.g. GHSA + CVE + PYSEC) into one
finding that keeps every id. The fix advice is the smallest `fixed` version above the installed one that
every merged advisory agrees is unaffected.

Each finding also carries the exploit facts of its CVE ids (the rule id and every alias): `kev` is True when
one of them is in the CISA KEV catalogue, False when the database holds a catalogue that lists none of them,
None when it holds no catalogue; `epss` is the highest EPSS score among them, None when none has one.

Installed distribution packages (`analyzers.os`) are named and versioned as their advisories name them (the
source package and source version for Debian, Ubuntu and Alpine) and match only their release's advisories.
Distro advisories list the distro's own fixed versions (`1.1.1n-0+deb11u4`), so comparing the installed
distro version against them is backport-aware by construction. Two refinements for those packages: a Red Hat
package of `Red Hat:enterprise_linux:9` matches the advisories of every repository stream of that release
(`Red Hat:enterprise_linux:9::baseos`, `…::appstream`; the image does not say which repository a package came
from), and when a package's purl names a binary other than the package (`libssl3` built from `openssl`), the
binary is part of the finding's fingerprint and message, so the binaries of one source stay distinct findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from shiftsec.model import Finding, FindingType, Package, ScanError, Severity, fingerprint
from shiftsec.purl import parse_purl
from shiftsec.vulndb import versions
from shiftsec.vulndb.names import normalize
from shiftsec.vulndb.ranges import CompiledSpec, Match, beyond, compile_spec, evaluate, smallest_fix
from shiftsec.vulndb.store import AdvisoryRow, Store

# Ecosystems whose advisories are per distribution release: a package without a release cannot be matched.
OS_ECOSYSTEMS = frozenset(
    {"Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux", "AlmaLinux", "SUSE", "openSUSE", "Mageia",
     "openEuler", "Photon OS", "Azure Linux", "Wolfi", "Chainguard", "MinimOS"}
)
_ID_PREFERENCE = ("CVE-", "GHSA-")
# Databases osv.dev publishes under their own ids (the converters' RUBYSEC-/PHPSEC-/ALPINE- ids are ours).
_OSV_PUBLISHED = ("GHSA-", "PYSEC-", "GO-", "RUSTSEC-", "MAL-", "OSV-", "CVE-")


@dataclass(frozen=True, slots=True)
class VulnScan:
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]


@lru_cache(maxsize=4096)  # a scan meets few distinct pairs, a hundred thousand times
def release_matches(package_ecosystem: str, advisory_ecosystem: str) -> bool:
    """Whether an advisory for `advisory_ecosystem` applies to a package of `package_ecosystem`."""
    if package_ecosystem == advisory_ecosystem:
        return True
    _, _, adv_release = advisory_ecosystem.partition(":")
    if not adv_release:
        return True
    _, _, pkg_release = package_ecosystem.partition(":")
    if not pkg_release:
        return False
    if package_ecosystem.startswith("Red Hat:"):
        # `Red Hat:enterprise_linux:9` (an installed RHEL 9) takes every stream of that product and release:
        # `Red Hat:enterprise_linux:9::baseos`, `…:9::appstream`; not `rhel_eus:9.2::baseos`, not `…:8::…`.
        pkg_tokens = pkg_release.split(":")
        return len(pkg_tokens) == 2 and adv_release.split(":")[:2] == pkg_tokens
    # Ubuntu writes "22.04:LTS"; a package from an SBOM says "22.04". "Pro" releases stay apart.
    return [t for t in adv_release.split(":") if t != "LTS"] == [t for t in pkg_release.split(":") if t != "LTS"]


def _release_ecosystems(base: str, release: str | None) -> tuple[str, ...] | None:
    """The advisory ecosystems worth fetching for packages of `release` (None: every row of the names)."""
    if release is None or base == "Red Hat":  # Red Hat streams carry a repository suffix: filter afterwards
        return None
    if release.endswith(":LTS"):  # an installed Ubuntu LTS says `Ubuntu:22.04:LTS`; an SBOM says `Ubuntu:22.04`
        return (release, base, release.removesuffix(":LTS"))
    return (release, base, f"{release}:LTS")


def scan(packages: Sequence[Package], store: Store) -> VulnScan:
    """Match `packages` against the advisory database in `store`."""
    # Distro packages with a release only need that release's rows (and release-less ones): asking SQLite for
    # just those spares fetching every other release's advisories for names like openssl.
    groups: dict[tuple[str, str | None], dict[str, list[Package]]] = {}
    for pkg in packages:
        base = versions.base_ecosystem(pkg.ecosystem)
        release = pkg.ecosystem if base in OS_ECOSYSTEMS and ":" in pkg.ecosystem else None
        groups.setdefault((base, release), {}).setdefault(normalize(base, pkg.name), []).append(pkg)

    hits: list[tuple[Package, dict[str, tuple[list[CompiledSpec], Match]]]] = []
    unmatched_release: dict[str, int] = {}
    use_bounds = store.bounds_valid(versions.ORDERING_REVISION)
    for (base, release), names in groups.items():
        rows = store.affected_for(base, names, _release_ecosystems(base, release))
        for name, pkgs in names.items():
            candidates = rows.get(name)
            if not candidates:
                continue
            for pkg in pkgs:
                specs: dict[str, list[CompiledSpec]] = {}
                for row in candidates:
                    if release_matches(pkg.ecosystem, row.ecosystem):
                        if use_bounds and row.upper and beyond(row.upper, row.ecosystem, pkg.version):
                            continue  # past every range of this entry: nothing to evaluate
                        specs.setdefault(row.advisory_id, []).append(compile_spec(row.spec, row.ecosystem))
                    elif base in OS_ECOSYSTEMS and ":" not in pkg.ecosystem:
                        unmatched_release[base] = unmatched_release.get(base, 0) + 1
                affected = {}
                for adv_id, group in specs.items():
                    match = evaluate(group, pkg.ecosystem, pkg.version)
                    if match.affected:
                        affected[adv_id] = (group, match)
                if affected:
                    hits.append((pkg, affected))

    advisories = store.advisories(adv_id for _, found in hits for adv_id in found)
    findings = []
    for pkg, found in hits:
        live = {i: s for i, s in found.items() if i in advisories and not advisories[i].withdrawn}
        for ids in _alias_groups(live, advisories):
            findings.append(_finding(pkg, ids, live, advisories))
    facts = store.exploit_facts(i for f in findings for i in (f.rule_id, *f.aliases))
    for index, finding in enumerate(findings):
        kev, epss = facts.lookup((finding.rule_id, *finding.aliases))
        if kev is not None or epss is not None:
            findings[index] = replace(finding, kev=kev, epss=epss)
    errors = tuple(
        ScanError(
            "", f"{base} packages without a distribution release (e.g. purl qualifier distro=…) cannot be "
            f"matched against per-release advisories; {count} candidate advisories were not evaluated", "no-release"
        )
        for base, count in sorted(unmatched_release.items())
    )
    return VulnScan(tuple(findings), errors)


def _alias_groups(found: Iterable[str], advisories: dict[str, AdvisoryRow]) -> list[list[str]]:
    """Partition the matched advisory ids so that ids linked through aliases end up together."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for adv_id in found:
        for alias in advisories[adv_id].aliases:
            ra, rb = root(adv_id), root(alias)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        root(adv_id)
    groups: dict[str, list[str]] = {}
    for adv_id in sorted(found):
        groups.setdefault(root(adv_id), []).append(adv_id)
    return list(groups.values())


def _primary(ids: set[str]) -> str:
    for prefix in _ID_PREFERENCE:
        preferred = sorted(i for i in ids if i.startswith(prefix))
        if preferred:
            return preferred[0]
    return sorted(ids)[0]


def _finding(
    pkg: Package,
    group: list[str],
    found: dict[str, tuple[list[CompiledSpec], Match]],
    advisories: dict[str, AdvisoryRow],
) -> Finding:
    rows = [advisories[i] for i in group]
    all_ids = set(group).union(*(r.aliases for r in rows))
    primary = _primary(all_ids)
    worst = max(rows, key=lambda r: (r.severity, r.cvss_score or 0.0))
    titled = next((r for r in sorted(rows, key=lambda r: not r.id.startswith("GHSA-")) if r.summary), None)

    version = versions.parse(pkg.ecosystem, pkg.version)
    fixes = [fix for fix in (smallest_fix(found[i][0], pkg.ecosystem, pkg.version, found[i][1]) for i in group) if fix]
    fixed_in = max(fixes, key=lambda f: versions.parse(pkg.ecosystem, f)) if fixes else None
    above = {
        text
        for i in group
        for spec in found[i][0]
        for text in spec.fixes
        if version < versions.parse(pkg.ecosystem, text)
    }
    fixed_versions = tuple(sorted(above, key=lambda f: versions.parse(pkg.ecosystem, f)))

    aliases = tuple(sorted(all_ids - {primary}))
    if fixed_in:
        remediation = f"Upgrade {pkg.name} to {fixed_in} or later."
    else:
        remediation = f"No fixed version of {pkg.name} is known; consider removing or replacing it."
    path = pkg.location.path if pkg.location else ""
    base = versions.base_ecosystem(pkg.ecosystem)
    binary = _binary(pkg) if base in OS_ECOSYSTEMS else None
    identity = (normalize(base, pkg.name), path, binary) if binary else (normalize(base, pkg.name), path)
    return Finding(
        type=FindingType.VULNERABILITY,
        rule_id=primary,
        severity=Severity(worst.severity),
        title=titled.summary if titled else primary,
        message=f"{pkg.name} {pkg.version} ({pkg.ecosystem}{f', binary {binary}' if binary else ''}) is affected by "
        f"{primary}"
        + (f"; fixed in {fixed_in}" if fixed_in else "; no fix is known"),
        fingerprint=fingerprint("vulnerability", primary, base, *identity),
        aliases=aliases,
        location=pkg.location,
        package=pkg,
        fixed_versions=fixed_versions,
        fixed_in=fixed_in,
        remediation=remediation,
        cvss_score=worst.cvss_score,
        cvss_vector=worst.cvss_vector,
        references=tuple(f"https://osv.dev/vulnerability/{i}" for i in sorted(all_ids) if i.startswith(_OSV_PUBLISHED)),
        published=min((r.published for r in rows if r.published), default=None),
    )


@lru_cache(maxsize=4096)
def _purl_name(purl: str) -> str | None:
    try:
        return parse_purl(purl).name
    except ValueError:
        return None


def _binary(pkg: Package) -> str | None:
    """The binary package a distro package's purl names, when it is not the package itself (its source)."""
    if not pkg.purl:
        return None
    name = _purl_name(pkg.purl)
    return name if name and name != pkg.name else None
