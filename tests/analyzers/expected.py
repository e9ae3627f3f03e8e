"""The EXPECTED_PACKAGES.json oracle (osv-scalibr's extractor tests) as test cases for our analyzers.

`FORMATS` maps each osv-scalibr extractor folder to the name of the analyzer that covers that format.
A case passes when the analyzer's (name, version) set equals the expected one exactly (duplicates ignored),
or, for `want_error` cases, when it raises `ParseError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shiftsec.analyzers.api import InputFile
from tests.conftest import shared

ROOT = ("lockfiles", "osv-scalibr")

FORMATS: dict[str, str] = {
    "language/python/requirements": "python/requirements",
    "language/python/poetrylock": "python/poetry-lock",
    "language/python/pipfilelock": "python/pipfile-lock",
    "language/python/pdmlock": "python/pdm-lock",
    "language/python/uvlock": "python/uv-lock",
    "language/python/pylock": "python/pylock",
    "language/python/pyprojecttoml": "python/pyproject",
    "language/javascript/packagelockjson": "javascript/package-lock",
    "language/javascript/yarnlock": "javascript/yarn-lock",
    "language/javascript/pnpmlock": "javascript/pnpm-lock",
    "language/javascript/bunlock": "javascript/bun-lock",
    "language/golang/gomod": "golang/go-mod",
    "language/golang/vendormodules": "golang/vendor-modules",
    "language/rust/cargolock": "rust/cargo-lock",
    "language/ruby/gemfilelock": "ruby/gemfile-lock",
    "language/php/composerlock": "php/composer-lock",
    "language/java/pomxml": "java/pom-xml",
    "language/java/gradlelockfile": "java/gradle-lockfile",
    "language/dotnet/packageslockjson": "dotnet/packages-lock-json",
    "language/dotnet/depsjson": "dotnet/deps-json",
    "language/dotnet/packagesconfig": "dotnet/packages-config",
    "language/dotnet/csproj": "dotnet/csproj",
    "language/dart/pubspec": "dart/pubspec-lock",
    "language/elixir/mixlock": "elixir/mix-lock",
    "language/swift/packageresolved": "swift/package-resolved",
    "language/swift/podfilelock": "swift/podfile-lock",
    "language/r/renvlock": "r/renv-lock",
    "language/cpp/conanlock": "cpp/conan-lock",
    "language/haskell/cabal": "haskell/cabal-freeze",
    "language/haskell/stacklock": "haskell/stack-lock",
}


@dataclass(frozen=True)
class Case:
    extractor: str  # osv-scalibr folder, e.g. "language/rust/cargolock"
    fixture: str  # path as written in the expectations, e.g. "testdata/one-package.lock"
    want_error: bool
    packages: frozenset[tuple[str, str]]

    @property
    def id(self) -> str:
        return f"{self.extractor.split('/')[-1]}:{self.fixture.removeprefix('testdata/')}"

    @property
    def path(self) -> Path:
        # "x.lock#2": another case of the same Go table test reading the same file (with other options)
        fixture = self.fixture.partition("#")[0]
        return shared(*ROOT, *self.extractor.split("/"), *fixture.split("/"))


@cache
def _expectations() -> dict[str, dict[str, dict[str, object]]]:
    data = json.loads(shared(*ROOT, "EXPECTED_PACKAGES.json").read_text())
    return data["extractors"]  # type: ignore[no-any-return]


def cases(extractor: str) -> list[Case]:
    """Every case the expectations hold for one extractor folder (all its *_test.go files)."""
    out: dict[str, Case] = {}
    for per_file in _expectations().get(extractor, {}).values():
        for fixture, want in per_file.items():  # type: ignore[attr-defined]
            packages = frozenset((p["name"], p["version"]) for p in want["packages"])
            out[fixture] = Case(extractor, fixture, bool(want["want_error"]), packages)
    return sorted(out.values(), key=lambda c: c.fixture)


def input_file(path: Path, root: Path) -> InputFile:
    """`path` as an analyzer sees it: relative to `root`, with siblings readable only inside `root`."""
    folder = path.parent

    def read(relative: str) -> bytes | None:
        target = (folder / relative).resolve()
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            return None
        return target.read_bytes()

    return InputFile(path.relative_to(root).as_posix(), path.read_bytes(), read)
