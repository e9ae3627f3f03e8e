"""GitHub Security Advisory JSON → OSV.

Owns the GitHub advisory API formats: the GraphQL `SecurityAdvisory` object (`ghsaId`, `identifiers`,
`vulnerabilities.nodes`, as in ossf/osv-schema `tools/ghsa/testdata`) and the REST global-advisory object
(`ghsa_id`, `vulnerabilities[]`, `first_patched_version`, as `GET /advisories/{ghsa_id}` returns it). A REST
record is first reshaped into the GraphQL form, so both follow one set of rules.

`to_osv` reproduces the reference converter (ossf/osv-schema `tools/ghsa/convert_ghsa.py`) exactly, which is
what its golden files check:
- affected entries are grouped by (ecosystem, name) in input order, PyPI names PEP 503-normalised;
- all vulnerable ranges of one package go into ONE range (SEMVER for npm and Go, ECOSYSTEM otherwise) in
  input order, with `introduced: "0"` put first when some range has no lower bound (OSV evaluation sorts the
  events, so the order is cosmetic);
- `= X` with a first patched version P becomes introduced X / fixed P, without one it is listed in
  `versions`;
- `< X` gives fixed X; `<= X` gives fixed P when a patched version is known, else nothing (every version from
  the lower bound on is affected: the reference's over-approximation, kept for fidelity);
- `> X` (which OSV cannot say) gives introduced "the next version": for SEMVER ecosystems the least SemVer
  above X (`2.1.0` → `2.1.1-0`, `1.0.0-rc.1` → `1.0.0-rc.1.0`), for the others the third numeric component
  bumped (`11.6` → `11.6.1`, as the Maven golden file has it); a non-numeric X there is kept as is (X is
  then counted affected, a false positive rather than a miss);
- the affected `database_specific` keeps the advisory's permalink and CWEs.

`convert` returns `to_osv` plus two additive fields the reference does not write and shiftsec needs:
`severity` (the CVSS v3/v4 vectors GitHub gives, when it gives any) and the record-level
`database_specific` (`source`, and GitHub's own `severity` word).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers._common import decode

# GraphQL ecosystem enum → OSV ecosystem (REST uses the same names in lower case).
ECOSYSTEMS = {
    "NPM": "npm",
    "GO": "Go",
    "MAVEN": "Maven",
    "PIP": "PyPI",
    "RUBYGEMS": "RubyGems",
    "NUGET": "NuGet",
    "COMPOSER": "Packagist",
    "RUST": "crates.io",
    "ERLANG": "Hex",
    "ACTIONS": "GitHub Actions",
    "PUB": "Pub",
    "SWIFT": "SwiftURL",
}
SEMVER_ECOSYSTEMS = frozenset({"npm", "Go"})
SCHEMA_VERSION = "1.5.0"

_PEP503 = re.compile(r"[-_.]+")
_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_NUMERIC = re.compile(r"^\d+(?:\.\d+)*$")


def convert(path: str, data: bytes) -> list[dict[str, Any]]:
    """The OSV record of one GitHub advisory JSON document (GraphQL or REST shape)."""
    try:
        doc = json.loads(decode(path, data))
    except ValueError as exc:
        raise InvalidRecord(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidRecord(f"{path}: a GitHub advisory must be a JSON object, got {type(doc).__name__}")
    ghsa = from_rest(doc, path) if "ghsa_id" in doc else doc
    record = to_osv(ghsa, path)
    vectors = _cvss_vectors(doc)
    if vectors:
        record["severity"] = vectors
    extra: dict[str, Any] = {"source": "ghsa"}
    if isinstance(ghsa.get("severity"), str) and ghsa["severity"]:
        extra["severity"] = ghsa["severity"].upper()
    record["database_specific"] = extra
    return [record]


def to_osv(ghsa: Mapping[str, Any], path: str = "<ghsa>") -> dict[str, Any]:
    """The reference converter's OSV record for a GraphQL-shaped advisory (see the module docstring)."""
    ghsa_id = _text(ghsa, "ghsaId", path)
    where = f"{path}: {ghsa_id}"
    identifiers = _objects(ghsa.get("identifiers"), "identifiers", where)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": ghsa_id,
        "aliases": [_text(i, "value", where) for i in identifiers if i.get("value") != ghsa_id],
        "published": _text(ghsa, "publishedAt", where),
        "modified": _text(ghsa, "updatedAt", where),
    }
    withdrawn = ghsa.get("withdrawnAt")
    if withdrawn:
        record["withdrawn"] = _text(ghsa, "withdrawnAt", where)
    record["summary"] = _text(ghsa, "summary", where, default="")
    record["details"] = _text(ghsa, "description", where, default="")
    record["references"] = [
        {"type": _reference_type(url), "url": url}
        for url in (_text(r, "url", where) for r in _objects(ghsa.get("references"), "references", where))
    ]
    record["affected"] = _affected(ghsa, where)
    return record


