"""Parsed-version base classes shared by every ecosystem module.

Owns the comparison protocol: a parsed version belongs to a *family* (one per ordering
algorithm, e.g. ``"semver"`` or ``"dpkg"``) and compares only with versions of the same family.

Two concrete shapes exist:

* :class:`KeyVersion` carries a precomputed tuple sort key; comparisons are plain tuple
  comparisons, so they are fast and ``__hash__`` agrees with ``==`` by construction.
* :class:`PairwiseVersion` is for the few algorithms (Maven, Packagist) whose native rules are
  defined pairwise and are not expressible as one sort key; subclasses implement ``_cmp``.

Also owns :func:`padded_key`, which turns "compare element-wise, padding the shorter sequence
with a zero element" (RubyGems, the generic fallback) into a plain tuple key.
"""

from __future__ import annotations

from collections.abc import Sequence

Key = tuple[object, ...]


class Version:
    """A parsed version: totally ordered against versions of the same family.

    Comparing versions of different families raises ``TypeError`` (``==`` is simply False).
    ``text`` is the string that was parsed, unchanged.
    Not an ``abc.ABC`` on purpose: ``isinstance`` against an ABC goes through ``__instancecheck__``,
    which would cost a Python call on every one of the hundreds of thousands of comparisons in a scan.
    """

    __slots__ = ("family", "text")

    family: str
    text: str

    def __init__(self, family: str, text: str) -> None:
        self.family = family
        self.text = text

    def cmp(self, other: Version) -> int:
        """-1, 0 or 1 as ``self`` sorts before, equal to or after ``other`` (same family only)."""
        raise NotImplementedError

    def __hash__(self) -> int:
        raise NotImplementedError

    def _same(self, other: object) -> bool:
        return isinstance(other, Version) and other.family == self.family

    def __eq__(self, other: object) -> bool:
        if not self._same(other):
            return NotImplemented
        assert isinstance(other, Version)
        return self.cmp(other) == 0

    def __lt__(self, other: object) -> bool:
        if not self._same(other):
            return NotImplemented
        assert isinstance(other, Version)
        return self.cmp(other) < 0

    def __le__(self, other: object) -> bool:
        if not self._same(other):
            return NotImplemented
        assert isinstance(other, Version)
        return self.cmp(other) <= 0

    def __gt__(self, other: object) -> bool:
        if not self._same(other):
            return NotImplemented
        assert isinstance(other, Version)
        return self.cmp(other) > 0

    def __ge__(self, other: object) -> bool:
        if not self._same(other):
            return NotImplemented
        assert isinstance(other, Version)
        return self.cmp(other) >= 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.family!r}, {self.text!r})"

    def __str__(self) -> str:
        return self.text


class KeyVersion(Version):
    """A version ordered by a precomputed tuple key (the common, fast case)."""

    __slots__ = ("key",)

    def __init__(self, family: str, text: str, key: Key) -> None:
        self.family = family  # set directly rather than via super(): this runs once per parse
        self.text = text
        self.key = key

    def cmp(self, other: Version) -> int:
        if not isinstance(other, KeyVersion) or other.family != self.family:
            raise TypeError(f"cannot compare {self!r} with {other!r}")
        a, b = self.key, other.key
        return (a > b) - (a < b)

    def __hash__(self) -> int:
        return hash((self.family, self.key))

    # Direct tuple comparisons: these run tens of thousands of times per scan.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, KeyVersion) and other.family == self.family:
            return self.key == other.key
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, KeyVersion) and other.family == self.family:
            return self.key < other.key
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, KeyVersion) and other.family == self.family:
            return self.key <= other.key
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, KeyVersion) and other.family == self.family:
            return self.key > other.key
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, KeyVersion) and other.family == self.family:
            return self.key >= other.key
        return NotImplemented


class PairwiseVersion(Version):
    """A version whose ecosystem defines ordering pairwise; subclasses implement ``_cmp``."""

    __slots__ = ()

    def _cmp(self, other: PairwiseVersion) -> int:
        """Compare with a version already known to be of the same family."""
        raise NotImplementedError

    def cmp(self, other: Version) -> int:
        if not isinstance(other, PairwiseVersion) or other.family != self.family:
            raise TypeError(f"cannot compare {self!r} with {other!r}")
        return self._cmp(other)


def padded_key(elements: Sequence[tuple[int, object]], zero: tuple[int, object]) -> Key:
    """Key for comparing sequences element-wise where the shorter one is padded with ``zero``.

    Elements equal to ``zero`` are dropped; every other element becomes an item that records
    its position and whether it sorts above or below ``zero``.  Comparing the item tuples then
    gives exactly the padded element-wise comparison, because the first differing position is
    either held by both sequences (compare the elements) or by one only (the other is ``zero``
    there, so the sign of the held element decides, and an earlier position decides first).
    """
    items: list[tuple[object, ...]] = []
    for index, element in enumerate(elements):
        if element == zero:
            continue
        if element > zero:
            items.append((1, -index, element))
        else:
            items.append((-1, index, element))
    items.append((0,))
    return tuple(items)


_EXACT_DIGITS = 4000  # below CPython's limit on str -> int conversion (4300 digits by default)
_HUGE_UNIT: int = 10 ** (_EXACT_DIGITS + 1)


def number(digits: str) -> int:
    """The value of a run of ASCII digits, never failing on absurdly long runs.

    Runs of up to 4000 significant digits are converted exactly.  Longer ones, which no real
    version has, map above every exact value, ordered by their length and then by their first
    4000 digits (``int()`` would refuse them, and an exact conversion costs quadratic time).
    """
    if len(digits) <= _EXACT_DIGITS:
        return int(digits)
    significant = digits.lstrip("0")
    if len(significant) <= _EXACT_DIGITS:
        return int(significant or "0")
    return _HUGE_UNIT * len(significant) + int(significant[:_EXACT_DIGITS])


def ascii_digits(text: str) -> bool:
    """True for a non-empty string of ASCII digits only (``str.isdigit`` accepts other scripts)."""
    return text.isascii() and text.isdigit()
