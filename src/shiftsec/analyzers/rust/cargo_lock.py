"""Cargo.lock: every `[[package]]` Cargo resolved, registry, git and local (workspace) crates alike.

Owns the lockfile's `dependencies` entries in all three spellings ("name", "name version", "name version
(source)", the last from lockfile v1), which become `depends_on` keys. The workspace's own crates are the
packages without a `source`; the crates they depend on are direct, every other crate is not (when the file
holds no workspace crate, nothing says, and direct stays None).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_MAX_LINE = 1 << 20


@dataclass(frozen=True, slots=True)
class _Crate:
    name: str
    version: str
    local: bool
    dependencies: tuple[str, ...]
    line: int | None


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "Cargo.lock"


def _string(table: dict[str, object], field: str, index: int) -> str:
    value = table.get(field)
    if not isinstance(value, str) or not value:
        raise ParseError(f"package #{index}: '{field}' is not a non-empty string")
    return value


def _crates(text: str) -> list[_Crate]:
    data = tomllib.loads(text)
    entries = data.get("package", [])
    if not isinstance(entries, list):
        raise ParseError("'package' is not an array of tables")
    # tomllib keeps no positions: the n-th `[[package]]` header line is the n-th entry
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[package]]"]
    lines: list[int | None] = list(headers) if len(headers) == len(entries) else [None] * len(entries)
    crates = []
    for index, (entry, line) in enumerate(zip(entries, lines, strict=True), 1):
        if not isinstance(entry, dict):
            raise ParseError(f"package #{index} is not a table")
        dependencies = entry.get("dependencies", [])
        if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
            raise ParseError(f"package #{index}: 'dependencies' is not an array of strings")
        source = entry.get("source")
        if source is not None and not isinstance(source, str):
            raise ParseError(f"package #{index}: 'source' is not a string")
        crates.append(_Crate(_string(entry, "name", index), _string(entry, "version", index), source is None,
                             tuple(dependencies), line))
    return crates


def _resolve(spec: str, by_name: dict[str, list[_Crate]]) -> str | None:
    """The key of the crate a `dependencies` entry names, when the file holds exactly one that fits."""
    parts = spec.split(" ", 2)  # the source, when given, only tells apart crates a key does not
    versions = {crate.version for crate in by_name.get(parts[0], [])}
    if len(parts) > 1:
        versions &= {parts[1]}
    return f"{parts[0]}@{versions.pop()}" if len(versions) == 1 else None


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > _MAX_LINE:
            raise ParseError(f"line {number} is longer than {_MAX_LINE} characters")
    crates = _crates(text)
    by_name: dict[str, list[_Crate]] = {}
    for crate in crates:
        by_name.setdefault(crate.name, []).append(crate)

    edges = {id(crate): tuple(dict.fromkeys(k for k in (_resolve(d, by_name) for d in crate.dependencies) if k))
             for crate in crates}
    members = [crate for crate in crates if crate.local]
    wanted = {key for crate in members for key in edges[id(crate)]}

    packages: dict[str, Dependency] = {}
    for crate in crates:
        key = f"{crate.name}@{crate.version}"
        if key in packages:
            continue
        direct = None if not members or crate.local else key in wanted
        packages[key] = Dependency(crate.name, crate.version, direct=direct, line=crate.line,
                                   depends_on=edges[id(crate)])
    return Parsed("crates.io", tuple(packages.values()))


analyze = guarded(_analyze, "Cargo.lock")


ANALYZER = Analyzer(name="rust/cargo-lock", version=1, required=_required, analyze=analyze)
