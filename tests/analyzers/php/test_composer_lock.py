"""php/composer-lock: osv-scalibr's composer.lock fixtures in place, hand-made projects with composer.json, junk."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, Parsed
from shiftsec.analyzers.php.composer_lock import ANALYZER
from shiftsec.errors import ParseError
from tests.analyzers.expected import input_file
from tests.conftest import shared

FIXTURES = Path(__file__).parent / "fixtures"


def _scalibr(name: str) -> Parsed:
    path = shared("lockfiles", "osv-scalibr", "language", "php", "composerlock", "testdata", name)
    return ANALYZER.analyze(InputFile("composer.lock", path.read_bytes()))


def _local(project: str) -> Parsed:
    return ANALYZER.analyze(input_file(FIXTURES / project / "composer.lock", FIXTURES))


def _by_name(parsed: Parsed) -> dict[str, Dependency]:
    return {dep.name: dep for dep in parsed.packages}


@pytest.mark.parametrize(("path", "wanted"), [
    ("composer.lock", True), ("app/composer.lock", True), ("composer.json", False), ("Composer.lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert ANALYZER.required(path) is wanted


@pytest.mark.parametrize(("fixture", "expected"), [
    ("empty.json", set()),
    ("one-package.json", {("sentry/sdk@2.0.4", False)}),
    ("one-package-dev.json", {("sentry/sdk@2.0.4", True)}),
    ("two-packages.json", {("sentry/sdk@2.0.4", False), ("theseer/tokenizer@1.1.3", True)}),
    ("two-packages-alt.json", {("sentry/sdk@2.0.4", False), ("theseer/tokenizer@1.1.3", False)}),
    ("duplicate-packages.json", {("sentry/sdk@2.0.4", False), ("sentry/sdk@2.0.5", False),
                                 ("sentry/sdk@3.0.0-dev", True)}),
    ("drupal-packages.json", {("drupal/core@10.4.5", False), ("drupal/tfa@2.0.0-alpha4", False),
                              ("theseer/tokenizer@1.1.3", False), ("drupal/field_time@1.0.0-beta5", True)}),
])
def test_packages_and_dev(fixture: str, expected: set[tuple[str, bool]]) -> None:
    parsed = _scalibr(fixture)
    assert parsed.ecosystem == "Packagist"
    assert {(dep.key, dep.dev) for dep in parsed.packages} == expected
    assert all(dep.direct is None for dep in parsed.packages)  # no composer.json beside them


def test_sibling_composer_json_sets_direct_and_requires_give_edges() -> None:
    parsed = _local("project")
    deps = _by_name(parsed)
    assert {(d.name, d.direct, d.dev) for d in deps.values()} == {
        ("Guzzlehttp/Guzzle", True, False),  # names compare case-insensitively
        ("guzzlehttp/psr7", False, False),
        ("symfony/console", True, False),
        ("phpunit/phpunit", True, True),
    }
    assert deps["Guzzlehttp/Guzzle"].depends_on == ("guzzlehttp/psr7@2.4.3",)  # php, ext-* and absent ones left out
    assert deps["phpunit/phpunit"].depends_on == ("symfony/console@v5.4.0",)
    assert parsed.notes == ()


def test_unreadable_composer_json_is_a_note() -> None:
    parsed = _local("bad-manifest")
    assert all(dep.direct is None for dep in parsed.packages)
    assert parsed.notes == (
        "composer.json is unreadable ('require' is not an object); direct dependencies are unknown",)


JUNK = [
    pytest.param(b"this is not json!", id="not-json"),
    pytest.param(b"null", id="null"),
    pytest.param(b"[]", id="array"),
    pytest.param(b'{"packages": [{"name": "a/b", "version": "1.0.0"}', id="truncated"),
    pytest.param(b'{"packages": {"a/b": "1.0.0"}}', id="packages-not-array"),
    pytest.param(b'{"packages": ["a/b"]}', id="package-not-object"),
    pytest.param(b'{"packages": [{"name": "a/b", "version": 1}]}', id="version-not-string"),
    pytest.param(b'{"packages": [{"name": "a/b"}]}', id="no-version"),
    pytest.param(b'{"packages-dev": [{"name": "a/b", "version": "1", "require": ["c/d"]}]}', id="require-not-map"),
    pytest.param(b"\x00\x01\x02\xff", id="binary"),
    pytest.param(b"[" * 50_000_000, id="50MB-line"),
]


@pytest.mark.parametrize("data", JUNK)
def test_broken_input_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        ANALYZER.analyze(InputFile("composer.lock", data))
    assert "\n" not in str(caught.value)
