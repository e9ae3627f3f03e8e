"""The contract between the directory target and the lockfile parsers.

An analyzer is an `Analyzer` value: a stable `name` ("python/poetry-lock"), a `version` bumped when its
output changes, a cheap `required(path)` that looks at the path only, and `analyze(file)` that parses one
`InputFile` into a `Parsed` result or raises `ParseError` with a one-line reason (the file then becomes an
entry in the report's `errors`; the scan goes on).

`Dependency.key` ("name@version") identifies a package within one file; `depends_on` lists the keys of the
packages it depends on, where the lockfile records that, and `direct` says whether the project itself asks
for it (None when the file does not say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from shiftsec.errors import ParseError

__all__ = ["Analyzer", "Dependency", "InputFile", "ParseError", "Parsed"]


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file handed to an analyzer.

    `path` is relative to the scan root, with forward slashes. `read(relative)` returns the bytes of another
    file, named relative to this file's folder (`"go.sum"`, `"../pom.xml"`), or None when it is missing,
    unreadable or outside the scan root.
    """

    path: str
    data: bytes
    read: Callable[[str], bytes | None] = field(default=lambda _relative: None)


@dataclass(frozen=True, slots=True)
class Dependency:
    name: str  # as the ecosystem's advisories name it (npm "@scope/name", Maven "group:artifact", Go module path)
    version: str  # the exact version the file pins or resolves
    direct: bool | None = None
    dev: bool = False
    line: int | None = None  # 1-based line of the entry in the file, when cheap to know
    depends_on: tuple[str, ...] = ()  # keys ("name@version") of this package's dependencies in the same file
    ecosystem: str | None = None  # only when it differs from `Parsed.ecosystem`
    # the exact purl when the analyzer knows more than name and version: an OS package's binary name, version,
    # arch, distro and source (`pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl`)
    purl: str | None = None

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one file declares. `notes` are lines the file holds that cannot be matched (an editable install,
    a URL or path requirement, an unpinned range); they are reported, never dropped silently."""

    ecosystem: str  # OSV ecosystem of the packages
    packages: tuple[Dependency, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Analyzer:
    name: str
    version: int
    required: Callable[[str], bool]  # gets the path relative to the scan root, forward slashes
    analyze: Callable[[InputFile], Parsed]
