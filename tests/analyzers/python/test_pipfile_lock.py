"""python/pipfile-lock: default/develop sections, the == prefix, notes for unversioned entries."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, ParseError
from shiftsec.analyzers.python.pipfile_lock import ANALYZER
from tests.analyzers.python.helpers import JUNK, fixture, memory, pairs, scalibr


@pytest.mark.parametrize(("path", "wanted"), [
    ("Pipfile.lock", True), ("x/Pipfile.lock", True), ("Pipfile", False), ("pipfile.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_project_with_pipfile() -> None:
    parsed = ANALYZER.analyze(fixture("pipenv/Pipfile.lock"))
    assert parsed.ecosystem == "PyPI"
    assert parsed.packages == (
        Dependency("certifi", "2023.7.22", direct=False, dev=False, line=13),  # in both sections: not dev
        Dependency("requests", "2.31.0", direct=True, dev=False, line=21),
        Dependency("pytest", "7.4.0", direct=True, dev=True, line=32),
    )
    assert parsed.notes == ("line 17: default mylib from path ./libs/mylib — not matched",)


@pytest.mark.parametrize(("name", "wanted", "dev"), [
    ("one-package.json", {("markupsafe", "2.1.1")}, set()),
    ("one-package-dev.json", {("markupsafe", "2.1.1")}, {"markupsafe"}),
    ("minified.json", {("markupsafe", "2.1.1")}, set()),
    ("two-packages.json", {("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1")}, {"markupsafe"}),
    ("multiple-packages.json",
     {("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1"), ("pluggy", "1.0.0"), ("pluggy", "1.0.1")}, set()),
    ("empty.json", set(), set()),
    ("empty-file", set(), set()),
])
def test_shared(name: str, wanted: set[tuple[str, str]], dev: set[str]) -> None:
    parsed = ANALYZER.analyze(scalibr("pipfilelock", name))
    assert pairs(parsed) == wanted
    assert {p.name for p in parsed.packages if p.dev} <= dev | {"pluggy"}
    assert all(p.direct is None for p in parsed.packages)  # no Pipfile beside them


def test_same_name_two_versions_one_dev() -> None:
    parsed = ANALYZER.analyze(scalibr("pipfilelock", "multiple-packages.json"))
    assert {(p.version, p.dev) for p in parsed.packages if p.name == "pluggy"} == {("1.0.1", False), ("1.0.0", True)}
    lines = {p.name: p.line for p in parsed.packages if not p.dev}
    assert lines == {"itsdangerous": 19, "pluggy": 27, "markupsafe": 32}


def test_git_entries_are_notes() -> None:
    parsed = ANALYZER.analyze(scalibr("pipfilelock", "no-version.json"))
    assert parsed.packages == ()
    assert parsed.notes == (
        "line 19: default markupsafe from git https://github.com/pallets/markupsafe — not matched",
        "line 26: develop itsdangerous from git https://github.com/pallets/itsdangerous — not matched",
    )


def test_unpinned_version_is_a_note() -> None:
    parsed = ANALYZER.analyze(memory("Pipfile.lock", '{"default": {"a": {"version": "*"}}}'))
    assert parsed.packages == ()
    assert parsed.notes == ("line 1: default a * is not a pinned version — not matched",)


BROKEN = {
    **JUNK,
    "not an object": b"[1, 2]",
    "section not an object": b'{"default": []}',
    "entry not an object": b'{"default": {"a": "==1"}}',
    "version not a string": b'{"develop": {"a": {"version": 1}}}',
    "truncated": b'{"default": {"a": {"version": "==1"',
    "deeply nested": b"[" * 100_000,
    "huge integer": b'{"default": ' + b"1" * 5000 + b"}",
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(memory("Pipfile.lock", data))


def test_not_json() -> None:
    with pytest.raises(ParseError, match="not valid JSON"):
        ANALYZER.analyze(scalibr("pipfilelock", "not-json.txt"))
