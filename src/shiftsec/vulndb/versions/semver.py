"""SemVer 2.0 ordering and its relatives: npm, Go, crates.io, Hex, SwiftURL, NuGet and Pub.

Owns the lenient "semver-like" reader every one of these shares, modelled on osv-scalibr's
``semantic`` package so that OSV range events order the way OSV itself orders them:

* an optional leading ``v`` is dropped (Go tags, ``v1.2.3``);
* the numeric head is the longest prefix of digits and dots; its non-empty dot-separated runs
  are the components, missing ones count as 0 (``1.2`` == ``1.2.0``);
* everything after the head is the tail: ``-pre.release+build`` in a valid version;
* components beyond the ecosystem's count (3, or 4 for NuGet) are moved to the end of the tail
  as ``.N`` each, so ``1.2.3.4`` orders as a pre-release of ``1.2.3`` (as osv-scalibr does);
* the pre-release is the tail before the first ``+``, less one leading ``-``; build metadata
  (after ``+``) is ignored, so Go's ``v2.0.0+incompatible`` == ``v2.0.0``.

Any string parses: a string with no numeric head is ``0.0.0`` with the whole string as its
pre-release, which is the generic dotted numeric/alphanumeric fallback for invalid input.

Pre-release identifiers compare per SemVer §11: digit-only ones numerically and below
alphanumeric ones, which compare in ASCII order; a longer list wins a tie.  So Go
pseudo-versions (``v0.0.0-20210101000000-abcdef123456``, ``v1.2.4-0.2021…``) order by their
base and then by their fixed-width timestamp.

NuGet reads four components and compares the tail case-insensitively.  Pub follows Dart's
``pub_semver``: build metadata is significant (a version with a build sorts after the same
version without one, identifiers compared like pre-release identifiers).
"""

from __future__ import annotations

import re

from ._base import Key, KeyVersion, ascii_digits, number

SEMVER = "semver"
NUGET = "nuget"
PUB = "pub"

_HEAD = re.compile(r"[0-9.]*")


def split_semver_like(text: str, width: int) -> tuple[tuple[int, ...], str]:
    """``(components padded/truncated to width, tail)`` per the module rules."""
    body = text[1:] if text.startswith("v") else text
    head = _HEAD.match(body)
    assert head is not None  # the pattern matches the empty string
    tail = body[head.end() :]
    numbers = [number(part) for part in head.group().split(".") if part]
    if len(numbers) > width:
        tail += "".join(f".{extra}" for extra in numbers[width:])
        numbers = numbers[:width]
    numbers.extend([0] * (width - len(numbers)))
    return tuple(numbers), tail


def identifiers_key(dotted: str) -> Key:
    """Key for a dot-separated identifier list: numbers (numerically) before strings (ASCII)."""
    return tuple((0, number(part)) if ascii_digits(part) else (1, part) for part in dotted.split("."))


def _pre_release(tail: str) -> str:
    pre = tail.split("+", 1)[0]
    return pre[1:] if pre.startswith("-") else pre


def _semver_key(components: tuple[int, ...], tail: str) -> Key:
    pre = _pre_release(tail)
    if not pre:
        return (*components, 1)
    return (*components, 0, identifiers_key(pre))


def parse_semver(text: str) -> KeyVersion:
    """SemVer 2.0 (npm, Go, crates.io, Hex, SwiftURL, Bitnami, ``SEMVER`` ranges)."""
    components, tail = split_semver_like(text, 3)
    return KeyVersion(SEMVER, text, _semver_key(components, tail))


def parse_nuget(text: str) -> KeyVersion:
    """NuGet: four numeric components, case-insensitive pre-release labels."""
    components, tail = split_semver_like(text, 4)
    return KeyVersion(NUGET, text, _semver_key(components, tail.lower()))


def parse_pub(text: str) -> KeyVersion:
    """Pub (Dart ``pub_semver``): SemVer plus ordered build metadata."""
    components, tail = split_semver_like(text, 3)
    pre = _pre_release(tail)
    _, plus, build = tail.partition("+")
    pre_key: Key = (0, identifiers_key(pre)) if pre else (1,)
    build_key: Key = (1, identifiers_key(build)) if plus and build else (0,)
    return KeyVersion(PUB, text, (*components, pre_key, build_key))
