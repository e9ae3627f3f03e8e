"""rust/cargo-lock: osv-scalibr's Cargo.lock fixtures in place, hand-made workspaces, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.rust.cargo_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "rust", "cargolock", "testdata", name)
    return ANALYZER.analyze(InputFile("Cargo.lock", path.read_bytes()))


def _local(name: str) -> dict[str, Dependency]:
    parsed = ANALYZER.analyze(InputFile("Cargo.lock", (FIXTURES / name).read_bytes()))
    assert parsed.ecosystem == "crates.io"
    return {dep.key: dep for dep in parsed.packages}


@pytest.mark.parametrize(("path", "wanted"), [
    ("Cargo.lock", True), ("crates/x/Cargo.lock", True), ("Cargo.toml", False), ("cargo.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected"), [
    ("empty.lock", set()),
    ("one-package.lock", {"addr2line@0.15.2"}),
    ("two-packages-with-local.lock", {"addr2line@0.15.2", "local-rust-pkg@0.1.0"}),
    ("package-with-build-string.lock", {"wasi@0.10.2+wasi-snapshot-preview1"}),
    ("duplicate.lock", {"syn@1.0.73", "syn@2.0.0"}),
    ("package-with-comments.lock", {"addr2line@0.15.2", "syn@1.0.73"}),
    ("many-packages.lock", {"zstd@0.11.2", "aho-corasick@0.7.18", "memchr@2.4.1", "syn@1.0.109", "libc@0.2.140",
                            "syn@2.0.15"}),
])
def test_packages(fixture: str, expected: set[str]) -> None:
    assert {dep.key for dep in _scalibr(fixture).packages} == expected


def test_lines_and_unresolved_dependencies() -> None:
    deps = {dep.key: dep for dep in _scalibr("many-packages.lock").packages}
    assert deps["zstd@0.11.2"].line == 5
    assert deps["aho-corasick@0.7.18"].depends_on == ("memchr@2.4.1",)
    # one-package.lock's "gimli" is not in the file: no key to point at; no workspace crate: direct unknown
    (only,) = _scalibr("one-package.lock").packages
    assert only.depends_on == () and only.direct is None


def test_workspace_sets_direct_and_edges() -> None:
    deps = _local("workspace.lock")
    assert {key: (dep.direct, dep.depends_on) for key, dep in deps.items()} == {
        "app@0.1.0": (None, ("core@0.1.0", "serde@1.0.160", "syn@2.0.15")),
        "core@0.1.0": (None, ("syn@1.0.109",)),
        "proc-macro2@1.0.56": (False, ()),
        "serde@1.0.160": (True, ()),
        "syn@1.0.109": (True, ("proc-macro2@1.0.56",)),
        "syn@2.0.15": (True, ("proc-macro2@1.0.56",)),
    }


def test_lockfile_v1_dependency_spelling() -> None:
    deps = _local("v1.lock")
    assert deps["app@0.1.0"].depends_on == ("libc@0.2.140",)
    assert deps["libc@0.2.140"].direct is True


JUNK = [
    pytest.param(b"this is not valid toml! (I think)", id="not-toml"),
    pytest.param(b'[[package]]\nname = "a"\nversion = "1', id="truncated"),
    pytest.param(b'package = "a"', id="package-not-array"),
    pytest.param(b'[[package]]\nname = 1\nversion = "1.0.0"', id="name-not-string"),
    pytest.param(b'[[package]]\nname = "a"', id="no-version"),
    pytest.param(b'[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = "b"', id="dependencies-not-array"),
    pytest.param(b'[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = [1]', id="dependency-not-string"),
    pytest.param(b'[[package]]\nname = "a"\nversion = "1.0.0"\nsource = []', id="source-not-string"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\xff", id="binary"),
    pytest.param(b"x" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(InputFile("Cargo.lock", data))


def test_not_toml_fixture() -> None:
    with pytest.raises(ParseError):
        _scalibr("not-toml.txt")
