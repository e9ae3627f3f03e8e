"""python/pyproject: the dependencies a `pyproject.toml` declares.

Read: PEP 621 `[project] dependencies` and `optional-dependencies`, PEP 735 `[dependency-groups]`, Poetry's
`[tool.poetry.dependencies]`, `[tool.poetry.dev-dependencies]` and `[tool.poetry.group.<g>.dependencies]`, and
the legacy `[tool.pdm.dev-dependencies]` and `[tool.uv] dev-dependencies`.
A manifest declares what may be installed, not what is. An exact pin (`==1.2`, `===1.2`; for Poetry also a
bare `1.2` or `=1.2`) is a package. A declared range is checked at its lowest allowed version (`>=1.2`,
Poetry `^1.2` → 1.2, with a note saying so: the range lets that version in) unless a lockfile sits beside
the manifest (poetry.lock, uv.lock, pdm.lock, pylock.toml, Pipfile.lock): the lockfile then says what is
installed, and the range is only a note. A missing version, a URL/git/path source and dynamic dependencies
are notes. The project itself is not a package. Everything is direct; dev is a dependency group,
a Poetry group other than "main", the legacy dev-dependencies tables, or an extra named dev/test/lint/docs.
"""

from __future__ import annotations

import re

from shiftsec.analyzers._guard import decode, guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed
from shiftsec.analyzers.python._common import (
    ECOSYSTEM,
    array,
    at,
    is_dev_word,
    line_of,
    lowest_allowed,
    merge,
    parse_toml,
    pinned,
    requirement,
    short,
    table,
    text,
)

_POETRY_EXACT = re.compile(r"(?:===?|=)?\s*(\d[^\s,*<>=!~^|]*)")
_POETRY_LOWEST = re.compile(r"(?:\^|~=?|>=?|<=?|==?)?\s*v?(\d[^\s,*<>=!~^|]*)")
LOCKFILES = ("poetry.lock", "uv.lock", "pdm.lock", "pylock.toml", "Pipfile.lock")
_POETRY_SOURCES = ("git", "path", "url", "file")


def _required(path: str) -> bool:
    return path.rpartition("/")[2] == "pyproject.toml"


