"""installed/python-dist, node-package, ruby-gemspec and composer-installed: in-image paths, the metadata
shapes installers write (osv-scalibr's wheelegg and gemspec fixtures, hand-written package.json trees and
installed.json files in Composer 1 and 2 form) and broken input."""

from __future__ import annotations

import json

import pytest

from shiftsec.analyzers.api import InputFile, ParseError
from shiftsec.analyzers.installed import (
    composer_installed,
    installed_analyzers_for,
    node_package,
    python_dist,
    ruby_gemspec,
    wants,
)
from shiftsec.analyzers.registry import analyzer_for
from tests.conftest import shared

WHEELEGG = ("lockfiles", "osv-scalibr", "language", "python", "wheelegg", "testdata")
GEMSPEC = ("lockfiles", "osv-scalibr", "language", "ruby", "gemspec", "testdata")


@pytest.mark.parametrize(("path", "analyzer"), [
    ("usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", "installed/python-dist"),
    ("usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", "installed/python-dist"),
    ("usr/lib/python3/dist-packages/pycups-2.0.1.egg-info", "installed/python-dist"),
    ("opt/venv/lib/python3.12/site-packages/setuptools-57.4.0-py3.9.egg/EGG-INFO/PKG-INFO", "installed/python-dist"),
    ("app/node_modules/lodash/package.json", "installed/node-package"),
    ("app/node_modules/@babel/core/package.json", "installed/node-package"),
    ("app/node_modules/a/node_modules/@types/node/package.json", "installed/node-package"),
    ("usr/local/lib/node_modules/npm/package.json", "installed/node-package"),
    ("app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json", "installed/node-package"),
    ("usr/local/bundle/specifications/rails-7.1.2.gemspec", "installed/ruby-gemspec"),
    ("usr/lib/ruby/gems/3.2.0/specifications/default/json-2.6.3.gemspec", "installed/ruby-gemspec"),
    ("var/www/html/vendor/composer/installed.json", "installed/composer-installed"),
    ("app/lib/spring-core-6.0.0.jar", "installed/java-archive"),
    ("usr/local/tomcat/webapps/ROOT.war", "installed/java-archive"),
    # not wanted
    ("app/package.json", None),
    ("app/node_modules/lodash/fp/package.json", None),
    ("app/node_modules/@babel/package.json", None),
    ("app/node_modules/.bin/package.json", None),
    ("home/u/project/requests-2.31.0.dist-info/METADATA", None),  # not under site-packages
    ("usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/RECORD", None),
    ("usr/local/bundle/gems/rails-7.1.2/rails.gemspec", None),  # the gem's own source gemspec
    ("app/composer.json", None),
    ("vendor/composer/installed.php", None),
])
def test_in_image_paths(path: str, analyzer: str | None) -> None:
    found = [a.name for a in installed_analyzers_for(path)]
    assert found == ([analyzer] if analyzer else [])
    assert wants(path) is (analyzer is not None)


def test_directory_scans_are_unchanged() -> None:
    # the lockfile registry wants none of the installed-package files
    for path in ("usr/lib/python3.11/site-packages/x-1.dist-info/METADATA", "app/node_modules/x/package.json",
                 "usr/local/bundle/specifications/x-1.gemspec", "vendor/composer/installed.json", "app/x.jar"):
        assert analyzer_for(path) is None


@pytest.mark.parametrize(("fixture", "name", "version", "purl"), [
    ("distinfo_meta", "pip", "22.2.2", "pkg:pypi/pip@22.2.2"),
    ("egginfo", "pycups", "2.0.1", "pkg:pypi/pycups@2.0.1"),
    ("egginfo_pkginfo", "setuptools", "57.4.0", "pkg:pypi/setuptools@57.4.0"),
    ("malformed_pkginfo", "passlib", "1.7.4", "pkg:pypi/passlib@1.7.4"),
    ("mixed_case", "httplib2", "1.0", "pkg:pypi/httplib2@1.0"),
    ("special_chars", "backports.ssl_match_hostname", "3.5.0.1", "pkg:pypi/backports-ssl-match-hostname@3.5.0.1"),
    ("pyopenssl-26.0.0.dist-info", "pyOpenSSL", "26.0.0", "pkg:pypi/pyopenssl@26.0.0"),
    ("repeated_pkginfo", "root", "1.0.0", "pkg:pypi/root@1.0.0"),
])
def test_python_metadata(fixture: str, name: str, version: str, purl: str) -> None:
    data = shared(*WHEELEGG, fixture).read_bytes()
    parsed = python_dist.analyze(InputFile("usr/lib/python3/dist-packages/x.dist-info/METADATA", data))
    assert parsed.ecosystem == "PyPI"
    assert [(d.name, d.version, d.purl) for d in parsed.packages] == [(name, version, purl)]