def from_rest(doc: Mapping[str, Any], path: str) -> dict[str, Any]:
    """Reshape a REST global advisory into the GraphQL form `to_osv` reads."""
    where = f"{path}: {doc.get('ghsa_id')}"
    nodes = []
    for vuln in _objects(doc.get("vulnerabilities"), "vulnerabilities", where):
        package = vuln.get("package")
        if not isinstance(package, dict):
            raise InvalidRecord(f"{where}: a vulnerability has no 'package' object")
        patched = vuln.get("first_patched_version")
        if isinstance(patched, dict):
            patched = patched.get("identifier")
        nodes.append(
            {
                "package": {
                    "ecosystem": str(package.get("ecosystem", "")).upper(),
                    "name": package.get("name"),
                },
                "firstPatchedVersion": {"identifier": patched} if patched else None,
                "vulnerableVersionRange": vuln.get("vulnerable_version_range"),
            }
        )
    identifiers = doc.get("identifiers") or [
        {"value": value} for value in (doc.get("ghsa_id"), doc.get("cve_id")) if value
    ]
    refs = doc.get("references") or []
    if not isinstance(refs, list):
        raise InvalidRecord(f"{where}: 'references' must be a list")
    cwes = doc.get("cwes") or []
    return {
        "ghsaId": doc.get("ghsa_id"),
        "identifiers": identifiers,
        "publishedAt": doc.get("published_at"),
        "updatedAt": doc.get("updated_at"),
        "withdrawnAt": doc.get("withdrawn_at"),
        "summary": doc.get("summary"),
        "description": doc.get("description"),
        "severity": doc.get("severity"),
        "references": [r if isinstance(r, dict) else {"url": r} for r in refs],
        "permalink": doc.get("html_url"),
        "cwes": {"nodes": [{"cweId": c.get("cwe_id"), "name": c.get("name")} for c in cwes if isinstance(c, dict)]},
        "vulnerabilities": {"nodes": nodes},
    }


def _affected(ghsa: Mapping[str, Any], where: str) -> list[dict[str, Any]]:
    vulnerabilities = ghsa.get("vulnerabilities") or {}
    if not isinstance(vulnerabilities, dict):
        raise InvalidRecord(f"{where}: 'vulnerabilities' must be an object with 'nodes'")
    grouped: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for vuln in _objects(vulnerabilities.get("nodes"), "vulnerabilities.nodes", where):
        package = vuln.get("package")
        if not isinstance(package, dict):
            raise InvalidRecord(f"{where}: a vulnerability has no 'package' object")
        raw = _text(package, "ecosystem", where)
        ecosystem = ECOSYSTEMS.get(raw)
        if ecosystem is None:
            raise InvalidRecord(f"{where}: unknown GitHub ecosystem {raw!r}")
        grouped.setdefault((ecosystem, _text(package, "name", where)), []).append(vuln)
    cwes_obj = ghsa.get("cwes") or {}
    cwes = cwes_obj.get("nodes", []) if isinstance(cwes_obj, dict) else []
    affected = []
    for (ecosystem, raw_name), vulns in grouped.items():
        name = _PEP503.sub("-", raw_name).lower() if ecosystem == "PyPI" else raw_name
        entry: dict[str, Any] = {
            "package": {"ecosystem": ecosystem, "name": name},
            "ranges": [],
            "versions": [],
            "database_specific": {"ghsa": ghsa.get("permalink"), "cwes": cwes},
        }
        events: list[dict[str, str]] = []
        all_prior = False
        for vuln in vulns:
            patched_obj = vuln.get("firstPatchedVersion")
            patched = patched_obj.get("identifier") if isinstance(patched_obj, dict) else None
            if patched is not None and not isinstance(patched, str):
                raise InvalidRecord(f"{where}: firstPatchedVersion of {name} is not a string")
            exact, lower, upper = _parse_range(vuln.get("vulnerableVersionRange"), where)
            if exact is not None:
                if patched:
                    events += [{"introduced": exact}, {"fixed": patched}]
                else:
                    entry["versions"].append(exact)
                continue
            if lower is None:
                all_prior = True
            elif lower[0] == ">=":
                events.append({"introduced": lower[1]})
            else:
                events.append({"introduced": _next_version(ecosystem, lower[1])})
            if upper is not None:
                if upper[0] == "<":
                    events.append({"fixed": upper[1]})
                elif patched:
                    events.append({"fixed": patched})
            elif patched:
                events.append({"fixed": patched})
        if all_prior:
            events.insert(0, {"introduced": "0"})
        if events:
            kind = "SEMVER" if ecosystem in SEMVER_ECOSYSTEMS else "ECOSYSTEM"
            entry["ranges"].append({"type": kind, "events": events})
        affected.append(entry)
    return affected


