"""What the Python analyzers share: decoding, TOML/JSON loading, typed access, names, lines and the sibling
pyproject.toml.

Everything here raises `ParseError` (never another exception) on input it cannot use; `guarded` wraps an
analyzer's parse function so that a slip anywhere still surfaces as a `ParseError`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from shiftsec.analyzers._guard import decode
from shiftsec.analyzers.api import Dependency, InputFile, ParseError

ECOSYSTEM = "PyPI"
MAX_TOML_LINE = 1_000_000  # characters; lockfiles never come close, junk often does
_PEP503 = re.compile(r"[-_.]+")
# tomllib is quadratic in the number of parts of a dotted key: refuse absurd ones (real files use under 8)
# before parsing. Possessive, and anchored to the start of a dotted run, so the search itself stays linear.
MAX_KEY_PARTS = 16
_DEEP_KEY = re.compile(rf"(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9_-]++[ \t]*+\.[ \t]*+){{{MAX_KEY_PARTS}}}")
_NAME_LINE = re.compile(r"""\s*name\s*=\s*(["'])(.*?)\1""")
DEV_WORDS = frozenset({"dev", "develop", "development", "test", "tests", "testing", "lint", "docs", "doc"})


def short(text: str, limit: int = 120) -> str:
    """`text` on one line, cut to `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_toml(data: bytes) -> dict[str, Any]:
    return parse_toml(decode(data))


def parse_toml(text: str) -> dict[str, Any]:
    if any(len(line) > MAX_TOML_LINE for line in text.split("\n")):
        raise ParseError(f"a line is longer than {MAX_TOML_LINE} characters: not a lockfile")
    if _DEEP_KEY.search(text):
        raise ParseError(f"a key of more than {MAX_KEY_PARTS} dotted parts: not a lockfile")
    try:
        return tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer past Python's digit limit
        raise ParseError(f"not valid TOML: {short(str(exc))}") from None


def parse_json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:  # JSONDecodeError, or an integer past Python's digit limit
        raise ParseError(f"not valid JSON: {short(str(exc))}") from None


def table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"{where} is {_kind(value)}: a table was expected")
    return value


def array(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ParseError(f"{where} is {_kind(value)}: an array was expected")
    return value


def text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ParseError(f"{where} is {_kind(value)}: a string was expected")
    return value


def strings(value: object, where: str) -> list[str]:
    return [text(item, f"an entry of {where}") for item in array(value, where)]


def _kind(value: object) -> str:
    if value is None:
        return "missing"
    return {dict: "a table", list: "an array", str: "a string", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(value), f"a {type(value).__name__}")


def canon(name: str) -> str:
    """The PEP 503 form of a distribution name: the key to compare names by (never the one reported)."""
    return _PEP503.sub("-", name.strip()).lower()


def is_dev_word(label: str) -> bool:
    """Whether a group, extra or file-name word conventionally names development-only dependencies."""
    return canon(label) in DEV_WORDS


def pinned(specifier: SpecifierSet) -> str | None:
    """The one version `specifier` pins (`==1.2`, `===1.2`), or None for a range, a wildcard or no version."""
    exact = {s.version for s in specifier if s.operator == "===" or (s.operator == "==" and "*" not in s.version)}
    return exact.pop() if len(exact) == 1 else None


_BOUND_ORDER = ("===", "==", ">=", "~=", ">", "<=", "<")


def lowest_allowed(specifier: SpecifierSet) -> str | None:
    """The version a range is checked at: its lower bound (`>=1.2`, `~=1.2`, `>1.2` → 1.2), else the bound it
    names (`<=1.2` → 1.2, as osv-scalibr reads it); None when it names no version (`!=1.2`, no specifier) or
    uses a wildcard (`==1.2.*`: a whole series, which osv-scalibr leaves out too)."""
    if any(s.version.endswith(".*") for s in specifier):
        return None
    by_operator = {s.operator: s.version for s in specifier}
    for operator in _BOUND_ORDER:
        version = by_operator.get(operator)
        if version:
            return version
    return None


def requirement(spec: str) -> Requirement | None:
    """A PEP 508 requirement string, parsed; None when it is not one."""
    try:
        return Requirement(spec)
    except InvalidRequirement:
        return None


def entry_lines(source: str, header: str, names: list[str]) -> list[int | None]:
    """The 1-based line of each `header` block's `name = ...` key (the block's own line when not found).

    `names` are the parsed names in file order; when the count of headers differs from it (inline arrays, a
    header inside a multi-line string), no lines are claimed at all.
    """
    lines = source.split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip() == header]
    if len(starts) != len(names):
        return [None] * len(names)
    found: list[int | None] = []
    for n, (start, name) in enumerate(zip(starts, names, strict=True)):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        line = start + 1
        for i in range(start + 1, end):
            match = _NAME_LINE.match(lines[i])
            if match and match.group(2) == name:
                line = i + 1
                break
        found.append(line)
    return found


def line_of(source: str, needle: str, start: int = 0) -> int | None:
    """The 1-based line where `needle` first occurs at or after offset `start`."""
    at = source.find(needle, start)
    return None if at < 0 else source.count("\n", 0, at) + 1


@dataclass(frozen=True, slots=True)
class Declared:
    """What a pyproject.toml asks for: canonical names, and the canonical names of its development groups
    (PEP 735, PDM and Poetry groups, dev/test/lint/docs extras)."""

    names: frozenset[str]
    dev_groups: frozenset[str]


def declared(file: InputFile, relative: str = "pyproject.toml") -> Declared | None:
    """The dependencies the sibling pyproject.toml declares (PEP 621, PEP 735, Poetry, PDM, uv), or None when
    there is none or it cannot be read (a broken sibling never fails the lockfile)."""
    data = file.read(relative)
    if data is None:
        return None
    try:
        doc = load_toml(data)
        return _declared(doc)
    except (ParseError, RecursionError):
        return None


def _declared(doc: dict[str, Any]) -> Declared:
    names: set[str] = set()
    dev_groups: set[str] = set()
    project = _sub(doc, "project")
    names.update(_pep508_names(project.get("dependencies")))
    for extra, specs in _sub(project, "optional-dependencies").items():
        names.update(_pep508_names(specs))
        if is_dev_word(extra):
            dev_groups.add(extra)
    for group, specs in _sub(doc, "dependency-groups").items():
        names.update(_pep508_names(specs))
        dev_groups.add(group)
    tool = _sub(doc, "tool")
    poetry = _sub(tool, "poetry")
    names.update(_keys(poetry.get("dependencies")) - {"python"}, _keys(poetry.get("dev-dependencies")))
    for group, body in _sub(poetry, "group").items():
        names.update(_keys(body.get("dependencies")) if isinstance(body, dict) else ())
        if group != "main":
            dev_groups.add(group)
    for owner in (_sub(tool, "pdm"), _sub(tool, "uv")):
        legacy = owner.get("dev-dependencies")
        if isinstance(legacy, dict):  # PDM: {group: [specs]}
            for group, specs in legacy.items():
                names.update(_pep508_names(specs))
                dev_groups.add(group)
        else:  # uv: [specs]
            names.update(_pep508_names(legacy))
    return Declared(frozenset(names), frozenset(canon(group) for group in dev_groups))


def _sub(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _pep508_names(specs: object) -> set[str]:
    names: set[str] = set()
    if isinstance(specs, list):
        for spec in specs:
            parsed = requirement(spec) if isinstance(spec, str) else None
            if parsed is not None:
                names.add(canon(parsed.name))
    return names


def _keys(deps: object) -> set[str]:
    return {canon(name) for name in deps} if isinstance(deps, dict) else set()


class Resolver:
    """Finds the locked packages a dependency entry points at, by canonical name (and version or specifier)."""

    def __init__(self, packages: Iterable[tuple[str, str]]) -> None:
        self._by_name: dict[str, list[tuple[str, str]]] = {}
        for name, version in packages:
            self._by_name.setdefault(canon(name), []).append((name, version))

    def keys(self, name: str, *, version: str | None = None, specifier: str | None = None) -> tuple[str, ...]:
        found = self._by_name.get(canon(name), [])
        if version is not None:
            found = [c for c in found if c[1] == version]
        elif len(found) > 1 and specifier:
            found = _satisfying(found, specifier)
        return tuple(f"{n}@{v}" for n, v in found)


def _satisfying(candidates: list[tuple[str, str]], specifier: str) -> list[tuple[str, str]]:
    """The candidates whose version `specifier` (PEP 440) allows; all of them when it says nothing usable."""
    try:
        spec = SpecifierSet(specifier)
    except ValueError:
        return candidates
    allowed = [c for c in candidates if spec.contains(c[1], prereleases=True)]
    return allowed or candidates


def merge(packages: list[Dependency]) -> tuple[Dependency, ...]:
    """`packages` with one entry per key: first line kept, dependencies joined (never on itself), direct if
    direct anywhere, dev only if dev everywhere."""
    by_key: dict[str, Dependency] = {}
    for dep in packages:
        seen = by_key.get(dep.key)
        if seen is None:
            seen = Dependency(dep.name, dep.version, dep.direct, dep.dev, dep.line)
        direct = None if seen.direct is None and dep.direct is None else bool(seen.direct or dep.direct)
        depends = tuple(key for key in dict.fromkeys(seen.depends_on + dep.depends_on) if key != dep.key)
        by_key[dep.key] = Dependency(seen.name, seen.version, direct, seen.dev and dep.dev,
                                     seen.line if seen.line is not None else dep.line, depends)
    return tuple(by_key.values())


def at(line: int | None, message: str) -> str:
    """A note, prefixed by its line when known."""
    return f"line {line}: {message}" if line is not None else message


Locked = tuple[str, str, dict[str, Any], int | None]  # name, version, the [[package]] table, its line


def locked_packages(source: str, doc: dict[str, Any]) -> tuple[list[Locked], list[str]]:
    """The `[[package]]` tables of a poetry.lock or pdm.lock: those with a version, and a note for each
    without one (a local directory or VCS checkout has nothing to match)."""
    raw = doc.get("package", [])
    entries = [table(entry, "a [[package]] entry") for entry in (raw if isinstance(raw, list) else [raw])]
    names = [text(entry.get("name"), "a package name") for entry in entries]
    notes: list[str] = []
    locked: list[Locked] = []
    for name, entry, line in zip(names, entries, entry_lines(source, "[[package]]", names), strict=True):
        if entry.get("version") is None:
            notes.append(at(line, f"{name} has no version — not matched"))
        else:
            locked.append((name, text(entry["version"], f"the version of {name}"), entry, line))
    return locked, notes
