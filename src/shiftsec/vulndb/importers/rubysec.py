"""ruby-advisory-db YAML (`gems/<gem>/<id>.yml`, `rubies/<engine>/<id>.yml`) → OSV (ecosystem RubyGems).

Owns one advisory file → one record:

- Id: `RUBYSEC-<gem>-<file stem>`, e.g. `RUBYSEC-actionpack-CVE-2008-7248`. The stem alone (a CVE, GHSA or
  OSVDB id) is not unique: one CVE is often filed for several gems (actionpack, activesupport, ...), and
  the GHSA/CVE ids are better kept as aliases so that the same issue from GitHub's or NVD's feed is
  recognised. Gem plus stem is the file's own place in the database, so it is unique and stable. Ruby
  implementations (`rubies/`, key `engine`) use the engine name the same way (`RUBYSEC-jruby-CVE-2010-1330`)
  and are marked `database_specific.engine: true`: their versions are interpreter versions, not gems.
- `cve`, `ghsa`, `osvdb` become aliases (`CVE-`, `GHSA-`, `OSVDB-` prefixed), `related.{cve,ghsa,osvdb}`
  `related`, `url` and `related.url` references. `title` → summary, `description` → details.
- `date` (a YAML date) is `published` and, as the source has no modification time, `modified`, at
  T00:00:00Z: stable across re-imports.
- The `cvss_v2`/`cvss_v3`/`cvss_v4` fields are base scores, not vectors, so there is no `severity`; the
  scores are kept in `database_specific` (where shiftsec's rating looks for them).
- Ranges (one ECOSYSTEM range): a version is affected unless a `patched_versions` or
  `unaffected_versions` requirement matches it (bundler-audit's rule). A requirement is comma-separated
  RubyGems comparators, ANDed: `=` (the default), `!=`, `>`, `>=`, `<`, `<=`, `~>`. `~> X` is
  `>= X` and "release below X bumped" (`~> 2.1.3`: release < 2.2, so 2.2.0.rc1 is NOT matched); its
  exclusive end is written `<bump>.A`, the least version whose release reaches the bump ("A" is the lowest
  pre-release letter run). A `> X` requirement makes X the last affected version: a `last_affected` event
  in a range of its own. After a requirement ending at X inclusive (`<= X`, `= X`) the affected versions
  start right above X; RubyGems has no least such version, so `X.0.1` is used (only versions like X.0.0.5
  fall in between). No requirement at all means every version is affected. The original lists are kept in
  the entry's `database_specific`.
"""

from __future__ import annotations

import re
from typing import Any

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import _requirements as req
from shiftsec.vulndb.importers._common import load_yaml, mapping, references, text, text_list, timestamp

ECOSYSTEM = "RubyGems"

_COMPARATOR = re.compile(r"^(=|!=|>=|<=|~>|>|<)?\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)$")
_SEGMENTS = re.compile(r"[0-9]+|[A-Za-z]+")
_PREFIXED = {"cve": "CVE-", "ghsa": "GHSA-", "osvdb": "OSVDB-"}


