"""SPDX 2.3 JSON: the inventory of a report as an SPDX document, with its dependency relationships.

This module owns the SPDX shape (https://spdx.github.io/spdx-spec/v2.3/). Packages are grouped exactly as
in the CycloneDX output (`cyclonedx.sbom_entries`: one SPDX package per distinct purl and source file).

* a root package (`SPDXRef-Target`) stands for the scanned target; the document DESCRIBES it.
* each package: `SPDXRef-Package-<ecosystem>-<name>-<version>-<hash>`, the text reduced to SPDX's
  `[A-Za-z0-9.-]` (any other run of characters, dashes included, becomes one dash) and the hash the first
  8 hex digits of SHA-256 over purl and file, so ids stay readable and unique. Name as Trivy writes it
  (Maven `group:artifact`, npm `@scope/name`), `downloadLocation` and licenses NOASSERTION,
  `filesAnalyzed: false`, the purl as a PACKAGE-MANAGER external reference, and the source file as
  `sourceInfo: "package found in: <path>"` (Trivy's wording) — `shiftsec sbom` reads that back as the
  package location.
* relationships: the root DEPENDS_ON each direct package; every dev package is a DEV_DEPENDENCY_OF the
  root (direct or not: it is in the target's development dependencies); a package DEPENDS_ON the packages
  of its `depends_on` purls in the same file.

Findings are not part of an SPDX 2.3 document. `documentNamespace` ends in a UUID of the content without
the creation time, so the same scan gives the same bytes apart from `creationInfo.created`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from shiftsec.model import Report
from shiftsec.reporters._common import dump_json
from shiftsec.reporters.cyclonedx import SbomEntry, content_uuid, gc_paused, identity, sbom_entries

SPDX_VERSION = "SPDX-2.3"
TOOL_NAME = "shiftsec"
ROOT_ID = "SPDXRef-Target"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
SOURCE_INFO_PREFIX = "package found in: "
NAMESPACE_BASE = "https://spdx.org/spdxdocs/"
_NAMESPACE_UUID = uuid.uuid5(uuid.NAMESPACE_DNS, "spdx.shiftsec.invalid")
_NOASSERTION = "NOASSERTION"
_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")  # runs of anything else (dashes included) become one dash


def render(report: Report) -> str:
    """The report's inventory as an SPDX 2.3 JSON document (2-space indent, trailing newline)."""
    with gc_paused():
        return dump_json(to_dict(report))


def to_dict(report: Report) -> dict[str, Any]:
    entries = sbom_entries(report)
    ids = spdx_ids(entries)
    root: dict[str, Any] = {
        "name": report.target,
        "SPDXID": ROOT_ID,
        "downloadLocation": _NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": _NOASSERTION,
        "licenseDeclared": _NOASSERTION,
        "primaryPackagePurpose": "SOURCE" if report.target_type == "directory" else "APPLICATION",
    }
    relationships = [_relationship(DOCUMENT_ID, "DESCRIBES", ROOT_ID)]
    relationships += [_relationship(ROOT_ID, "DEPENDS_ON", ids[e.index]) for e in entries if e.direct]
    relationships += [_relationship(ids[e.index], "DEV_DEPENDENCY_OF", ROOT_ID) for e in entries if e.dev]
    for entry in entries:
        relationships += [_relationship(ids[entry.index], "DEPENDS_ON", ids[d.index]) for d in entry.depends_on]

    body: dict[str, Any] = {
        "spdxVersion": SPDX_VERSION,
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": report.target,
        "creationInfo": {"creators": [f"Tool: {TOOL_NAME}-{report.tool_version}"]},
        "packages": [root, *(_package(entry, ids[entry.index]) for entry in entries)],
        "relationships": relationships,
    }
    slug = _UNSAFE.sub("-", report.target).strip(".-") or _UNSAFE.sub("-", report.target_type)
    namespace = f"{NAMESPACE_BASE}{TOOL_NAME}-{slug}-{content_uuid(_NAMESPACE_UUID, body)}"
    creation = {"created": spdx_time(report.created_at), **body.pop("creationInfo")}
    return {
        "spdxVersion": body.pop("spdxVersion"),
        "dataLicense": body.pop("dataLicense"),
        "SPDXID": body.pop("SPDXID"),
        "name": body.pop("name"),
        "documentNamespace": namespace,
        "creationInfo": creation,
        **body,
    }


def spdx_time(text: str) -> str:
    """An RFC 3339 time as SPDX wants it: UTC, whole seconds, `YYYY-MM-DDThh:mm:ssZ`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def spdx_ids(entries: list[SbomEntry]) -> list[str]:
    """A unique, readable SPDX identifier per entry (by `index`); see the module docstring."""
    used = {DOCUMENT_ID, ROOT_ID}
    ids: list[str] = []
    for entry in entries:
        package = entry.package
        digest = hashlib.sha256(f"{identity(package)}\x1f{entry.path}".encode("utf-8", "surrogatepass")).hexdigest()
        text = _UNSAFE.sub("-", f"{package.ecosystem}-{package.name}-{package.version}").strip("-")
        base = f"SPDXRef-Package-{text}-{digest[:8]}"
        spdx_id, n = base, 1
        while spdx_id in used:
            n += 1
            spdx_id = f"{base}-{n}"
        used.add(spdx_id)
        ids.append(spdx_id)
    return ids


def _package(entry: SbomEntry, spdx_id: str) -> dict[str, Any]:
    package = entry.package
    data: dict[str, Any] = {"name": package.name, "SPDXID": spdx_id}
    if package.version:
        data["versionInfo"] = package.version
    data["downloadLocation"] = _NOASSERTION
    data["filesAnalyzed"] = False
    if entry.path:
        data["sourceInfo"] = SOURCE_INFO_PREFIX + entry.path
    data["licenseConcluded"] = _NOASSERTION
    data["licenseDeclared"] = _NOASSERTION
    if package.purl:
        data["externalRefs"] = [
            {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": package.purl}
        ]
    data["primaryPackagePurpose"] = "LIBRARY"
    return data


def _relationship(element: str, kind: str, related: str) -> dict[str, str]:
    return {"spdxElementId": element, "relationshipType": kind, "relatedSpdxElement": related}
