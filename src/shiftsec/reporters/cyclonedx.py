"""CycloneDX 1.6 JSON: the inventory of a report as an SBOM, with its dependency graph and its findings.

This module owns the CycloneDX shape, and the grouping of a report's packages into SBOM entries that the
SPDX reporter shares (`sbom_entries`). Shape (https://cyclonedx.org/docs/1.6/json/):

* one `library` component per distinct (purl, source file): the same purl in two lockfiles is two
  components, because its dependencies, directness and dev flag belong to the file. Packages without a
  purl are listed too, without `purl`. Maven `group:artifact` becomes group + name and an npm `@scope/`
  the group (as cdxgen and cyclonedx-npm write them); a Go module keeps its full path as its name.
* `bom-ref` is `<purl>?file=<path>` (`&file=` when the purl has qualifiers already; `nopurl:<ecosystem>/
  <name>@<version>` stands in for a missing purl; no `file` part for a package found nowhere). A clash
  (two odd strings that render alike) gets `#2`, `#3`… so refs are unique within the BOM.
* the source file is `evidence.occurrences[].location` (with `line` where known); `shiftsec sbom` reads
  it back as the package location, so findings keep their fingerprints. Dev packages have
  `scope: excluded` ("usage for test and other non-runtime purposes"); `shiftsec:direct` says whether the
  file lists the package as a direct dependency, `shiftsec:ecosystem` gives the OSV ecosystem.
* `dependencies`: the target (`metadata.component`) depends on the direct packages; a component depends on
  the components of its `depends_on` purls in the same file. Components of files that record no graph get
  no entry at all: CycloneDX reads an entry without `dependsOn` as "depends on nothing", absence as unknown.
* `vulnerabilities`: one entry per finding, affecting the component of its package.

`serialNumber` is a UUID (version 5 layout) of the document's content without its timestamp: the same scan
gives the same bytes apart from `metadata.timestamp`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from shiftsec.model import Finding, Location, Package, Report, Severity
from shiftsec.reporters._common import dump_json, sorted_findings, sorted_packages

SPEC_VERSION = "1.6"
TOOL_NAME = "shiftsec"
_SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "cyclonedx.shiftsec.invalid")


class SbomEntry:
    """The packages of one report that share a purl (or, without one, an identity) and a source file.

    `package` is the first of them in package order: name, version, ecosystem and purl come from it. `path`
    is the source file ("" for a package found nowhere in particular), `locations` the distinct locations
    of the packages, `depends_on` the entries of their `depends_on` purls in the same file.
    """

    __slots__ = ("depends_on", "dev", "direct", "index", "locations", "package", "path")

    def __init__(self, index: int, package: Package, path: str) -> None:
        self.index = index  # position in the list `sbom_entries` returns
        self.package = package
        self.path = path
        self.locations: list[Location] = [] if package.location is None else [package.location]
        self.direct = package.direct
        self.dev = package.dev
        self.depends_on: list[SbomEntry] = []


def identity(package: Package) -> str:
    """What makes two packages of one file the same SBOM entry: the purl, else ecosystem, name and version."""
    return package.purl or f"nopurl:{package.ecosystem}/{package.name}@{package.version}"


def entry_key(package: Package) -> tuple[str, str]:
    location = package.location
    return (package.purl or identity(package), location.path if location is not None else "")


def sbom_entries(report: Report) -> list[SbomEntry]:
    """The report's packages grouped by (purl, file), in package order, with their graph edges resolved.

    A group is direct when any of its packages is (unknown when none says), dev when all of them are. A
    `depends_on` purl with no package in the same file is left out: the edge would point nowhere.
    """
    entries: dict[tuple[str, str], SbomEntry] = {}
    wanted: list[tuple[SbomEntry, tuple[str, ...]]] = []
    for package in sorted_packages(report.packages):
        key = entry_key(package)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = SbomEntry(len(entries), package, key[1])
        else:  # the same purl again in the same file (another line, another node_modules folder)
            if package.location is not None and package.location not in entry.locations:
                entry.locations.append(package.location)
            if package.direct is not None and entry.direct is not True:
                entry.direct = package.direct
            entry.dev = entry.dev and package.dev
        if package.depends_on:
            wanted.append((entry, package.depends_on))
    for entry, purls in wanted:
        path, edges = entry.path, entry.depends_on
        for purl in purls:
            target = entries.get((purl, path))
            if target is not None and target is not entry and target not in edges:
                edges.append(target)
    return list(entries.values())


def content_uuid(namespace: uuid.UUID, data: Any) -> uuid.UUID:
    """A name-based UUID (version 5 layout: SHA-1 of namespace and name) whose name is `data` as JSON."""
    try:
        payload = orjson.dumps(data)
    except TypeError:  # lone surrogates from undecodable file names
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
    digest = hashlib.sha1(namespace.bytes, usedforsecurity=False)
    digest.update(payload)
    return uuid.UUID(bytes=digest.digest()[:16], version=5)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while a document is built.

    A document allocates a few containers per package, none of them garbage; with the collector running,
    5,000 packages set off full collections that cost as much as building the document itself.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def render(report: Report) -> str:
    """The report as a CycloneDX 1.6 JSON document (2-space indent, trailing newline)."""
    with gc_paused():
        return dump_json(to_dict(report))


def to_dict(report: Report) -> dict[str, Any]:
    entries = sbom_entries(report)
    root_ref = f"target:{report.target}"
    refs = bom_refs(entries, reserved={root_ref})
    by_key = {(identity(e.package), e.path): refs[e.index] for e in entries}

    dependencies: list[dict[str, Any]] = []
    direct = [refs[e.index] for e in entries if e.direct]
    if direct:
        dependencies.append({"ref": root_ref, "dependsOn": direct})
    graph_files = {entry.path for entry in entries if entry.depends_on}
    for entry in entries:
        if entry.path in graph_files:
            node: dict[str, Any] = {"ref": refs[entry.index]}
            if entry.depends_on:
                node["dependsOn"] = [refs[dep.index] for dep in entry.depends_on]
            dependencies.append(node)

    body: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": TOOL_NAME, "version": report.tool_version}]},
            "component": {
                "type": "container" if report.target_type == "image" else "application",
                "bom-ref": root_ref,
                "name": report.target,
                "properties": [{"name": "shiftsec:target_type", "value": report.target_type}],
            },
        },
        "components": [_component(entry, refs[entry.index]) for entry in entries],
        "dependencies": dependencies,
    }
    vulnerabilities = [_vulnerability(f, by_key) for f in sorted_findings(report.findings)]
    if vulnerabilities:
        body["vulnerabilities"] = vulnerabilities
    serial = content_uuid(_SERIAL_NAMESPACE, body)  # everything but the timestamp
    return {
        "bomFormat": body.pop("bomFormat"),
        "specVersion": body.pop("specVersion"),
        "serialNumber": serial.urn,
        "version": body.pop("version"),
        "metadata": {"timestamp": report.created_at, **body.pop("metadata")},
        **body,
    }


def bom_refs(entries: list[SbomEntry], reserved: set[str]) -> list[str]:
    """A unique bom-ref per entry (by `index`), following the scheme in the module docstring."""
    used = set(reserved)
    refs: list[str] = []
    for entry in entries:
        base = identity(entry.package)
        if entry.path:
            base = f"{base}{'&' if '?' in base else '?'}file={entry.path}"
        ref, n = base, 1
        while ref in used:
            n += 1
            ref = f"{base}#{n}"
        used.add(ref)
        refs.append(ref)
    return refs


def _group_and_name(package: Package) -> tuple[str | None, str]:
    name = package.name
    if package.ecosystem == "Maven" and ":" in name:
        group, _, artifact = name.rpartition(":")
        return group, artifact
    if package.ecosystem == "npm" and name.startswith("@") and "/" in name:
        scope, _, bare = name.partition("/")
        return scope, bare
    return None, name


def _component(entry: SbomEntry, ref: str) -> dict[str, Any]:
    package = entry.package
    group, name = _group_and_name(package)
    component: dict[str, Any] = {"type": "library", "bom-ref": ref}
    if group:
        component["group"] = group
    component["name"] = name
    if package.version:
        component["version"] = package.version
    if entry.dev:
        component["scope"] = "excluded"
    if package.purl:
        component["purl"] = package.purl
    properties = [{"name": "shiftsec:ecosystem", "value": package.ecosystem}]
    if entry.direct is not None:
        properties.append({"name": "shiftsec:direct", "value": "true" if entry.direct else "false"})
    component["properties"] = properties
    if entry.locations:
        occurrences = []
        for location in entry.locations:
            occurrence: dict[str, Any] = {"location": location.path}
            if location.line is not None and location.line >= 0:
                occurrence["line"] = location.line
            occurrences.append(occurrence)
        component["evidence"] = {"occurrences": occurrences}
    return component


_SEVERITY = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.UNKNOWN: "unknown",
}
_OSV = "https://osv.dev/vulnerability/"


def _method(vector: str) -> str:
    if vector.startswith("CVSS:4"):
        return "CVSSv4"
    if vector.startswith("CVSS:3.1"):
        return "CVSSv31"
    if vector.startswith("CVSS:3"):
        return "CVSSv3"
    return "CVSSv2" if vector.startswith("AV:") else "other"


def _vulnerability(finding: Finding, refs: dict[tuple[str, str], str]) -> dict[str, Any]:
    rating: dict[str, Any] = {}
    if finding.cvss_score is not None and math.isfinite(finding.cvss_score):
        rating["score"] = finding.cvss_score
    rating["severity"] = _SEVERITY[finding.severity]
    if finding.cvss_vector:
        rating["method"] = _method(finding.cvss_vector)
        rating["vector"] = finding.cvss_vector
    vulnerability: dict[str, Any] = {
        "id": finding.rule_id,
        "source": {"name": "OSV", "url": _OSV + finding.rule_id},
    }
    if finding.aliases:
        vulnerability["references"] = [
            {"id": alias, "source": {"name": "OSV", "url": _OSV + alias}} for alias in finding.aliases
        ]
    vulnerability["ratings"] = [rating]
    vulnerability["description"] = finding.title
    if finding.message and finding.message != finding.title:
        vulnerability["detail"] = finding.message
    if finding.remediation:
        vulnerability["recommendation"] = finding.remediation
    if finding.references:
        vulnerability["advisories"] = [{"url": url} for url in finding.references]
    if finding.published:
        vulnerability["published"] = finding.published
    ref = refs.get(entry_key(finding.package)) if finding.package else None
    if ref is not None and finding.package is not None:
        version = {"version": finding.package.version, "status": "affected"}
        vulnerability["affects"] = [{"ref": ref, "versions": [version]} if finding.package.version else {"ref": ref}]
    vulnerability["properties"] = [{"name": "shiftsec:fingerprint", "value": finding.fingerprint}]
    return vulnerability
