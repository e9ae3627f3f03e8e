"""cpp/conan-lock: osv-scalibr's conan.lock fixtures in place (all formats), hand-made graphs, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.cpp.conan_lock import ANALYZER, parse_reference
from shiftsec.errors import ParseError
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "cpp", "conanlock", "testdata", name)
    return ANALYZER.analyze(InputFile("conan.lock", path.read_bytes()))


def _local(name: str) -> Parsed:
    return ANALYZER.analyze(InputFile("conan.lock", (FIXTURES / name).read_bytes()))


@pytest.mark.parametrize(("path", "wanted"), [
    ("conan.lock", True), ("build/conan.lock", True), ("conanfile.py", False), ("conan.lock.json", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("ref", "parsed"), [
    ("zlib/1.2.11", ("zlib", "1.2.11")),
    ("zlib/1.2.11@bincrafters/testing#5f49:19729b#5884", ("zlib", "1.2.11")),
    ("zlib/1.2.13#13c96f538b52e1600c40b88994de240f%1667396813.733", ("zlib", "1.2.13")),
    ("test/1.0:2ce08bf790c58b729dda567426e810ed5e35e513", ("test", "1.0")),
    ("1.2.3#ffa77daf%1667396813.184", ("", "1.2.3")),
])
def test_parse_reference(ref: str, parsed: tuple[str, str]) -> None:
    assert parse_reference(ref) == parsed


NESTED = {"brotli@1.0.9", "bzip2@1.0.8", "freetype@2.12.1", "libpng@1.6.39", "zlib@1.2.13"}
FORMATS = ("v1", "v1.revisions", "v2")


@pytest.mark.parametrize(("fixture", "expected"), [
    *[(f"empty.{v}.json", set()) for v in FORMATS],
    *[(f"{case}.{v}.json", {"zlib@1.2.11"}) for case in ("one-package", "no-name") for v in FORMATS],
    *[(f"two-packages.{v}.json", {"zlib@1.2.11", "bzip2@1.0.8"}) for v in FORMATS],
    *[(f"nested-dependencies.{v}.json", NESTED) for v in FORMATS],
    *[(f"one-package-dev.{v}.json", {"ninja@1.11.1"}) for v in FORMATS],
    *[(f"old-format-0.{n}.json", {"zlib@1.2.11"}) for n in range(4)],
])
def test_scalibr_fixtures(fixture: str, expected: set[str]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "ConanCenter"
    assert {dep.key for dep in parsed.packages} == expected


def test_graph_direct_dev_and_edges() -> None:
    deps = {dep.key: dep for dep in _scalibr("nested-dependencies.v1.json").packages}
    assert deps["freetype@2.12.1"].direct is True
    assert deps["libpng@1.6.39"].direct is False
    assert deps["freetype@2.12.1"].depends_on == ("libpng@1.6.39", "zlib@1.2.13", "bzip2@1.0.8", "brotli@1.0.9")
    assert not any(dep.dev for dep in deps.values())
    (ninja,) = _scalibr("one-package-dev.v1.revisions.json").packages
    assert (ninja.dev, ninja.direct) == (True, True)
    (zlib,) = _scalibr("old-format-0.0.json").packages  # ref -> node id maps, no consumer path: direct unknown
    assert zlib.direct is None


def test_no_name_reference_is_a_note() -> None:
    assert _scalibr("no-name.v1.json").notes == ("node 2: reference '1.2.3' has no package name",)
    assert _scalibr("no-name.v2.json").notes == (
        "requires: reference '1.2.3#ffa77daf83a57094149707928bdce823%1667396813.184' has no package name",)


def test_hand_made_graph() -> None:
    parsed = _local("graph.v04.json")
    assert {dep.key: (dep.direct, dep.dev, dep.depends_on) for dep in parsed.packages} == {
        "openssl@3.1.1": (True, False, ("zlib@1.2.13",)),
        "zlib@1.2.13": (False, False, ()),  # also a build-context node: runtime wins
        "cmake@3.27.0": (True, True, ("bzip2@1.0.8",)),
        "bzip2@1.0.8": (False, True, ()),  # only needed by a build tool
        "pyreq@1.0": (None, True, ()),  # a python_requires of cmake's recipe
    }


def test_flat_lists() -> None:
    parsed = _local("flat.v05.json")
    assert {dep.key: (dep.direct, dep.dev) for dep in parsed.packages} == {
        "openssl@3.1.1": (None, False),
        "zlib@1.2.13": (None, False),
        "cmake@3.27.0": (None, True),
        "pyreq@1.0": (None, True),
    }


JUNK = [
    pytest.param(b"this is not json!", id="not-json"),
    pytest.param(b"null", id="null"),
    pytest.param(b'{"graph_lock": []}', id="graph-not-object"),
    pytest.param(b'{"graph_lock": {"nodes": []}}', id="nodes-not-object"),
    pytest.param(b'{"graph_lock": {"nodes": {"0": "zlib/1.0"}}}', id="node-not-object"),
    pytest.param(b'{"graph_lock": {"nodes": {"1": {"ref": 5}}}}', id="ref-not-string"),
    pytest.param(b'{"graph_lock": {"nodes": {"1": {"ref": "a/1", "requires": "2"}}}}', id="requires-not-list"),
    pytest.param(b'{"version": "0.5", "requires": "zlib/1.0"}', id="flat-requires-not-list"),
    pytest.param(b'{"version": "0.5", "build_requires": [1]}', id="flat-entry-not-string"),
    pytest.param(b'{"version": "0.5", "requires": ["zlib/1.2.13"', id="truncated"),
    pytest.param(b"\x00\xff" * 100, id="binary"),
    pytest.param(b'{"requires": ["' + b"a" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("conan.lock", data))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("fixture", ["not-json.txt", "null.v2.jsontest"])
def test_scalibr_error_fixtures(fixture: str) -> None:
    with pytest.raises(ParseError):
        _scalibr(fixture)
