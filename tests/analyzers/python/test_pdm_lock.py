"""python/pdm-lock: packages, extras entries merged, dev groups, depends_on, direct from pyproject.toml."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, ParseError
from shiftsec.analyzers.python.pdm_lock import ANALYZER
from tests.analyzers.python.helpers import JUNK, fixture, memory, pairs, scalibr


@pytest.mark.parametrize(("path", "wanted"), [
    ("pdm.lock", True), ("x/pdm.lock", True), ("pdm.toml", False), ("pdm.lock.old", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_project_with_pyproject() -> None:
    parsed = ANALYZER.analyze(fixture("pdm/pdm.lock"))
    assert parsed.packages == (
        Dependency("certifi", "2023.7.22", direct=False, dev=False, line=11),
        Dependency("pysocks", "1.7.1", direct=True, dev=False, line=21),  # an extra, not a dev group
        # the requests[socks] entry merges in: its edges join, its edge to requests itself is dropped
        Dependency("requests", "2.31.0", direct=True, dev=False, line=26,
                   depends_on=("certifi@2023.7.22", "pysocks@1.7.1")),
        Dependency("ruff", "0.1.0", direct=True, dev=True, line=44),  # [tool.pdm.dev-dependencies] lint
    )
    assert parsed.notes == ("line 16: mylib has no version — not matched",)


@pytest.mark.parametrize(("name", "dev"), [
    ("dev-dependency.toml", {"pyroute2", "win-inet-pton"}),
    ("optional-dependency.toml", set()),  # group "tmp": an optional group, not dev
])
def test_shared_groups(name: str, dev: set[str]) -> None:
    parsed = ANALYZER.analyze(scalibr("pdmlock", name))
    assert pairs(parsed) == {("pyroute2", "0.7.11"), ("toml", "0.10.2"), ("win-inet-pton", "1.1.0")}
    assert {p.name for p in parsed.packages if p.dev} == dev
    assert {p.key: p.depends_on for p in parsed.packages}["pyroute2@0.7.11"] == ("win-inet-pton@1.1.0",)
    assert all(p.direct is None for p in parsed.packages)


@pytest.mark.parametrize(("name", "wanted"), [
    ("single-package.toml", {("toml", "0.10.2")}),
    ("two-packages.toml", {("six", "1.16.0"), ("toml", "0.10.2")}),
    ("git-dependency.toml", {("toml", "0.10.2")}),
    ("names-outside-package-block.toml", {("first-pkg", "1.0.0"), ("second-pkg", "2.0.0")}),
    ("empty.toml", set()),
    ("empty-file.toml", set()),
])
def test_shared(name: str, wanted: set[tuple[str, str]]) -> None:
    assert pairs(ANALYZER.analyze(scalibr("pdmlock", name))) == wanted


BROKEN = {
    **JUNK,
    "groups not an array": b'[[package]]\nname = "a"\nversion = "1"\ngroups = "dev"',
    "dependency not a string": b'[[package]]\nname = "a"\nversion = "1"\ndependencies = [1]',
    "name missing": b'[[package]]\nversion = "1"',
    "truncated": b'[[package]]\nname = "a',
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(memory("pdm.lock", data))


def test_not_toml() -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(scalibr("pdmlock", "not-toml.txt"))
