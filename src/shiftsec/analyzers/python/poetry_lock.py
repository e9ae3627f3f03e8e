"""python/poetry-lock: `poetry.lock` (lock format 1.x and 2.x).

Every `[[package]]` with a name and a version is a package, whatever its source (PyPI, a legacy index, git,
a path); one without a version is a note. `dev` is the 1.x `category = "dev"`, or, in 2.x, a `groups` list
without "main". `[package.dependencies]` (name -> constraint, table or list of tables) becomes `depends_on`:
the locked packages of that name, narrowed by the constraint when several versions are locked and the
constraint is plain PEP 440. `direct` comes from the sibling pyproject.toml (`[tool.poetry.*dependencies]`,
`[project]`, dependency groups) and stays None without one.
"""

from __future__ import annotations

from typing import Any

from shiftsec.analyzers._guard import decode, guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed
from shiftsec.analyzers.python._common import (
    ECOSYSTEM,
    Resolver,
    canon,
    declared,
    locked_packages,
    merge,
    parse_toml,
    table,
    text,
)


def _required(path: str) -> bool:
    return path.rpartition("/")[2] == "poetry.lock"


def _is_dev(entry: dict[str, Any], where: str) -> bool:
    category = entry.get("category")
    if category is not None:
        return text(category, f"{where} category") == "dev"
    groups = entry.get("groups")
    if isinstance(groups, list) and groups:
        return "main" not in groups
    return False


def _constraints(value: object) -> list[str | None]:
    """The version constraint of each way a `[package.dependencies]` value can be written."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        version = value.get("version")
        return [version if isinstance(version, str) else None]
    if isinstance(value, list):
        return [c for item in value for c in _constraints(item)]
    return [None]


@guarded
def _analyze(file: InputFile) -> Parsed:
    source = decode(file.data)
    locked, notes = locked_packages(source, parse_toml(source))
    resolver = Resolver((name, version) for name, version, _, _ in locked)
    project = declared(file)
    packages: list[Dependency] = []
    for name, version, entry, line in locked:
        depends: list[str] = []
        for dep_name, constraint in table(entry.get("dependencies", {}), f"the dependencies of {name}").items():
            for specifier in _constraints(constraint):
                depends.extend(resolver.keys(dep_name, specifier=specifier))
        direct = None if project is None else canon(name) in project.names
        packages.append(Dependency(name, version, direct, _is_dev(entry, name), line, tuple(dict.fromkeys(depends))))
    return Parsed(ECOSYSTEM, merge(packages), tuple(notes))


ANALYZER = Analyzer("python/poetry-lock", 1, _required, _analyze)