Spec = tuple[str, str]


def _parse_range(value: object, where: str) -> tuple[str | None, Spec | None, Spec | None]:
    """(exact version, lower (op, version), upper (op, version)) of a GitHub vulnerable version range."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRecord(f"{where}: missing vulnerable version range")
    exact = lower = upper = None
    for part in value.split(","):
        pieces = part.split()
        if len(pieces) != 2:
            raise InvalidRecord(f"{where}: cannot read vulnerable version range {value!r}")
        op, version = pieces
        if op == "=":
            exact = version
        elif op in (">=", ">"):
            lower = (op, version)
        elif op in ("<=", "<"):
            upper = (op, version)
        else:
            raise InvalidRecord(f"{where}: unknown operator {op!r} in vulnerable version range {value!r}")
    if exact is not None and (lower or upper):
        raise InvalidRecord(f"{where}: range {value!r} has both an exact version and bounds")
    return exact, lower, upper


def _next_version(ecosystem: str, version: str) -> str:
    """The version that `> version` starts at (see the module docstring)."""
    if ecosystem in SEMVER_ECOSYSTEMS:
        match = _SEMVER.match(version)
        if match:
            major, minor, patch, pre = match.groups()
            if pre:
                return f"{major}.{minor or 0}.{patch or 0}-{pre}.0"
            return f"{major}.{minor or 0}.{int(patch or 0) + 1}-0"
        return version
    if _NUMERIC.match(version):
        parts = [int(p) for p in version.split(".")]
        parts += [0] * (3 - len(parts))
        parts[2] += 1
        return ".".join(str(p) for p in parts)
    return version


def _reference_type(url: str) -> str:
    return "ADVISORY" if "github.com/advisories/" in url or "nvd.nist.gov/vuln/detail/" in url else "WEB"


def _cvss_vectors(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """CVSS vectors from `cvss` (GraphQL, REST) and `cvss_severities` (REST); v3 before v4, no repeats."""
    found: list[str] = []
    for holder in (
        doc.get("cvss"),
        *((doc.get("cvss_severities") or {}).values() if isinstance(doc.get("cvss_severities"), dict) else ()),
    ):
        if isinstance(holder, dict):
            vector = holder.get("vectorString") or holder.get("vector_string")
            if isinstance(vector, str) and vector.startswith(("CVSS:3.", "CVSS:4.")) and vector not in found:
                found.append(vector)
    found.sort(key=lambda v: v[:6])
    return [{"type": "CVSS_V3" if v.startswith("CVSS:3.") else "CVSS_V4", "score": v} for v in found]


def _text(obj: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = obj.get(key)
    if value in (None, "") and default is not None:
        return default
    if not isinstance(value, str) or not value:
        raise InvalidRecord(f"{where}: missing or non-string field '{key}'")
    return value


def _objects(value: object, key: str, where: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidRecord(f"{where}: '{key}' must be a list of objects")
    return value
