"""python/pyproject: exact pins are packages; ranges, sources and dynamic dependencies are notes."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, ParseError
from shiftsec.analyzers.python.pyproject import ANALYZER
from tests.analyzers.python.helpers import JUNK, fixture, memory, pairs, scalibr


@pytest.mark.parametrize(("path", "wanted"), [
    ("pyproject.toml", True), ("path/to/my/pyproject.toml", True), ("pyproject.toml.bak", False),
    ("PYPROJECT.TOML", False), ("pylock.toml", False), ("pyproject.toml/something", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


PEP621 = """\
[project]
name = "me"
version = "1.0"
dependencies = [
    "requests==2.32.0",
    "flask[async]==3.1.1 ; python_version >= '3.9'",
    "numpy",
    "attrs>=23",
    "pkg @ https://example.com/pkg-1.0.zip",
]

[project.optional-dependencies]
test = ["pytest===8.0.0"]
web = ["gunicorn==21.2.0"]

[dependency-groups]
lint = ["ruff==0.4.0", { include-group = "test" }]

[tool.uv]
dev-dependencies = ["mypy==1.10.0"]

[tool.pdm.dev-dependencies]
docs = ["sphinx==7.0.0"]
"""

POETRY = """\
[tool.poetry.dependencies]
python = "^3.11"
requests = "2.31.0"
Django = "==4.2"
flask = "^3.0"
pendulum = { version = "=3.0.0", extras = ["test"] }
mylib = { path = "../mylib", develop = true }
gitdep = { git = "https://github.com/x/y.git" }
multi = [{ version = "1.0", python = "<3.12" }, { version = "2.0", python = ">=3.12" }]

[tool.poetry.dev-dependencies]
black = "23.1.0"

[tool.poetry.group.docs.dependencies]
mkdocs = "1.5.0"

[tool.poetry.group.main.dependencies]
idna = "3.4"
"""


def test_pep621() -> None:
    parsed = ANALYZER.analyze(memory("pyproject.toml", PEP621))
    assert parsed.packages == (
        Dependency("requests", "2.32.0", direct=True, dev=False, line=5),
        Dependency("flask", "3.1.1", direct=True, dev=False, line=6),
        Dependency("attrs", "23", direct=True, dev=False, line=8),  # a range: its lowest allowed version
        Dependency("pytest", "8.0.0", direct=True, dev=True, line=13),  # extra "test"
        Dependency("gunicorn", "21.2.0", direct=True, dev=False, line=14),  # extra "web"
        Dependency("ruff", "0.4.0", direct=True, dev=True, line=17),
        Dependency("sphinx", "7.0.0", direct=True, dev=True, line=23),
        Dependency("mypy", "1.10.0", direct=True, dev=True, line=20),
    )
    assert parsed.notes == (
        "line 7: [project] dependencies: numpy has no version — not matched",
        "line 8: [project] dependencies: attrs >=23 is a range, not a pin: checked at its lowest allowed version 23",
        "line 9: [project] dependencies: URL requirement pkg @ https://example.com/pkg-1.0.zip — not matched",
    )


def test_poetry() -> None:
    parsed = ANALYZER.analyze(memory("pyproject.toml", POETRY))
    assert parsed.packages == (
        Dependency("requests", "2.31.0", direct=True, dev=False, line=3),
        Dependency("Django", "4.2", direct=True, dev=False, line=4),
        Dependency("flask", "3.0", direct=True, dev=False, line=5),  # ^3.0: its lowest allowed version
        Dependency("pendulum", "3.0.0", direct=True, dev=False, line=6),
        Dependency("multi", "1.0", direct=True, dev=False, line=9),
        Dependency("multi", "2.0", direct=True, dev=False, line=9),
        Dependency("black", "23.1.0", direct=True, dev=True, line=12),
        Dependency("mkdocs", "1.5.0", direct=True, dev=True, line=15),
        Dependency("idna", "3.4", direct=True, dev=False, line=18),
    )
    assert parsed.notes == (
        "line 5: tool.poetry.dependencies: flask ^3.0 is a range, not a pin: checked at its lowest allowed version 3.0",
        "line 7: tool.poetry.dependencies: mylib from path ../mylib — not matched",
        "line 8: tool.poetry.dependencies: gitdep from git https://github.com/x/y.git — not matched",
    )


def test_fixture_poetry_project() -> None:
    parsed = ANALYZER.analyze(fixture("poetry/pyproject.toml"))
    assert parsed.packages == (Dependency("pytest", "7.4.0", direct=True, dev=True, line=10),)
    # poetry.lock sits beside it: the lockfile says what is installed, the range is only a note
    assert parsed.notes == ("line 7: tool.poetry.dependencies: requests ^2.31 is a range; poetry.lock says what is "
                            "installed",)


@pytest.mark.parametrize(("name", "wanted", "notes"), [
    # ranges are checked at their lowest allowed version (each with a note); numpy has no version: a note
    ("simple_deps.toml", {("requests", "2.32.0"), ("flask", "3.0.0")}, 2),
    ("optional_deps.toml", {("requests", "2.32.0"), ("black", "23.1.0"), ("pytest", "7.0.0"), ("aiohttp", "3.8.0")}, 2),
    ("extras_syntax.toml", {("flask", "3.1.1"), ("requests", "2.20.0")}, 1),
    ("env_markers.toml", {("importlib-metadata", "6.0.0"), ("requests", "2.20.0")}, 1),
    ("dynamic_deps.toml", set(), 1),
    ("no_project_table.toml", set(), 0),
    ("empty_deps.toml", set(), 0),
])
def test_shared(name: str, wanted: set[tuple[str, str]], notes: int) -> None:
    parsed = ANALYZER.analyze(scalibr("pyprojecttoml", name))
    assert pairs(parsed) == wanted
    assert len(parsed.notes) == notes


def test_dynamic_is_a_note() -> None:
    assert ANALYZER.analyze(scalibr("pyprojecttoml", "dynamic_deps.toml")).notes == (
        "[project] dependencies are dynamic (set by the build backend) — not read",)


BROKEN = {
    **JUNK,
    "project not a table": b'project = "x"',
    "dependencies not an array": b'[project]\ndependencies = "requests==1"',
    "dependency not a string": b"[project]\ndependencies = [1]",
    "extras not a table": b'[project]\noptional-dependencies = ["a==1"]',
    "poetry constraint not a string": b"[tool.poetry.dependencies]\na = 1",
    "poetry group not a table": b"[tool.poetry]\ngroup = 1",
}


@pytest.mark.parametrize("data", BROKEN.values(), ids=BROKEN.keys())
def test_broken(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(memory("pyproject.toml", data))


def test_malformed() -> None:
    with pytest.raises(ParseError, match="not valid TOML"):
        ANALYZER.analyze(scalibr("pyprojecttoml", "malformed.toml"))
