"""ruby/gemfile-lock: osv-scalibr's Gemfile.lock fixtures in place, a hand-made multi-platform lock, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.ruby.gemfile_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.conftest import shared


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "ruby", "gemfilelock", "testdata", name)
    return ANALYZER.analyze(InputFile("Gemfile.lock", path.read_bytes()))


def _by_name(parsed: Parsed) -> dict[str, Dependency]:
    return {dep.name: dep for dep in parsed.packages}


@pytest.mark.parametrize(("path", "wanted"), [
    ("Gemfile.lock", True), ("app/gems.locked", True), ("Gemfile", False), ("gemfile.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected"), [
    ("no-spec-section.lock", set()),
    ("no-gem-section.lock", set()),
    ("no-gems.lock", set()),
    ("one-gem.lock", {"ast@2.4.2"}),
    ("source-section-at-end.lock", {"ast@2.4.2"}),
    ("some-gems.lock", {"coderay@1.1.3", "method_source@1.0.0", "pry@0.14.1"}),
    ("has-git-gem.lock", {"hanami-controller@2.0.0.alpha1", "hanami-utils@2.0.0.alpha1", "concurrent-ruby@1.1.7",
                          "rack@2.2.3", "transproc@1.1.1"}),
])
def test_packages(fixture: str, expected: set[str]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "RubyGems"
    assert {dep.key for dep in parsed.packages} == expected


def test_direct_depends_on_and_lines() -> None:
    deps = _by_name(_scalibr("multiple-gems.lock"))
    assert {name for name, dep in deps.items() if dep.direct} == {"bundler-audit", "dotenv", "pry"}
    assert deps["pry"].depends_on == ("coderay@1.1.3", "method_source@1.0.0")
    assert deps["bundler-audit"].depends_on == ("thor@1.2.1",)  # bundler itself is not in the lock
    assert deps["bundler-audit"].line == 4


def test_git_and_path_sources() -> None:
    deps = _by_name(_scalibr("has-git-gem.lock"))
    assert deps["hanami-utils"].direct is True  # "hanami-utils!" in DEPENDENCIES
    assert deps["hanami-controller"].direct is False
    assert deps["hanami-controller"].depends_on == ("hanami-utils@2.0.0.alpha1", "rack@2.2.3")
    local = _by_name(_scalibr("has-local-gem.lock"))
    assert local["backbone-on-rails"].version == "1.2.0.0"
    assert local["nokogiri"].version == "1.13.3"  # 1.13.3-x86_64-linux


def test_spec_without_version_is_a_note() -> None:
    parsed = _scalibr("invalid.lock")
    assert parsed.packages == ()
    assert parsed.notes == ("line 4: gem 'invalid-name' has no version",)


def test_no_dependencies_section_leaves_direct_unknown() -> None:
    data = b"GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.3)\n"
    (rack,) = ANALYZER.analyze(InputFile("Gemfile.lock", data)).packages
    assert rack.direct is None


def test_platforms_plugins_and_checksums() -> None:
    path = Path(__file__).parent / "fixtures" / "platforms.lock"
    deps = _by_name(ANALYZER.analyze(InputFile("Gemfile.lock", path.read_bytes())))
    assert {(d.name, d.version, d.direct) for d in deps.values()} == {
        ("mini_portile2", "2.8.5", False),
        ("nokogiri", "1.16.0", True),  # three platform builds, one package
        ("racc", "1.7.3", False),
        ("rails-html-sanitizer", "1.6.0", True),
        ("bundler-plugin", "0.1.0", False),
    }
    assert deps["nokogiri"].depends_on == ("mini_portile2@2.8.5", "racc@1.7.3")
    assert deps["rails-html-sanitizer"].depends_on == ("nokogiri@1.16.0",)


JUNK = [
    pytest.param(b"    rack (2.2.3)\nGEM\n", id="spec-before-any-section"),
    pytest.param(b"GEM\n  specs:\n    rack (2.2.3)\n\xff\xfe", id="binary"),
    pytest.param(b"GEM\x00\n", id="nul"),
    pytest.param(b"GEM\n    " + b"x" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        ANALYZER.analyze(InputFile("Gemfile.lock", data))
