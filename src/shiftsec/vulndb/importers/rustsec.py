"""RustSec advisory-db Markdown (```toml front matter, then `# Title` and Markdown details) → OSV.

Owns one advisory file → one record, shaped like RustSec's own OSV export (rustsec crate, `osv` module):

- `id`, `aliases`, `related`, `withdrawn` as in `[advisory]`; `summary` is the `# Title` line, `details`
  the Markdown after it; `severity` the `cvss` vector (CVSS_V3 or CVSS_V4) when there is one.
- `published` is `date` at T00:00:00Z (the export uses T12:00:00Z); `modified`, which the export takes from
  git history we do not have, is the later of `date` and `withdrawn`, so re-imports are stable.
- One affected entry, ecosystem `crates.io`, purl `pkg:cargo/<name>`, one SEMVER range computed like the
  export's `ranges_for_advisory`: everything matched by no `patched` and no `unaffected` requirement is
  affected. Requirements are read as the export reads them: comparators `=`, `>`, `>=`, `<`, `<=`, `~`,
  `^` (the default), wildcards, joined by commas (ANDed); a partial version is zero-filled (`< 0.3` is
  `< 0.3.0`), `^`/`~`/wildcard upper ends get the `-0` pre-release (`^1.2` is `>= 1.2.0, < 2.0.0-0`), and
  versions order by SemVer precedence, pre-releases included. An exclusive bound becomes the least SemVer
  above it (`1.2.3` → `1.2.4-0`, `1.0.0-rc.1` → `1.0.0-rc.1.0`), an unbounded start `0.0.0-0`. Unlike the
  export, overlapping requirements are merged instead of rejected.
- `[affected]` goes to `ecosystem_specific.affects` (`arch`, `os`, `functions`: the paths);
  `categories`, `cvss` and `informational` to the entry's `database_specific` as the export does.
  `informational` advisories (unmaintained, unsound, notice) are kept; `informational`, `license` and
  `source: rustsec` are also in the record's `database_specific`.
- Advisories under `rust/` concern the Rust toolchain (`std`, `cargo`, `rustdoc`), versioned like rustc
  (1.x); the same names on crates.io are different packages (the `cargo` crate is 0.x), so they get the
  ecosystem `Rust` (not an OSV ecosystem: no crate can match them) and keep the file's names and ids.
- The template's placeholder id `RUSTSEC-0000-0000` (EXAMPLE_ADVISORY.md) is rejected as InvalidRecord.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import _requirements as req
from shiftsec.vulndb.importers._common import decode, mapping, references, text, text_list, timestamp

ECOSYSTEM = "crates.io"
TOOLCHAIN_ECOSYSTEM = "Rust"
ZERO = "0.0.0-0"
TEMPLATE_ID = "RUSTSEC-0000-0000"  # EXAMPLE_ADVISORY.md and new, unnumbered submissions

_FRONT_MATTER = re.compile(r"\A\s*```toml[ \t]*\r?\n(.*?)\r?\n```[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_TITLE = re.compile(r"\A\s*#[ \t]+(.+?)[ \t]*#*[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_COMPARATOR = re.compile(
    r"^(=|>=|<=|>|<|~|\^)?\s*v?([0-9]+|[*xX])(?:\.([0-9]+|[*xX]))?(?:\.([0-9]+|[*xX]))?"
    r"(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_SIMPLE = {"=": req.exactly, ">=": req.at_least, ">": req.above, "<": req.below, "<=": req.at_most}
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


def convert(path: str, data: bytes) -> list[dict[str, Any]]:
    """The OSV record of one RustSec advisory file."""
    match = _FRONT_MATTER.match(decode(path, data))
    if not match:
        raise InvalidRecord(f"{path}: no ```toml front matter block at the start of the file")
    try:
        front = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidRecord(f"{path}: front matter is not valid TOML: {exc}") from None
    advisory = mapping(front.get("advisory"), path, "[advisory]")
    adv_id = text(advisory, "id", path, required=True) or ""
    where = f"{path}: {adv_id}"
    if adv_id == TEMPLATE_ID:
        raise InvalidRecord(f"{where}: the advisory template's placeholder id, not an advisory")
    package = text(advisory, "package", where, required=True) or ""
    published = timestamp(advisory.get("date"), where, "'date'")
    withdrawn = timestamp(advisory["withdrawn"], where, "'withdrawn'") if advisory.get("withdrawn") else None
    title, details = _title_and_details(match.group(2), advisory, where)
    toolchain = re.search(r"(^|[\\/])rust[\\/][^\\/]+[\\/][^\\/]+$", path) is not None

    versions = mapping(front.get("versions", {}), where, "[versions]")
    if not versions and "patched_versions" not in advisory:
        raise InvalidRecord(f"{where}: missing [versions] (patched = [...])")
    holder, suffix = (versions, "") if versions else (advisory, "_versions")  # V1 kept them in [advisory]
    patched = text_list(holder, f"patched{suffix}", where)
    unaffected = text_list(holder, f"unaffected{suffix}", where)
    order = req.Ordering("SEMVER")
    not_affected = [i for r in patched + unaffected for i in requirement_intervals(order, r, where)]
    ranges = req.to_ranges(
        order,
        req.affected_intervals(order, not_affected),
        range_type="SEMVER",
        zero=ZERO,
        successor=successor,
        exact=True,
    )

    affected_meta = mapping(front.get("affected", {}), where, "[affected]")
    functions = mapping(affected_meta.get("functions", {}), where, "[affected.functions]")
    cvss = text(advisory, "cvss", where)
    informational = text(advisory, "informational", where)
    entry: dict[str, Any] = {
        "package": {"ecosystem": TOOLCHAIN_ECOSYSTEM if toolchain else ECOSYSTEM, "name": package},
        "ranges": ranges,
        "ecosystem_specific": {
            "affects": {
                "arch": text_list(affected_meta, "arch", where),
                "os": text_list(affected_meta, "os", where),
                "functions": list(functions),
            }
        },
        "database_specific": {
            "categories": text_list(advisory, "categories", where),
            "cvss": cvss,
            "informational": informational,
        },
    }
    if not toolchain:
        entry["package"]["purl"] = f"pkg:cargo/{package}"

    urls = [] if toolchain else [f"https://crates.io/crates/{package}"]
    if adv_id.startswith("RUSTSEC-"):
        urls.append(f"https://rustsec.org/advisories/{adv_id}.html")
    urls += [u for u in [text(advisory, "url", where)] if u] + text_list(advisory, "references", where)
    refs = references(urls)
    if not toolchain:
        refs[0]["type"] = "PACKAGE"

    record: dict[str, Any] = {
        "id": adv_id,
        "modified": max(published, withdrawn or published),
        "published": published,
    }
    if withdrawn:
        record["withdrawn"] = withdrawn
    record.update(
        {
            "aliases": text_list(advisory, "aliases", where),
            "related": text_list(advisory, "related", where),
            "summary": title,
            "details": details,
        }
    )
    if cvss:
        kind = "CVSS_V4" if cvss.startswith("CVSS:4") else "CVSS_V3" if cvss.startswith("CVSS:3") else None
        if kind is None:
            raise InvalidRecord(f"{where}: 'cvss' is not a CVSS v3 or v4 vector: {cvss!r}")
        record["severity"] = [{"type": kind, "score": cvss}]
    record["affected"] = [entry]
    record["references"] = refs
    specific: dict[str, Any] = {"source": "rustsec", "license": text(advisory, "license", where) or "CC0-1.0"}
    if informational:
        specific["informational"] = informational
    record["database_specific"] = specific
    return [record]


def _title_and_details(body: str, advisory: dict[str, Any], where: str) -> tuple[str, str]:
    match = _TITLE.match(body)
    if match:
        return match.group(1).strip(), match.group(2).strip()
    title = text(advisory, "title", where)  # the V1 format kept them in the TOML
    if title:
        return title, text(advisory, "description", where) or ""
    raise InvalidRecord(f"{where}: no '# Title' line after the front matter")


def requirement_intervals(order: req.Ordering, requirement: str, where: str) -> list[req.Interval]:
    """The versions a Cargo version requirement (comparators joined by commas) matches: 0 or 1 interval."""
    parts = [part.strip() for part in requirement.split(",")]
    if not all(parts):
        raise InvalidRecord(f"{where}: empty comparator in requirement {requirement!r}")
    interval = req.intersect(order, [_comparator(part, requirement, where) for part in parts])
    return [interval] if interval is not None else []


def _comparator(part: str, requirement: str, where: str) -> req.Interval:
    match = _COMPARATOR.match(part)
    if not match:
        raise InvalidRecord(f"{where}: cannot read version requirement {requirement!r}")
    op, major_s, minor_s, patch_s, pre = match.groups()
    wild = [s is not None and not s.isdigit() for s in (major_s, minor_s, patch_s)]
    if wild[0]:
        return req.EVERYTHING
    major = int(major_s)
    minor = int(minor_s) if minor_s and not wild[1] else None
    patch = int(patch_s) if patch_s and not wild[2] else None
    version = f"{major}.{minor or 0}.{patch or 0}" + (f"-{pre}" if pre else "")
    if any(wild) or op is None or op == "^":
        if op not in (None, "^", "="):
            raise InvalidRecord(f"{where}: wildcard with {op!r} in requirement {requirement!r}")
        if any(wild):
            end = f"{major + 1}.0.0-0" if minor is None else f"{major}.{minor + 1}.0-0"
        elif major > 0 or minor is None:
            end = f"{major + 1}.0.0-0"
        elif minor > 0 or patch is None:
            end = f"0.{minor + 1}.0-0"
        else:
            end = f"0.0.{patch + 1}-0"
        return req.Interval(req.Bound(version, True), req.Bound(end, False))
    if op == "~":
        end = f"{major + 1}.0.0-0" if minor is None else f"{major}.{minor + 1}.0-0"
        return req.Interval(req.Bound(version, True), req.Bound(end, False))
    return _SIMPLE[op](version)


def successor(version: str) -> str:
    """The least SemVer version above `version` (as rustsec's `increment`): `1.2.3` → `1.2.4-0`."""
    match = _SEMVER.match(version)
    if not match:
        raise InvalidRecord(f"not a SemVer version: {version!r}")
    major, minor, patch, pre = match.groups()
    if pre:
        return f"{major}.{minor}.{patch}-{pre}.0"
    return f"{major}.{minor}.{int(patch) + 1}-0"
