"""Maven ordering, per the POM reference's version order specification as OSV implements it.

This is the reading of Maven's ``ComparableVersion`` rules that osv.dev and osv-scalibr use to
compute and match Maven advisory ranges, so it agrees with OSV's own data:

* the version is cut into tokens at ``.`` and ``-`` and at every switch between digits and
  non-digits; each token remembers the separator before it (``""`` for the first, ``-`` for a
  token split off at a digit/letter switch); empty tokens read as ``0``;
* tokens are case-insensitive; ``cr`` is ``rc``; ``ga``, ``final`` and ``release`` are the
  empty qualifier; ``a``, ``b``, ``m`` directly followed by a digit are alpha, beta, milestone;
* trailing null tokens (``0``, empty) are trimmed at the end and before each remaining ``-``;
* tokens compare pairwise, the shorter version padded with ``.0`` (``.`` before ``sp``) or
  ``-`` nulls; with equal separators numbers compare numerically and sort after qualifiers,
  which order ``alpha < beta < milestone < rc < snapshot < "" < sp < unknown`` (unknown ones
  alphabetically); with different separators ``.qualifier < -qualifier < -number < .number``.

The rules are pairwise (the padding depends on the other side), so this is a
:class:`PairwiseVersion`; equal versions have identical trimmed token lists, which is the hash.
"""

from __future__ import annotations

import re

from ._base import PairwiseVersion, ascii_digits, number

MAVEN = "maven"

_PIECES = re.compile(r"[.-]|[0-9]+|[^0-9.-]+")
_KEYWORDS = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6}
_UNKNOWN = len(_KEYWORDS)
_RELEASE_ALIASES = frozenset({"ga", "final", "release"})
_SHORTHANDS = {"a": "alpha", "b": "beta", "m": "milestone"}

# A token: (separator, value, is_number, number, keyword rank, is_padding)
Token = tuple[str, str, bool, int, int, bool]


def _token(separator: str, value: str, padding: bool = False) -> Token:
    if ascii_digits(value):
        return (separator, value, True, number(value), _UNKNOWN, padding)
    return (separator, value, False, 0, _KEYWORDS.get(value, _UNKNOWN), padding)


_PAD_DOT = _token(".", "0", padding=True)
_PAD_DOT_SP = _token(".", "", padding=True)
_PAD_DASH = _token("-", "", padding=True)


def _padding_for(other: Token) -> Token:
    if other[0] == "-":
        return _PAD_DASH
    return _PAD_DOT_SP if other[1] == "sp" else _PAD_DOT


def _separator_rank(token: Token) -> int:
    # ".qualifier" < "-qualifier" < "-number" < ".number"
    if token[2]:
        return 2 if token[0] == "-" else 3
    return 1 if token[0] == "-" else 0


def _less(left: Token, right: Token) -> bool:
    if left[0] != right[0]:
        return _separator_rank(left) < _separator_rank(right)
    if left[2] and right[2]:
        return left[3] < right[3]
    if left[2] and not left[5]:
        return False
    if right[2] and not right[5]:
        return True
    if left[4] == _UNKNOWN and right[4] == _UNKNOWN:
        return left[1] < right[1]
    return left[4] < right[4]


def _value(run: str, before_digits: bool) -> str:
    value = run.lower()
    if value == "cr":
        return "rc"
    if value in _RELEASE_ALIASES:
        return ""
    if before_digits and value in _SHORTHANDS:
        return _SHORTHANDS[value]
    return value


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    pieces = _PIECES.findall(text)
    separator, at_start = "", True  # at_start: no run read since the last separator
    for index, piece in enumerate(pieces):
        if piece in ("-", "."):
            if at_start:
                tokens.append(_token(separator, "0"))  # an empty piece reads as 0
            separator, at_start = piece, True
        elif piece[0] in "0123456789":
            tokens.append(_token(separator if at_start else "-", piece.lstrip("0") or "0"))
            at_start = False
        else:
            followed_by_digits = index + 1 < len(pieces) and pieces[index + 1][0] in "0123456789"
            value = _value(piece, followed_by_digits)
            tokens.append(_token(separator if at_start else "-", value))
            at_start = False
    if at_start:
        tokens.append(_token(separator, "0"))
    # Trim trailing nulls, then again before each remaining hyphen, from the end to the start.
    i = len(tokens) - 1
    while i > 0:
        if tokens[i][1] in ("0", ""):
            tokens.pop(i)
            i -= 1
            continue
        while i >= 0 and tokens[i][0] != "-":
            i -= 1
        i -= 1
    return tokens


class MavenVersion(PairwiseVersion):
    __slots__ = ("canonical", "tokens")

    def __init__(self, text: str) -> None:
        super().__init__(MAVEN, text)
        self.tokens = _tokens(text)
        self.canonical = tuple((token[0], token[1]) for token in self.tokens)

    def _cmp(self, other: PairwiseVersion) -> int:
        assert isinstance(other, MavenVersion)
        mine, theirs = self.tokens, other.tokens
        for i in range(max(len(mine), len(theirs))):
            left = mine[i] if i < len(mine) else _padding_for(theirs[i])
            right = theirs[i] if i < len(theirs) else _padding_for(mine[i])
            if left[0] == right[0] and left[1] == right[1]:
                continue
            return -1 if _less(left, right) else 1
        return 0

    def __hash__(self) -> int:
        return hash((MAVEN, self.canonical))


def parse_maven(text: str) -> MavenVersion:
    return MavenVersion(text)
