"""python/poetry-lock: packages, dev (category or groups), depends_on, direct from pyproject.toml."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, ParseError
from shiftsec.analyzers.python.poetry_lock import ANALYZER
from tests.analyzers.python.helpers import JUNK, by_key, fixture, memory, pairs, scalibr


@pytest.mark.parametrize(("path", "wanted"), [
    ("poetry.lock", True), ("a/b/poetry.lock", True), ("poetry.lock.bak", False), ("Poetry.lock", False),
    ("pyproject.toml", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_project_with_pyproject() -> None:
    parsed = ANALYZER.analyze(fixture("poetry/poetry.lock"))
    assert parsed.ecosystem == "PyPI"
    assert parsed.packages == (
        Dependency("certifi", "2023.7.22", direct=False, dev=False, line=4),
        Dependency("iniconfig", "2.0.0", direct=False, dev=True, line=12),
        # colorama (win32 only) is not locked: no edge to it
        Dependency("pytest", "7.4.0", direct=True, dev=True, line=19, depends_on=("iniconfig@2.0.0",)),
        Dependency("requests", "2.31.0", direct=True, dev=False, line=30, depends_on=("certifi@2023.7.22",)),
    )
    assert parsed.notes == ()


def test_v2_groups_and_edges() -> None:
    packages = by_key(ANALYZER.analyze(scalibr("poetrylock", "multiple-packages.v2.lock")))
    dev = {key for key, p in packages.items() if p.dev}
    assert dev == {"factory-boy@3.3.1", "faker@33.3.0", "python-dateutil@2.9.0.post0", "typing-extensions@4.12.2",
                   "urllib3@2.3.0"}  # six is in main, dev and test: not dev; optional redis is main: not dev
    assert packages["faker@33.3.0"].depends_on == ("python-dateutil@2.9.0.post0", "typing-extensions@4.12.2")
    assert packages["proto-plus@1.22.0"].depends_on == ("protobuf@4.25.5",)
    assert all(p.direct is None for p in packages.values())  # no pyproject.toml beside it


def test_v1_category() -> None:
    lock = ('[[package]]\nname = "a"\nversion = "1"\ncategory = "main"\n\n'
            '[[package]]\nname = "b"\nversion = "2"\ncategory = "dev"\n')
    assert {p.name: p.dev for p in ANALYZER.analyze(memory("poetry.lock", lock)).packages} == {"a": False, "b": True}


def test_several_locked_versions_narrowed_by_a_pep440_constraint() -> None:
    lock = ('[[package]]\nname = "a"\nversion = "1"\n[package.dependencies]\nb = ">=2,<3"\n\n'
            '[[package]]\nname = "b"\nversion = "2.5"\n\n[[package]]\nname = "b"\nversion = "3.1"\n\n'
            '[[package]]\nname = "c"\nversion = "1"\n[package.dependencies]\n'
            'b = [{version = "^2"}, {version = "^3"}]\n')
    packages = by_key(ANALYZER.analyze(memory("poetry.lock", lock)))
    assert packages["a@1"].depends_on == ("b@2.5",)
    assert packages["c@1"].depends_on == ("b@2.5", "b@3.1")  # Poetry's ^ is not PEP 440: all candidates


def test_git_source_is_a_package_and_missing_version_a_note() -> None:
    assert pairs(ANALYZER.analyze(scalibr("poetrylock", "source-git.lock"))) == {("ike", "0.2.0")}
    parsed = ANALYZER.analyze(memory("poetry.lock", '[[package]]\nname = "x"\n'))
    assert parsed.packages == ()
    assert parsed.notes == ("line 2: x has no version — not matched",)


def test_broken_sibling_pyproject_leaves_direct_unknown() -> None:
    parsed = ANALYZER.analyze(memory("poetry.lock", '[[package]]\nname = "a"\nversion = "1"\n',
                                     {"pyproject.toml": "not = = toml"}))
    assert parsed.packages[0].direct is None


@pytest.mark.parametrize(("name", "wanted"), [
    ("one-package.lock", {("numpy", "1.23.3")}),
    ("two-packages.lock", {("proto-plus", "1.22.0"), ("protobuf", "4.21.5")}),
    ("names-outside-package-block.lock", {("first-pkg", "1.0.0"), ("second-pkg", "2.0.0")}),
    ("empty.lock", set()),
    ("empty-file.lock", set()),
])
def test_shared(name: str, wanted: set[tuple[str, str]]) -> None:
    assert pairs(ANALYZER.analyze(scalibr("poetrylock", name))) == wanted


def test_lines_skip_names_in_strings_and_subtables() -> None:
    parsed = ANALYZER.analyze(scalibr("poetrylock", "names-outside-package-block.lock"))
    lines = {p.name: p.line for p in parsed.packages}
    assert lines == {"first-pkg": 5, "second-pkg": 18}


BROKEN = {
    **JUNK,
    "package not a table": b"package = [1]",
    "name not a string": b'[[package]]\nname = 1\nversion = "1"',
    "version not a string": b'[[package]]\nname = "a"\nversion = 1',
    "dependencies not a table": b'[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]',
    "category not a string": b'[[package]]\nname = "a"\nversion = "1"\ncategory = 1',
    "deep key": b"a" + b".a" * 100 + b" = 1",
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(memory("poetry.lock", data))


def test_not_toml() -> None:
    with pytest.raises(ParseError, match="not valid TOML"):
        ANALYZER.analyze(scalibr("poetrylock", "not-toml.txt"))
