"""Input files for the python analyzer tests: hand-made fixtures, the shared osv-scalibr corpus, or bytes."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from tests.analyzers.expected import input_file
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"

# Inputs every analyzer must refuse with a ParseError (binary junk, another encoding, one huge line).
JUNK: dict[str, bytes] = {
    "binary": bytes(range(256)) * 4,
    "latin-1": "name = \"caf\xe9\"\n".encode("latin-1"),
    "huge line": b"x" * 2_000_000,
}


def fixture(relative: str) -> InputFile:
    """A file under fixtures/, scanned from its first folder (so its siblings there are readable)."""
    top = relative.split("/", maxsplit=1)[0]
    return input_file(FIXTURES / relative, FIXTURES / top)


def scalibr(extractor: str, name: str) -> InputFile:
    """An osv-scalibr test file, read in place: `scalibr("poetrylock", "one-package.lock")`."""
    root = shared("lockfiles", "osv-scalibr", "language", "python", extractor)
    return input_file(root / "testdata" / name, root)


def memory(path: str, data: bytes | str, siblings: Mapping[str, bytes | str] | None = None) -> InputFile:
    """A file held in memory; `siblings` maps other paths (relative to the same root) to their contents."""
    files = {key: value.encode() if isinstance(value, str) else value for key, value in (siblings or {}).items()}
    folder = posixpath.dirname(path)

    def read(relative: str) -> bytes | None:
        return files.get(posixpath.normpath(posixpath.join(folder, relative)))

    return InputFile(path, data.encode() if isinstance(data, str) else data, read)


def pairs(parsed: Parsed) -> set[tuple[str, str]]:
    return {(p.name, p.version) for p in parsed.packages}


def by_key(parsed: Parsed) -> dict[str, Dependency]:
    return {p.key: p for p in parsed.packages}
