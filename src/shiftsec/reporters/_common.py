"""Helpers shared by the reporters: the one ordering of findings and packages, counts, and text hygiene.

Every format sorts with the same keys so that the JSON, SARIF and table outputs list things in the same
order, and so that a report renders to the same text whatever order the scanner produced it in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import orjson

from shiftsec.model import Finding, Location, Package, Report, Severity

# Worst first: the order of `summary.by_severity` and of the table's summary line.
SEVERITIES_WORST_FIRST: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))

# C0 and C1 control characters and DEL: never let them reach a terminal or a report (ANSI escapes in an
# advisory title could rewrite the user's screen).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def _location_key(location: Location | None) -> tuple[str, int]:
    if location is None:
        return ("", -1)
    return (location.path, location.line if location.line is not None else -1)


def package_sort_key(package: Package) -> tuple[str, str, str, str, int, str]:
    """Packages by ecosystem, name and version; then where they were found, so the order is total."""
    path, line = _location_key(package.location)
    return (package.ecosystem, package.name, package.version, path, line, package.purl or "")


def finding_sort_key(finding: Finding) -> tuple[int, str, str, str, str, str, int, str]:
    """Findings by severity (worst first), package name and rule id; then the rest of their identity."""
    package = finding.package
    path, line = _location_key(finding.location)
    return (
        -int(finding.severity),
        package.name if package else "",
        finding.rule_id,
        package.ecosystem if package else "",
        package.version if package else "",
        path,
        line,
        finding.fingerprint,
    )


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)


def sorted_packages(packages: Iterable[Package]) -> list[Package]:
    return sorted(packages, key=package_sort_key)


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Number of findings per severity, every severity present, worst first."""
    counts = dict.fromkeys(SEVERITIES_WORST_FIRST, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def vulnerable_package_count(findings: Iterable[Finding]) -> int:
    """How many distinct packages (same name, version, ecosystem and location) have at least one finding."""
    return len({finding.package for finding in findings if finding.package is not None})


def finding_location(finding: Finding) -> Location | None:
    """Where a finding points: its own location, else the location of its package."""
    if finding.location is not None:
        return finding.location
    if finding.package is not None:
        return finding.package.location
    return None


def one_line(text: str, limit: int) -> str:
    """`text` on one line without control characters, cut to at most `limit` characters (with `…`)."""
    flat = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(flat) <= limit:
        return flat
    return flat[: max(limit - 1, 0)].rstrip() + "…"


def clip(text: str, limit: int) -> str:
    """`text` (line breaks kept, other control characters removed) cut to at most `limit` characters."""
    clean = _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else " ", text.replace("\r\n", "\n"))
    if len(clean) <= limit:
        return clean
    return clean[: max(limit - 1, 0)].rstrip() + "…"


def dump_json(data: Any) -> str:
    """Pretty-printed JSON (2-space indent, UTF-8 text, trailing newline) of plain data.

    orjson writes tens of MB per second where the standard library's indenting encoder, which is pure
    Python, manages a few; the standard library takes over only for text orjson refuses (lone surrogates
    from undecodable file names), which `utf8_safe` then escapes.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    except TypeError:
        return utf8_safe(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def utf8_safe(text: str) -> str:
    """Replace lone surrogates (undecodable bytes in file names) by `\\udcXX` so the text encodes as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 package`, `2 packages`."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def secrets_summary(report: Report, secrets: list[Finding]) -> str:
    """`3 secrets in 2 files`, or `No secrets in 120 files searched` (for history: file changes)."""
    if secrets:
        files = len({f.location.path for f in secrets if f.location})
        return f"{plural(len(secrets), 'secret')} in {plural(files, 'file')}"
    unit = "file change" if report.target_type.startswith("git-") else "file"
    return f"No secrets in {plural(report.secrets_searched or 0, unit)} searched"


def fix_text(finding: Finding) -> str:
    """How to fix a finding, in one line: its remediation, else the upgrade that fixes it, else what is known.
    The verdict, JUnit and HTML outputs all say it this way."""
    if finding.remediation:
        return one_line(finding.remediation, 500)
    if finding.fixed_in and finding.package is not None:
        return f"upgrade {finding.package.name} to {one_line(finding.fixed_in, 100)} or later"
    if finding.fixed_in:
        return f"upgrade to {one_line(finding.fixed_in, 100)} or later"
    if finding.package is not None:
        return "no fixed version is known: remove the dependency, or add an exception with a reason and an expiry"
    return f"see `shiftsec explain {finding.rule_id}`"
