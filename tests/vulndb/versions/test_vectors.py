"""Acceptance: every comparison vector of the shared OSV corpora holds through `versions.parse`.

Each non-empty line that is not a `//` or `#` comment is `A <op> B` with op `<`, `=` or `>`, and
becomes one test case with the id `<file>:<line>` (plus the ecosystem when one file is run under
several).  Both directions are checked, as well as that `==` agrees with `hash`.

The few lines believed wrong are strict xfails, each with its reason (see `_WRONG`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shiftsec.vulndb import versions
from tests.conftest import shared

_SCALIBR = ("versions", "osv-scalibr")
_OSV_DEV = ("versions", "osv.dev", "osv", "ecosystems", "testdata")

# (path parts, short name for the test id, ecosystems the file is run under)
_FILES: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    ((*_SCALIBR, "alpine-versions.txt"), "alpine", ("Alpine",)),
    ((*_SCALIBR, "cran-versions.txt"), "cran", ("CRAN",)),
    ((*_SCALIBR, "debian-versions.txt"), "debian", ("Debian",)),
    ((*_SCALIBR, "hackage-versions.txt"), "hackage", ("Hackage",)),
    ((*_SCALIBR, "maven-versions.txt"), "maven", ("Maven",)),
    ((*_SCALIBR, "nuget-versions.txt"), "nuget", ("NuGet",)),
    ((*_SCALIBR, "packagist-versions.txt"), "packagist", ("Packagist",)),
    ((*_SCALIBR, "pub-versions.txt"), "pub", ("Pub",)),
    ((*_SCALIBR, "pypi-versions.txt"), "pypi", ("PyPI",)),
    ((*_SCALIBR, "redhat-versions.txt"), "redhat", ("Red Hat",)),
    ((*_SCALIBR, "rubygems-versions.txt"), "rubygems", ("RubyGems",)),
    ((*_SCALIBR, "semver-versions.txt"), "semver", ("npm", "Go", "crates.io")),
    ((*_OSV_DEV, "packagist_test_cases.txt"), "osv.dev-packagist", ("Packagist",)),
)

# Vector lines believed wrong: (short name, line) -> reason.
# Alpine: current apk-tools (2.14, 3.x) orders each of these the way this package does, and
# osv-scalibr has since changed three of them (15, 24, 40) in its own copy of the file to match.
# Maven: the line encodes osv.dev's reading of the POM spec, where Maven itself disagrees.
_WRONG: dict[tuple[str, int], str] = {
    ("maven", 100): (
        "Maven's ComparableVersion (3.9) parses 1-ga-1 as [1, [ga, [1]]] and 1-1 as [1, [1]]: the "
        "qualifier ga meets the number 1 and a qualifier sorts below a number, so 1-ga-1 < 1-1; only "
        "osv.dev's token reading of the spec trims the inner 'ga' and makes them equal"
    ),
    ("alpine", 15): (
        "apk: '0.r1' is 0, an empty number, then the letter r; '0r2' is 0 then the letter r: a number "
        "token before a letter token makes '0.r1' the newer (osv-scalibr's current fixture: 0.r1 > 0r2)"
    ),
    ("alpine", 24): (
        "apk: after 0.8.21, '.r2' continues with a number token and 'r2' with a letter token, so "
        "0.8.21.r2 is the newer (osv-scalibr's current fixture: 0.8.21.r2 > 0.8.21r2)"
    ),
    ("alpine", 40): (
        "apk 2.14/3: '1-ruff' has a revision token where '1' ends, and the end of the string sorts "
        "older than a revision, so 1 < 1-ruff (osv-scalibr's current fixture: 1 < 1-ruff)"
    ),
    ("alpine", 47): (
        "the file's own comment says '<' on one apk line and '>' on the other, never '='; apk 2.14 "
        "reads '1-ruff2' as 1, revision 0, junk and '1--ruff1' as 1, junk: junk at the earlier "
        "position is older, so 1-ruff2 > 1--ruff1"
    ),
}

_EXPECTED = {"<": -1, "=": 0, ">": 1}


def _lines() -> list[tuple[str, int, str, str, str]]:
    """(short name, line number, left, op, right) for every vector line of every file."""
    lines = []
    for parts, name, _ in _FILES:
        path: Path = shared(*parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.strip()
            if text and not text.startswith(("//", "#")):
                left, op, right = text.split(" ")
                lines.append((name, number, left, op, right))
    return lines


def _vectors() -> list[Any]:
    ecosystems_of = {name: ecosystems for _, name, ecosystems in _FILES}
    params: list[Any] = []
    for name, number, left, op, right in _lines():
        ecosystems = ecosystems_of[name]
        for ecosystem in ecosystems:
            test_id = f"{name}:{number}" if len(ecosystems) == 1 else f"{name}-{ecosystem}:{number}"
            marks = []
            if (name, number) in _WRONG:
                marks.append(pytest.mark.xfail(strict=True, reason=_WRONG[(name, number)]))
            params.append(pytest.param(ecosystem, left, op, right, id=test_id, marks=marks))
    return params


@pytest.mark.parametrize(("ecosystem", "left", "op", "right"), _vectors())
def test_vector(ecosystem: str, left: str, op: str, right: str) -> None:
    a, b = versions.parse(ecosystem, left), versions.parse(ecosystem, right)
    expected = _EXPECTED[op]
    assert (a.cmp(b), b.cmp(a)) == (expected, -expected), f"{left} {op} {right}"
    assert (a < b, a == b, a > b) == (expected < 0, expected == 0, expected > 0)
    if expected == 0:
        assert hash(a) == hash(b)


def test_every_vector_file_has_vectors_and_wrong_lines_exist() -> None:
    lines = _lines()
    per_file = {name: sum(1 for line in lines if line[0] == name) for _, name, _ in _FILES}
    assert all(per_file.values()), per_file
    assert set(_WRONG) <= {(name, number) for name, number, *_ in lines}
