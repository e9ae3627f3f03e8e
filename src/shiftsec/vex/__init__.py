"""VEX documents in (OpenVEX and CycloneDX VEX) and their application to vulnerability findings.

Reading is pure: `parse_vex(data, path)` turns the bytes of one document into a `VexDocument`, a tuple of
`VexStatement`s in one vocabulary (OpenVEX's) plus the `ScanError`s of statements it could not use.
`read_vex(path)` only adds the file read. The format is detected from the content:

* OpenVEX (https://github.com/openvex/spec, v0.2.0, and the older v0.0.x shape where `vulnerability`,
  `products` and `subcomponents` are plain strings): a JSON object whose `@context` starts with
  `https://openvex.dev/ns`.
* CycloneDX VEX (JSON, specVersion 1.4 to 1.6): a JSON object with `bomFormat: "CycloneDX"`. Each entry of
  `vulnerabilities[]` that carries an `analysis.state` is one statement; its `affects[].ref` are resolved
  to purls through the bom-refs of the same document (also when written as a `urn:cdx:` BOM-Link).

A document that is not one of these, or whose document-level fields are broken, raises `ParseError` with a
one-line message naming the file. A broken statement inside a good document becomes a `ScanError`
(kind `vex`) and the other statements are still read.

`apply_vex(findings, statements)` marks vulnerability findings as suppressed (kind `vex`) when the latest
statement that names their vulnerability and their package says `not_affected` or `fixed`. The matching
rules and the CycloneDX → OpenVEX mappings are documented in docs/vex.md.

Layout: `vex.model` holds the types and shared field readers, `vex.openvex` and `vex.cyclonedx` read one format
each, `vex.apply` matches statements to findings; this package module detects the format and re-exports the API.
"""

from __future__ import annotations

import json
from pathlib import Path

from shiftsec.errors import InputError, ParseError
from shiftsec.vex.apply import apply_vex, purl_matches
from shiftsec.vex.cyclonedx import CYCLONEDX_JUSTIFICATIONS, CYCLONEDX_STATES, _parse_cyclonedx
from shiftsec.vex.model import OPENVEX_JUSTIFICATIONS, VexDocument, VexStatement, VexStatus
from shiftsec.vex.openvex import OPENVEX_CONTEXT, _parse_openvex

__all__ = [
    "CYCLONEDX_JUSTIFICATIONS",
    "CYCLONEDX_STATES",
    "OPENVEX_JUSTIFICATIONS",
    "VexDocument",
    "VexStatement",
    "VexStatus",
    "apply_vex",
    "parse_vex",
    "purl_matches",
    "read_vex",
]


def read_vex(path: str | Path) -> VexDocument:
    """Read one VEX file (OpenVEX or CycloneDX JSON). Raises InputError when unreadable, ParseError when invalid."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read VEX document: {exc.strerror or exc}") from None
    return parse_vex(data, name)


def parse_vex(data: bytes | str, path: str) -> VexDocument:
    """Parse the content of one VEX document; `path` names it in messages and in `source`."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ParseError(f"{path}: a VEX document must be UTF-8 JSON") from None
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ParseError(f"{path}: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise ParseError(f"{path}: not a VEX document (expected a JSON object)")
    context = document.get("@context")
    if isinstance(context, str) and context.startswith(OPENVEX_CONTEXT):
        return _parse_openvex(document, path)
    if document.get("bomFormat") == "CycloneDX":
        return _parse_cyclonedx(document, path)
    raise ParseError(
        f"{path}: not a VEX document (no OpenVEX '@context' starting with {OPENVEX_CONTEXT}, no CycloneDX 'bomFormat')"
    )
