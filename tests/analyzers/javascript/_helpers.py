"""Helpers for the JavaScript analyzer tests: where fixtures live, how to run an analyzer on one, and a
compact view of the result to compare against."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Analyzer, InputFile, Parsed, ParseError
from tests.analyzers.expected import input_file
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"

# the fixture folder names mix the project's and osv-scalibr's spelling; keep both in one place
SHARED_FOLDERS = {
    "javascript/package-lock": "packagelockjson",
    "javascript/yarn-lock": "yarnlock",
    "javascript/pnpm-lock": "pnpmlock",
    "javascript/bun-lock": "bunlock",
}

# (direct, dev, sorted depends_on) per "name@version"
Row = tuple[bool | None, bool, tuple[str, ...]]


def shared_fixture(analyzer: Analyzer, name: str) -> tuple[Path, Path]:
    """(file, root) of an osv-scalibr fixture for `analyzer`, read in place."""
    root = shared("lockfiles", "osv-scalibr", "language", "javascript", SHARED_FOLDERS[analyzer.name])
    return root / "testdata" / name, root


def run(analyzer: Analyzer, path: Path, root: Path | None = None) -> Parsed:
    return analyzer.analyze(input_file(path, root or path.parent))


def run_bytes(analyzer: Analyzer, name: str, data: bytes) -> Parsed:
    return analyzer.analyze(InputFile(name, data))


def table(parsed: Parsed) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for dep in parsed.packages:
        assert dep.key not in out, f"{dep.key} reported twice"
        out[dep.key] = (dep.direct, dep.dev, tuple(sorted(dep.depends_on)))
    return out


def names(parsed: Parsed) -> set[tuple[str, str]]:
    return {(dep.name, dep.version) for dep in parsed.packages}


def assert_broken(analyzer: Analyzer, name: str, data: bytes) -> str:
    """The analyzer rejects `data` with a one-line ParseError (never another exception); returns the reason."""
    with pytest.raises(ParseError) as caught:
        analyzer.analyze(InputFile(name, data))
    reason = str(caught.value)
    assert reason and "\n" not in reason
    return reason


# inputs every analyzer must refuse cleanly: (id, bytes)
JUNK: list[tuple[str, bytes]] = [
    ("binary", bytes(range(256)) * 20),
    ("nul-bytes", b"\x00" * 64),
    ("latin-1", "caf\xe9: 1\n".encode("latin-1")),
    ("one-50MB-line", b"a" * 50_000_000),
    ("deep-brackets", b"[" * 200_000),
    ("deep-objects", b'{"a":' * 200_000),
    ("deep-block-sequence", b"- " * 200_000),
]
