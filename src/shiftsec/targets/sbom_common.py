"""What the CycloneDX and SPDX readers share: the result type and the component → `Package` conversion.

A reader walks its document and hands every component to `InventoryBuilder.component`, which decides
whether it becomes a `Package`, a `ScanError` (never dropped silently) or a counted skip.

A package's location is the SBOM file itself, unless the reader passes the file the component was found in:
readers do that for documents shiftsec wrote (`written_by_shiftsec`), whose paths are relative to the
scanned tree like those of `shiftsec fs`, so that findings keep their fingerprints. Other producers' paths
(container file systems, absolute build paths) mean nothing next to the SBOM and are not used.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shiftsec.errors import SbomError
from shiftsec.model import Location, Package, ScanError
from shiftsec.purl import PackageURL, parse_purl
from shiftsec.purl_to_osv import osv_version, to_osv

CYCLONEDX_JSON = "CycloneDX JSON"
CYCLONEDX_XML = "CycloneDX XML"
SPDX_JSON = "SPDX JSON"
SPDX_TAG_VALUE = "SPDX tag-value"

ERROR_KIND = "sbom-component"

_OUR_TOOL = re.compile(r"shiftsec(-\S+)?")  # CycloneDX tool name; SPDX "Tool: shiftsec-<version>"


@dataclass(frozen=True, slots=True)
class SbomInventory:
    """What an SBOM lists, as packages shiftsec can match against OSV.

    `format` is one of "CycloneDX JSON", "CycloneDX XML", "SPDX JSON", "SPDX tag-value";
    `spec_version` the document's spec version ("1.4", "2.3"). `errors` holds one entry per component that
    could not become a package (no purl, bad purl, no OSV ecosystem, no version). `skipped` counts the
    components left out on purpose: the document's own subject (CycloneDX `metadata.component`, SPDX
    described packages) and CycloneDX file/operating-system/container/firmware components, when they have
    no purl.
    """

    format: str
    spec_version: str
    packages: tuple[Package, ...]
    errors: tuple[ScanError, ...]
    skipped: int = 0


def one_line(text: str) -> str:
    return " ".join(text.split())


class InventoryBuilder:
    """Collects packages, component errors and the skip count while a reader walks a document."""

    __slots__ = ("_location", "_locations", "_path", "_seen", "_seen_errors", "errors", "packages", "skipped")

    def __init__(self, path: str) -> None:
        self._path = path
        self._location = Location(path=path)
        self.packages: list[Package] = []
        self.errors: list[ScanError] = []
        self.skipped = 0
        self._locations: dict[str, Location] = {}
        self._seen: set[tuple[str, str, str, str]] = set()
        self._seen_errors: set[str] = set()

    def fail(self, reason: str) -> SbomError:
        """The exception for a document that cannot be read at all."""
        return SbomError(f"{self._path}: {one_line(reason)}")

    def skip(self) -> None:
        self.skipped += 1

    def component(
        self,
        purls: Sequence[str],
        version: object,
        name: object,
        ref: object,
        ref_kind: str,
        skippable: bool = False,
        *,
        location: str | None = None,
        dev: bool = False,
    ) -> None:
        """Turn one component into a package, or record why it cannot be one.

        `purls` are the component's purl strings in document order (SPDX allows several); the first that
        parses and maps to an OSV ecosystem wins. `version`, `name` and `ref` are the component's raw field
        values (JSON scalars or text, read only when needed: this is the per-component hot path).
        `skippable` components without any purl are counted in `skipped` instead of being reported.
        `location` is the file the component was found in (default: the SBOM itself); `dev` marks a
        development dependency.
        """
        if not purls:
            if skippable:
                self.skipped += 1
            else:
                self._error(name, version, ref_kind, ref, "no purl")
            return

        invalid: str | None = None
        unmapped: PackageURL | None = None
        for raw in purls:
            text = raw.strip()
            try:
                purl = parse_purl(text)
            except ValueError as exc:
                if invalid is None:
                    invalid = f"invalid purl {text!r}: {exc}"
                continue
            target = to_osv(purl)
            if target is None:
                if unmapped is None:
                    unmapped = purl
                continue
            ecosystem, osv_name = target
            resolved = osv_version(purl, None if purl.version else text_field(version))
            if resolved is None:
                why = "no version in the purl or the component"
                self._error(text_field(name) or purl.name, version, ref_kind, ref, why, key=purl.to_string())
                return
            # Components that name the same package (the same purl, or purls differing only in qualifiers
            # such as arch) in the same file are one package for matching: the first one is kept.
            key = (ecosystem, osv_name, resolved, location or "")
            if key not in self._seen:
                self._seen.add(key)
                where = self._location if location is None else self._location_of(location)
                self.packages.append(Package(osv_name, resolved, ecosystem, text, where, dev=dev))
            return

        if unmapped is not None:
            if unmapped.type in ("deb", "apk", "rpm"):
                vendor = f"namespace {unmapped.namespace!r}" if unmapped.namespace else "no namespace"
                why = f"purl type {unmapped.type!r} with {vendor} has no OSV ecosystem"
            else:
                why = f"purl type {unmapped.type!r} has no OSV ecosystem"
            label = text_field(name) or unmapped.name
            version_label = text_field(version) or unmapped.version
            self._error(label, version_label, ref_kind, ref, why, key=unmapped.to_string())
        else:
            self._error(name, version, ref_kind, ref, invalid or "no purl")

    def _location_of(self, path: str) -> Location:
        found = self._locations.get(path)
        if found is None:
            found = self._locations[path] = Location(path=path)
        return found

    def _error(
        self,
        name: object,
        version: object,
        ref_kind: str,
        ref: object,
        why: str,
        *,
        key: str | None = None,
    ) -> None:
        """Record a component that cannot be matched.

        Duplicates are reported once: components with the same (valid) purl, given as `key`, whatever
        their name or ref; otherwise the same message. Distinct components that share an invalid purl
        (`pkg:pypi/`) are not duplicates: the purl identifies nothing.
        """
        label = text_field(name) or "<unnamed>"
        version_text = text_field(version)
        if version_text:
            label = f"{label}@{version_text}"
        ref_text = text_field(ref)
        where = f" ({ref_kind} {ref_text})" if ref_text else ""
        message = one_line(f"component '{label}'{where}: {why}")
        dedupe = f"purl\x00{key}" if key else message
        if dedupe not in self._seen_errors:
            self._seen_errors.add(dedupe)
            self.errors.append(ScanError(path=self._path, message=message, kind=ERROR_KIND))

    def build(self, fmt: str, spec_version: str) -> SbomInventory:
        return SbomInventory(fmt, spec_version, tuple(self.packages), tuple(self.errors), self.skipped)


def written_by_shiftsec(tool_names: Iterable[object]) -> bool:
    """Whether one of a document's tool names (CycloneDX `metadata.tools`, SPDX `Tool:` creators) is ours."""
    return any(isinstance(name, str) and _OUR_TOOL.fullmatch(name.strip()) for name in tool_names)


def text_field(value: object) -> str | None:
    """A JSON scalar as stripped text (numbers become text); None when absent, empty or not a scalar."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    return None