def test_python_headers_stop_at_the_body() -> None:
    data = b"Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n\nName: not-a-header\nVersion: 9\n"
    parsed = python_dist.analyze(InputFile("site-packages/Foo_Bar-1.0.dist-info/METADATA", data))
    assert [(d.key, d.purl) for d in parsed.packages] == [("Foo_Bar@1.0", "pkg:pypi/foo-bar@1.0")]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "without Name and Version"),
    (b"Metadata-Version: 2.1\nName: x\n", "without Version"),
    (b"\n\nName: x\nVersion: 1\n", "without Name and Version"),  # a body only
    (b"\x00\x01\x02", "binary data"),
])
def test_python_bad_metadata(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        python_dist.analyze(InputFile("site-packages/x.dist-info/METADATA", data))


def _package_json(doc: object, path: str = "app/node_modules/x/package.json") -> InputFile:
    return InputFile(path, json.dumps(doc).encode())


@pytest.mark.parametrize(("doc", "path", "key"), [
    ({"name": "lodash", "version": "4.17.21", "main": "lodash.js"}, "app/node_modules/lodash/package.json",
     "lodash@4.17.21"),
    ({"name": "@babel/core", "version": "7.23.2"}, "app/node_modules/@babel/core/package.json", "@babel/core@7.23.2"),
    ({"name": "ms", "version": "2.0.0"}, "app/node_modules/debug/node_modules/ms/package.json", "ms@2.0.0"),
])
def test_node_packages(doc: object, path: str, key: str) -> None:
    parsed = node_package.analyze(_package_json(doc, path))
    assert parsed.ecosystem == "npm"
    assert [d.key for d in parsed.packages] == [key]
    assert parsed.notes == ()


def test_node_package_without_version_is_a_note() -> None:
    parsed = node_package.analyze(_package_json({"name": "local-thing"}, "app/node_modules/local-thing/package.json"))
    assert parsed.packages == ()
    assert parsed.notes == ("node_modules/local-thing: package.json without a name and version — not matched",)


@pytest.mark.parametrize(("data", "message"), [
    (b"{", "not valid JSON"), (b"[1]", "not a JSON object"), (b"\xff\xfe", "not valid JSON"),
])
def test_node_bad_package_json(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        node_package.analyze(InputFile("app/node_modules/x/package.json", data))


RUBYGEMS_WRITTEN = b'''# -*- encoding: utf-8 -*-
# stub: nokogiri 1.15.4 x86_64-linux lib

Gem::Specification.new do |s|
  s.name = %q<nokogiri>.freeze
  s.version = Gem::Version.new("1.15.4")
  s.platform = "x86_64-linux".freeze
end
'''
OLD_RUBYGEMS = b'''Gem::Specification.new do |s|
  s.name = %q{rack}
  s.version = "2.2.8"
end
'''
STUB_ONLY = b'''# stub: puma 6.4.0 ruby lib
Gem::Specification.new do |s|
  s.name = NAME
  s.version = Puma::Const::VERSION
end
'''


@pytest.mark.parametrize(("data", "path", "key"), [
    ("rss-0.2.9.gemspec", "specifications/rss-0.2.9.gemspec", "rss@0.2.9"),
    ("yaml-0.2.1.gemspec", "specifications/default/yaml-0.2.1.gemspec", "yaml@0.2.1"),
    # broken `s.name =`, but RubyGems' own stub line says rss 0.2.9 (osv-scalibr reports nothing here)
    ("invalid.gemspec", "specifications/rss-0.2.9.gemspec", "rss@0.2.9"),
    (RUBYGEMS_WRITTEN, "specifications/nokogiri-1.15.4-x86_64-linux.gemspec", "nokogiri@1.15.4"),
    (OLD_RUBYGEMS, "specifications/rack-2.2.8.gemspec", "rack@2.2.8"),
    (STUB_ONLY, "specifications/puma-6.4.0.gemspec", "puma@6.4.0"),
    # a constant version and no stub line: the file name, split after the literal name
    (b"Gem::Specification.new do |s|\n  s.name = 'json'\n  s.version = JSON::VERSION\nend\n",
     "specifications/json-2.6.3-java.gemspec", "json@2.6.3"),
])
def test_gemspecs(data: bytes | str, path: str, key: str) -> None:
    raw = shared(*GEMSPEC, data).read_bytes() if isinstance(data, str) else data  # a str names a fixture
    parsed = ruby_gemspec.analyze(InputFile(path, raw))
    assert parsed.ecosystem == "RubyGems"
    assert [d.key for d in parsed.packages] == [key]


@pytest.mark.parametrize(("fixture", "message"), [
    ("badspec.gemspec", "no Gem::Specification.new"),
    ("empty.gemspec", "no Gem::Specification.new"),
    ("version_inline.gemspec", "without a literal name and version"),  # VERSION constant, not evaluated
])
def test_bad_gemspecs(fixture: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        ruby_gemspec.analyze(InputFile(f"specifications/{fixture}", shared(*GEMSPEC, fixture).read_bytes()))


COMPOSER_1 = [
    {"name": "guzzlehttp/guzzle", "version": "7.8.0", "version_normalized": "7.8.0.0", "type": "library",
     "require": {"php": "^7.2.5 || ^8.0", "ext-json": "*", "guzzlehttp/psr7": "^1.9.1 || ^2.5"}},
    {"name": "guzzlehttp/psr7", "version": "2.6.1", "version_normalized": "2.6.1.0"},
]
COMPOSER_2 = {"packages": [*COMPOSER_1, {"name": "phpunit/phpunit", "version": "10.4.2"}], "dev": True,
              "dev-package-names": ["phpunit/phpunit"]}


@pytest.mark.parametrize("doc", [COMPOSER_1, COMPOSER_2])
def test_composer_installed(doc: object) -> None:
    parsed = composer_installed.analyze(InputFile("app/vendor/composer/installed.json", json.dumps(doc).encode()))
    assert parsed.ecosystem == "Packagist"
    got = {(d.key, d.dev, d.depends_on) for d in parsed.packages}
    want = {("guzzlehttp/guzzle@7.8.0", False, ("guzzlehttp/psr7@2.6.1",)), ("guzzlehttp/psr7@2.6.1", False, ())}
    if isinstance(doc, dict):
        want.add(("phpunit/phpunit@10.4.2", True, ()))
    assert got == want


@pytest.mark.parametrize(("data", "message"), [
    (b"{", "not valid JSON"),
    (b'{"packages": {}}', "neither a package array"),
    (b"[1]", "package #1 is not an object"),
    (b'[{"name": "a/b"}]', "must be non-empty strings"),
])
def test_composer_bad_input(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        composer_installed.analyze(InputFile("vendor/composer/installed.json", data))
