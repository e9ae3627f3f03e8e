"""Maven ordering: Maven 3.9's ``ComparableVersion`` (``org.apache.maven.artifact.versioning``).

Parsing, case-insensitive: ``.`` separates items; ``-`` separates items and opens a sub-list;
a switch between digits and letters does too (``1.0alpha1`` is ``[1, [alpha, [1]]]``); a string
item after other items always opens a sub-list (``1.0.0.X1 < 1.0.0-X2``, MNG-7644); an empty
item is 0.  Items are numbers, qualifiers and lists.  Qualifiers order ``alpha < beta <
milestone < rc = cr < snapshot < "" = ga = final = release < sp < unknown`` (unknown ones
alphabetically); ``a``, ``b``, ``m`` right before a digit mean alpha, beta, milestone.  Each
list then drops its trailing null items (0 and empty lists), looking past a final sub-list.

Comparing: lists compare item by item, a missing item being "null"; against null a number is
greater unless 0, a qualifier greater or smaller than the release (""), a list as its first
non-null item (MNG-6964).  Across kinds: number > list > qualifier.  So ``1 = 1.0 = 1-0 = 1ga``,
``1-alpha < 1-SNAPSHOT < 1 < 1-sp < 1-1 < 1.1``.

A list only ever holds its sub-list as its last item, so a version is stored as its chain of
levels (the items of each list, outermost first) and compared iteratively, without recursion.
The rules are pairwise and not a total order in a few odd corners (``1.sp.2 < 1-alpha < 1 <
1.sp.2``), so this is a :class:`PairwiseVersion`; its hash is a canonical form that is equal
whenever the versions compare equal.
"""

from __future__ import annotations

from ._base import PairwiseVersion, number

MAVEN = "maven"

Item = int | str  # a number, or a qualifier as its comparable string ("0".."6", or "7-name")
Levels = tuple[tuple[Item, ...], ...]

_QUALIFIERS = {"alpha": "0", "beta": "1", "milestone": "2", "rc": "3", "cr": "3", "snapshot": "4", "": "5"}
_QUALIFIERS |= {"ga": "5", "final": "5", "release": "5", "sp": "6"}
_RELEASE = "5"
_SHORTHANDS = {"a": "alpha", "b": "beta", "m": "milestone"}


def _qualifier(value: str, followed_by_digit: bool) -> str:
    if followed_by_digit and value in _SHORTHANDS:
        value = _SHORTHANDS[value]
    return _QUALIFIERS.get(value) or f"7-{value}"


def _item(is_digit: bool, text: str) -> Item:
    return number(text) if is_digit else _qualifier(text, False)


def _parse(text: str) -> Levels:
    version = text.lower()
    levels: list[list[Item]] = [[]]
    current = levels[0]
    is_digit, start = False, 0
    for index, char in enumerate(version):
        if char in ".-":
            current.append(0 if index == start else _item(is_digit, version[start:index]))
            start = index + 1
            if char == "-":
                current = []
                levels.append(current)
        elif char.isdecimal():  # Java's Character.isDigit
            if not is_digit and index > start:
                if current:  # treat ".X" as "-X" for any qualifier X
                    current = []
                    levels.append(current)
                current.append(_qualifier(version[start:index], True))
                start = index
                current = []
                levels.append(current)
            is_digit = True
        else:
            if is_digit and index > start:
                current.append(number(version[start:index]))
                start = index
                current = []
                levels.append(current)
            is_digit = False
    if len(version) > start:
        if not is_digit and current:
            current = []
            levels.append(current)
        current.append(_item(is_digit, version[start:]))
    # normalize, deepest list first: drop trailing 0 items, and a sub-list left empty
    depth = len(levels)
    for level in range(len(levels) - 1, -1, -1):
        items = levels[level]
        while items and items[-1] == 0:  # the number 0 (a qualifier is a str, never == 0)
            items.pop()
        if level and not items and depth == level + 1:
            depth = level
    return tuple(tuple(items) for items in levels[:depth])


def _item_vs_null(item: Item) -> int:
    if isinstance(item, int):
        return 1 if item else 0
    return (item > _RELEASE) - (item < _RELEASE)


def _vs_null(levels: Levels, level: int) -> int:
    """Compare the list at ``level`` (with its sub-lists) against null: its first non-null item."""
    for items in levels[level:]:
        for item in items:
            result = _item_vs_null(item)
            if result:
                return result
    return 0


def _compare_items(a: Item, b: Item) -> int:
    if isinstance(a, int):
        return (a > b) - (a < b) if isinstance(b, int) else 1  # a number is above a qualifier
    if isinstance(b, int):
        return -1
    return (a > b) - (a < b)


def _compare(a: Levels, b: Levels) -> int:
    level = 0
    while True:
        items_a, items_b = a[level], b[level]
        sub_a, sub_b = level + 1 < len(a), level + 1 < len(b)
        size_a, size_b = len(items_a) + sub_a, len(items_b) + sub_b
        for index in range(max(size_a, size_b)):
            list_a = sub_a and index == len(items_a)
            list_b = sub_b and index == len(items_b)
            if list_a and list_b:
                break  # both sub-lists: compare them, one level down
            if list_a:
                if index < size_b:  # a list against a number (greater) or a qualifier (smaller)
                    return -1 if isinstance(items_b[index], int) else 1
                return _vs_null(a, level + 1)
            if list_b:
                if index < size_a:
                    return 1 if isinstance(items_a[index], int) else -1
                return -_vs_null(b, level + 1)
            if index >= size_a:
                result = -_item_vs_null(items_b[index])
            elif index >= size_b:
                result = _item_vs_null(items_a[index])
            else:
                result = _compare_items(items_a[index], items_b[index])
            if result:
                return result
        else:
            return 0
        level += 1


def _canonical(levels: Levels) -> Levels:
    """Equal for versions that compare equal: drop trailing items and lists that equal null."""
    canonical = [list(items) for items in levels]
    while True:
        last = canonical[-1]
        while last and _item_vs_null(last[-1]) == 0:
            last.pop()
        if last or len(canonical) == 1:
            return tuple(tuple(items) for items in canonical)
        canonical.pop()


class MavenVersion(PairwiseVersion):
    __slots__ = ("levels", "numbers")

    def __init__(self, text: str) -> None:
        super().__init__(MAVEN, text)
        self.levels = _parse(text)
        # plain "1.2.3" (one list of numbers, trailing zeros gone): ordered as a tuple of ints
        top = self.levels[0]
        self.numbers = top if len(self.levels) == 1 and all(isinstance(i, int) for i in top) else None

    def _cmp(self, other: PairwiseVersion) -> int:
        assert isinstance(other, MavenVersion)
        a, b = self.numbers, other.numbers
        if a is not None and b is not None:
            return (a > b) - (a < b)
        return _compare(self.levels, other.levels)

    def __hash__(self) -> int:
        return hash((MAVEN, _canonical(self.levels)))


def parse_maven(text: str) -> MavenVersion:
    return MavenVersion(text)
