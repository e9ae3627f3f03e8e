"""The shared vocabulary of VEX: `VexStatus`, `VexStatement`, `VexDocument`, the OpenVEX justifications, and
the small field readers (`_timestamp`, `_optional_text`, `_purl`) and `_BadStatement` that the format readers
(`vex.openvex`, `vex.cyclonedx`) share.

Every statement is held in OpenVEX's vocabulary whatever its source format; a broken statement raises
`_BadStatement` inside a reader and becomes a `ScanError` of kind `ERROR_KIND`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shiftsec.model import ScanError
from shiftsec.purl import PackageURL, parse_purl

ERROR_KIND = "vex"


class VexStatus(enum.StrEnum):
    """OpenVEX status labels; CycloneDX analysis states are mapped onto them (`CYCLONEDX_STATES`)."""

    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


OPENVEX_JUSTIFICATIONS = frozenset(
    {
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    }
)


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
