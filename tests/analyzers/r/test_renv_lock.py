"""r/renv-lock: osv-scalibr's renv.lock fixtures in place, a hand-made lock of every source, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.r.renv_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "r", "renvlock", "testdata", name)
    return ANALYZER.analyze(InputFile("renv.lock", path.read_bytes()))


@pytest.mark.parametrize(("path", "wanted"), [
    ("renv.lock", True), ("analysis/renv.lock", True), ("renv/activate.R", False), ("Renv.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected", "notes"), [
    ("empty.lock", set(), ()),
    ("one-package.lock", {"morning@0.1.0"}, ()),
    ("two-packages.lock", {"markdown@1.0", "mime@0.7"}, ()),
    ("with-mixed-sources.lock", {"markdown@1.0"}, ("mime 0.12.1 comes from GitHub, not CRAN",)),
    ("with-bioconductor.lock", {"BH@1.75.0-0"}, ("BSgenome 1.60.0 comes from Bioconductor",)),
    ("without-repository.lock", set(), ("morning 0.1.0 names no repository",)),
])
def test_scalibr_fixtures(fixture: str, expected: set[str], notes: tuple[str, ...]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "CRAN"
    assert {dep.key for dep in parsed.packages} == expected
    assert parsed.notes == notes


def test_sources_and_requirements() -> None:
    parsed = ANALYZER.analyze(InputFile("renv.lock", (Path(__file__).parent / "fixtures" / "renv.lock").read_bytes()))
    assert {dep.key: dep.depends_on for dep in parsed.packages} == {
        "jsonlite@1.8.7": (),  # methods ships with R
        "httr@1.4.7": ("curl@5.0.2", "jsonlite@1.8.7"),  # mime is from GitHub, R6 absent
        "curl@5.0.2": (),
    }
    assert all(dep.direct is None for dep in parsed.packages)
    assert parsed.notes == (
        "mime 0.12.1 comes from GitHub, not CRAN",
        "Biobase 2.60.0 comes from Bioconductor",
        "internal 0.1.0 comes from the repository CORP, not CRAN",
        "mystery 1.0.0 names no repository",
        "broken has no version",
    )


JUNK = [
    pytest.param(b"this is not json!", id="not-json"),
    pytest.param(b"null", id="null"),
    pytest.param(b'{"Packages": []}', id="packages-not-object"),
    pytest.param(b'{"Packages": {"a": "1.0"}}', id="entry-not-object"),
    pytest.param(b'{"Packages": {"a": {"Version": 1.0, "Repository": "CRAN"}}}', id="version-not-string"),
    pytest.param(b'{"Packages": {"a": {"Version": "1", "Repository": "CRAN", "Requirements": "b"}}}',
                 id="requirements-not-array"),
    pytest.param(b'{"Packages": {"a": {"Version": "1", "Repository": ["CRAN"]}}}', id="repository-not-string"),
    pytest.param(b'{"Packages": {"a": {"Version": "1.0"', id="truncated"),
    pytest.param(b"\x1f\x8b\x08\x00\x00\x00", id="binary"),
    pytest.param(b'{"a": "' + b"x" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("renv.lock", data))
    assert "\n" not in str(caught.value)


def test_not_json_fixture() -> None:
    with pytest.raises(ParseError):
        _scalibr("not-json.txt")
