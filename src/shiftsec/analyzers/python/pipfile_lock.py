"""python/pipfile-lock: `Pipfile.lock` (pipenv's JSON lockfile).

Entries of the `default` and `develop` sections are packages at their `"version": "==x"` (the `==` dropped);
`develop` ones are dev, and a package locked identically in both sections counts once, as not dev. An entry
without a version (a git, path or file requirement, usually editable) is a note. `direct` comes from the
sibling `Pipfile` (`[packages]`, `[dev-packages]`) and stays None without one; the lockfile records no
dependency edges. An empty file holds no packages.
"""

from __future__ import annotations

import re

from shiftsec.analyzers._guard import decode, guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.python._common import (
    ECOSYSTEM,
    at,
    canon,
    load_toml,
    merge,
    parse_json,
    short,
    table,
    text,
)

_SECTIONS = (("default", False), ("develop", True))
_SOURCES = ("git", "path", "file", "hg", "svn", "bzr")


def _required(path: str) -> bool:
    return path.rpartition("/")[2] == "Pipfile.lock"


def _pipfile_names(file: InputFile) -> frozenset[str] | None:
    """Canonical names the sibling Pipfile asks for, or None when there is none or it cannot be read."""
    data = file.read("Pipfile")
    if data is None:
        return None
    try:
        doc = load_toml(data)
    except (ParseError, RecursionError):
        return None
    names: set[str] = set()
    for section in ("packages", "dev-packages"):
        value = doc.get(section)
        if isinstance(value, dict):
            names.update(canon(name) for name in value)
    return frozenset(names)


class _Lines:
    """Line of each `"name": {` in turn, searching on from the previous one (entries come in file order), so
    the whole file is scanned about once. Best effort: a minified file is all line 1."""

    def __init__(self, source: str, section: str) -> None:
        self.source = source
        key = re.search(rf'"{section}"\s*:\s*\{{', source)
        self.at = -1 if key is None else key.end()
        self.line = 1 if key is None else source.count("\n", 0, self.at) + 1

    def find(self, name: str) -> int | None:
        if self.at < 0:
            return None
        match = re.compile(rf'"{re.escape(name)}"\s*:\s*\{{').search(self.source, self.at)
        if match is None:
            return None
        self.line += self.source.count("\n", self.at, match.start())
        self.at = match.start()
        return self.line


@guarded
def _analyze(file: InputFile) -> Parsed:
    source = decode(file.data)
    if not source.strip():
        return Parsed(ECOSYSTEM, ())
    doc = table(parse_json(source), "the document")
    direct_names = _pipfile_names(file)
    packages: list[Dependency] = []
    notes: list[str] = []
    for section, dev in _SECTIONS:
        entries = table(doc.get(section, {}), f'"{section}"')
        lines = _Lines(source, section)
        for name, raw in entries.items():
            entry = table(raw, f"{section} entry {short(name)}")
            line = lines.find(name)
            version = entry.get("version")
            if version is None:
                origin = next((f"from {kind} {short(str(entry[kind]))}" for kind in _SOURCES if kind in entry),
                              "without a version")
                notes.append(at(line, f"{section} {name} {origin} — not matched"))
                continue
            version = text(version, f"the version of {name}")
            if not version.startswith("=="):
                notes.append(at(line, f"{section} {name} {short(version)} is not a pinned version — not matched"))
                continue
            direct = None if direct_names is None else canon(name) in direct_names
            packages.append(Dependency(name, version.lstrip("="), direct, dev, line))
    return Parsed(ECOSYSTEM, merge(packages), tuple(notes))


ANALYZER = Analyzer("python/pipfile-lock", 1, _required, _analyze)
