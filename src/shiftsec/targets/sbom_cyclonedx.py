"""CycloneDX 1.x (JSON and XML): every component, nested ones included, through `InventoryBuilder`.

Specification: https://cyclonedx.org/specification/overview/ — components sit in `components`, may nest
their own `components`, and `metadata.component` is the subject of the BOM (the product it describes).
That subject is counted as skipped, not scanned; its sub-components are scanned like any other.

In a JSON document shiftsec wrote (`metadata.tools` names shiftsec), a component's first
`evidence.occurrences[].location` is the file it was found in, and `scope: excluded` marks a development
dependency (see `shiftsec.reporters.cyclonedx`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from shiftsec.targets.sbom_common import (
    CYCLONEDX_JSON,
    CYCLONEDX_XML,
    InventoryBuilder,
    SbomInventory,
    written_by_shiftsec,
)

XML_NAMESPACE_RE = re.compile(r"\{http://cyclonedx\.org/schema/bom/(1\.\d+)\}bom")
_SPEC_VERSION_RE = re.compile(r"1\.\d+")

# Component types that are not packages: without a purl they are skipped (and counted), not reported.
SKIPPABLE_TYPES = frozenset({"file", "operating-system", "container", "firmware"})

_REF = "bom-ref"


def read_json(doc: dict[str, Any], builder: InventoryBuilder) -> SbomInventory:
    spec_version = doc.get("specVersion")
    if not isinstance(spec_version, str) or not _SPEC_VERSION_RE.fullmatch(spec_version.strip()):
        raise builder.fail(f"unsupported CycloneDX specVersion {spec_version!r} (expected 1.x)")
    metadata = doc.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise builder.fail("CycloneDX 'metadata' is not an object")
    ours = metadata is not None and written_by_shiftsec(_tool_names(metadata.get("tools")))
    if metadata:
        subject = metadata.get("component")
        if subject is not None:
            if not isinstance(subject, dict):
                raise builder.fail("CycloneDX 'metadata.component' is not an object")
            builder.skip()
            _walk_json(subject.get("components"), builder, ours)
    _walk_json(doc.get("components"), builder, ours)
    return builder.build(CYCLONEDX_JSON, spec_version.strip())


def _tool_names(tools: object) -> list[object]:
    """Tool names from `metadata.tools`: `{"components": [...]}` (1.5+) or a legacy list of tools."""
    if isinstance(tools, dict):
        tools = tools.get("components")
    if not isinstance(tools, list):
        return []
    return [tool.get("name") for tool in tools if isinstance(tool, dict)]


def _occurrence(evidence: object) -> str | None:
    """The first `evidence.occurrences[].location`, if there is one."""
    if isinstance(evidence, dict):
        occurrences = evidence.get("occurrences")
        if isinstance(occurrences, list) and occurrences and isinstance(occurrences[0], dict):
            location = occurrences[0].get("location")
            if isinstance(location, str) and location:
                return location  # as written: a file name may start or end with a space
    return None


def _json_list(value: object, builder: InventoryBuilder) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise builder.fail("CycloneDX 'components' is not a list")
    return value


def _walk_json(components: object, builder: InventoryBuilder, ours: bool) -> None:
    """Depth-first, in document order, without recursion (nesting depth is up to the document).

    `ours`: the document is shiftsec's, so occurrences and scope carry location and dev flag.
    """
    stack: list[Iterator[Any]] = [iter(_json_list(components, builder))]
    while stack:
        comp = next(stack[-1], _END)
        if comp is _END:
            stack.pop()
            continue
        if not isinstance(comp, dict):
            raise builder.fail("a CycloneDX component is not an object")
        get = comp.get
        purl = get("purl")
        if purl.__class__ is not str and purl is not None:
            purl = json.dumps(purl)  # reported as an invalid purl, with what the document holds
        if purl and not purl.isspace():
            if ours:
                location, dev = _occurrence(get("evidence")), get("scope") == "excluded"
                builder.component((purl,), get("version"), get("name"), get(_REF), _REF, location=location, dev=dev)
            else:
                builder.component((purl,), get("version"), get("name"), get(_REF), _REF)
        else:
            kind = get("type")
            skippable = isinstance(kind, str) and kind in SKIPPABLE_TYPES
            builder.component((), get("version"), get("name"), get(_REF), _REF, skippable)
        children = get("components")
        if children:
            stack.append(iter(_json_list(children, builder)))


_END = object()


def read_xml(root: Element, spec_version: str, builder: InventoryBuilder) -> SbomInventory:
    ns = root.tag[: root.tag.index("}") + 1]
    metadata = root.find(f"{ns}metadata")
    if metadata is not None:
        subject = metadata.find(f"{ns}component")
        if subject is not None:
            builder.skip()
            _walk_xml(subject.find(f"{ns}components"), ns, builder)
    _walk_xml(root.find(f"{ns}components"), ns, builder)
    return builder.build(CYCLONEDX_XML, spec_version)


def _walk_xml(components: Element | None, ns: str, builder: InventoryBuilder) -> None:
    if components is None:
        return
    tag_component, tag_components = f"{ns}component", f"{ns}components"
    tag_name, tag_version, tag_purl = f"{ns}name", f"{ns}version", f"{ns}purl"
    stack: list[Iterator[Element]] = [components.iterfind(tag_component)]
    while stack:
        comp = next(stack[-1], None)
        if comp is None:
            stack.pop()
            continue
        purl = (comp.findtext(tag_purl) or "").strip()
        builder.component(
            (purl,) if purl else (),
            comp.findtext(tag_version),
            comp.findtext(tag_name),
            comp.get(_REF),
            _REF,
            comp.get("type") in SKIPPABLE_TYPES,
        )
        children = comp.find(tag_components)
        if children is not None:
            stack.append(children.iterfind(tag_component))