class _Collector:
    def __init__(self, source: str, lockfile: str | None) -> None:
        self.source = source
        self.lockfile = lockfile  # a sibling lockfile: ranges are then left to it
        self.packages: list[Dependency] = []
        self.notes: list[str] = []

    def _range(self, name: str, spec: str, lowest: str | None, where: str, line: int | None, *, dev: bool) -> None:
        if self.lockfile is not None:
            self.notes.append(at(line, f"{where}: {name} {spec} is a range; {self.lockfile} says what is installed"))
        elif lowest is not None:
            self.packages.append(Dependency(name, lowest, direct=True, dev=dev, line=line))
            self.notes.append(at(line, f"{where}: {name} {spec} is a range, not a pin: checked at its lowest "
                                       f"allowed version {lowest}"))
        else:
            self.notes.append(at(line, f"{where}: {name} {spec} names no version to check — not matched"))

    def pep508(self, specs: object, where: str, *, dev: bool) -> None:
        """A PEP 508 list: `[project] dependencies`, an extra, a dependency group."""
        for raw in [] if specs is None else array(specs, where):
            if isinstance(raw, dict) and "include-group" in raw:  # PEP 735: the included group is read itself
                continue
            spec = text(raw, f"an entry of {where}")
            line = line_of(self.source, f'"{spec}"') or line_of(self.source, f"'{spec}'")
            parsed = requirement(spec)
            if parsed is None:
                self.notes.append(at(line, f"{where}: not a valid requirement: {short(spec)} — not matched"))
            elif parsed.url is not None:
                self.notes.append(at(line, f"{where}: URL requirement {short(spec)} — not matched"))
            elif (version := pinned(parsed.specifier)) is not None:
                self.packages.append(Dependency(parsed.name, version, direct=True, dev=dev, line=line))
            elif parsed.specifier:
                lowest = lowest_allowed(parsed.specifier)
                self._range(parsed.name, str(parsed.specifier), lowest, where, line, dev=dev)
            else:
                self.notes.append(at(line, f"{where}: {parsed.name} has no version — not matched"))

    def poetry(self, deps: object, header: str, *, dev: bool) -> None:
        """A Poetry table: name -> "constraint" | {version = ..., ...} | [{...}, ...]."""
        start = max(self.source.find(f"[{header}]"), 0)
        for name, value in table(deps, header).items():
            if name == "python":
                continue
            match = re.compile(rf"""^\s*["']?{re.escape(name)}["']?\s*=""", re.M).search(self.source, start)
            line = None if match is None else self.source.count("\n", 0, match.start()) + 1
            for constraint in value if isinstance(value, list) else [value]:
                self._poetry_one(name, constraint, header, line, dev=dev)

    def _poetry_one(self, name: str, constraint: object, header: str, line: int | None, *, dev: bool) -> None:
        if isinstance(constraint, dict):
            source = next((kind for kind in _POETRY_SOURCES if kind in constraint), None)
            if source is not None:
                where = short(str(constraint[source]))
                self.notes.append(at(line, f"{header}: {name} from {source} {where} — not matched"))
                return
            constraint = constraint.get("version", "")
        spec = text(constraint, f"the constraint of {name} in {header}").strip()
        exact = _POETRY_EXACT.fullmatch(spec)
        if exact is not None:
            self.packages.append(Dependency(name, exact.group(1), direct=True, dev=dev, line=line))
        elif spec:
            lowest = _POETRY_LOWEST.match(spec)
            self._range(name, short(spec), lowest.group(1) if lowest else None, header, line, dev=dev)
        else:
            self.notes.append(at(line, f"{header}: {name} has no version — not matched"))


@guarded
def _analyze(file: InputFile) -> Parsed:
    source = decode(file.data)
    doc = parse_toml(source)
    out = _Collector(source, next((name for name in LOCKFILES if file.read(name) is not None), None))
    project = table(doc.get("project", {}), "[project]")
    dynamic = project.get("dynamic", [])
    if isinstance(dynamic, list) and "dependencies" in dynamic:
        out.notes.append("[project] dependencies are dynamic (set by the build backend) — not read")
    out.pep508(project.get("dependencies"), "[project] dependencies", dev=False)
    for extra, specs in table(project.get("optional-dependencies", {}), "[project.optional-dependencies]").items():
        out.pep508(specs, f"extra {extra}", dev=is_dev_word(extra))
    for group, specs in table(doc.get("dependency-groups", {}), "[dependency-groups]").items():
        out.pep508(specs, f"group {group}", dev=True)
    tool = table(doc.get("tool", {}), "[tool]")
    for group, specs in table(table(tool.get("pdm", {}), "[tool.pdm]").get("dev-dependencies", {}),
                              "[tool.pdm.dev-dependencies]").items():
        out.pep508(specs, f"pdm dev group {group}", dev=True)
    out.pep508(table(tool.get("uv", {}), "[tool.uv]").get("dev-dependencies"), "uv dev-dependencies", dev=True)
    poetry = table(tool.get("poetry", {}), "[tool.poetry]")
    if "dependencies" in poetry:
        out.poetry(poetry["dependencies"], "tool.poetry.dependencies", dev=False)
    if "dev-dependencies" in poetry:
        out.poetry(poetry["dev-dependencies"], "tool.poetry.dev-dependencies", dev=True)
    for group, body in table(poetry.get("group", {}), "[tool.poetry.group]").items():
        deps = table(body, f"[tool.poetry.group.{group}]").get("dependencies", {})
        out.poetry(deps, f"tool.poetry.group.{group}.dependencies", dev=group != "main")
    return Parsed(ECOSYSTEM, merge(out.packages), tuple(out.notes))


ANALYZER = Analyzer("python/pyproject", 1, _required, _analyze)
