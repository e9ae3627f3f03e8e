"""Helpers the converters share: decoding input, reading YAML, typed field access and RFC 3339 timestamps.

Every helper raises `InvalidRecord` (never another exception type) with a message that names the file and
the field, so that a converter can call them without wrapping.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import yaml

from shiftsec.errors import InvalidRecord

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# `modified` is required by OSV; records whose source carries no time at all get this fixed, clearly
# artificial value, so that re-imports stay stable (the value never changes for unchanged input).
EPOCH = "1970-01-01T00:00:00Z"

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$"
)


def decode(path: str, data: bytes) -> str:
    """`data` as UTF-8 text (a leading BOM is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRecord(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def load_yaml(path: str, data: bytes) -> Any:
    """Parse one YAML document with libyaml's safe loader (the pure-Python one when libyaml is missing)."""
    text = decode(path, data)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        reason = " ".join(line.strip() for line in str(exc).strip().splitlines()[:3])
        raise InvalidRecord(f"{path}: not valid YAML: {reason}") from None


def mapping(value: object, path: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidRecord(f"{path}: {what} must be a mapping, got {_kind(value)}")
    return value


def text(obj: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str | None:
    """A string field; numbers are accepted and turned into text (YAML reads `cve: 2019-1234` as text, but
    `osvdb: 1234` as an int). Empty strings count as missing."""
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise InvalidRecord(f"{path}: missing required field '{key}'")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidRecord(f"{path}: '{key}' must be a string, got {_kind(value)}")
    return str(value).strip() if isinstance(value, str) else str(value)


def text_list(obj: Mapping[str, Any], key: str, path: str) -> list[str]:
    """A list of strings; a lone string counts as a one-item list, a missing field as an empty one."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise InvalidRecord(f"{path}: '{key}' must be a list of strings, got {_kind(value)}")
    out = []
    for item in value:  # no floats: YAML reads `- 1.10` as 1.1
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise InvalidRecord(f"{path}: '{key}' must be a list of strings, found {_kind(item)}")
        out.append(str(item).strip())
    return [item for item in out if item]


def timestamp(value: object, path: str, what: str) -> str:
    """An RFC 3339 UTC timestamp (`YYYY-MM-DDTHH:MM:SSZ`) from a YAML date/datetime or a date(-time) string.

    A bare date becomes midnight UTC; a time without zone is taken as UTC (both formats we read state
    their times in UTC or give none).
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    if isinstance(value, str):
        match = _TIMESTAMP.match(value.strip())
        if match:
            year, month, day, hour, minute, second, zone = match.groups()
            try:
                moment = dt.datetime(
                    int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
                )
            except ValueError:
                pass
            else:
                if zone and zone != "Z":
                    sign = 1 if zone[0] == "+" else -1
                    digits = zone[1:].replace(":", "")
                    moment -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    raise InvalidRecord(f"{path}: {what} is not a date: {value!r}")


def dedupe(items: list[str]) -> list[str]:
    """`items` without repeats, first occurrence kept."""
    return list(dict.fromkeys(items))


def reference_type(url: str) -> str:
    """The OSV reference type a URL most likely is (the same guesses RustSec's OSV export makes)."""
    lowered = url.lower()
    if ("://github.com/" in lowered or "://gitlab." in lowered) and "/issues/" in lowered:
        return "REPORT"
    if "/commit/" in lowered or "/pull/" in lowered or "/merge_requests/" in lowered:
        return "FIX"
    if any(
        part in lowered
        for part in ("/advisories/", "nvd.nist.gov/vuln/detail/", "://cve.mitre.org/", "://www.cve.org/")
    ):
        return "ADVISORY"
    return "WEB"


def references(urls: list[str]) -> list[dict[str, str]]:
    return [{"type": reference_type(url), "url": url} for url in dedupe(urls)]


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
