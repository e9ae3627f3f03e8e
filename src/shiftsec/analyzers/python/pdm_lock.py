"""python/pdm-lock: `pdm.lock` (PDM's TOML lockfile).

Every `[[package]]` with a version is a package (PyPI, git, path or URL sourced alike); one without a version
is a note. PDM writes a package once more per requested extra (`extras = [...]`): those entries merge into
one. `dev` is a `groups` list without "default" whose groups are all development groups: those the sibling
pyproject.toml declares as such (`[tool.pdm.dev-dependencies]`, `[dependency-groups]`) and any group named
dev/test/lint/docs; another optional-dependency group is not dev. `dependencies` (PEP 508 strings)
become `depends_on`; `direct` comes from the sibling pyproject.toml and stays None without one.
"""

from __future__ import annotations

from typing import Any

from shiftsec.analyzers._guard import decode, guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed
from shiftsec.analyzers.python._common import (
    ECOSYSTEM,
    Declared,
    Resolver,
    canon,
    declared,
    is_dev_word,
    locked_packages,
    merge,
    parse_toml,
    requirement,
    strings,
)


def _required(path: str) -> bool:
    return path.rpartition("/")[2] == "pdm.lock"


def _is_dev(entry: dict[str, Any], name: str, project: Declared | None) -> bool:
    groups = strings(entry.get("groups", []), f"the groups of {name}")
    if not groups or "default" in groups:
        return False
    dev_groups = project.dev_groups if project is not None else frozenset()
    return all(is_dev_word(group) or canon(group) in dev_groups for group in groups)


def _depends(entry: dict[str, Any], name: str, resolver: Resolver) -> tuple[str, ...]:
    keys: list[str] = []
    for spec in strings(entry.get("dependencies", []), f"the dependencies of {name}"):
        parsed = requirement(spec)
        if parsed is not None:
            keys.extend(resolver.keys(parsed.name, specifier=str(parsed.specifier)))
    return tuple(dict.fromkeys(keys))


@guarded
def _analyze(file: InputFile) -> Parsed:
    source = decode(file.data)
    locked, notes = locked_packages(source, parse_toml(source))
    resolver = Resolver((name, version) for name, version, _, _ in locked)
    project = declared(file)
    packages = [
        Dependency(name, version, None if project is None else canon(name) in project.names,
                   _is_dev(entry, name, project), line, _depends(entry, name, resolver))
        for name, version, entry, line in locked
    ]
    return Parsed(ECOSYSTEM, merge(packages), tuple(notes))


ANALYZER = Analyzer("python/pdm-lock", 1, _required, _analyze)
