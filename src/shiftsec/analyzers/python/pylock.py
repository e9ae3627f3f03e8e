"""python/pylock: PEP 751 lockfiles, `pylock.toml` and `pylock.<name>.toml`.

Every `[[packages]]` entry (or inline `packages = [...]` table) with a `version` is a package, whatever it
is installed from (an index, a VCS commit, an archive); one without a version (a local directory, typically
the project itself, editable) is a note. `dependencies` (tables naming other entries, optionally by
version) become `depends_on`. `dev`: the entry's marker limits it to dependency groups (`"x" in
dependency_groups`), none of them a `default-groups` one (without `default-groups`: all named
dev/test/lint/docs), and never to an extra. `direct` comes from a sibling pyproject.toml, else None.
"""

from __future__ import annotations

import re
from typing import Any

from shiftsec.analyzers._guard import decode, guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed
from shiftsec.analyzers.python._common import (
    ECOSYSTEM,
    Resolver,
    array,
    at,
    canon,
    declared,
    entry_lines,
    is_dev_word,
    merge,
    parse_toml,
    short,
    strings,
    table,
    text,
)

_FILE_NAME = re.compile(r"pylock\.([^.]+\.)?toml")
_GROUP = re.compile(r"""(["'])([^"']*)\1\s+in\s+dependency_groups""")
_SOURCES = ("directory", "archive", "vcs")


def _required(path: str) -> bool:
    return _FILE_NAME.fullmatch(path.rpartition("/")[2]) is not None


def _is_dev(marker: object, name: str, default_groups: list[str] | None) -> bool:
    if marker is None:
        return False
    marker = text(marker, f"the marker of {name}")
    groups = [match.group(2) for match in _GROUP.finditer(marker)]
    if not groups or "extras" in marker:
        return False
    if default_groups is not None:
        return not set(groups) & set(default_groups)
    return all(is_dev_word(group) for group in groups)


def _origin(entry: dict[str, Any]) -> str:
    for kind in _SOURCES:
        value = entry.get(kind)
        if isinstance(value, dict):
            where = value.get("path") or value.get("url") or ""
            editable = " (editable)" if value.get("editable") is True else ""
            return f"from {kind} {short(str(where))}{editable}"
    return "without a version"


def _depends(entry: dict[str, Any], name: str, resolver: Resolver) -> tuple[str, ...]:
    keys: list[str] = []
    where = f"the dependencies of {name}"
    for raw in array(entry.get("dependencies", []), where):
        dep = table(raw, f"an entry of {where}")
        dep_name = dep.get("name")
        if dep_name is None:
            continue
        version = dep.get("version")
        keys.extend(resolver.keys(text(dep_name, f"a name in {where}"),
                                  version=None if version is None else text(version, f"a version in {where}")))
    return tuple(dict.fromkeys(keys))


@guarded
def _analyze(file: InputFile) -> Parsed:
    source = decode(file.data)
    doc = parse_toml(source)
    entries = [table(entry, "a [[packages]] entry") for entry in array(doc.get("packages", []), "packages")]
    names = [text(entry.get("name"), "a package name") for entry in entries]
    raw_defaults = doc.get("default-groups")
    default_groups = None if raw_defaults is None else strings(raw_defaults, "default-groups")
    notes: list[str] = []
    locked: list[tuple[str, str, dict[str, Any], int | None]] = []
    for name, entry, line in zip(names, entries, entry_lines(source, "[[packages]]", names), strict=True):
        if entry.get("version") is None:
            notes.append(at(line, f"{name} {_origin(entry)} — not matched"))
        else:
            locked.append((name, text(entry["version"], f"the version of {name}"), entry, line))
    resolver = Resolver((name, version) for name, version, _, _ in locked)
    project = declared(file)
    packages = [
        Dependency(name, version, None if project is None else canon(name) in project.names,
                   _is_dev(entry.get("marker"), name, default_groups), line, _depends(entry, name, resolver))
        for name, version, entry, line in locked
    ]
    return Parsed(ECOSYSTEM, merge(packages), tuple(notes))


ANALYZER = Analyzer("python/pylock", 1, _required, _analyze)
