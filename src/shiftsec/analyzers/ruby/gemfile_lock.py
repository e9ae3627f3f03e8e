"""Gemfile.lock (and gems.locked): the gems Bundler resolved, from every source section.

Owns the lockfile layout: unindented section names; in the source sections (GEM, GIT, PATH, PLUGIN SOURCE)
a spec `name (version[-platform])` at four spaces, its own dependencies at six (`depends_on`); the
DEPENDENCIES section (two spaces, `name (constraints)` or `name!`) listing what the Gemfile asks for, which
sets `direct` (None when the file has no DEPENDENCIES section). The platform suffix of a version
(`1.13.3-x86_64-linux`) is dropped, as RubyGems advisories name the version alone; the same gem built for
several platforms is one package. A spec without a version is a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_MAX_LINE = 1 << 20
_SOURCES = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE"})
_SPEC = re.compile(r"(?P<name>.*?)(?: \((?P<version>[^-)]*)(?:-[^)]*)?\))?!?")
_NAME = re.compile(r"(?P<name>[^\s(!]+)")


@dataclass
class _Spec:
    name: str
    version: str
    line: int
    requires: list[str] = field(default_factory=list)


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] in ("Gemfile.lock", "gems.locked")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    if "\x00" in text:
        raise ParseError("binary content")
    specs: list[_Spec] = []
    wanted: set[str] | None = None
    notes: list[str] = []
    section: str | None = None
    current: _Spec | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > _MAX_LINE:
            raise ParseError(f"line {number} is longer than {_MAX_LINE} characters")
        if not line.strip():
            continue
        indent = _indent(line)
        if indent == 0:
            section, current = line.strip(), None
            if section == "DEPENDENCIES":
                wanted = set() if wanted is None else wanted
            continue
        if section is None:
            raise ParseError(f"line {number}: an indented line before any section")
        if section == "DEPENDENCIES" and indent == 2 and wanted is not None:
            match = _NAME.match(line.strip())
            if match:
                wanted.add(match["name"])
        elif section in _SOURCES and indent == 4:
            found = _SPEC.fullmatch(line.strip())
            if found is None or not found["name"] or not found["version"]:
                notes.append(f"line {number}: gem {line.strip()[:80]!r} has no version")
                current = None
            else:
                current = _Spec(found["name"], found["version"], number)
                specs.append(current)
        elif section in _SOURCES and indent == 6 and current is not None:
            match = _NAME.match(line.strip())
            if match:
                current.requires.append(match["name"])

    versions: dict[str, str] = {}
    for spec in specs:
        versions.setdefault(spec.name, spec.version)
    packages: dict[tuple[str, str], Dependency] = {}
    for spec in specs:
        if (spec.name, spec.version) in packages:
            continue  # the same gem for another platform
        depends_on = tuple(dict.fromkeys(f"{name}@{versions[name]}" for name in spec.requires if name in versions))
        direct = None if wanted is None else spec.name in wanted
        packages[(spec.name, spec.version)] = Dependency(spec.name, spec.version, direct=direct, line=spec.line,
                                                        depends_on=depends_on)
    return Parsed("RubyGems", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "Gemfile.lock")


ANALYZER = Analyzer(name="ruby/gemfile-lock", version=1, required=_required, analyze=analyze)
