"""haskell/cabal-freeze: osv-scalibr's cabal.project.freeze fixtures in place, a hand-made one, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.haskell.cabal_freeze import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "haskell", "cabal", "testdata", name)
    return ANALYZER.analyze(InputFile("cabal.project.freeze", path.read_bytes()))


@pytest.mark.parametrize(("path", "wanted"), [
    ("cabal.project.freeze", True), ("pkg/cabal.project.freeze", True), ("cabal.project", False),
    ("cabal.project.local", False), ("x.cabal", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected", "notes"), [
    ("valid", {("AC-Angle@1.0", 1), ("ALUT@2.4.0.3", 2), ("ANum@0.2.0.2", 3), ("Agda@2.6.4.3", 4),
               ("Allure@0.11.0.0", 6)}, ()),  # line 5 sets a flag
    ("valid_2", {("AC-Angle@1.0", 3), ("ANum@0.2.0.2", 5), ("Agda@2.6.4.3", 6), ("Allure@0.11.0.0", 8)},
     ("line 4: 'foo ==2.4.0.3' is not an `any.` pin",)),
    ("invalid", set(), ()),
])
def test_scalibr_fixtures(fixture: str, expected: set[tuple[str, int]], notes: tuple[str, ...]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Hackage"
    assert {(dep.key, dep.line) for dep in parsed.packages} == expected
    assert parsed.notes == notes


def test_fields_flags_and_scopes() -> None:
    path = Path(__file__).parent / "fixtures" / "cabal.project.freeze"
    parsed = ANALYZER.analyze(InputFile("cabal.project.freeze", path.read_bytes()))
    assert {dep.key for dep in parsed.packages} == {"aeson@2.2.1.0", "base@4.18.1.0", "text@2.0.2", "vector@0.13.1.0"}
    assert all(dep.direct is None for dep in parsed.packages)
    assert parsed.notes == ("line 7: 'setup.Cabal ==3.10.2.0' is not an `any.` pin",)


def test_empty() -> None:
    assert ANALYZER.analyze(InputFile("cabal.project.freeze", b"")) == Parsed("Hackage", ())


JUNK = [
    pytest.param(b"constraints: any.a ==1.0,\n\xff\xfe", id="binary"),
    pytest.param(b"constraints: any.a ==1.0\x00", id="nul"),
    pytest.param(b"constraints: " + b"x" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(InputFile("cabal.project.freeze", data))
