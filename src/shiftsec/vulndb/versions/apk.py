"""Alpine package ordering (apk-tools): Alpine, Wolfi, Chainguard, MinimOS, Alpaquita, BellSoft.

Grammar: ``number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}``.  Valid suffixes
sort ``_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p``.

The comparison follows the token walk of current apk-tools (2.14): both strings are read
token by token (first number, further numbers, letter, suffix, suffix number, commit hash,
revision, end, or "invalid" at the first character that breaks the grammar) and compared
while both sides have the same kind of token:

* the first number compares numerically; later numbers too, unless either has a leading zero,
  when the digit strings compare as strings (``1.01 < 1.1``); an empty number (``1..2``) or
  an empty revision (``1-r``) reads as 0, and a bare ``_`` is the "no suffix" suffix;
* where the kinds first differ, a pre-release suffix makes its side older; otherwise the side
  whose token kind comes later in the grammar is older (``1.0_rc1 < 1.0 < 1.0-r1 < 1.0_p1``);
* both sides reaching the end, or both reaching an invalid token, is a tie: whatever follows
  an invalid token is ignored (``1-ruff1 == 1-ruff2``).

Two leniencies for versions apk itself would call invalid: digits right after a letter are read
as a further number (``6.6.2p1 < 6.6.2p2``, as apk-tools 2.10 and osv-scalibr read them, where
apk 2.14 stops at the digit and calls the two equal), and a commit hash ``~abc`` (apk 3) is read.

A version that does not start with a digit is read as if prefixed by ``0`` (so ``a < b`` and
``.1 < .2``, as ``apk version -t`` of apk-tools 2.10 orders them) instead of being wholly
invalid; for versions that start with a digit that changes nothing.

The walk is expressed as one tuple of per-token keys, so comparisons are tuple comparisons.
"""

from __future__ import annotations

import re

from ._base import Key, KeyVersion, number

APK = "apk"

# Token kinds, in grammar order: where kinds differ, the later kind sorts older.
_INITIAL, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _HASH, _REVISION, _END, _INVALID = range(9)

_NO_SUFFIX = 4
_SUFFIXES = {
    "alpha": 0, "beta": 1, "pre": 2, "rc": 3,  # pre-release suffixes sort before...
    "": _NO_SUFFIX,  # ...no suffix, which sorts before the post-release ones
    "cvs": 5, "svn": 6, "git": 7, "hg": 8, "p": 9,
}  # fmt: skip

_DIGITS = re.compile(r"[0-9]*")
_SUFFIX_NAME = re.compile(r"[a-z]*")
_HEX = re.compile(r"[0-9a-f]*")


def _token(kind: int, value: object = None) -> Key:
    return (1, -kind, value)


def _number(run: str) -> Key:
    # apk compares the raw strings when either has a leading zero; "" < "0..." < "1..."
    return (0, run) if run[:1] in ("", "0") else (1, number(run))


def _walk(text: str) -> Key:
    head = _DIGITS.match(text)
    assert head is not None  # the pattern matches the empty string
    out = [_token(_INITIAL, number(head.group()))]
    pos, kind, size = head.end(), _INITIAL, len(text)
    while pos < size:
        char = text[pos]
        if "a" <= char <= "z" and kind <= _DIGIT:
            kind = _LETTER
            out.append(_token(_LETTER, char))
            pos += 1
        elif char == "." and kind <= _DIGIT:
            run = _DIGITS.match(text, pos + 1)
            assert run is not None
            pos, kind = run.end(), _DIGIT
            out.append(_token(_DIGIT, _number(run.group())))
        elif "0" <= char <= "9" and kind == _SUFFIX:
            run = _DIGITS.match(text, pos)
            assert run is not None
            pos, kind = run.end(), _SUFFIX_NO
            out.append(_token(_SUFFIX_NO, number(run.group())))
        elif "0" <= char <= "9" and kind == _LETTER:
            # apk-tools 2.10 (and osv-scalibr) read digits after a letter as a number: 2.5.1a1
            run = _DIGITS.match(text, pos)
            assert run is not None
            pos, kind = run.end(), _DIGIT
            out.append(_token(_DIGIT, _number(run.group())))
        elif char == "_" and kind <= _SUFFIX_NO:
            name = _SUFFIX_NAME.match(text, pos + 1)
            assert name is not None
            suffix = _SUFFIXES.get(name.group())
            if suffix is None:
                break
            pos, kind = name.end(), _SUFFIX
            # a pre-release suffix makes its side older than any other kind of token
            out.append((0, suffix) if suffix < _NO_SUFFIX else _token(_SUFFIX, suffix))
        elif char == "~" and kind < _HASH:
            commit = _HEX.match(text, pos + 1)
            assert commit is not None
            if not commit.group():
                break
            pos, kind = commit.end(), _HASH
            out.append(_token(_HASH, commit.group()))
        elif char == "-" and kind < _REVISION and text.startswith("-r", pos):
            run = _DIGITS.match(text, pos + 2)
            assert run is not None
            pos, kind = run.end(), _REVISION
            out.append(_token(_REVISION, number(run.group() or "0")))
        else:
            break
    else:
        out.append(_token(_END))
        return tuple(out)
    out.append(_token(_INVALID))
    return tuple(out)


# The shape of nearly every real package version ("1.2.3", "1.1.1d-r0", "2.4.41-r0"): read in one match.
_COMMON = re.compile(r"([0-9]+)((?:\.[0-9]*)*)([a-z]?)(?:-r([0-9]*))?")


def _walk_common(text: str) -> Key | None:
    """The key `_walk` gives for a version of the common shape (None for any other), built without the loop."""
    match = _COMMON.fullmatch(text)
    if match is None:
        return None
    first, dotted, letter, revision = match.groups()
    out = [_token(_INITIAL, number(first))]
    if dotted:
        out.extend(_token(_DIGIT, _number(run)) for run in dotted[1:].split("."))
    if letter:
        out.append(_token(_LETTER, letter))
    if revision is not None:
        out.append(_token(_REVISION, number(revision or "0")))
    out.append(_token(_END))
    return tuple(out)


def parse_apk(text: str) -> KeyVersion:
    body = text if text[:1].isdigit() and text[:1].isascii() else "0" + text
    return KeyVersion(APK, text, _walk_common(body) or _walk(body))
