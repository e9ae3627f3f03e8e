"""haskell/stack-lock: osv-scalibr's stack.yaml.lock fixtures in place, a hand-made lock, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.haskell.stack_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "haskell", "stacklock", "testdata", name)
    return ANALYZER.analyze(InputFile("stack.yaml.lock", path.read_bytes()))


@pytest.mark.parametrize(("path", "wanted"), [
    ("stack.yaml.lock", True), ("pkg/stack.yaml.lock", True), ("stack.yaml", False), ("stack.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected"), [
    ("valid", {("fuzzyset@0.2.4", 7), ("hasql-pool@1.0.1", 14), ("jose-jwt@0.10.0", 21),
               ("postgresql-libpq@0.10.1.0", 28)}),
    ("invalid", set()),  # "packages:" with nothing under it
])
def test_scalibr_fixtures(fixture: str, expected: set[tuple[str, int]]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Hackage"
    assert {(dep.key, dep.line) for dep in parsed.packages} == expected
    assert parsed.notes == ()


def test_entry_kinds() -> None:
    path = Path(__file__).parent / "fixtures" / "stack.yaml.lock"
    parsed = ANALYZER.analyze(InputFile("stack.yaml.lock", path.read_bytes()))
    assert [dep.key for dep in parsed.packages] == ["acme-missiles@0.3", "text@2.0.2"]
    assert parsed.notes == (
        "line 14: a package that does not come from Hackage",
        "line 23: hackage 'not-a-version@sha256:abc' names no package version",
        "line 27: a package that was never completed",
    )


@pytest.mark.parametrize("data", [b"", b"# only a comment\n", b"snapshots: []\n"])
def test_nothing_pinned(data: bytes) -> None:
    assert ANALYZER.analyze(InputFile("stack.yaml.lock", data)) == Parsed("Hackage", ())


JUNK = [
    pytest.param(b"- a\n- b\n", id="not-a-mapping"),
    pytest.param(b"packages: {a: b}\n", id="packages-not-list"),
    pytest.param(b"packages:\n- a-1.0\n", id="entry-not-mapping"),
    pytest.param(b"packages:\n- completed: a-1.0\n", id="completed-not-mapping"),
    pytest.param(b"packages:\n- completed:\n    hackage: [a-1.0]\n", id="hackage-not-string"),
    pytest.param(b"packages:\n- completed:\n    hackage: 'a-1.0", id="truncated"),
    pytest.param(b"[" * 1_000_000, id="deep-flow-nesting"),
    pytest.param(b"packages:\n- \xff\xfe\x00", id="binary"),
    pytest.param(b"packages: " + b"x" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("stack.yaml.lock", data))
    assert "\n" not in str(caught.value)
