"""golang/go-mod: osv-scalibr's go.mod fixtures in place, hand-made ones for go.sum and directives, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.golang.go_mod import ANALYZER
from shiftsec.errors import ParseError
from tests.analyzers.expected import input_file
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"


def _scalibr(name: str) -> Parsed:
    root = shared("lockfiles", "osv-scalibr", "language", "golang", "gomod")
    return ANALYZER.analyze(input_file(root / "testdata" / name, root))


def _local(name: str) -> Parsed:
    return ANALYZER.analyze(input_file(FIXTURES / name, FIXTURES))


def _by_name(parsed: Parsed) -> dict[str, Dependency]:
    return {dep.name: dep for dep in parsed.packages}


@pytest.mark.parametrize(("path", "wanted"), [
    ("go.mod", True),
    ("path/to/go.mod", True),
    ("go.mod.bak", False),
    ("path/go.mod/file", False),
    ("go.sum", False),
    ("notgo.mod", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected"), [
    ("empty.mod", set()),
    ("one-package.mod", {("github.com/BurntSushi/toml", "1.0.0")}),
    ("two-packages.mod", {("github.com/BurntSushi/toml", "1.0.0"), ("gopkg.in/yaml.v2", "2.4.0"), ("stdlib", "1.17")}),
    ("toolchain.mod", {("github.com/BurntSushi/toml", "1.0.0"), ("stdlib", "1.23.6")}),
    ("toolchain-with-suffix.mod", {("github.com/BurntSushi/toml", "1.0.0"), ("stdlib", "1.23.6")}),
    ("replace-one.mod", {("example.com/fork/net", "1.4.5")}),
    ("replace-mixed.mod", {("example.com/fork/net", "1.4.5"), ("golang.org/x/net", "0.5.6")}),
    ("replace-no-version.mod", {("example.com/fork/net", "1.4.5")}),
    ("replace-not-required.mod", {("golang.org/x/net", "0.5.6"), ("github.com/BurntSushi/toml", "1.0.0")}),
    ("replace-different.mod", {("example.com/fork/foe", "1.4.5"), ("example.com/fork/foe", "1.4.2")}),
    ("replace-local.mod", {("github.com/BurntSushi/toml", "1.0.0")}),
    # go 1.23: go.mod lists indirect modules itself, and the (junk) sibling .sum is never read
    ("indirect-1.23.mod", {("github.com/sirupsen/logrus", "1.9.3"),
                           ("golang.org/x/sys", "0.0.0-20220715151400-c0bba94af5f8"), ("stdlib", "1.23")}),
])
def test_packages(fixture: str, expected: set[tuple[str, str]]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Go"
    assert {(dep.name, dep.version) for dep in parsed.packages} == expected


def test_indirect_marker_and_lines() -> None:
    deps = _by_name(_scalibr("indirect-packages.mod"))
    assert deps["github.com/BurntSushi/toml"].direct is True
    assert deps["github.com/BurntSushi/toml"].line == 6
    assert deps["golang.org/x/sys"].direct is False
    assert deps["golang.org/x/sys"].line == 13
    assert deps["stdlib"].version == "1.17"
    assert deps["stdlib"].line == 3


def test_local_replacement_is_a_note() -> None:
    parsed = _scalibr("replace-local.mod")
    assert parsed.notes == ("golang.org/x/net v1.2.3 is replaced by the local directory ./fork/net",)


def test_go_before_1_17_adds_go_sum_modules_as_indirect() -> None:
    parsed = _scalibr("indirect-1.16.mod")
    deps = _by_name(parsed)
    assert set(deps) == {"github.com/sirupsen/logrus", "github.com/davecgh/go-spew", "github.com/pmezard/go-difflib",
                         "github.com/stretchr/testify", "golang.org/x/sys", "gopkg.in/yaml.v3", "stdlib"}
    assert deps["github.com/sirupsen/logrus"].direct is True
    assert deps["github.com/stretchr/testify"].direct is False
    assert deps["gopkg.in/yaml.v3"].version == "3.0.0-20200313102051-9f266ea9e77c"
    assert parsed.notes == ()


def test_go_sum_beside_go_mod() -> None:
    deps = _by_name(_local("go116/go.mod"))
    assert {(d.name, d.version, d.direct) for d in deps.values()} == {
        ("github.com/sirupsen/logrus", "1.9.3", True),
        ("golang.org/x/sys", "0.1.0", False),
        ("github.com/stretchr/testify", "1.7.0", False),
        ("stdlib", "1.16", None),
    }


def test_unreadable_go_sum_is_a_note() -> None:
    parsed = _local("go116-bad-sum/go.mod")
    assert {dep.name for dep in parsed.packages} == {"github.com/sirupsen/logrus", "stdlib"}
    assert parsed.notes == ("go.sum: line 2 is not 'module version hash'; its indirect dependencies are not listed",)


def test_every_directive() -> None:
    parsed = _local("exclude/go.mod")
    assert {(d.name, d.version, d.direct) for d in parsed.packages} == {
        ("github.com/BurntSushi/toml", "1.0.0", False),  # "// indirect; ..." counts too
        ("golang.org/x/net", "0.5.6", True),
        ("golang.org/x/text", "0.3.8", False),  # replaced without an old version: every required version
        ("stdlib", "1.21.3", None),  # "toolchain default" names no version
    }
    assert parsed.notes == ("golang.org/x/net v0.5.6 is both required and excluded",)


JUNK = [
    pytest.param(b"this is not a go.mod file!\n", id="not-go-mod"),
    pytest.param(b"require (\n\tgolang.org/x/net v1.2.3\n", id="unterminated-block"),
    pytest.param(b"require golang.org/x/net\n", id="require-without-version"),
    pytest.param(b"require golang.org/x/net 1.2.3\n", id="version-without-v"),
    pytest.param(b"require \"golang.org/x/net v1.2.3\n", id="truncated-quote"),
    pytest.param(b"go one.seventeen\n", id="bad-go-version"),
    pytest.param(b"replace golang.org/x/net v1.2.3 => example.com/fork\n", id="replacement-without-version"),
    pytest.param(b"replace golang.org/x/net v1.2.3 example.com/fork v1.0.0\n", id="replace-without-arrow"),
    pytest.param(b"module a\n\xff\xfe\x00\x01", id="binary"),
    pytest.param(b"module a\x00\n", id="nul"),
    pytest.param(b"//" + b"x" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("go.mod", data))
    assert "\n" not in str(caught.value)
