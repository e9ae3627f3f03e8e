"""python/uv-lock: `uv.lock` (uv's TOML lockfile).

The project itself and workspace members (`source = { virtual = ... }` or `{ editable = ... }`) are not
packages: their names and versions are the user's own. Every other `[[package]]` is a package (registry, git,
path or URL sourced alike); one without a version is a note. `dependencies`, `optional-dependencies` and
`dev-dependencies` become `depends_on` (an entry's `version` picks among several locked versions). `direct`
is what the project and workspace members ask for (any of the three tables); `dev` is what only their
`dev-dependencies` (dependency groups) reach. Without a project entry, `direct` is None and nothing is dev.
"""

from __future__ import annotations

from typing import Any

from shiftsec.analyzers._guard import decode, guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed
from shiftsec.analyzers.python._common import (
    ECOSYSTEM,
    Resolver,
    array,
    at,
    entry_lines,
    merge,
    parse_toml,
    table,
    text,
)


def _required(path: str) -> bool:
    return path.rpartition("/")[2] == "uv.lock"


def _is_project(entry: dict[str, Any]) -> bool:
    source = entry.get("source")
    return isinstance(source, dict) and ("virtual" in source or "editable" in source)


def _edges(entry: dict[str, Any], name: str, resolver: Resolver) -> tuple[list[str], list[str]]:
    """(keys of `dependencies` and `optional-dependencies`, keys of `dev-dependencies`)."""

    def keys(items: object, where: str) -> list[str]:
        found: list[str] = []
        for raw in array(items, where):
            dep = table(raw, f"an entry of {where}")
            version = dep.get("version")
            found.extend(resolver.keys(text(dep.get("name"), f"a name in {where}"),
                                       version=None if version is None else text(version, f"a version in {where}")))
        return found

    runtime = keys(entry.get("dependencies", []), f"the dependencies of {name}")
    for extra, items in table(entry.get("optional-dependencies", {}), f"the extras of {name}").items():
        runtime.extend(keys(items, f"extra {extra} of {name}"))
    dev: list[str] = []
    for group, items in table(entry.get("dev-dependencies", {}), f"the dev groups of {name}").items():
        dev.extend(keys(items, f"group {group} of {name}"))
    return runtime, dev


def _reach(start: list[str], graph: dict[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo.extend(graph.get(key, ()))
    return seen


@guarded
def _analyze(file: InputFile) -> Parsed:
    source = decode(file.data)
    doc = parse_toml(source)
    raw = doc.get("package", [])
    entries = [table(entry, "a [[package]] entry") for entry in (raw if isinstance(raw, list) else [raw])]
    names = [text(entry.get("name"), "a package name") for entry in entries]
    notes: list[str] = []
    projects: list[tuple[str, dict[str, Any]]] = []
    locked: list[tuple[str, str, dict[str, Any], int | None]] = []
    for name, entry, line in zip(names, entries, entry_lines(source, "[[package]]", names), strict=True):
        if _is_project(entry):
            projects.append((name, entry))
        elif entry.get("version") is None:
            notes.append(at(line, f"{name} has no version — not matched"))
        else:
            locked.append((name, text(entry["version"], f"the version of {name}"), entry, line))
    resolver = Resolver((name, version) for name, version, _, _ in locked)
    graph: dict[str, tuple[str, ...]] = {}
    for name, version, entry, _ in locked:
        runtime, dev = _edges(entry, name, resolver)
        graph[f"{name}@{version}"] = tuple(dict.fromkeys(runtime + dev))
    runtime_start: list[str] = []
    dev_start: list[str] = []
    for name, entry in projects:
        runtime, dev = _edges(entry, name, resolver)
        runtime_start += runtime
        dev_start += dev
    direct_keys = set(runtime_start) | set(dev_start)
    runtime_reach = _reach(runtime_start, graph)
    dev_only = _reach(dev_start, graph) - runtime_reach
    packages: list[Dependency] = []
    for name, version, _, line in locked:
        key = f"{name}@{version}"
        direct = (key in direct_keys) if projects else None
        packages.append(Dependency(name, version, direct, key in dev_only, line, graph[key]))
    return Parsed(ECOSYSTEM, merge(packages), tuple(notes))


ANALYZER = Analyzer("python/uv-lock", 1, _required, _analyze)
