"""FriendsOfPHP security-advisories YAML → OSV (ecosystem Packagist).

Owns one advisory file (`<vendor>/<package>/<name>.yaml`: `title`, `link`, `cve`, `reference:
composer://vendor/package`, `branches.<name>.{time, versions}`, optional `composer-repository`) → one record.

- Id: `PHPSEC-<vendor>__<package>-<file stem>`, e.g. `PHPSEC-symfony__http-kernel-CVE-2014-5245`. The file
  stem alone is not unique (the same CVE is filed once per affected Composer package, e.g. drupal/core and
  drupal/drupal); Composer names cannot contain `__`, so vendor and package never run together. The
  package comes from `reference`, the stem from `path`.
- Affected: one Packagist entry; each branch's constraint list (the comparators are ANDed, Composer syntax:
  `>=`, `>`, `<=`, `<`, `=`/`==` or a bare version) becomes one range of its own. `<= X` becomes a
  `last_affected` event. `> X` has no least successor in Composer's order, so the range is introduced at X
  with its fourth numeric component set or bumped (`8.7.3` → `8.7.3.1`); only versions strictly between
  (`8.7.3.0.5`, a pre-release of 8.7.3.1) could be missed, and a non-numeric X is kept as is (X itself is
  then counted affected). A branch whose bounds cross (nothing affected) is an error, as is an unsupported
  operator (`!=`, `~`, `^`, `||`).
- Dates: the source has no publication date; `time` is when each branch was fixed (UTC, or null when not
  fixed yet). `modified` is the latest of the branch times and the announcement date of a date-named file
  (`2012-12-12-1.yaml`); with neither, 1970-01-01T00:00:00Z (a fixed value: re-imports stay stable).
  `published` is set only for date-named files. There is no description: `summary` is the title.
- `cve` becomes an alias (so does a GHSA file stem); `link` the ADVISORY reference. `database_specific`
  keeps the branch names and fix times, and `composer_repository: false` (the package is not on
  packagist.org) when the file says so.
"""

from __future__ import annotations

import re
from typing import Any

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import _requirements as req
from shiftsec.vulndb.importers._common import EPOCH, load_yaml, mapping, text, timestamp

ECOSYSTEM = "Packagist"

_REFERENCE = re.compile(
    r"^composer://([a-z0-9](?:[_.-]?[a-z0-9]+)*)/([a-z0-9](?:(?:[_.]|-{1,2})?[a-z0-9]+)*)$", re.IGNORECASE
)
_CONSTRAINT = re.compile(r"^(>=|<=|==|=|>|<)?\s*v?([0-9][0-9A-Za-z.+_-]*)$")
_DATE_STEM = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-\d+)?$")
_NUMERIC = re.compile(r"^(\d+(?:\.\d+){0,3})$")


def convert(path: str, data: bytes) -> list[dict[str, Any]]:
    """The OSV record of one FriendsOfPHP advisory file."""
    doc = mapping(load_yaml(path, data), path, "an advisory")
    reference = text(doc, "reference", path, required=True) or ""
    match = _REFERENCE.match(reference)
    if not match:
        raise InvalidRecord(f"{path}: 'reference' must be composer://vendor/package, got {reference!r}")
    vendor, package = match.group(1).lower(), match.group(2).lower()
    name = f"{vendor}/{package}"
    title = text(doc, "title", path, required=True) or ""
    stem = re.split(r"[\\/]", path)[-1].rsplit(".", 1)[0]
    branches = mapping(doc.get("branches"), path, "'branches'")
    if not branches:
        raise InvalidRecord(f"{path}: 'branches' is empty")

    order = req.Ordering(ECOSYSTEM)
    ranges: list[dict[str, Any]] = []
    branch_info: dict[str, dict[str, Any]] = {}
    times: list[str] = []
    for branch_name, branch_value in branches.items():
        where = f"{path}: branch {branch_name!r}"
        branch = mapping(branch_value, where, "a branch")
        fixed_at = timestamp(branch["time"], where, "'time'") if branch.get("time") is not None else None
        if fixed_at:
            times.append(fixed_at)
        interval = _interval(order, branch.get("versions"), where)
        ranges += req.to_ranges(order, [interval], range_type="ECOSYSTEM", zero="0", successor=_successor, exact=False)
        branch_info[str(branch_name)] = {"time": fixed_at}

    date_match = _DATE_STEM.match(stem)
    announced = timestamp(date_match.group(1), path, "file name date") if date_match else None
    modified = max([*times, announced] if announced else times, default=EPOCH)
    aliases = []
    cve = text(doc, "cve", path)
    if cve:
        aliases.append(cve)
    if stem.startswith("GHSA-") and stem not in aliases:
        aliases.append(stem)

    record: dict[str, Any] = {
        "id": f"PHPSEC-{vendor}__{package}-{stem}",
        "modified": modified,
    }
    if announced:
        record["published"] = announced
    record.update(
        {
            "aliases": aliases,
            "summary": title,
            "affected": [
                {
                    "package": {"ecosystem": ECOSYSTEM, "name": name, "purl": f"pkg:composer/{name}"},
                    "ranges": ranges,
                }
            ],
        }
    )
    link = text(doc, "link", path)
    if link:
        record["references"] = [{"type": "ADVISORY", "url": link}]
    specific: dict[str, Any] = {"source": "phpsec", "branches": branch_info}
    if doc.get("composer-repository") is False:
        specific["composer_repository"] = False
    record["database_specific"] = specific
    return [record]


def _interval(order: req.Ordering, value: object, where: str) -> req.Interval:
    """The versions one branch's constraint list describes (its comparators ANDed)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise InvalidRecord(f"{where}: 'versions' must be a non-empty list of constraints")
    parts: list[req.Interval] = []
    for item in value:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise InvalidRecord(f"{where}: constraint {item!r} is not a string")
        constraint = str(item).strip()
        match = _CONSTRAINT.match(constraint)
        if not match:
            raise InvalidRecord(f"{where}: unsupported constraint {constraint!r}")
        op, version = match.group(1) or "=", match.group(2)
        if op in ("=", "=="):
            parts.append(req.exactly(version))
        elif op == ">=":
            parts.append(req.at_least(version))
        elif op == ">":
            parts.append(req.above(version))
        elif op == "<":
            parts.append(req.below(version))
        else:
            parts.append(req.at_most(version))
    interval = req.intersect(order, parts)
    if interval is None:
        raise InvalidRecord(f"{where}: constraints {value!r} leave no version affected")
    return interval


def _successor(version: str) -> str:
    """A version just above `version` in Composer's order: a fourth numeric component added or bumped."""
    match = _NUMERIC.match(version)
    if not match:
        return version  # not plain numeric: start at the version itself (it is then counted affected)
    parts = [int(p) for p in version.split(".")] + [0] * (4 - version.count(".") - 1)
    parts[3] += 1
    return ".".join(str(p) for p in parts)
