"""Read an SBOM into the packages shiftsec matches against OSV.

Supported: CycloneDX 1.x JSON and XML (1.2 to 1.6 tested) and SPDX 2.x JSON and tag-value (2.2, 2.3). The
format is recognised from the content, never from the file name:

    first byte '{'  → JSON: `bomFormat: "CycloneDX"` or `spdxVersion`
    first byte '<'  → XML: root `bom` in namespace http://cyclonedx.org/schema/bom/1.x
    otherwise       → text with an `SPDXVersion:` line (tag-value)

`read_sbom` returns an `SbomInventory` or raises `SbomError("<path>: <reason>")`; no other exception
escapes, whatever the input. Components that cannot be matched become `ScanError`s in the inventory.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from shiftsec.errors import SbomError
from shiftsec.targets import sbom_cyclonedx, sbom_spdx
from shiftsec.targets.sbom_common import InventoryBuilder, SbomInventory, one_line

__all__ = ["SbomInventory", "read_sbom"]

_WHITESPACE = b" \t\r\n"
_TAG_VALUE_RE = re.compile(r"^[ \t]*SPDXVersion[ \t]*:", re.MULTILINE)
_YAML_SPDX_RE = re.compile(r"^[ \t]*[\"']?spdxVersion[\"']?[ \t]*:", re.MULTILINE)
_RDF_ROOT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


def read_sbom(path: Path) -> SbomInventory:
    """Read the CycloneDX or SPDX document at `path` (format detected from its content)."""
    try:
        return _read(path)
    except SbomError:
        raise
    except Exception as exc:  # the contract: only SbomError leaves this function
        raise SbomError(f"{path}: cannot read SBOM ({type(exc).__name__}: {one_line(str(exc))})") from exc


def _read(path: Path) -> SbomInventory:
    builder = InventoryBuilder(str(path))
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise builder.fail("is a directory, not an SBOM file")
        if not stat.S_ISREG(mode):  # a FIFO or device would block or never end
            raise builder.fail("is not a regular file")
        raw = path.read_bytes()
    except OSError as exc:
        raise builder.fail(f"cannot read file: {exc.strerror or exc}") from None

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte order mark
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeError:
            raise builder.fail("not a CycloneDX or SPDX document (invalid UTF-16 text)") from None
    elif raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    body = raw.lstrip(_WHITESPACE)
    if not body:
        raise builder.fail("empty file, not an SBOM")

    first = body[:1]
    if first in (b"{", b"["):
        return _read_json(body, builder)
    if first == b"<":
        return _read_xml(body, builder)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise builder.fail("not a CycloneDX or SPDX document (binary or non-UTF-8 content)") from None
    if _TAG_VALUE_RE.search(text):
        return sbom_spdx.read_tag_value(text, builder)
    if _YAML_SPDX_RE.search(text):
        raise builder.fail("SPDX YAML is not supported; use SPDX JSON or tag-value")
    raise builder.fail("not a CycloneDX or SPDX document (neither JSON, XML nor SPDX tag-value)")


def _read_json(body: bytes, builder: InventoryBuilder) -> SbomInventory:
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise builder.fail(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except UnicodeDecodeError:
        raise builder.fail("invalid JSON: not UTF-8 text") from None
    except RecursionError:
        raise builder.fail("invalid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise builder.fail(f"JSON {type(doc).__name__} is not a CycloneDX or SPDX document (expected an object)")
    if doc.get("bomFormat") == "CycloneDX":
        return sbom_cyclonedx.read_json(doc, builder)
    if "spdxVersion" in doc:
        return sbom_spdx.read_json(doc, builder)
    if "@context" in doc and "spdx" in str(doc.get("@context")).lower():
        raise builder.fail("SPDX 3 (JSON-LD) is not supported; use SPDX 2.x or CycloneDX")
    raise builder.fail("JSON is not a CycloneDX or SPDX document (no 'bomFormat' or 'spdxVersion')")


def _read_xml(body: bytes, builder: InventoryBuilder) -> SbomInventory:
    try:
        root = SafeElementTree.fromstring(body)
    except ParseError as exc:
        raise builder.fail(f"invalid XML: {exc}") from None
    except DefusedXmlException as exc:
        raise builder.fail(f"XML refused: {type(exc).__name__} (DTDs and entities are not allowed)") from None
    match = sbom_cyclonedx.XML_NAMESPACE_RE.fullmatch(root.tag)
    if match:
        return sbom_cyclonedx.read_xml(root, match.group(1), builder)
    if root.tag == _RDF_ROOT:
        raise builder.fail("SPDX RDF/XML is not supported; use SPDX JSON or tag-value")
    raise builder.fail(
        f"XML root <{root.tag}> is not a CycloneDX BOM (expected <bom> in namespace "
        "http://cyclonedx.org/schema/bom/1.x)"
    )
