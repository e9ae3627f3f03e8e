"""Packagist (Composer/PHP) ordering: PHP's ``version_compare`` after light normalization.

Normalization (as Composer does before comparing, and as OSV does): one leading ``v``/``V``
is dropped; ``-``, ``_`` and ``+`` are separators like ``.``; a switch between digits and
non-digits is a separator too, so ``4.3.2RC1`` reads ``4.3.2.RC.1``.

Parts compare left to right: numbers numerically; other parts by PHP's special forms, matched
as prefixes and case-insensitively (Composer's modifiers are), ``any other string < dev <
alpha = a < beta = b < RC = rc < # < pl = p``; a number against a string compares as ``#``.
When one version runs out, the longer one is greater if its next part is a number, otherwise
its remaining parts are compared against ``#`` (so ``1.0 < 1.0.0`` but ``1.0rc1 < 1.0``).

PHP's rules are not a total order in one corner: the literal ``#`` equals every number, so
``1.2.3.# == 1.2.3`` and ``1.2.3.# == 1.2.3.1``.  The comparison is therefore pairwise
(:class:`PairwiseVersion`).  The hash is that of the first part, which agrees with ``==``
except for versions whose first part is itself ``#``, a form no published package uses.
"""

from __future__ import annotations

import re

from ._base import PairwiseVersion, ascii_digits, number

PACKAGIST = "packagist"

_SEPARATORS = re.compile(r"[-_+.]")
_RUNS = re.compile(r"[0-9]+|[^0-9]+")
# PHP's table of special forms, in its lookup order (first prefix match wins).
_FORMS = (("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2), ("rc", 3), ("#", 4), ("pl", 5), ("p", 5))
_NUMBER_AS_FORM = 4  # a number compared with a string counts as "#"
_UNKNOWN_FORM = -1

# A part: (is_number, value) with value the number or the special-form weight.
Part = tuple[bool, int]


def _form(part: str) -> int:
    lowered = part.lower()
    for name, weight in _FORMS:
        if lowered.startswith(name):
            return weight
    return _UNKNOWN_FORM


def _parts(text: str) -> tuple[Part, ...]:
    body = text[1:] if text[:1] in ("v", "V") else text
    parts: list[Part] = []
    for piece in _SEPARATORS.split(body):
        for run in _RUNS.findall(piece) or [""]:
            parts.append((True, number(run)) if ascii_digits(run) else (False, _form(run)))
    return tuple(parts)


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _compare_tail(tail: tuple[Part, ...]) -> int:
    """Sign of ``longer`` against ``shorter`` when ``tail`` is what ``longer`` has beyond it."""
    for is_number, value in tail:
        if is_number:
            return 1
        result = _sign(value - _NUMBER_AS_FORM)  # the remaining parts are compared with "#"
        if result:
            return result
    return 0


def _compare_parts(a: tuple[Part, ...], b: tuple[Part, ...]) -> int:
    for (a_number, a_value), (b_number, b_value) in zip(a, b, strict=False):
        if a_number == b_number:
            result = _sign(a_value - b_value)
        elif a_number:
            result = _sign(_NUMBER_AS_FORM - b_value)
        else:
            result = _sign(a_value - _NUMBER_AS_FORM)
        if result:
            return result
    if len(a) > len(b):
        return _compare_tail(a[len(b) :])
    if len(a) < len(b):
        return -_compare_tail(b[len(a) :])
    return 0


class PackagistVersion(PairwiseVersion):
    __slots__ = ("numbers", "parts")

    def __init__(self, text: str) -> None:
        super().__init__(PACKAGIST, text)
        self.parts = _parts(text)
        # Most versions are all numbers; for two of those the rules above reduce to tuple order (a number
        # left over makes the longer one greater), which Python compares without a loop of ours.
        self.numbers = tuple(v for _, v in self.parts) if all(n for n, _ in self.parts) else None

    def _cmp(self, other: PairwiseVersion) -> int:
        assert isinstance(other, PackagistVersion)
        a, b = self.numbers, other.numbers
        if a is not None and b is not None:
            return (a > b) - (a < b)
        return _compare_parts(self.parts, other.parts)

    def __hash__(self) -> int:
        return hash((PACKAGIST, self.parts[0]))


def parse_packagist(text: str) -> PackagistVersion:
    return PackagistVersion(text)
