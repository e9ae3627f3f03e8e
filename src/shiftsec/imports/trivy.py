"""Trivy's JSON report (`trivy fs|image|config --format json`, SchemaVersion 2): `Results[]`, one per target
(a lockfile, an OS, a config file), each with `Target`, `Class`, `Type` and any of `Vulnerabilities[]`,
`Misconfigurations[]` and `Secrets[]`. Licenses and other classes are not read.

* A vulnerability becomes a `vulnerability` finding on a `Package` whose OSV ecosystem and name come from
  `PkgIdentifier.PURL` (the same mapping SBOM scans use), else from the result `Type` (`pip` → PyPI,
  `gomod` → Go, `cargo` → crates.io…; an OS type gets its release from the target, `(debian 12.4)` →
  `Debian:12`; a type without an OSV ecosystem is kept verbatim). Its fingerprint has the same parts as the
  vulnerability scanner's — ("vulnerability", primary id, base ecosystem, normalised name, lockfile path) with
  the primary id chosen the same way (a CVE, else a GHSA) — so the same flaw reported by both is one finding.
  OS packages have no lockfile path (""). `FixedVersion` ("1.26.18, 2.0.7") gives `fixed_versions`, and the
  smallest of them above the installed version is `fixed_in`.
* A misconfiguration (`Status` FAIL; PASS is skipped, EXCEPTION is kept as suppressed) becomes a `misconfig`
  finding with `AVDID` (else `ID`) as rule, at `CauseMetadata.StartLine`/`EndLine`.
* A secret becomes a `secret` finding. Trivy masks the value in `Match` and `Code`, so there is nothing to hash:
  `secret_sha256` and `evidence` stay None, `Match` and `Code` are never read, and the fingerprint
  ("secret", rule, "", path, occurrence) cannot equal a shiftsec one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from shiftsec.errors import ParseError
from shiftsec.imports._common import (
    BadEntry,
    Imported,
    Occurrences,
    cwes,
    line,
    load_json,
    obj,
    opt_obj,
    read_entries,
    rel_path,
    score,
    severity_word,
    strings,
    text,
    unique,
)
from shiftsec.model import (
    Finding,
    FindingType,
    Location,
    Package,
    Suppression,
    SuppressionKind,
    fingerprint,
)
from shiftsec.purl import parse_purl
from shiftsec.purl_to_osv import to_osv
from shiftsec.vulndb import versions
from shiftsec.vulndb.names import normalize

TOOL = "trivy"

# Trivy's analyzer types (pkg/fanal/types) → OSV ecosystem, where the correspondence is clear.
LANG_ECOSYSTEMS: Mapping[str, str] = {
    "pip": "PyPI", "pipenv": "PyPI", "poetry": "PyPI", "uv": "PyPI", "python-pkg": "PyPI",
    "npm": "npm", "yarn": "npm", "pnpm": "npm", "bun": "npm", "node-pkg": "npm",
    "gomod": "Go", "gobinary": "Go",
    "cargo": "crates.io", "rust-binary": "crates.io",
    "bundler": "RubyGems", "gemspec": "RubyGems",
    "composer": "Packagist", "composer-vendor": "Packagist",
    "jar": "Maven", "pom": "Maven", "gradle": "Maven", "sbt": "Maven",
    "nuget": "NuGet", "dotnet-core": "NuGet", "packages-props": "NuGet",
    "hex": "Hex", "pub": "Pub", "conan": "ConanCenter", "swift": "SwiftURL",
}
OS_ECOSYSTEMS: Mapping[str, str] = {
    "alpine": "Alpine", "debian": "Debian", "ubuntu": "Ubuntu", "redhat": "Red Hat", "rocky": "Rocky Linux",
    "alma": "AlmaLinux", "photon": "Photon OS", "wolfi": "Wolfi", "chainguard": "Chainguard",
    "azurelinux": "Azure Linux", "opensuse": "openSUSE", "opensuse-leap": "openSUSE", "sles": "SUSE",
}
_OS_TARGET = re.compile(r"\((?:[\w .-]+ )?([\d][\w.]*)\)\s*$")
_ID_PREFERENCE = ("CVE-", "GHSA-")  # as the vulnerability scanner picks its primary id


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and "SchemaVersion" in doc and ("Results" in doc or "ArtifactName" in doc)


def read(data: bytes | str, name: str, root: str | None = None) -> Imported:
    """Read a Trivy JSON report; `name` labels errors, `root` makes absolute paths relative."""
    doc = load_json(data, name)
    if not looks_like(doc):
        raise ParseError(f"{name}: not a Trivy JSON report (no SchemaVersion and Results)")
    return from_document(doc, name, root)


def from_document(doc: Mapping[str, Any], name: str, root: str | None = None) -> Imported:
    if doc.get("SchemaVersion") != 2:
        raise ParseError(f"{name}: Trivy JSON SchemaVersion {doc.get('SchemaVersion')!r} is not supported (expected 2)")
    results = doc.get("Results")
    results = [] if results is None else results
    if not isinstance(results, list):
        raise ParseError(f"{name}: Trivy JSON 'Results' is not an array")
    occurrences = Occurrences()
    findings, errors = read_entries(_entries(results), lambda e: _read(e, root, occurrences), name)
    return Imported("trivy", (TOOL,), tuple(findings), tuple(errors))


def _entries(results: list[Any]) -> Iterator[tuple[str, Any]]:
    """(label, (result, kind, item)) for every entry; a result that is not an object is one bad entry."""
    for i, result in enumerate(results):
        if not isinstance(result, dict):
            yield f"Results[{i}]", (result, "", None)
            continue
        for kind in ("Vulnerabilities", "Misconfigurations", "Secrets"):
            value = result.get(kind)
            if value is None:
                continue
            if not isinstance(value, list):
                yield f"Results[{i}].{kind}", (result, "", value)
                continue
            for j, item in enumerate(value):
                yield f"Results[{i}].{kind}[{j}]", (result, kind, item)


def _read(entry: tuple[Any, str, Any], root: str | None, occurrences: Occurrences) -> list[Finding]:
    result, kind, item = entry
    res = obj(result, "result")
    if kind == "Vulnerabilities":
        return [_vulnerability(res, obj(item, "vulnerability"), root)]
    if kind == "Misconfigurations":
        found = _misconfiguration(res, obj(item, "misconfiguration"), root, occurrences)
        return [found] if found else []
    if kind == "Secrets":
        return [_secret(res, obj(item, "secret"), root, occurrences)]
    raise BadEntry("expected an array of objects")


def primary_id(ids: set[str]) -> str:
    """The id a finding is named by: a CVE, else a GHSA, else the smallest id."""
    for prefix in _ID_PREFERENCE:
        preferred = sorted(i for i in ids if i.startswith(prefix))
        if preferred:
            return preferred[0]
    return sorted(ids)[0]


def _ecosystem(result: Mapping[str, Any], item: Mapping[str, Any], pkg_name: str) -> tuple[str, str, str | None]:
    """(OSV ecosystem, OSV name, purl) for a vulnerable package."""
    purl = text(opt_obj(item, "PkgIdentifier"), "PURL") or None
    if purl:
        try:
            mapped = to_osv(parse_purl(purl))
        except ValueError:
            mapped = None
        if mapped:
            return mapped[0], mapped[1], purl
    kind = text(result, "Type").lower()
    if kind in LANG_ECOSYSTEMS:
        return LANG_ECOSYSTEMS[kind], pkg_name, purl
    if kind in OS_ECOSYSTEMS:
        return _os_release(OS_ECOSYSTEMS[kind], text(result, "Target")), pkg_name, purl
    return kind or "unknown", pkg_name, purl


def _os_release(ecosystem: str, target: str) -> str:
    match = _OS_TARGET.search(target)
    if not match:
        return ecosystem
    release = match.group(1)
    if ecosystem == "Debian":
        return f"Debian:{release.split('.')[0]}"
    if ecosystem == "Alpine":
        return "Alpine:v" + ".".join(release.split(".")[:2])
    if ecosystem == "Ubuntu":
        return f"Ubuntu:{release}"
    return ecosystem


def _cvss(item: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """The score and vector of the source Trivy took the severity from, else NVD, else any; v3 before v4, v2."""
    table = opt_obj(item, "CVSS")
    order = unique([text(item, "SeveritySource"), "nvd", "ghsa", *sorted(table)])
    for source in order:
        entry = table.get(source)
        if not isinstance(entry, dict):
            continue
        for version in ("V3", "V40", "V2"):
            value = score(entry.get(f"{version}Score"))
            if value is not None:
                vector = entry.get(f"{version}Vector")
                return value, vector if isinstance(vector, str) and vector else None
    return None, None


def _fixes(ecosystem: str, installed: str, fixed: str) -> tuple[tuple[str, ...], str | None]:
    """`FixedVersion` as fixed versions (ordered) and the smallest one above the installed version."""
    found = unique(part.strip().lstrip(">=~^ ") for part in fixed.split(","))
    ordered = tuple(sorted(found, key=lambda v: versions.parse(ecosystem, v)))
    current = versions.parse(ecosystem, installed)
    above = [v for v in ordered if current < versions.parse(ecosystem, v)]
    return ordered, (above[0] if above else None)


def _vulnerability(result: Mapping[str, Any], item: Mapping[str, Any], root: str | None) -> Finding:
    vuln_id = text(item, "VulnerabilityID", required=True)
    pkg_name = text(item, "PkgName", required=True)
    installed = text(item, "InstalledVersion", required=True)
    ecosystem, name, purl = _ecosystem(result, item, pkg_name)
    is_os = text(result, "Class") == "os-pkgs" or ecosystem.partition(":")[0] in OS_ECOSYSTEMS.values()
    path = "" if is_os else rel_path(text(item, "PkgPath") or text(result, "Target"), root)
    start = None
    locations = item.get("Locations")
    if isinstance(locations, list) and locations and isinstance(locations[0], dict):
        start = line(locations[0], "StartLine")
    location = Location(path, start) if path else None
    package = Package(name, installed, ecosystem, purl, location)

    ids = {vuln_id}
    primary = primary_id(ids)
    fixed_versions, fixed_in = _fixes(ecosystem, installed, text(item, "FixedVersion"))
    cvss_score, cvss_vector = _cvss(item)
    severity = severity_word(text(item, "Severity"))
    base = versions.base_ecosystem(ecosystem)
    if fixed_in:
        remediation = f"Upgrade {name} to {fixed_in} or later."
    else:
        remediation = f"No fixed version of {name} is known; consider removing or replacing it."
    summary = f"{name} {installed} ({ecosystem}) is affected by {primary}" + (
        f"; fixed in {fixed_in}" if fixed_in else "; no fix is known"
    )
    description = text(item, "Description")
    return Finding(
        type=FindingType.VULNERABILITY,
        rule_id=primary,
        severity=severity,
        title=text(item, "Title") or primary,
        message=f"{summary}. {description}" if description else summary,
        fingerprint=fingerprint("vulnerability", primary, base, normalize(base, name), path),
        aliases=tuple(sorted(set(strings(item.get("VendorIDs"))) - {primary})),
        location=location,
        package=package,
        fixed_versions=fixed_versions,
        fixed_in=fixed_in,
        remediation=remediation,
        cvss_score=cvss_score,
        cvss_vector=cvss_vector,
        references=unique([text(item, "PrimaryURL"), *strings(item.get("References"))]),
        published=text(item, "PublishedDate") or None,
        cwes=cwes(strings(item.get("CweIDs"))),
        sources=(TOOL,),
    )


def _misconfiguration(
    result: Mapping[str, Any], item: Mapping[str, Any], root: str | None, occurrences: Occurrences
) -> Finding | None:
    status = text(item, "Status").upper()
    if status == "PASS":
        return None
    check = text(item, "ID")
    rule_id = text(item, "AVDID") or check
    if not rule_id:
        raise BadEntry("missing 'AVDID' and 'ID'")
    path = rel_path(text(result, "Target", required=True), root)
    cause = opt_obj(item, "CauseMetadata")
    resource = text(cause, "Resource")
    title = text(item, "Title") or rule_id
    suppression = None
    if status == "EXCEPTION":
        suppression = Suppression(SuppressionKind.EXCEPTION, "an exception in Trivy's policy", source=None)
    return Finding(
        type=FindingType.MISCONFIG,
        rule_id=rule_id,
        severity=severity_word(text(item, "Severity")),
        title=title,
        message=text(item, "Message") or title,
        fingerprint=fingerprint(
            "misconfig", rule_id, path, resource, occurrences("misconfig", rule_id, path, resource)
        ),
        aliases=(check,) if check and check != rule_id else (),
        location=Location(path, line(cause, "StartLine"), line(cause, "EndLine")),
        remediation=text(item, "Resolution"),
        references=unique([text(item, "PrimaryURL"), *strings(item.get("References"))]),
        description=text(item, "Description"),
        suppression=suppression,
        sources=(TOOL,),
    )


def _secret(result: Mapping[str, Any], item: Mapping[str, Any], root: str | None, occurrences: Occurrences) -> Finding:
    rule_id = text(item, "RuleID", required=True)
    path = rel_path(text(result, "Target", required=True), root)
    title = text(item, "Title") or rule_id
    start = line(item, "StartLine")
    return Finding(
        type=FindingType.SECRET,
        rule_id=rule_id,
        severity=severity_word(text(item, "Severity")),
        title=title,
        message=f"{title} in {path}" + (f" line {start}" if start else "") + " (value masked by Trivy)",
        fingerprint=fingerprint("secret", rule_id, "", path, occurrences("secret", rule_id, path)),
        location=Location(path, start, line(item, "EndLine")),
        remediation="Revoke the secret where it was issued, replace it, and remove it from the code (and its "
                    "history).",
        sources=(TOOL,),
    )
