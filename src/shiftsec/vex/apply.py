"""Applying VEX statements to findings: `apply_vex` marks a vulnerability finding as suppressed (kind `vex`)
when the latest statement naming its vulnerability and its package says `not_affected` or `fixed`;
`purl_matches` is the package-matching rule. The rules are documented in docs/vex.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from shiftsec.model import Finding, FindingType, Suppression, SuppressionKind
from shiftsec.purl import PackageURL, parse_purl
from shiftsec.vex.model import VexStatement, VexStatus

# Statuses that take a finding out of the verdict.
SUPPRESSING = frozenset({VexStatus.NOT_AFFECTED, VexStatus.FIXED})


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
