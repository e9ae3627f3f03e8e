"""Alpine secdb YAML (`v3.8/main.yaml`: `distroversion`, `reponame`, `packages[].pkg.{name, secfixes}`) → OSV.

One file holds one branch of one repository; `secfixes` maps a fixed package version (`<version>-rN`) to the
vulnerability ids that version fixes. The records:

- One per vulnerability per file: id `ALPINE-<vuln id>-<distroversion>-<reponame>`, e.g.
  `ALPINE-CVE-2019-1234-v3.8-main`. The same CVE is fixed in every branch (and sometimes in both `main` and
  `community`, in different packages), so branch and repository are part of the id; it is unique across
  files, and the same on every re-import. `affected` lists each package of that file fixing it, ecosystem
  `Alpine:<distroversion>`, and for each listed fix a range introduced `0` / fixed `<version-rN>`. A
  package that lists one CVE under two versions (a first fix, then a complete one, or fixes on two upstream
  branches) gets two ranges; OSV unites them, so every version below the highest fix counts as affected.
- A secfix under version `0` means "this package was never affected" (Alpine's way of dismissing a CVE,
  e.g. one about a closed-source release of the same software): nothing to match, so no record.
- An entry string can hold several ids and notes: `CVE-2019-1234 CVE-2019-5678`, `CVE-2016-6258 XSA-182`,
  `CVE-2018-10103 (SMB - partially fixed)`. Parenthesised notes are dropped from the ids (but kept in
  `details`); each CVE gets a record; other ids (XSA-, TALOS-, ZBX-, wnpa-sec-) become aliases of a lone
  CVE, `related` of several, or the record's own id when there is no CVE. Obvious typos are repaired:
  `CVE_2019-1`, `CVE 2018-1`, `CVE-2019-1.patch`, `CVE-2017-17434-1` (a second patch for one CVE), and a
  version written `10.2.26.r0` (read as `10.2.26-r0`). Placeholders (`CVE-????-?????`) are not ids.
- An entry with no usable id at all is skipped and logged (logger `shiftsec.vulndb.importers.alpine`).
- secdb has no dates: `modified` is the fixed 1970-01-01T00:00:00Z, so re-imports are stable.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers._common import EPOCH, dedupe, load_yaml, mapping, text

log = logging.getLogger(__name__)

_CVE = re.compile(r"^CVE[-_]?(\d{4})-(\d{4,})(?:-\d{1,2})?(?:\.patch|\.diff)?$", re.IGNORECASE)
_OTHER_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+$")
_NOTE = re.compile(r"\([^)]*\)?")
_DOT_RELEASE = re.compile(r"^(.*\d)\.r(\d+)$")


def convert(path: str, data: bytes) -> list[dict[str, Any]]:
    """One OSV record per vulnerability fixed in the branch file at `path`."""
    doc = mapping(load_yaml(path, data), path, "a secdb file")
    branch = text(doc, "distroversion", path, required=True) or ""
    repo = text(doc, "reponame", path) or "main"
    packages = doc.get("packages")
    if packages is None:
        return []
    if not isinstance(packages, list):
        raise InvalidRecord(f"{path}: 'packages' must be a list")
    ecosystem = f"Alpine:{branch}"
    # vuln id → {"aliases", "related", "notes", "fixes": {package: [versions]}}
    vulns: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(packages):
        where = f"{path}: packages[{index}]"
        pkg = mapping(mapping(item, where, "a package entry").get("pkg"), where, "'pkg'")
        name = text(pkg, "name", where, required=True) or ""
        secfixes = pkg.get("secfixes") or {}
        for raw_version, raw_entries in mapping(secfixes, f"{where} ({name})", "'secfixes'").items():
            version = _version(raw_version, f"{where} ({name})")
            if version == "0":
                continue  # never affected in this branch: nothing to match
            entries = raw_entries if isinstance(raw_entries, list) else [raw_entries]
            entries = [e for e in entries if e is not None]
            if not entries:
                log.warning("%s: %s %s lists no vulnerability ids; skipped", path, name, version)
            for entry in entries:
                _add(vulns, str(entry), name, version, path)
    return [_record(vuln_id, info, ecosystem, branch, repo) for vuln_id, info in vulns.items()]


def _version(raw: object, where: str) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InvalidRecord(f"{where}: secfix version {raw!r} is not a string")
    version = str(raw).strip()
    match = _DOT_RELEASE.match(version)
    return f"{match.group(1)}-r{match.group(2)}" if match else version


def parse_ids(entry: str) -> tuple[list[str], list[str]]:
    """(CVE ids, other ids) named in one secfix entry string."""
    tokens = _NOTE.sub(" ", entry).replace(",", " ").replace(";", " ").split()
    cves: list[str] = []
    others: list[str] = []
    for i, raw in enumerate(tokens):
        joined = raw.upper() == "CVE" and i + 1 < len(tokens)  # "CVE 2018-16859"
        token = f"CVE-{tokens[i + 1]}" if joined else raw
        cve = _CVE.match(token)
        if cve:
            cves.append(f"CVE-{cve.group(1)}-{cve.group(2)}")
        elif _OTHER_ID.match(token) and not token.upper().startswith("CVE"):
            others.append(token)
    return dedupe(cves), dedupe(others)


def _add(vulns: dict[str, dict[str, Any]], entry: str, package: str, version: str, path: str) -> None:
    cves, others = parse_ids(entry)
    if cves:
        targets = cves
        aliases, related = (others, []) if len(cves) == 1 else ([], others)
    elif others:
        targets = [others[0]]
        aliases, related = others[1:], []
    else:
        log.warning("%s: %s %s: no vulnerability id in %r; skipped", path, package, version, entry)
        return
    note = entry.strip()
    for vuln_id in targets:
        info = vulns.setdefault(vuln_id, {"aliases": [], "related": [], "notes": [], "fixes": {}})
        info["aliases"] += aliases
        info["related"] += related
        info["fixes"].setdefault(package, [])
        if version not in info["fixes"][package]:
            info["fixes"][package].append(version)
        if note != vuln_id:
            info["notes"].append(f"{package} {version}: {note}")


def _record(vuln_id: str, info: dict[str, Any], ecosystem: str, branch: str, repo: str) -> dict[str, Any]:
    fixes: dict[str, list[str]] = info["fixes"]
    names = ", ".join(fixes)
    details = f"{vuln_id} is fixed in Alpine {branch}/{repo} package(s) {names}."
    if info["notes"]:
        details += "\n\nAs listed in secdb:\n" + "\n".join(f"- {note}" for note in dedupe(info["notes"]))
    record: dict[str, Any] = {
        "id": f"ALPINE-{vuln_id}-{branch}-{repo}",
        "modified": EPOCH,
        "aliases": dedupe([vuln_id, *info["aliases"]]),
    }
    related = [r for r in dedupe(info["related"]) if r not in record["aliases"]]
    if related:
        record["related"] = related
    record.update(
        {
            "summary": f"{vuln_id} in {names} (Alpine {branch} {repo})",
            "details": details,
            "affected": [
                {
                    "package": {"ecosystem": ecosystem, "name": name},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]} for fixed in versions
                    ],
                }
                for name, versions in fixes.items()
            ],
        }
    )
    if vuln_id.startswith("CVE-"):
        record["references"] = [{"type": "ADVISORY", "url": f"https://security.alpinelinux.org/vuln/{vuln_id}"}]
    record["database_specific"] = {"source": "alpine", "distroversion": branch, "reponame": repo}
    return record
