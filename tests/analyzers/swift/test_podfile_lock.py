"""swift/podfile-lock: osv-scalibr's Podfile.lock fixtures in place, a hand-made lock with subspecs, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.swift.podfile_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "swift", "podfilelock", "testdata", name)
    return ANALYZER.analyze(InputFile("Podfile.lock", path.read_bytes()))


def _by_name(parsed: Parsed) -> dict[str, Dependency]:
    return {dep.name: dep for dep in parsed.packages}


@pytest.mark.parametrize(("path", "wanted"), [
    ("Podfile.lock", True), ("ios/Podfile.lock", True), ("Podfile", False), ("podfile.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected"), [
    ("valid", {("GlossButtonNode@3.1.2", True, 2), ("PINCache@3.0.3", False, 5)}),
    ("valid2", {("GlossButtonNode@3.1.2", True, 2), ("PINCache@3.0.3", False, 3), ("Reveal-SDK@1.5.0", True, 4),
                ("SwiftGen@6.0.0", True, 5)}),
])
def test_scalibr_fixtures(fixture: str, expected: set[tuple[str, bool, int]]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "CocoaPods"
    assert {(dep.key, dep.direct, dep.line) for dep in parsed.packages} == expected


def test_nested_dependencies_resolve_to_pods_in_the_lock() -> None:
    deps = _by_name(_scalibr("valid"))
    assert deps["GlossButtonNode"].depends_on == ()  # Texture and TextureSwiftSupport are not in PODS
    assert deps["PINCache"].depends_on == ()  # its subspecs are the pod itself


def test_subspecs_and_external_sources() -> None:
    path = Path(__file__).parent / "fixtures" / "Podfile.lock"
    parsed = ANALYZER.analyze(InputFile("Podfile.lock", path.read_bytes()))
    deps = _by_name(parsed)
    assert {name: (dep.version, dep.direct, dep.line, dep.depends_on) for name, dep in deps.items()} == {
        "Firebase": ("10.18.0", True, 2, ("FirebaseAnalytics@10.18.0",)),  # two subspecs, one pod
        "FirebaseAnalytics": ("10.18.0", False, 6, ()),
        "LocalKit": ("0.1.0", True, 7, ("FirebaseAnalytics@10.18.0",)),
        "Quoted": ("2.0.0-beta.1", True, 9, ()),
    }
    assert parsed.notes == ("LocalKit is installed from path ../LocalKit",)


def test_pod_without_version_is_a_note() -> None:
    parsed = ANALYZER.analyze(InputFile("Podfile.lock", b"PODS:\n  - NoVersion\n  - Good (1.0)\n"))
    assert [dep.key for dep in parsed.packages] == ["Good@1.0"]
    assert parsed.notes == ("line 2: pod 'NoVersion' has no version",)


def test_no_pods_section() -> None:
    assert ANALYZER.analyze(InputFile("Podfile.lock", b"COCOAPODS: 1.11.2\n")) == Parsed("CocoaPods", ())


@pytest.mark.parametrize("fixture", ["invalid", "empty"])
def test_scalibr_error_fixtures(fixture: str) -> None:
    with pytest.raises(ParseError):
        _scalibr(fixture)


JUNK = [
    pytest.param(b"PODS: {a: b}", id="pods-not-list"),
    pytest.param(b"PODS:\n  - [a]\n", id="entry-not-string"),
    pytest.param(b"PODS:\n  - A (1.0): {b: c}\n", id="dependencies-not-list"),
    pytest.param(b"PODS:\n  - {A (1.0): [], B (2.0): []}\n", id="entry-maps-two-pods"),
    pytest.param(b"DEPENDENCIES: [[a]]\n", id="dependency-not-string"),
    pytest.param(b'PODS:\n  - "A (1.0)\n', id="truncated"),
    pytest.param(b"- " * 1_000_000 + b"x", id="deep-block-nesting"),
    pytest.param(b"PODS:\n  - \xff\xfe\x00", id="binary"),
    pytest.param(b"P" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("Podfile.lock", data))
    assert "\n" not in str(caught.value)
