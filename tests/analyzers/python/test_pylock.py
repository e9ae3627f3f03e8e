"""python/pylock: PEP 751 packages, versionless entries as notes, dev from markers, direct from pyproject."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, ParseError
from shiftsec.analyzers.python.pylock import ANALYZER
from tests.analyzers.python.helpers import JUNK, by_key, fixture, memory, pairs, scalibr


@pytest.mark.parametrize(("path", "wanted"), [
    ("pylock.toml", True), ("a/pylock.dev.toml", True), ("pylock..toml", False), ("pylock.a.b.toml", False),
    ("my-pylock.toml", False), ("pylock.toml.bak", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


def test_project_with_pyproject() -> None:
    parsed = ANALYZER.analyze(fixture("pylock/pylock.toml"))
    assert parsed.packages == (
        Dependency("attrs", "23.1.0", direct=False, dev=False, line=7),
        Dependency("cattrs", "23.2.0", direct=True, dev=False, line=12, depends_on=("attrs@23.1.0",)),
        Dependency("pytest", "7.4.0", direct=True, dev=True, line=21),  # only in the "dev" group
    )
    assert parsed.notes == ("line 17: demo from directory . (editable) — not matched",)


@pytest.mark.parametrize(("marker", "defaults", "dev"), [
    ("'dev' in dependency_groups", '["default"]', True),
    ("'default' in dependency_groups or 'dev' in dependency_groups", '["default"]', False),
    ("'dev' in dependency_groups or 'socks' in extras", '["default"]', False),
    ("'lint' in dependency_groups", None, True),  # no default-groups: judged by the group's name
    ("'web' in dependency_groups", None, False),
    ("sys_platform == 'win32'", '["default"]', False),
])
def test_dev_from_marker(marker: str, defaults: str | None, dev: bool) -> None:
    head = 'lock-version = "1.0"\n' + (f"default-groups = {defaults}\n" if defaults else "")
    lock = head + f'[[packages]]\nname = "a"\nversion = "1"\nmarker = "{marker}"\n'
    assert ANALYZER.analyze(memory("pylock.toml", lock)).packages[0].dev is dev


def test_commits_and_directory() -> None:
    parsed = ANALYZER.analyze(scalibr("pylock", "commits.toml"))
    assert ("mleroc", "0.1.0") in pairs(parsed)  # a VCS entry with a version is a package
    assert parsed.notes == ("line 20: net-inf-eval from directory . (editable) — not matched",)


def test_dependencies_by_name() -> None:
    packages = by_key(ANALYZER.analyze(scalibr("pylock", "example.toml")))
    assert packages["cattrs@24.1.2"].depends_on == ("attrs@25.1.0",)


@pytest.mark.parametrize(("name", "wanted"), [
    ("example.toml", {("attrs", "25.1.0"), ("cattrs", "24.1.2"), ("numpy", "2.2.3")}),
    ("pip-full.toml", {("annotated-types", "0.7.0"), ("packaging", "25.0"), ("pyproject-toml", "0.1.0"),
                       ("setuptools", "80.9.0"), ("wheel", "0.45.1")}),
    ("names-outside-package-block.toml", {("first-pkg", "1.0.0"), ("second-pkg", "2.0.0")}),
    ("pip-just-self.toml", set()),
    ("empty.toml", set()),
])
def test_shared(name: str, wanted: set[tuple[str, str]]) -> None:
    assert pairs(ANALYZER.analyze(scalibr("pylock", name))) == wanted


def test_inline_packages_have_no_lines() -> None:
    parsed = ANALYZER.analyze(memory("pylock.toml", 'packages = [{ name = "a", version = "1" }]'))
    assert parsed.packages == (Dependency("a", "1", direct=None, dev=False, line=None),)


BROKEN = {
    **JUNK,
    "packages not an array": b"packages = 1",
    "entry not a table": b"packages = [1]",
    "marker not a string": b'[[packages]]\nname = "a"\nversion = "1"\nmarker = 1',
    "default-groups not strings": b'default-groups = [1]\n[[packages]]\nname = "a"\nversion = "1"',
    "dependency name not a string": b'[[packages]]\nname = "a"\nversion = "1"\ndependencies = [{ name = 1 }]',
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(memory("pylock.toml", data))


def test_not_toml() -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(scalibr("pylock", "not-toml.txt"))
