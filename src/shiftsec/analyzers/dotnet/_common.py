"""Helpers the .NET analyzers share: safe XML and JSON loading, strict type checks, MSBuild properties and
NuGet version pins.

Everything here raises `ParseError` with a one-line reason, never another exception; `guarded` wraps an
analyzer's body so that an unforeseen exception on hostile input becomes a `ParseError` too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeElementTree
import orjson
from defusedxml import DefusedXmlException

from shiftsec.analyzers.api import ParseError

_BOM = b"\xef\xbb\xbf"
MAX_XML_BYTES = 16 << 20  # project files and packages.config are kilobytes; past this it is not one
_PROPERTY = re.compile(r"\$\(([A-Za-z_][\w.-]*)\)")
_MAX_EXPANSIONS = 16  # $(A) -> $(B) -> ... deeper than this is a loop or abuse
_MAX_VALUE = 4096  # an expanded value longer than this is abuse (a property doubling at each level)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def parse_xml(data: bytes) -> Element:
    """The document's root, with namespaces stripped from every tag (`{ns}Project` -> `Project`)."""
    if len(data) > MAX_XML_BYTES:
        raise ParseError(f"{len(data)} bytes: too large for an MSBuild or NuGet XML file")
    if not data.removeprefix(_BOM).lstrip().startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("not XML: the file does not start with '<'")
    try:
        root = SafeElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise ParseError(f"refused XML: {type(exc).__name__} (entity or external reference)") from None
    except SafeElementTree.ParseError as exc:
        raise ParseError(f"invalid XML: {_one_line(str(exc))}") from None
    except (ValueError, LookupError) as exc:  # unknown encoding declaration and the like
        raise ParseError(f"invalid XML: {_one_line(str(exc))}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.partition("}")[2]
    return root


def local_attr(element: Element, name: str) -> str | None:
    """Attribute `name` of `element`, matched case-insensitively as MSBuild does, stripped."""
    wanted = name.lower()
    for key, value in element.attrib.items():
        if key.lower() == wanted:
            return value.strip()
    return None


def child_text(element: Element, name: str) -> str | None:
    """Text of the first child element `name` (case-insensitive), stripped; None when absent."""
    for child in element:
        if isinstance(child.tag, str) and child.tag.lower() == name.lower():
            return (child.text or "").strip()
    return None


def load_json_object(data: bytes) -> dict[str, object]:
    """The JSON object `data` holds (a leading UTF-8 BOM is allowed)."""
    try:
        value = orjson.loads(data.removeprefix(_BOM))
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {_one_line(str(exc))}") from None
    return expect_dict(value, "the document")


def expect_dict(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ParseError(f"{where} is {_kind(value)}, not an object")
    return value


def expect_str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ParseError(f"{where} is {_kind(value)}, not a string")
    return value


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def msbuild_properties(roots: Iterable[Element]) -> dict[str, str]:
    """Properties set by the `PropertyGroup`s of `roots` (later roots and later definitions win; a definition
    under a `Condition` only fills a property nothing unconditional sets)."""
    plain: dict[str, str] = {}
    conditional: dict[str, str] = {}
    for root in roots:
        for group in root.iter("PropertyGroup"):
            group_conditional = local_attr(group, "Condition") is not None
            for prop in group:
                target = conditional if group_conditional or local_attr(prop, "Condition") is not None else plain
                target[prop.tag.lower()] = (prop.text or "").strip()
    return {**conditional, **plain}


def expand(value: str, properties: dict[str, str]) -> tuple[str | None, str | None]:
    """`value` with `$(Name)` references replaced: (expanded, None), or (None, the first undefined name)."""
    for _ in range(_MAX_EXPANSIONS):
        names = [m.group(1) for m in _PROPERTY.finditer(value)]
        if not names:
            return value, None
        missing = next((n for n in names if n.lower() not in properties), None)
        if missing is not None:
            return None, missing
        if len(value) + sum(len(properties[n.lower()]) for n in names) > _MAX_VALUE:  # checked before building
            return None, f"{names[0]} (expands too far)"
        value = _PROPERTY.sub(lambda m: properties[m.group(1).lower()], value)
    return None, "(too many nested property references)"


def nuget_pin(version: str) -> str | None:
    """The exact version a NuGet version string names: "1.2.3" and "[1.2.3]" name 1.2.3; ranges, floating
    versions ("1.*") and anything with spaces or MSBuild syntax name none (None)."""
    text = version.strip()
    if text.startswith("[") and text.endswith("]") and "," not in text:
        text = text[1:-1].strip()
    if not text or any(c in text for c in "[](),*$@%; \t"):
        return None
    return text
