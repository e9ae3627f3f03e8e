"""package-lock.json lockfileVersion 1: the nested `dependencies` tree (part of `javascript/package-lock`).

Each entry's key is the folder name under `node_modules`; its own `dependencies` are the packages nested
in its `node_modules`. Versions: `npm:<name>@<version>` is an alias (the real name is reported); a
`file:` version or a git URL pinned to a commit has no registry version, so the version is "" (as
osv-scalibr reports it) and a note says where it comes from.

Edges: each name in an entry's `requires` resolves as Node does: the entry's own nested `dependencies`,
then its siblings, then each enclosing level up to the top. `dev` is the entry's `dev` flag; v1 does not
record what the project asks for, so `direct` comes from the sibling `package.json` (None without one).

The tree is walked with an explicit stack, so a deeply nested file cannot exhaust Python's recursion.
"""

from __future__ import annotations

from collections.abc import Iterator

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.javascript._common import (
    ECOSYSTEM,
    KeyLines,
    as_dict,
    manifest_names,
    opt_bool,
    opt_str,
    source_note,
    source_of,
    str_map,
)
from shiftsec.analyzers.javascript._graph import Graph


class _Scope:
    """One `node_modules` folder: the entries directly in it (name -> key) and the folder above."""

    __slots__ = ("children", "parent")

    def __init__(self, parent: _Scope | None) -> None:
        self.children: dict[str, str] = {}
        self.parent = parent


def _name_version(name: str, version: str, notes: list[str]) -> tuple[str, str]:
    if version.startswith("npm:"):
        at = version.rfind("@")
        if at > 4:
            name, version = version[4:at], version[at + 1 :]
    kind = source_of(version)
    if kind is not None:
        notes.append(source_note(name, version, kind, ""))
        return name, ""
    return name, version


def parse(dependencies: dict[str, object], file: InputFile, manifest: str) -> Parsed:
    graph = Graph()
    notes: list[str] = []
    lines = KeyLines(file.data)
    top = _Scope(None)
    placed: list[tuple[str, dict[str, object], _Scope, str]] = []  # (key, entry, own scope, where)
    stack: list[tuple[_Scope, Iterator[tuple[str, object]], str]] = [(top, iter(dependencies.items()), "dependencies")]
    while stack:
        scope, items, prefix = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            continue
        folder, raw = item
        where = f"{prefix}[{folder!r}]"
        entry = as_dict(raw, where)
        name, version = _name_version(folder, opt_str(entry, "version", where) or "", notes)
        if not version and "version" not in entry:
            notes.append(f"{name}: no version recorded")
        key = graph.add(name, version, lines.find(folder, 0x7B), opt_bool(entry, "dev", where))
        scope.children[folder] = key
        own = _Scope(scope)
        placed.append((key, entry, own, where))
        nested = entry.get("dependencies")
        if nested is not None:
            inner = f"{where}.dependencies"
            stack.append((own, iter(as_dict(nested, inner).items()), inner))

    for key, entry, own, where in placed:
        for dep in str_map(entry, "requires", where):
            level: _Scope | None = own
            while level is not None:
                target = level.children.get(dep)
                if target is not None:
                    graph.edge(key, target)
                    break
                level = level.parent

    names = manifest_names(file, manifest, notes)
    if names is not None:
        graph.roots_known = True
        for dev, deps in enumerate(names):
            for dep in deps:
                target = top.children.get(dep)
                if target is not None:
                    graph.root(target, dev=bool(dev))
    return Parsed(ECOSYSTEM, graph.dependencies(), tuple(dict.fromkeys(notes)))
