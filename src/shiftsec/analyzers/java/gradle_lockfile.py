"""Gradle dependency lock files: `gradle.lockfile` and `buildscript-gradle.lockfile`.

Owns: "group:artifact:version=configuration,..." lines (a package each; when every configuration is a test
one, such as `testRuntimeClasspath` or `androidTestDebugCompileClasspath`, it is dev), the `empty=` line
(configurations without dependencies: skipped), `#` comments, and lines of any other shape (a note each).
Lines without "=" (the older one-file-per-configuration format) are read the same way. The file has no
direct/transitive distinction and no edges.
"""

from __future__ import annotations

import posixpath
import re

from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_NAMES = frozenset({"gradle.lockfile", "buildscript-gradle.lockfile"})
_MAX_LINE = 8192  # a coordinate plus its configurations; anything longer is not a lockfile
_TEST_CONFIGURATION = re.compile(r"(?:^test|Test)(?:[A-Z0-9]|$)")
_COORDINATE_PART = re.compile(r"[^\s:=,]+")


def _required(path: str) -> bool:
    return posixpath.basename(path) in _NAMES


def _analyze(file: InputFile) -> Parsed:
    if b"\x00" in file.data:
        raise ParseError("binary content (NUL bytes), not a Gradle lockfile")
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from None
    found: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if len(raw) > _MAX_LINE:
            raise ParseError(f"line {number} is {len(raw)} characters long, not a Gradle lockfile")
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        coordinate, _, configurations = line.partition("=")
        if coordinate.strip() == "empty":
            continue
        parts = coordinate.strip().split(":")
        if len(parts) != 3 or not all(_COORDINATE_PART.fullmatch(p) for p in parts):
            notes.append(f"line {number}: not a group:artifact:version entry: {line[:80]!r}")
            continue
        group, artifact, version = parts
        names = [c.strip() for c in configurations.split(",") if c.strip()]
        dev = bool(names) and all(_TEST_CONFIGURATION.search(c) for c in names)
        key = (f"{group}:{artifact}", version)
        old = found.get(key)
        if old is None:
            found[key] = Dependency(key[0], version, dev=dev, line=number)
        elif old.dev and not dev:
            found[key] = Dependency(key[0], version, dev=False, line=old.line)
    return Parsed("Maven", tuple(found.values()), tuple(notes))


ANALYZER = Analyzer(name="java/gradle-lockfile", version=1, required=_required, analyze=_analyze)
