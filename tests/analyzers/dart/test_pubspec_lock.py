"""dart/pubspec-lock: osv-scalibr's pubspec.lock fixtures in place, hand-made edge cases, junk."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.dart.pubspec_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "dart", "pubspec", "testdata", name)
    return ANALYZER.analyze(InputFile("pubspec.lock", path.read_bytes()))


def _by_name(parsed: Parsed) -> dict[str, Dependency]:
    return {dep.name: dep for dep in parsed.packages}


@pytest.mark.parametrize(("path", "wanted"), [
    ("pubspec.lock", True), ("app/pubspec.lock", True), ("pubspec.yaml", False), ("Pubspec.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected"), [
    ("no-packages.lock", set()),
    ("one-package.lock", {("back_button_interceptor@6.0.1", True, False)}),
    ("one-package-dev.lock", {("build_runner@2.2.1", True, True)}),
    ("two-packages.lock", {("shelf@1.3.2", False, False), ("shelf_web_socket@1.0.2", False, False)}),
    ("mixed-packages.lock", {("back_button_interceptor@6.0.1", True, False), ("build_runner@2.2.1", True, True),
                             ("shelf@1.3.2", False, False), ("shelf_web_socket@1.0.2", False, False)}),
    ("source-git.lock", {("flutter_rust_bridge@1.32.0", True, False), ("screen_retriever@0.1.2", False, False),
                         ("toggle_switch@1.4.0", True, False), ("tray_manager@0.1.8", True, False),
                         ("window_manager@0.2.7", True, False)}),
    ("source-sdk.lock", {("flutter_web_plugins@0.0.0", False, False)}),
    ("source-path.lock", {("maa_core@0.0.1", True, False)}),
])
def test_packages_direct_and_dev(fixture: str, expected: set[tuple[str, bool, bool]]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Pub"
    assert {(dep.key, dep.direct, dep.dev) for dep in parsed.packages} == expected


def test_lines() -> None:
    deps = _by_name(_scalibr("mixed-packages.lock"))
    assert deps["back_button_interceptor"].line == 4
    assert deps["shelf_web_socket"].line == 25


def test_hosted_name_and_missing_kind() -> None:
    data = b"""packages:
  alias_key:
    description:
      name: real_name
      url: "https://pub.dev"
    source: hosted
    version: "1.2.3"
  no_kind:
    source: hosted
    version: 2.0.0
sdks:
  dart: ">=3.0.0 <4.0.0"
"""
    deps = _by_name(ANALYZER.analyze(InputFile("pubspec.lock", data)))
    assert set(deps) == {"real_name", "no_kind"}
    assert deps["no_kind"].direct is None and deps["no_kind"].version == "2.0.0"


@pytest.mark.parametrize("fixture", ["not-yaml.txt", "empty.lock"])
def test_scalibr_error_fixtures(fixture: str) -> None:
    with pytest.raises(ParseError):
        _scalibr(fixture)


JUNK = [
    pytest.param(b"packages: [a, b]", id="packages-not-mapping"),
    pytest.param(b"packages:\n  a: 1\n", id="entry-not-mapping"),
    pytest.param(b"packages:\n  a:\n    dependency: transitive\n", id="no-version"),
    pytest.param(b"packages:\n  a:\n    version: [1]\n", id="version-not-scalar"),
    pytest.param(b"packages:\n  a:\n    version: \"1.0", id="truncated"),
    pytest.param(b"packages:\n  ? [a]\n  : {version: 1}\n", id="key-not-scalar"),
    pytest.param(b"- " * 1_000_000 + b"x", id="deep-block-nesting"),
    pytest.param(b"[" * 50_000_000, id="50MB-line"),
    pytest.param(b"packages:\n  a: \xff\xfe\x00", id="binary"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("pubspec.lock", data))
    assert "\n" not in str(caught.value)
