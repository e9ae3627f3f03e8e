"""SPDX 2.x (JSON and tag-value): every package, with its purl from `externalRefs` / `ExternalRef`.

Specification: https://spdx.github.io/spdx-spec/v2.3/ — a package's purl is an external reference of type
`purl` (category PACKAGE-MANAGER in 2.3, PACKAGE_MANAGER in 2.2; the category is not checked because
producers get it wrong). Both serializations are reduced to the same lists of packages and relationships,
then:

* the packages the document describes (`documentDescribes`, `SPDXRef-DOCUMENT DESCRIBES x`, `x
  DESCRIBED_BY SPDXRef-DOCUMENT`) are its subject: without a purl they are counted as skipped;
* a package without a purl that is a copy of one with a purl (`x DESCENDANT_OF y`, `y ANCESTOR_OF x`:
  vendored or downstream source) takes that package's purls, as osv-scalibr does: the copy carries the
  original's vulnerabilities. It then usually collapses into the original as a duplicate.

In a document shiftsec wrote (a `Tool: shiftsec-<version>` creator), a package's `sourceInfo` "package
found in: <path>" is the file it was found in, and `x DEV_DEPENDENCY_OF <described package>` marks a
development dependency (see `shiftsec.reporters.spdx`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from shiftsec.targets.sbom_common import (
    SPDX_JSON,
    SPDX_TAG_VALUE,
    InventoryBuilder,
    SbomInventory,
    text_field,
    written_by_shiftsec,
)

_SPEC_VERSION_RE = re.compile(r"SPDX-(2\.\d+)")
_NO_VALUE = frozenset({"NOASSERTION", "NONE"})
_DOCUMENT_ID = "SPDXRef-DOCUMENT"
_REF = "SPDXID"
_FOUND_IN = "package found in: "  # how shiftsec.reporters.spdx writes sourceInfo
_TOOL = "Tool:"

# Tag-value tags that open a section that is not a package: package fields after them are not read.
_NON_PACKAGE_SECTIONS = frozenset({"FileName", "SnippetSPDXID", "LicenseID", "Annotator", "Reviewer"})


@dataclass(slots=True)
class _Package:
    name: str | None
    spdx_id: str | None = None
    version: str | None = None
    purls: list[str] = field(default_factory=list)
    source_info: str | None = None


def _spec_version(value: object, builder: InventoryBuilder) -> str:
    text = value.strip() if isinstance(value, str) else ""
    match = _SPEC_VERSION_RE.fullmatch(text)
    if not match:
        raise builder.fail(f"unsupported SPDX version {value!r} (expected SPDX-2.x)")
    return match.group(1)


def _version(value: object) -> str | None:
    text = text_field(value)
    return None if text is None or text in _NO_VALUE else text


def read_json(doc: dict[str, Any], builder: InventoryBuilder) -> SbomInventory:
    spec_version = _spec_version(doc.get("spdxVersion"), builder)
    raw_packages = doc.get("packages")
    if raw_packages is None:
        raw_packages = []
    if not isinstance(raw_packages, list):
        raise builder.fail("SPDX 'packages' is not a list")
    packages = []
    for raw in raw_packages:
        if not isinstance(raw, dict):
            raise builder.fail("an SPDX package is not an object")
        pkg = _Package(
            name=text_field(raw.get("name")),
            spdx_id=text_field(raw.get("SPDXID")),
            version=_version(raw.get("versionInfo")),
            source_info=raw.get("sourceInfo") if isinstance(raw.get("sourceInfo"), str) else None,
        )
        refs = raw.get("externalRefs")
        if isinstance(refs, list):
            for ref in refs:
                if isinstance(ref, dict) and str(ref.get("referenceType", "")).strip().lower() == "purl":
                    locator = text_field(ref.get("referenceLocator"))
                    if locator:
                        pkg.purls.append(locator)
        packages.append(pkg)

    relationships: list[tuple[str, str, str]] = []
    raw_relationships = doc.get("relationships")
    if isinstance(raw_relationships, list):
        for rel in raw_relationships:
            if isinstance(rel, dict):
                element = text_field(rel.get("spdxElementId"))
                kind = text_field(rel.get("relationshipType"))
                related = text_field(rel.get("relatedSpdxElement"))
                if element and kind and related:
                    relationships.append((element, kind.upper(), related))
    doc_id = text_field(doc.get("SPDXID")) or _DOCUMENT_ID
    describes = doc.get("documentDescribes")
    if isinstance(describes, list):
        relationships.extend((doc_id, "DESCRIBES", item.strip()) for item in describes if isinstance(item, str))
    creation = doc.get("creationInfo")
    creators = creation.get("creators") if isinstance(creation, dict) else None
    ours = isinstance(creators, list) and _written_by_shiftsec(creators)
    _emit(packages, relationships, doc_id, builder, ours)
    return builder.build(SPDX_JSON, spec_version)


def _written_by_shiftsec(creators: list[object]) -> bool:
    tools = [c.strip()[len(_TOOL) :] for c in creators if isinstance(c, str) and c.strip().startswith(_TOOL)]
    return written_by_shiftsec(tools)


def read_tag_value(text: str, builder: InventoryBuilder) -> SbomInventory:
    spec_version: str | None = None
    doc_id: str | None = None
    relationships: list[tuple[str, str, str]] = []
    packages: list[_Package] = []
    current: _Package | None = None
    in_text = False
    creators: list[object] = []

    for number, raw_line in enumerate(text.splitlines(), start=1):
        if in_text:  # a multi-line <text>…</text> value: its content is free text
            if "</text>" in raw_line:
                in_text = False
            continue
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        tag, colon, value = line.partition(":")
        tag, value = tag.strip(), value.strip()
        if not colon or not tag or " " in tag:
            raise builder.fail(f"line {number}: expected 'Tag: value' in SPDX tag-value, got {line[:60]!r}")
        if value.startswith("<text>"):
            in_text = "</text>" not in value
            if tag == "PackageSourceInfo" and current is not None and not in_text:
                current.source_info = value[len("<text>") : value.index("</text>")]
            continue
        if tag == "SPDXVersion":
            spec_version = _spec_version(value, builder)
        elif tag == "PackageName":
            current = _Package(name=value or None)
            packages.append(current)
        elif tag == "SPDXID":
            if current is not None:
                current.spdx_id = value or None
            elif doc_id is None:
                doc_id = value
        elif tag == "PackageSourceInfo" and current is not None:
            current.source_info = value
        elif tag == "Creator":
            creators.append(value)
        elif tag == "PackageVersion" and current is not None:
            current.version = _version(value)
        elif tag == "ExternalRef" and current is not None:
            parts = value.split(None, 2)
            if len(parts) == 3 and parts[1].lower() == "purl":
                current.purls.append(parts[2])
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) >= 3:
                relationships.append((parts[0], parts[1].upper(), parts[2]))
        elif tag in _NON_PACKAGE_SECTIONS:
            current = None

    if in_text:
        raise builder.fail("unterminated <text> value (truncated SPDX tag-value document?)")
    if spec_version is None:
        raise builder.fail("not an SPDX tag-value document (no SPDXVersion)")
    _emit(packages, relationships, doc_id or _DOCUMENT_ID, builder, _written_by_shiftsec(creators))
    return builder.build(SPDX_TAG_VALUE, spec_version)


def _emit(
    packages: list[_Package],
    relationships: list[tuple[str, str, str]],
    doc_id: str,
    builder: InventoryBuilder,
    ours: bool,
) -> None:
    """Hand every package to the builder; `ours`: sourceInfo and DEV_DEPENDENCY_OF carry location and dev."""
    described = {doc_id}
    sources: dict[str, list[str]] = {}  # package id → ids of the packages it is a copy of
    for element, kind, related in relationships:
        if kind == "DESCRIBES" and element == doc_id:
            described.add(related)
        elif kind == "DESCRIBED_BY" and related == doc_id:
            described.add(element)
        elif kind == "DESCENDANT_OF":
            sources.setdefault(element, []).append(related)
        elif kind == "ANCESTOR_OF":
            sources.setdefault(related, []).append(element)

    dev: set[str] = set()
    if ours:
        dev = {el for el, kind, related in relationships if kind == "DEV_DEPENDENCY_OF" and related in described}
    by_id = {pkg.spdx_id: pkg for pkg in packages if pkg.spdx_id}
    for pkg in packages:
        purls = pkg.purls
        if not purls and pkg.spdx_id in sources:
            purls = _inherited_purls(pkg.spdx_id, sources, by_id)
        skippable = pkg.spdx_id in described
        if ours:
            info = pkg.source_info
            location = (info[len(_FOUND_IN) :] or None) if info and info.startswith(_FOUND_IN) else None
            is_dev = pkg.spdx_id in dev
            builder.component(purls, pkg.version, pkg.name, pkg.spdx_id, _REF, skippable, location=location, dev=is_dev)
        else:
            builder.component(purls, pkg.version, pkg.name, pkg.spdx_id, _REF, skippable)


def _inherited_purls(start: str, sources: dict[str, list[str]], by_id: dict[str, _Package]) -> list[str]:
    """The purls of the nearest packages `start` descends from (breadth-first, cycles ignored)."""
    seen = {start}
    frontier = [start]
    while frontier:
        found: list[str] = []
        following: list[str] = []
        for spdx_id in frontier:
            for source in sources.get(spdx_id, ()):
                if source in seen:
                    continue
                seen.add(source)
                pkg = by_id.get(source)
                if pkg is not None and pkg.purls:
                    found.extend(pkg.purls)
                else:
                    following.append(source)
        if found:
            return found
        frontier = following
    return []
