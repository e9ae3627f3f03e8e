"""Reading CycloneDX VEX (JSON, specVersion 1.4 to 1.6) into a `VexDocument`, and the CycloneDX → OpenVEX
mappings of analysis states and justifications (`CYCLONEDX_STATES`, `CYCLONEDX_JUSTIFICATIONS`).

Each entry of `vulnerabilities[]` that carries an `analysis.state` is one statement; its `affects[].ref` are
resolved to purls through the bom-refs of the same document (also when written as a `urn:cdx:` BOM-Link).
`_parse_cyclonedx` gets the already decoded JSON object; `vex.parse_vex` detects the format and calls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from shiftsec.errors import ParseError
from shiftsec.model import ScanError
from shiftsec.purl import PackageURL
from shiftsec.vex.model import (
    ERROR_KIND,
    VexDocument,
    VexStatement,
    VexStatus,
    _BadStatement,
    _optional_text,
    _purl,
    _timestamp,
)

CYCLONEDX_VERSIONS = frozenset({"1.4", "1.5", "1.6"})

# CycloneDX `analysis.state` → OpenVEX status.
CYCLONEDX_STATES: Mapping[str, VexStatus] = {
    "not_affected": VexStatus.NOT_AFFECTED,
    "false_positive": VexStatus.NOT_AFFECTED,
    "resolved": VexStatus.FIXED,
    "resolved_with_pedigree": VexStatus.FIXED,
    "exploitable": VexStatus.AFFECTED,
    "in_triage": VexStatus.UNDER_INVESTIGATION,
}

# CycloneDX `analysis.justification` → the closest OpenVEX justification (reasons in docs/vex.md).
CYCLONEDX_JUSTIFICATIONS: Mapping[str, str] = {
    "code_not_present": "vulnerable_code_not_present",
    "code_not_reachable": "vulnerable_code_not_in_execute_path",
    "requires_configuration": "vulnerable_code_cannot_be_controlled_by_adversary",
    "requires_dependency": "component_not_present",
    "requires_environment": "vulnerable_code_cannot_be_controlled_by_adversary",
    "protected_by_compiler": "inline_mitigations_already_exist",
    "protected_at_runtime": "inline_mitigations_already_exist",
    "protected_at_perimeter": "inline_mitigations_already_exist",
    "protected_by_mitigating_control": "inline_mitigations_already_exist",
}


def _components(document: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """Every component of the BOM: metadata.component and `components`, nested ones included."""
    metadata = document.get("metadata")
    stack: list[Any] = []
    if isinstance(metadata, dict) and isinstance(metadata.get("component"), dict):
        stack.append(metadata["component"])
    if isinstance(document.get("components"), list):
        stack.extend(document["components"])
    while stack:
        component = stack.pop()
        if not isinstance(component, dict):
            continue
        yield component
        if isinstance(component.get("components"), list):
            stack.extend(component["components"])


def _parse_cyclonedx(document: Mapping[str, Any], path: str) -> VexDocument:
    spec_version = document.get("specVersion")
    if spec_version not in CYCLONEDX_VERSIONS:
        raise ParseError(
            f"{path}: CycloneDX specVersion {spec_version!r} is not supported for VEX "
            f"(expected one of {', '.join(sorted(CYCLONEDX_VERSIONS))})"
        )
    metadata = document.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ParseError(f"{path}: CycloneDX 'metadata' must be an object")
    try:
        doc_time = _timestamp(metadata.get("timestamp"), "'metadata.timestamp'")
    except ValueError as exc:
        raise ParseError(f"{path}: CycloneDX {exc}") from None
    vulnerabilities = document.get("vulnerabilities", [])
    if not isinstance(vulnerabilities, list):
        raise ParseError(f"{path}: CycloneDX 'vulnerabilities' must be a list")
    refs: dict[str, str | None] = {}  # bom-ref → purl (None: a component without one)
    for component in _components(document):
        ref = component.get("bom-ref")
        if isinstance(ref, str):
            purl = component.get("purl")
            refs[ref] = purl if isinstance(purl, str) and purl else None
    statements: list[VexStatement] = []
    errors: list[ScanError] = []
    for number, raw in enumerate(vulnerabilities, start=1):
        try:
            statement, problems = _cyclonedx_statement(raw, path, doc_time, refs)
        except _BadStatement as exc:
            errors.append(ScanError(path, f"vulnerability {number}: {exc}", ERROR_KIND))
            continue
        errors.extend(ScanError(path, f"vulnerability {number}: {problem}", ERROR_KIND) for problem in problems)
        if statement is not None:
            statements.append(statement)
    return VexDocument(path, "cyclonedx", tuple(statements), tuple(errors), doc_time)


def _resolve_ref(ref: str, refs: Mapping[str, str | None]) -> str:
    """The purl an `affects[].ref` stands for: a bom-ref of this BOM (possibly inside a BOM-Link), else the
    ref itself when it is a purl. Raises _BadStatement when it names nothing usable."""
    key = ref
    if ref.startswith("urn:cdx:"):
        _, hash_sign, fragment = ref.partition("#")
        if not hash_sign or not fragment:
            raise _BadStatement(f"affects ref {ref!r} links a whole BOM, not a component")
        key = unquote(fragment)
    if key in refs:
        purl = refs[key]
        if purl is None:
            raise _BadStatement(f"affects ref {ref!r} names a component without a purl: it matches nothing")
        return purl
    if key.startswith("pkg:"):
        return key
    raise _BadStatement(f"affects ref {ref!r} names no component of this document")


def _cyclonedx_statement(
    raw: Any, path: str, doc_time: datetime | None, refs: Mapping[str, str | None]
) -> tuple[VexStatement | None, list[str]]:
    if not isinstance(raw, dict):
        raise _BadStatement("not an object")
    name = raw.get("id")
    if not isinstance(name, str) or not name.strip():
        raise _BadStatement("no 'id'")
    name = name.strip()
    analysis = raw.get("analysis")
    if analysis is None:
        return None, []  # a vulnerability listing, not a VEX statement
    if not isinstance(analysis, dict):
        raise _BadStatement(f"{name}: 'analysis' must be an object")
    state = analysis.get("state")
    if state is None:
        raise _BadStatement(f"{name}: 'analysis' has no 'state'")
    if not isinstance(state, str) or state not in CYCLONEDX_STATES:
        raise _BadStatement(f"{name}: unknown analysis state {state!r}")
    raw_justification = _optional_text(analysis, "justification")
    justification = None
    if raw_justification is not None:
        justification = CYCLONEDX_JUSTIFICATIONS.get(raw_justification)
        if justification is None:
            raise _BadStatement(f"{name}: unknown analysis justification {raw_justification!r}")
    try:
        own_time = _timestamp(analysis.get("lastUpdated"), "'analysis.lastUpdated'") or _timestamp(
            analysis.get("firstIssued"), "'analysis.firstIssued'"
        )
    except ValueError as exc:
        raise _BadStatement(f"{name}: {exc}") from None
    aliases: list[str] = []
    references = raw.get("references", [])
    if not isinstance(references, list):
        raise _BadStatement(f"{name}: 'references' must be a list")
    for reference in references:
        alias = reference.get("id") if isinstance(reference, dict) else None
        if not isinstance(alias, str):
            raise _BadStatement(f"{name}: every 'references' entry needs an 'id'")
        if alias.strip() and alias.strip() not in aliases:
            aliases.append(alias.strip())
    affects = raw.get("affects", [])
    if not isinstance(affects, list):
        raise _BadStatement(f"{name}: 'affects' must be a list")
    purls: list[PackageURL] = []
    problems: list[str] = []
    for affect in affects:
        ref = affect.get("ref") if isinstance(affect, dict) else None
        if not isinstance(ref, str) or not ref:
            raise _BadStatement(f"{name}: every 'affects' entry needs a 'ref'")
        try:
            purl = _purl(_resolve_ref(ref, refs), f"affects ref {ref!r}")
        except _BadStatement as exc:
            problems.append(f"{name}: {exc}")
            continue
        if purl not in purls:
            purls.append(purl)
    statement = VexStatement(
        vulnerability=name,
        status=CYCLONEDX_STATES[state],
        source=path,
        aliases=tuple(aliases),
        products=tuple(purls),
        justification=justification,
        impact_statement=_optional_text(analysis, "detail"),
        timestamp=own_time or doc_time,
        format="cyclonedx",
        original_status=state,
        original_justification=raw_justification,
    )
    return statement, problems
