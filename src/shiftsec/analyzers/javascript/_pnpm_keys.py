"""pnpm-lock.yaml package keys and dependency references (part of `javascript/pnpm-lock`).

Keys by lockfile version, as osv-scalibr reads them:

    5.x   /acorn/8.7.0    /@scope/name/1.0.0    /foo/1.4.0_@types+babel__core@7.1.14 (peer suffix after "_")
          registry.npmjs.org/foo/1.1.0 (first segment is a registry host)    github.com/org/repo/<sha>
    6.x   /acorn@8.7.0    /@scope/name@1.0.0(peer@2.0.0)    (peer suffix in parentheses)
    9.0   acorn@8.7.0     @scope/name@1.0.0                 (`snapshots:` add the peer suffixes)

A 5.x/6.x key without a `/` is invalid (osv-scalibr fails the file, and so do we); a version that does
not start with a digit (a git path) leaves the name and version to the entry's `name`/`version` fields.
`file:` keys never encode either.

A dependency reference (`dependencies: {name: ref}`) is a version with optional peer suffix, an alias
(`/name@1.0.0` in 6.x, `name@1.0.0` in 9.0), a path key (`github.com/...`) or a `link:` to a workspace;
`candidates` lists the keys it can name, tried in order against the keys of the file.
"""

from __future__ import annotations

import re

from shiftsec.analyzers.api import ParseError

MAX_KEY = 4096
_NAME_AT_VERSION = re.compile(r"(.+?)@([\w.-]+)(?:\(|$)")
_LOCKFILE_VERSION = re.compile(r"\d+(?:\.\d+)?")


def lockfile_version(value: object) -> float:
    """`lockfileVersion` as a number (5.3, '6.0', '9.0'); missing counts as 5."""
    if value is None:
        return 5.0
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ParseError(f"lockfileVersion must be a number, found {value!r:.40}")
    match = _LOCKFILE_VERSION.match(str(value))
    if match is None:
        raise ParseError(f"lockfileVersion {str(value)[:40]!r} is not a number")
    return float(match.group(0))


def name_version(key: str, v9: bool) -> tuple[str, str]:
    """The (name, version) a package key encodes; ("", "") when it encodes none."""
    if len(key) > MAX_KEY:
        raise ParseError(f"package key longer than {MAX_KEY} characters")
    if key.startswith("file:"):
        return "", ""
    if v9:
        scoped = key.startswith("@")
        name, _, version = (key[1:] if scoped else key).partition("@")
        version = version.partition("(")[0]
        return ("@" + name if scoped else name), (version if version[:1].isdigit() else "")
    parts = key.partition("(")[0].split("/")  # a peer suffix may hold scoped names: cut it first
    if len(parts) < 2:
        raise ParseError(f"invalid package path {key[:80]!r}")
    parts = parts[1:]
    if parts[0].startswith("@"):
        name, rest = "/".join(parts[:2]), parts[2:]
    else:
        name, rest = parts[0], parts[1:]
    version = rest[0] if rest else ""
    if not version:
        match = _NAME_AT_VERSION.match(name)
        name, version = (match.group(1), match.group(2)) if match else (name, "")
    if not version or not version[0].isdigit():
        return "", ""
    return name, version.partition("_")[0]


def candidates(name: str, ref: str, v9: bool) -> tuple[str, ...]:
    """The keys a dependency reference can name; () for workspace links."""
    if not ref or ref.startswith("link:"):
        return ()
    if v9:
        if ref[0].isdigit():
            return (f"{name}@{ref}",)
        return (ref, f"{name}@{ref}")
    if ref.startswith("/"):
        return (ref,)
    if ref[0].isdigit():
        return (f"/{name}@{ref}", f"/{name}/{ref}")
    return (ref, f"/{name}@{ref}", f"/{name}/{ref}")
