"""python/uv-lock: the project is no package; direct from it; dev via dev-dependencies only; edges."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, ParseError
from shiftsec.analyzers.python.uv_lock import ANALYZER
from tests.analyzers.python.helpers import JUNK, by_key, fixture, memory, pairs, scalibr


@pytest.mark.parametrize(("path", "wanted"), [
    ("uv.lock", True), ("path/to/my/uv.lock", True), ("path/to/my/uv.lock/file", False),
    ("path/to/my/uv.lock.file", False), ("path.to.my.uv.lock", False), ("", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_project_with_dev_group() -> None:
    parsed = ANALYZER.analyze(fixture("uv/uv.lock"))
    assert parsed.packages == (
        Dependency("anyio", "4.0.0", direct=False, dev=False, line=5),  # reached from httpx too: not dev
        Dependency("httpx", "0.25.0", direct=True, dev=False, line=23, depends_on=("anyio@4.0.0",)),
        Dependency("pluggy", "1.3.0", direct=False, dev=True, line=35),
        Dependency("pytest", "7.4.0", direct=True, dev=True, line=40, depends_on=("anyio@4.0.0", "pluggy@1.3.0")),
    )
    assert parsed.notes == ("line 31: local-lib has no version — not matched",)


def test_grouped_packages() -> None:
    packages = by_key(ANALYZER.analyze(scalibr("uvlock", "grouped-packages.lock")))
    assert len(packages) == 14  # every package but the virtual project
    assert {key for key, p in packages.items() if p.direct} == {
        "emoji@2.14.0", "click@8.1.7", "black@24.10.0", "flake8@7.1.1"}  # dependencies and extras
    assert not any(p.dev for p in packages.values())  # extras are not dev
    assert packages["click@8.1.7"].depends_on == ("colorama@0.4.6",)
    assert {p.name: p.line for p in packages.values()}["typing-extensions"] == 185


def test_version_picks_among_forks() -> None:
    lock = """
[[package]]
name = "app"
version = "0"
source = { virtual = "." }
dependencies = [{ name = "a", version = "2.0", marker = "python_version >= '3.12'" },
                { name = "a", version = "1.0", marker = "python_version < '3.12'" }]

[[package]]
name = "a"
version = "1.0"

[[package]]
name = "a"
version = "2.0"

[[package]]
name = "b"
version = "1"
dependencies = [{ name = "a", version = "2.0" }]
"""
    packages = by_key(ANALYZER.analyze(memory("uv.lock", lock)))
    assert packages["b@1"].depends_on == ("a@2.0",)
    assert {key for key, p in packages.items() if p.direct} == {"a@1.0", "a@2.0"}
    assert packages["b@1"].direct is False


@pytest.mark.parametrize(("name", "wanted", "lines"), [
    ("one-package.lock", {("emoji", "2.14.0")}, {5}),
    ("two-packages.lock", {("emoji", "2.14.0"), ("protobuf", "4.25.5")}, {5, 14}),
    ("source-git.lock", {("ruff", "0.8.1")}, {5}),
    ("names-outside-package-block.lock", {("first-pkg", "1.0.0"), ("second-pkg", "2.0.0")}, {5, 18}),
    ("no-dependencies.lock", set(), set()),
    ("no-packages.lock", set(), set()),
    ("empty.lock", set(), set()),
])
def test_shared(name: str, wanted: set[tuple[str, str]], lines: set[int]) -> None:
    parsed = ANALYZER.analyze(scalibr("uvlock", name))
    assert pairs(parsed) == wanted
    assert {p.line for p in parsed.packages} == lines


def test_without_project_direct_is_unknown() -> None:
    parsed = ANALYZER.analyze(scalibr("uvlock", "names-outside-package-block.lock"))
    assert all(p.direct is None and not p.dev for p in parsed.packages)


BROKEN = {
    **JUNK,
    "dependencies not an array": b'[[package]]\nname = "a"\nversion = "1"\ndependencies = "b"',
    "dependency not a table": b'[[package]]\nname = "a"\nversion = "1"\ndependencies = ["b"]',
    "dependency name missing": b'[[package]]\nname = "a"\nversion = "1"\ndependencies = [{ version = "1" }]',
    "dev groups not a table": b'[[package]]\nname = "a"\nsource = { virtual = "." }\ndev-dependencies = []',
    "extras not a table": b'[[package]]\nname = "a"\nversion = "1"\noptional-dependencies = 3',
    "huge integer": b"version = " + b"1" * 5000,
    "deeply nested array": b"a = " + b"[" * 100_000,
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(memory("uv.lock", data))


def test_not_toml() -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(scalibr("uvlock", "not-toml.txt"))