def convert(path: str, data: bytes) -> list[dict[str, Any]]:
    """The OSV record of one ruby-advisory-db file."""
    doc = mapping(load_yaml(path, data), path, "an advisory")
    gem = text(doc, "gem", path)
    engine = text(doc, "engine", path)
    name = gem or engine
    if not name:
        raise InvalidRecord(f"{path}: missing required field 'gem' (or 'engine' for a Ruby implementation)")
    stem = re.split(r"[\\/]", path)[-1].rsplit(".", 1)[0]
    where = f"{path}: {name}"
    date = timestamp(doc.get("date"), where, "'date'") if doc.get("date") is not None else None
    if date is None:
        raise InvalidRecord(f"{where}: missing required field 'date'")
    title = text(doc, "title", where, required=True) or ""

    patched = text_list(doc, "patched_versions", where)
    unaffected = text_list(doc, "unaffected_versions", where)
    order = req.Ordering(ECOSYSTEM)
    not_affected = [i for r in patched + unaffected for i in requirement_intervals(order, r, where)]
    ranges = req.to_ranges(
        order,
        req.affected_intervals(order, not_affected),
        range_type="ECOSYSTEM",
        zero="0",
        successor=successor,
        exact=False,
    )
    entry: dict[str, Any] = {
        "package": {"ecosystem": ECOSYSTEM, "name": name},
        "ranges": ranges,
        "database_specific": {"patched_versions": patched, "unaffected_versions": unaffected},
    }
    if gem:
        entry["package"]["purl"] = f"pkg:gem/{gem}"

    aliases = [_prefixed(key, value) for key in ("cve", "ghsa", "osvdb") if (value := text(doc, key, where))]
    related_obj = doc.get("related") or {}
    related_map = mapping(related_obj, where, "'related'")
    related = [
        _prefixed(key, value) for key in ("cve", "ghsa", "osvdb") for value in text_list(related_map, key, where)
    ]
    urls = [u for u in [text(doc, "url", where)] if u] + text_list(related_map, "url", where)

    record: dict[str, Any] = {
        "id": f"RUBYSEC-{name}-{stem}",
        "modified": date,
        "published": date,
        "aliases": list(dict.fromkeys(aliases)),
        "related": [r for r in dict.fromkeys(related) if r not in aliases],
        "summary": title,
        "details": (text(doc, "description", where) or "").strip(),
        "affected": [entry],
        "references": references(urls),
    }
    specific: dict[str, Any] = {"source": "rubysec"}
    for key in ("cvss_v2", "cvss_v3", "cvss_v4"):
        score = doc.get(key)
        if score is not None:
            if isinstance(score, bool) or not isinstance(score, int | float):
                raise InvalidRecord(f"{where}: '{key}' must be a number (a base score), got {score!r}")
            specific[key] = float(score)
    for key in ("framework", "platform", "library", "notes"):
        value = text(doc, key, where)
        if value:
            specific[key] = value
    if engine and not gem:
        specific["engine"] = True
    record["database_specific"] = specific
    return [record]


def _prefixed(key: str, value: str) -> str:
    prefix = _PREFIXED[key]
    return value if value.upper().startswith(prefix) else prefix + value


def requirement_intervals(order: req.Ordering, requirement: str, where: str) -> list[req.Interval]:
    """The versions a RubyGems requirement (comparators joined by commas, all must hold) matches."""
    result = [req.EVERYTHING]
    for part in requirement.split(","):
        match = _COMPARATOR.match(part.strip())
        if not match:
            raise InvalidRecord(f"{where}: cannot read version requirement {requirement!r}")
        op, version = match.group(1) or "=", match.group(2)
        if op == "!=":
            options = [req.below(version), req.above(version)]
        elif op == "~>":
            options = [req.Interval(req.Bound(version, True), req.Bound(f"{bump(version)}.A", False))]
        else:
            options = [
                {"=": req.exactly, ">=": req.at_least, ">": req.above, "<": req.below, "<=": req.at_most}[op](version)
            ]
        result = [i for a in result for b in options if (i := req.intersect(order, [a, b])) is not None]
    return result


def bump(version: str) -> str:
    """`Gem::Version#bump`: drop pre-release parts and the last release part, add one to the new last."""
    segments: list[int | str] = [int(s) if s.isdigit() else s for s in _SEGMENTS.findall(version.replace("-", ".pre."))]
    while any(isinstance(s, str) for s in segments):
        segments.pop()
    if len(segments) > 1:
        segments.pop()
    last = segments[-1]
    assert isinstance(last, int)
    segments[-1] = last + 1
    return ".".join(str(s) for s in segments)


def successor(version: str) -> str:
    """A version just above `version` (RubyGems has no least one): `X.0.1`."""
    return f"{version}.0.1"
