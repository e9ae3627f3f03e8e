"""swift/package-resolved: osv-scalibr's Package.resolved fixtures in place, hand-made v1 and v3 files, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.swift.package_resolved import ANALYZER, url_name
from shiftsec.errors import ParseError
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "swift", "packageresolved", "testdata", name)
    return ANALYZER.analyze(InputFile("Package.resolved", path.read_bytes()))


def _local(name: str) -> Parsed:
    return ANALYZER.analyze(InputFile("Package.resolved", (FIXTURES / name).read_bytes()))


@pytest.mark.parametrize(("path", "wanted"), [
    ("Package.resolved", True),
    ("App.xcodeproj/project.xcworkspace/xcshareddata/swiftpm/Package.resolved", True),
    ("Package.swift", False),
    ("package.resolved", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("url", "name"), [
    ("https://github.com/apple/swift-nio.git", "github.com/apple/swift-nio"),
    ("https://github.com/apple/swift-nio", "github.com/apple/swift-nio"),
    ("http://user@gitlab.example.com/team/tracked/", "gitlab.example.com/team/tracked"),
    ("git@github.com:Alamofire/Alamofire.git", "github.com/Alamofire/Alamofire"),
    ("ssh://git@github.com/apple/swift-log.git", "github.com/apple/swift-log"),
    ("github.com/apple/swift-nio", "github.com/apple/swift-nio"),
])
def test_url_name(url: str, name: str) -> None:
    assert url_name(url) == name


@pytest.mark.parametrize(("fixture", "expected"), [
    ("valid", {"github.com/apple/swift-algorithms@1.0.0", "github.com/apple/swift-async-algorithms@0.1.0",
               "github.com/apple/swift-atomics@1.1.0"}),
    ("cve-packages", {"github.com/apple/swift-crypto@3.0.0", "github.com/apple/swift-nio@2.65.0",
                      "github.com/apple/swift-nio-http2@1.29.0"}),
])
def test_scalibr_fixtures(fixture: str, expected: set[str]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "SwiftURL"
    assert {dep.key for dep in parsed.packages} == expected
    assert parsed.notes == ()


def test_format_v1() -> None:
    parsed = _local("v1.resolved")
    assert {dep.key for dep in parsed.packages} == {"github.com/apple/swift-nio@2.65.0",
                                                    "github.com/Alamofire/Alamofire@5.6.4"}
    assert parsed.notes == ("Tracked is pinned to main, not to a version",)


def test_format_v3_kinds() -> None:
    parsed = _local("v3.resolved")
    assert [dep.key for dep in parsed.packages] == ["github.com/apple/swift-crypto@3.0.0"]
    assert parsed.notes == (
        "mylib is a local package (/Users/me/src/mylib)",
        "mona.linkedlist comes from a package registry, which SwiftURL advisories do not name",
        "swift-log is pinned to d3a6b0d1c7e5, not to a version",
    )


@pytest.mark.parametrize("fixture", ["invalid", "empty"])
def test_scalibr_error_fixtures(fixture: str) -> None:
    with pytest.raises(ParseError):
        _scalibr(fixture)


JUNK = [
    pytest.param(b"null", id="null"),
    pytest.param(b'{"pins": {"a": 1}}', id="pins-not-array"),
    pytest.param(b'{"pins": [1]}', id="pin-not-object"),
    pytest.param(b'{"pins": [{"location": 5, "state": {"version": "1.0.0"}}]}', id="location-not-string"),
    pytest.param(b'{"pins": [{"location": "https://x/y", "state": {"version": 1}}]}', id="version-not-string"),
    pytest.param(b'{"pins": [{"location": "https://x/y", "state": "1.0.0"}]}', id="state-not-object"),
    pytest.param(b'{"object": [], "version": 1}', id="object-not-object"),
    pytest.param(b'{"pins": [{"location": "https://x/y", "state": {"version": "1.0', id="truncated"),
    pytest.param(b"\xfe\xff\x00\x00\x12", id="binary"),
    pytest.param(b"{" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("Package.resolved", data))
    assert "\n" not in str(caught.value)
