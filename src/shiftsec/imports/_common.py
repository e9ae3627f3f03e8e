"""What every reader of another tool's results shares: the `Imported` result, JSON loading, typed field access,
path and CWE normalisation, and the identity helpers fingerprints are built from.

Readers raise `BadEntry` for one unusable entry (the caller turns it into a `ScanError` and reads on) and
`ParseError` for a file that is not what it claims to be. Nothing here reads files or keeps secret values.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from shiftsec.errors import ParseError
from shiftsec.model import Finding, ScanError, Severity

ERROR_KIND = "import"  # `ScanError.kind` of a bad entry, or of an error the other tool itself reported


@dataclass(frozen=True, slots=True)
class Imported:
    """The findings read from one results file. `format` is the detected format (`sarif`, `gitleaks`, `trivy`,
    `bandit`, `semgrep`); `tools` the lowercase names of the tools that produced it (several for a SARIF file
    with several runs); `errors` the entries that could not be read and the errors the tool itself reported."""

    format: str
    tools: tuple[str, ...]
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]


class BadEntry(Exception):
    """One entry of an otherwise valid file cannot be used; `str()` says why."""


def load_json(data: bytes | str, name: str) -> Any:
    """Parse `data` as JSON (UTF-8, a BOM allowed); ParseError naming `name` when it is not."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ParseError(f"{name}: JSON nested too deeply") from None


def looks_like_results(doc: Any, entry_key: str, empty_keys: tuple[str, ...], *, all_keys: bool = True) -> bool:
    """Whether `doc` is a report with a `results` array (Bandit, Semgrep): told by `entry_key` in its first
    result, or, when there are no results, by the report's own top-level keys `empty_keys` (all of them, or
    with `all_keys=False` any one)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        return False
    first = doc["results"][0] if doc["results"] else None
    if isinstance(first, dict):
        return entry_key in first
    return (all if all_keys else any)(key in doc for key in empty_keys)


def results_document(data: bytes | str, name: str, tool: str) -> dict[str, Any]:
    """A report with a `results` array, parsed; ParseError naming the file otherwise."""
    doc = load_json(data, name)
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ParseError(f"{name}: not a {tool} JSON report (no 'results' array)")
    return doc


def read_entries(
    entries: Iterable[tuple[str, Any]],
    read_one: Callable[[Any], Iterable[Finding]],
    name: str,
) -> tuple[list[Finding], list[ScanError]]:
    """Apply `read_one` to each (label, entry); a `BadEntry` becomes a `ScanError` naming the entry."""
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for label, entry in entries:
        try:
            findings.extend(read_one(entry))
        except BadEntry as exc:
            errors.append(ScanError(name, f"{label}: {exc}", ERROR_KIND))
    return findings, errors


# --- typed access -------------------------------------------------------------------------------------------


def obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise BadEntry(f"{what}: expected an object, got {_kind(value)}")
    return value


def opt_obj(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """`mapping[key]` when it is an object; {} when absent or null."""
    value = mapping.get(key)
    if value is None:
        return {}
    return obj(value, key)


def items(mapping: Mapping[str, Any], key: str) -> list[Any]:
    """`mapping[key]` as a list; [] when absent or null."""
    value = mapping.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadEntry(f"{key}: expected an array, got {_kind(value)}")
    return value


def text(mapping: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    """`mapping[key]` as a string ("" when absent or null, BadEntry when required and empty)."""
    value = mapping.get(key)
    if value is None:
        value = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise BadEntry(f"{key}: expected a string, got {_kind(value)}")
    if required and not value.strip():
        raise BadEntry(f"missing {key!r}")
    return value.strip()


def line(mapping: Mapping[str, Any], key: str) -> int | None:
    """A 1-based line number, None when absent or not positive."""
    value = mapping.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadEntry(f"{key}: expected a line number, got {_kind(value)}")
    return value if value > 0 else None


def strings(value: Any) -> tuple[str, ...]:
    """A string or a list of strings as a tuple (other members are skipped)."""
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list):
        return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())
    return ()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    names = {"dict": "an object", "list": "an array", "str": "a string"}
    return names.get(type(value).__name__, type(value).__name__)


# --- normalisation ------------------------------------------------------------------------------------------

_CWE = re.compile(r"(?:^|[^a-z0-9])cwe[-_/:\s]*(\d+)\b", re.IGNORECASE)


def cwe(value: Any) -> str | None:
    """`CWE-<n>` for 89, "89", "CWE-89", "CWE-89: SQL Injection", "external/cwe/cwe-89"; None otherwise.
    0 is Bandit's "not set"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"CWE-{value}" if value > 0 else None
    if not isinstance(value, str):
        return None
    word = value.strip()
    if word.isdigit():
        return f"CWE-{int(word)}" if int(word) > 0 else None
    match = _CWE.search(word)
    return f"CWE-{int(match.group(1))}" if match and int(match.group(1)) > 0 else None


def cwes(values: Iterable[Any]) -> tuple[str, ...]:
    """The CWE ids among `values`, normalised, without duplicates, ordered by number."""
    found = {c for c in (cwe(v) for v in values) if c}
    return tuple(sorted(found, key=lambda c: int(c[4:])))


def rel_path(uri: str, root: str | None = None, bases: Iterable[str] = ()) -> str:
    """A path for `Location.path`: `file://` and percent-encoding removed, `./` dropped, and an absolute path
    made relative to `root` or to one of `bases` (e.g. SARIF's originalUriBaseIds) when it lies under it."""
    path = uri.strip()
    if path.lower().startswith("file://"):
        path = unquote(path[7:])
        if path.startswith("localhost/"):
            path = path[9:]
    elif "%" in path and "://" not in path:
        path = unquote(path)
    path = path.replace("\\", "/")
    if re.match(r"^/[A-Za-z]:/", path):  # file:///C:/repo → C:/repo
        path = path[1:]
    for base in [*(b for b in bases if b), *([root] if root else [])]:
        base_path = rel_path(base).rstrip("/")
        if base_path and path.startswith(base_path + "/"):
            return posixpath.normpath(path[len(base_path) + 1:])
    while path.startswith("./"):
        path = path[2:]
    return posixpath.normpath(path) if path else path


def snippet_key(code: str) -> str:
    """An identity for a matched source snippet that ignores indentation and blank lines (never the text)."""
    lines = [" ".join(part.split()) for part in code.splitlines()]
    return hashlib.sha256("\n".join(x for x in lines if x).encode("utf-8")).hexdigest()[:16]


class Occurrences:
    """Tells apart results that share every identity part (same rule, same file, no snippet): the first gets
    "", the next "#2", "#3"… in file order, so a fingerprint survives line moves but not reordering."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, ...], int] = {}

    def __call__(self, *key: str) -> str:
        count = self._seen[key] = self._seen.get(key, 0) + 1
        return "" if count == 1 else f"#{count}"


def severity_word(word: str) -> Severity:
    """`Severity.parse`, but UNKNOWN (not an error) for words it does not know (Bandit's UNDEFINED)."""
    try:
        return Severity.parse(word)
    except ValueError:
        return Severity.UNKNOWN


def score(value: Any) -> float | None:
    """A CVSS-like score 0-10 from a number or numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and 0.0 <= float(value) <= 10.0:
        return float(value)
    return None


def first_line(message: str, limit: int = 160) -> str:
    head = message.strip().splitlines()[0].strip() if message.strip() else ""
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """`values` without empties and duplicates, first occurrence first."""
    return tuple(dict.fromkeys(v for v in values if v))
