"""Debian package ordering (dpkg): Debian, Ubuntu, Echo; and opam, which reuses it.

A version is ``[epoch:]upstream[-revision]``: the epoch is the digits before the first ``:``,
the revision follows the last ``-`` (absent means ``0``).  Upstream and revision are compared
with dpkg's ``verrevcmp``: alternately a run of non-digits, compared character by character
with ``~`` before the end of the string, the end before letters and letters before every other
character, then a run of digits compared numerically (an empty run is 0).

Each fragment becomes one tuple alternating a non-digit run, re-encoded so that plain string
comparison follows dpkg's character order and ended by an end-of-run marker that sorts after
``~`` and before everything else, and the value of the digit run after it.  The first pair is
always present, and a final end marker stands for the end of the string: it meets the other
side's next non-digit run and decides exactly as dpkg's "end of string" does.

Malformed input still parses: a non-numeric "epoch" is kept as part of the upstream version.
"""

from __future__ import annotations

import re
from string import ascii_letters, digits

from ._base import Key, KeyVersion, number

DPKG = "dpkg"
OPAM = "opam"

_DIGIT_RUNS = re.compile(r"([0-9]+)")
_TILDE = "\x01"  # sorts before the end-of-run marker...
_RUN_END = "\x02"  # ...which sorts before every letter (letters map to themselves)


class _Weights(dict[int, str]):
    """``str.translate`` table: ``~`` before the end marker, letters and digits kept, others above letters."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char == "~":
            mapped = _TILDE
        elif char in ascii_letters or char in digits:
            mapped = char
        else:  # above every letter, order kept (the last code points of plane 16 share one)
            mapped = chr(min(code + 0x100, 0x10FFFF))
        self[code] = mapped
        return mapped


_WEIGHTS = _Weights()


def fragment_key(fragment: str) -> Key:
    """Tuple ordering ``fragment`` as dpkg's ``verrevcmp`` does."""
    parts = _DIGIT_RUNS.split(fragment.translate(_WEIGHTS))  # non-digits, digits, ..., non-digits
    last = parts.pop()
    out: list[object] = [number(part) if index & 1 else part + _RUN_END for index, part in enumerate(parts)]
    if last or not out:
        out += (last + _RUN_END, 0)
    out.append(_RUN_END)
    return tuple(out)


def parse_dpkg(text: str) -> KeyVersion:
    version = text.strip()
    epoch = 0
    head, colon, rest = version.partition(":")
    if colon and head.isascii() and head.isdigit():
        epoch, version = number(head), rest
    upstream, hyphen, revision = version.rpartition("-")
    if not hyphen:
        upstream, revision = version, ""
    return KeyVersion(DPKG, text, (epoch, fragment_key(upstream), fragment_key(revision)))


def parse_opam(text: str) -> KeyVersion:
    """opam compares whole version strings with the Debian algorithm (no epoch or revision)."""
    return KeyVersion(OPAM, text, fragment_key(text))
