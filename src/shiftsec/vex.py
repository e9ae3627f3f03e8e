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
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from shiftsec.errors import InputError, ParseError
from shiftsec.model import Finding, FindingType, ScanError, Suppression, SuppressionKind
from shiftsec.purl import PackageURL, parse_purl

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

ERROR_KIND = "vex"
OPENVEX_CONTEXT = "https://openvex.dev/ns"
CYCLONEDX_VERSIONS = frozenset({"1.4", "1.5", "1.6"})


class VexStatus(enum.StrEnum):
    """OpenVEX status labels; CycloneDX analysis states are mapped onto them (`CYCLONEDX_STATES`)."""

    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


# Statuses that take a finding out of the verdict.
SUPPRESSING = frozenset({VexStatus.NOT_AFFECTED, VexStatus.FIXED})

OPENVEX_JUSTIFICATIONS = frozenset(
    {
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    }
)

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


@dataclass(frozen=True, slots=True)
class VexStatement:
    """One statement, in OpenVEX's vocabulary whatever the source format.

    `products` holds the purls of the statement's products and of their subcomponents (all of them are
    matched against a finding's package); `other_products` the identifiers that are not purls (CPEs, OCI
    digests, other IRIs), kept for the record and never matched. `timestamp` is the statement's own time,
    else the one it inherits from its document (None when neither says). `original_status` and
    `original_justification` are the words as written (`resolved`, `code_not_reachable`…).
    """

    vulnerability: str
    status: VexStatus
    source: str
    aliases: tuple[str, ...] = ()
    vulnerability_id: str | None = None  # the vulnerability's `@id` IRI (OpenVEX), not matched
    products: tuple[PackageURL, ...] = ()
    other_products: tuple[str, ...] = ()
    justification: str | None = None
    impact_statement: str | None = None  # OpenVEX impact_statement, CycloneDX analysis.detail
    action_statement: str | None = None
    status_notes: str | None = None
    timestamp: datetime | None = None
    format: str = "openvex"  # or "cyclonedx"
    original_status: str = ""
    original_justification: str | None = None

    @property
    def names(self) -> frozenset[str]:
        """The vulnerability's name and aliases, case-folded."""
        return frozenset(name.casefold() for name in (self.vulnerability, *self.aliases))


@dataclass(frozen=True, slots=True)
class VexDocument:
    """The statements of one VEX file, in document order, and the statements that could not be read."""

    path: str
    format: str  # "openvex" or "cyclonedx"
    statements: tuple[VexStatement, ...] = ()
    errors: tuple[ScanError, ...] = ()
    timestamp: datetime | None = None


class _BadStatement(Exception):
    """A statement that cannot be used; becomes a ScanError."""


# --- reading ----------------------------------------------------------------------------------------------


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


def _timestamp(value: Any, what: str) -> datetime | None:
    """An RFC 3339 timestamp (naive ones are read as UTC); None when absent. ValueError when malformed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an RFC 3339 date-time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _optional_text(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _BadStatement(f"'{key}' must be a string")
    return value.strip() or None


def _purl(text: str, what: str) -> PackageURL:
    try:
        return parse_purl(text)
    except ValueError as exc:
        raise _BadStatement(f"{what} {text!r} is not a valid purl: {exc}") from None


# --- OpenVEX ----------------------------------------------------------------------------------------------


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


# --- CycloneDX ------------------------------------------------------------------------------------------


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


# --- applying -------------------------------------------------------------------------------------------


def purl_matches(statement_purl: PackageURL, package_purl: PackageURL) -> bool:
    """Whether a statement's purl names the package: same type, namespace and name; the same version unless
    the statement's purl has none; every qualifier (and the subpath) the statement's purl has, equal."""
    if (statement_purl.type, statement_purl.namespace, statement_purl.name) != (
        package_purl.type,
        package_purl.namespace,
        package_purl.name,
    ):
        return False
    if statement_purl.version is not None and statement_purl.version != package_purl.version:
        return False
    if statement_purl.subpath and statement_purl.subpath != package_purl.subpath:
        return False
    return all(package_purl.qualifiers.get(key) == value for key, value in statement_purl.qualifiers.items())


def _finding_names(finding: Finding) -> frozenset[str]:
    return frozenset(name.casefold() for name in (finding.rule_id, *finding.aliases))


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _winner(
    finding: Finding, package_purl: PackageURL, candidates: Sequence[tuple[int, VexStatement]]
) -> VexStatement | None:
    names = _finding_names(finding)
    best: tuple[datetime, int] | None = None
    chosen: VexStatement | None = None
    for order, statement in candidates:
        if names.isdisjoint(statement.names):
            continue
        if not any(purl_matches(purl, package_purl) for purl in statement.products):
            continue
        key = (statement.timestamp or _EPOCH, order)
        if best is None or key > best:
            best, chosen = key, statement
    return chosen


def _reason(statement: VexStatement) -> str:
    if statement.impact_statement:
        return statement.impact_statement
    if statement.status_notes:
        return statement.status_notes
    word = statement.original_status or statement.status.value
    detail = f" ({statement.original_justification})" if statement.original_justification else ""
    return f"A VEX statement marks this vulnerability {word}{detail} for this package."


def apply_vex(findings: Iterable[Finding], statements: Iterable[VexStatement]) -> list[Finding]:
    """The findings, in the same order, with those a VEX statement takes out marked as suppressed.

    For each vulnerability finding whose package has a purl, the matching statements (same vulnerability
    name or alias, a product or subcomponent purl naming the package) are ordered by timestamp, then by
    their position in `statements`; the last one decides. `not_affected` and `fixed` suppress the finding
    (kind `vex`); `affected` and `under_investigation` leave it open. A finding that is already suppressed
    (an exception, an inline ignore) keeps its suppression. Other findings are returned unchanged.
    """
    ordered = list(enumerate(statements))
    by_name: dict[str, list[tuple[int, VexStatement]]] = {}
    for order, statement in ordered:
        for name in statement.names:
            by_name.setdefault(name, []).append((order, statement))
    result: list[Finding] = []
    for finding in findings:
        package = finding.package
        if (
            finding.type is not FindingType.VULNERABILITY
            or finding.suppression is not None
            or package is None
            or not package.purl
        ):
            result.append(finding)
            continue
        seen: set[int] = set()
        candidates: list[tuple[int, VexStatement]] = []
        for name in _finding_names(finding):
            for order, candidate in by_name.get(name, ()):
                if order not in seen:
                    seen.add(order)
                    candidates.append((order, candidate))
        if not candidates:
            result.append(finding)
            continue
        try:
            package_purl = parse_purl(package.purl)
        except ValueError:
            result.append(finding)
            continue
        winner = _winner(finding, package_purl, candidates)
        if winner is None or winner.status not in SUPPRESSING:
            result.append(finding)
            continue
        suppression = Suppression(
            kind=SuppressionKind.VEX,
            reason=_reason(winner),
            justification=winner.justification,
            source=winner.source,
        )
        result.append(dataclasses.replace(finding, suppression=suppression))
    return result
