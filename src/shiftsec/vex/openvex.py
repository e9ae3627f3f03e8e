"""Reading OpenVEX documents (https://github.com/openvex/spec, v0.2.0, and the older v0.0.x shape where
`vulnerability`, `products` and `subcomponents` are plain strings) into a `VexDocument`.

`_parse_openvex` gets the already decoded JSON object; `vex.parse_vex` detects the format and calls it.
Document-level problems raise `ParseError`; a broken statement becomes a `ScanError` and the others are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shiftsec.errors import ParseError
from shiftsec.model import ScanError
from shiftsec.purl import PackageURL
from shiftsec.vex.model import (
    ERROR_KIND,
    OPENVEX_JUSTIFICATIONS,
    VexDocument,
    VexStatement,
    VexStatus,
    _BadStatement,
    _optional_text,
    _purl,
    _timestamp,
)

OPENVEX_CONTEXT = "https://openvex.dev/ns"


def _parse_openvex(document: Mapping[str, Any], path: str) -> VexDocument:
    for key in ("@id", "author"):
        if key in document and not isinstance(document[key], str):
            raise ParseError(f"{path}: OpenVEX '{key}' must be a string")
    if "timestamp" not in document:
        raise ParseError(f"{path}: OpenVEX document has no 'timestamp'")
    try:
        doc_time = _timestamp(document["timestamp"], "'timestamp'")
    except ValueError as exc:
        raise ParseError(f"{path}: OpenVEX {exc}") from None
    version = document.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int | str)):
        raise ParseError(f"{path}: OpenVEX 'version' must be an integer")
    raw_statements = document.get("statements")
    if not isinstance(raw_statements, list):
        raise ParseError(f"{path}: OpenVEX document has no 'statements' list")
    statements: list[VexStatement] = []
    errors: list[ScanError] = []
    for number, raw in enumerate(raw_statements, start=1):
        try:
            statements.append(_openvex_statement(raw, path, doc_time))
        except _BadStatement as exc:
            errors.append(ScanError(path, f"statement {number}: {exc}", ERROR_KIND))
    return VexDocument(path, "openvex", tuple(statements), tuple(errors), doc_time)


def _openvex_vulnerability(raw: Any) -> tuple[str, tuple[str, ...], str | None]:
    if isinstance(raw, str):  # v0.0.x
        if not raw.strip():
            raise _BadStatement("empty 'vulnerability'")
        return raw.strip(), (), None
    if not isinstance(raw, dict):
        raise _BadStatement("'vulnerability' must be an object with a 'name'")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _BadStatement("'vulnerability' has no 'name'")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise _BadStatement("'vulnerability.aliases' must be a list of strings")
    vuln_id = raw.get("@id")
    if vuln_id is not None and not isinstance(vuln_id, str):
        raise _BadStatement("'vulnerability.@id' must be a string")
    return name.strip(), tuple(alias.strip() for alias in aliases if alias.strip()), vuln_id


def _openvex_component(raw: Any, what: str, purls: list[PackageURL], others: list[str]) -> None:
    """Collect the identifiers of one product or subcomponent (an object, or a v0.0.x string)."""
    if isinstance(raw, str):
        identifiers: list[str] = [raw]
    elif isinstance(raw, dict):
        identifiers = []
        if "@id" in raw:
            if not isinstance(raw["@id"], str):
                raise _BadStatement(f"{what} '@id' must be a string")
            identifiers.append(raw["@id"])
        ids = raw.get("identifiers", {})
        if not isinstance(ids, dict) or not all(isinstance(v, str) for v in ids.values()):
            raise _BadStatement(f"{what} 'identifiers' must map identifier types to strings")
        identifiers.extend(ids[key] for key in sorted(ids))
        if not identifiers and not raw.get("hashes"):
            raise _BadStatement(f"{what} has no '@id' and no 'identifiers'")
    else:
        raise _BadStatement(f"{what} must be an object (or, in OpenVEX v0.0.x, a string)")
    for identifier in identifiers:
        if identifier.startswith("pkg:"):
            purl = _purl(identifier, what)
            if purl not in purls:
                purls.append(purl)
        elif identifier and identifier not in others:
            others.append(identifier)


def _openvex_products(raw: Mapping[str, Any]) -> tuple[list[PackageURL], list[str]]:
    """The purls and other identifiers of a statement's products and subcomponents."""
    purls: list[PackageURL] = []
    others: list[str] = []
    products = raw.get("products", [])
    if not isinstance(products, list):
        raise _BadStatement("'products' must be a list")
    for index, product in enumerate(products, start=1):
        _openvex_component(product, f"product {index}", purls, others)
        subcomponents = product.get("subcomponents", []) if isinstance(product, dict) else []
        if not isinstance(subcomponents, list):
            raise _BadStatement(f"'subcomponents' of product {index} must be a list")
        for sub_index, sub in enumerate(subcomponents, start=1):
            _openvex_component(sub, f"subcomponent {sub_index} of product {index}", purls, others)
    legacy_subcomponents = raw.get("subcomponents", [])  # v0.0.x: statement-level strings
    if not isinstance(legacy_subcomponents, list):
        raise _BadStatement("'subcomponents' must be a list")
    for sub_index, sub in enumerate(legacy_subcomponents, start=1):
        _openvex_component(sub, f"subcomponent {sub_index}", purls, others)
    return purls, others


def _openvex_statement(raw: Any, path: str, doc_time: datetime | None) -> VexStatement:
    if not isinstance(raw, dict):
        raise _BadStatement("not an object")
    name, aliases, vuln_id = _openvex_vulnerability(raw.get("vulnerability"))
    status_word = raw.get("status")
    if not isinstance(status_word, str):
        raise _BadStatement(f"{name}: no 'status'")
    try:
        status = VexStatus(status_word)
    except ValueError:
        raise _BadStatement(f"{name}: unknown status {status_word!r}") from None
    justification = _optional_text(raw, "justification")
    if justification is not None and justification not in OPENVEX_JUSTIFICATIONS:
        raise _BadStatement(f"{name}: unknown justification {justification!r}")
    impact = _optional_text(raw, "impact_statement")
    if status is VexStatus.NOT_AFFECTED and justification is None and impact is None:
        raise _BadStatement(f"{name}: a not_affected statement needs a 'justification' or an 'impact_statement'")
    try:
        own_time = _timestamp(raw.get("last_updated"), "'last_updated'") or _timestamp(
            raw.get("timestamp"), "'timestamp'"
        )
    except ValueError as exc:
        raise _BadStatement(f"{name}: {exc}") from None
    try:
        purls, others = _openvex_products(raw)
    except _BadStatement as exc:
        raise _BadStatement(f"{name}: {exc}") from None
    return VexStatement(
        vulnerability=name,
        status=status,
        source=path,
        aliases=aliases,
        vulnerability_id=vuln_id,
        products=tuple(purls),
        other_products=tuple(others),
        justification=justification,
        impact_statement=impact,
        action_statement=_optional_text(raw, "action_statement"),
        status_notes=_optional_text(raw, "status_notes"),
        timestamp=own_time or doc_time,
        format="openvex",
        original_status=status_word,
        original_justification=justification,
    )
