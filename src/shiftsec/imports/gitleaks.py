"""gitleaks' JSON report (`gitleaks detect --report-format json`, `gitleaks git/dir -f json`): an array of
findings, one object each with RuleID, Description, File, StartLine, EndLine, StartColumn, EndColumn, Secret,
Match, Fingerprint, Commit, Author, Email, Date, Message, Entropy and Tags.

Each finding becomes a `secret` finding that never carries the value: `Secret` is hashed (`secret_sha256`) and
redacted the way shiftsec's own secret scanner does it, `Match` (the secret in its line) and the commit
message are dropped. gitleaks rule ids are translated to shiftsec's through `gitleaks_map.toml` when the map
names exactly one shiftsec rule, so the fingerprint ("secret", rule, hash, path) equals the one `shiftsec fs`
and `shiftsec repo` give the same secret; the gitleaks id is kept in `aliases` when it differs. gitleaks has
no severity: every finding is HIGH (a merged shiftsec finding keeps its rule's severity).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from shiftsec.errors import ParseError
from shiftsec.imports._common import BadEntry, Imported, line, load_json, obj, read_entries, rel_path, text
from shiftsec.model import Commit, Finding, FindingType, Location, Severity, fingerprint
from shiftsec.scanners.secrets import redact, secret_hash
from shiftsec.secrets.rules import gitleaks_map

TOOL = "gitleaks"
_REMEDIATION = "Revoke the secret where it was issued, replace it, and remove it from the code (and its history)."


@functools.lru_cache(maxsize=1)
def _rule_map() -> dict[str, tuple[str, ...]]:
    return gitleaks_map()


def shiftsec_rule(gitleaks_rule: str) -> str:
    """The shiftsec rule id for a gitleaks rule id when the map names exactly one, else the gitleaks id."""
    ids = _rule_map().get(gitleaks_rule, ())
    return ids[0] if len(ids) == 1 else gitleaks_rule


def looks_like(doc: Any) -> bool:
    """A JSON array of objects with RuleID (an empty array too: gitleaks writes `[]` when it finds nothing)."""
    return isinstance(doc, list) and all(isinstance(e, dict) and "RuleID" in e for e in doc)


def read(data: bytes | str, name: str, root: str | None = None) -> Imported:
    """Read a gitleaks JSON report; `name` labels errors, `root` makes absolute paths relative."""
    doc = load_json(data, name)
    if not isinstance(doc, list):
        raise ParseError(f"{name}: not a gitleaks JSON report (expected an array of findings)")
    return from_document(doc, name, root)


def from_document(doc: list[Any], name: str, root: str | None = None) -> Imported:
    findings, errors = read_entries(
        ((f"finding {i + 1}", entry) for i, entry in enumerate(doc)), lambda e: [_finding(e, root)], name
    )
    return Imported("gitleaks", (TOOL,), tuple(findings), tuple(errors))


def _finding(entry: Any, root: str | None) -> Finding:
    item: Mapping[str, Any] = obj(entry, "finding")
    rule = text(item, "RuleID", required=True)
    path = rel_path(text(item, "File", required=True), root)
    secret = item.get("Secret")
    if not isinstance(secret, str) or not secret:
        raise BadEntry(f"{rule} in {path}: missing 'Secret'")
    digest = secret_hash(secret)
    rule_id = shiftsec_rule(rule)
    title = text(item, "Description") or rule
    start = line(item, "StartLine")
    end = line(item, "EndLine")
    sha = text(item, "Commit")
    commit = Commit(sha, text(item, "Author"), text(item, "Email"), text(item, "Date")) if sha else None
    where = f"{path} line {start}" if start else path
    if commit is not None:
        where += f" (commit {commit.sha[:12]}, {commit.author}, {commit.date[:10]})"
    return Finding(
        type=FindingType.SECRET,
        rule_id=rule_id,
        severity=Severity.HIGH,
        title=title,
        message=f"{title} in {where}: {redact(secret)}",
        fingerprint=fingerprint("secret", rule_id, digest, path),
        aliases=(rule,) if rule != rule_id else (),
        location=Location(path, start, end, commit),
        remediation=_REMEDIATION,
        evidence=redact(secret),
        secret_sha256=digest,
        sources=(TOOL,),
    )
