"""OSV records: validate a decoded OSV JSON/YAML object and turn it into an `Advisory`.

Validation follows the OSV schema (https://ossf.github.io/osv-schema/) where a mistake would change what is
matched: `id` and `modified` present, `affected[].package` with `ecosystem` and `name`, ranges of a known type
whose events hold exactly one key each, at least one `introduced`, a `repo` for GIT ranges, and no range mixing
`fixed` with `last_affected`. It is hand-written rather than run through a JSON Schema validator because it
runs on every record of every import (tens of thousands) and must say in one line what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shiftsec.errors import InvalidRecord
from shiftsec.model import Advisory, Affected, Event, Range, Reference, SeverityScore

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RANGE_TYPES = ("ECOSYSTEM", "SEMVER", "GIT")


def _str(obj: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InvalidRecord(f"{where}: missing required field '{key}'")
        return None
    if not isinstance(value, str):
        raise InvalidRecord(f"{where}: '{key}' must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise InvalidRecord(f"{where}: '{key}' is empty")
    return value


def _str_list(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRecord(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _mapping(obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRecord(f"{where}: '{key}' must be an object")
    return value


def _list_of_objects(obj: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidRecord(f"{where}: '{key}' must be a list of objects")
    return value


def _severity(obj: Mapping[str, Any], where: str) -> tuple[SeverityScore, ...]:
    out = []
    for i, item in enumerate(_list_of_objects(obj, "severity", where)):
        kind = _str(item, "type", f"{where}.severity[{i}]", required=True)
        score = _str(item, "score", f"{where}.severity[{i}]", required=True)
        assert kind is not None and score is not None
        out.append(SeverityScore(kind, score))
    return tuple(out)


def _range(item: Mapping[str, Any], where: str) -> Range:
    kind = _str(item, "type", where, required=True)
    if kind not in RANGE_TYPES:
        raise InvalidRecord(f"{where}: unknown range type {kind!r} (expected ECOSYSTEM, SEMVER or GIT)")
    events_raw = _list_of_objects(item, "events", where)
    if not events_raw:
        raise InvalidRecord(f"{where}: a range needs at least one event")
    events = []
    for j, ev in enumerate(events_raw):
        if len(ev) != 1:
            raise InvalidRecord(f"{where}.events[{j}]: an event holds exactly one of {', '.join(EVENT_KINDS)}")
        ((ev_kind, value),) = ev.items()
        if ev_kind not in EVENT_KINDS:
            raise InvalidRecord(f"{where}.events[{j}]: unknown event {ev_kind!r}")
        if not isinstance(value, str) or not value:
            raise InvalidRecord(f"{where}.events[{j}]: '{ev_kind}' must be a non-empty string")
        events.append(Event(ev_kind, value))
    kinds = {e.kind for e in events}
    if "introduced" not in kinds:
        raise InvalidRecord(f"{where}: a range needs an 'introduced' event")
    if "fixed" in kinds and "last_affected" in kinds:
        raise InvalidRecord(f"{where}: 'fixed' and 'last_affected' are mutually exclusive in one range")
    repo = _str(item, "repo", where)
    if kind == "GIT" and not repo:
        raise InvalidRecord(f"{where}: a GIT range needs a 'repo'")
    return Range(kind, tuple(events), repo)


def _affected(item: Mapping[str, Any], where: str) -> Affected:
    ranges = tuple(_range(r, f"{where}.ranges[{k}]") for k, r in enumerate(_list_of_objects(item, "ranges", where)))
    package = item.get("package")
    if package is None:
        if not any(r.type == "GIT" for r in ranges):
            raise InvalidRecord(f"{where}: missing 'package' (only allowed with GIT ranges)")
        ecosystem = name = ""
        purl = None
    else:
        if not isinstance(package, dict):
            raise InvalidRecord(f"{where}: 'package' must be an object")
        ecosystem = _str(package, "ecosystem", f"{where}.package", required=True) or ""
        name = _str(package, "name", f"{where}.package", required=True) or ""
        purl = _str(package, "purl", f"{where}.package")
    return Affected(
        ecosystem=ecosystem,
        name=name,
        purl=purl,
        ranges=ranges,
        versions=_str_list(item, "versions", where),
        severity=_severity(item, where),
        ecosystem_specific=_mapping(item, "ecosystem_specific", where),
        database_specific=_mapping(item, "database_specific", where),
    )


def parse_advisory(data: object) -> Advisory:
    """Validate one decoded OSV record and build its `Advisory`; raises `InvalidRecord` with the reason."""
    if not isinstance(data, dict):
        raise InvalidRecord(f"an OSV record must be an object, got {type(data).__name__}")
    adv_id = _str(data, "id", "record", required=True)
    where = adv_id or "record"
    modified = _str(data, "modified", where, required=True)
    assert adv_id is not None and modified is not None
    references = []
    for i, ref in enumerate(_list_of_objects(data, "references", where)):
        url = _str(ref, "url", f"{where}.references[{i}]", required=True)
        references.append(Reference(_str(ref, "type", f"{where}.references[{i}]") or "WEB", url or ""))
    return Advisory(
        id=adv_id,
        modified=modified,
        summary=_str(data, "summary", where) or "",
        details=_str(data, "details", where) or "",
        aliases=_str_list(data, "aliases", where),
        related=_str_list(data, "related", where),
        published=_str(data, "published", where),
        withdrawn=_str(data, "withdrawn", where),
        affected=tuple(
            _affected(a, f"{where}.affected[{i}]") for i, a in enumerate(_list_of_objects(data, "affected", where))
        ),
        severity=_severity(data, where),
        references=tuple(references),
        database_specific=_mapping(data, "database_specific", where),
        schema_version=_str(data, "schema_version", where),
    )
