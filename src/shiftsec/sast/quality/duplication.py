"""Duplicated blocks, compared as SonarQube's copy-paste detection compares them: differences in indentation,
spacing, comments and the content of string literals are ignored (every string is the same placeholder, after
its prefix: `f"…"` and `b"…"` stay unlike `"…"`); names and numbers must match. Blank lines, comment-only
lines, import statements and lines holding only string literals (docstrings) are not counted (`units`).

Each counted line becomes a key (`keyed`: its CRC-32 and Adler-32 side by side, stable across runs, so a
block's fingerprint is the hash of its keys). Windows of `size` consecutive keys are hashed with a rolling
(polynomial) hash across every scanned file; each window that occurs again, verified key by key, pairs the
later occurrence with an earlier one (the one continuing the previous window's pair, else the nearest that does
not overlap it), and consecutive pairs merge into a maximal run (`duplicates`): the first occurrence (in path
and line order) is never a run. Time is linear in the number of lines (plus the duplicates found); memory holds
a few integers per counted line and per window, never the source.
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from shiftsec.sast.quality.source import STRING, LogicalLine

_MOD = (1 << 61) - 1  # a Mersenne prime for the rolling hash
_BASE = 1_000_003

_PREFIXES = "rRbBuUfF"
_PUNCTUATION = " ,;+()" + _PREFIXES
Unit = tuple[str, int, int]
"""One counted logical line: (its code with every space removed, first physical line, last physical line)."""


def units(lines: Sequence[LogicalLine]) -> list[Unit]:
    """The logical lines that count for duplication (see the module's docstring)."""
    kept = []
    for line, end_line, _indent, code in lines:
        if code.startswith("import ") or (code.startswith("from ") and " import " in code):
            continue
        if code.lstrip("(").lstrip(_PREFIXES)[:1] == STRING and not code.replace(STRING, "").strip(_PUNCTUATION):
            continue  # a docstring or a line of string literals only
        kept.append(("".join(code.split()), line, end_line))
    return kept


def _window_hashes(keys: Sequence[int], size: int) -> Iterator[tuple[int, int]]:
    """(position, hash) of every window of `size` consecutive keys: a polynomial rolling hash."""
    if len(keys) < size:
        return
    top = pow(_BASE, size - 1, _MOD)
    value = 0
    for key in keys[:size]:
        value = (value * _BASE + key) % _MOD
    yield 0, value
    for pos in range(1, len(keys) - size + 1):
        value = ((value - keys[pos - 1] * top) * _BASE + keys[pos + size - 1]) % _MOD
        yield pos, value


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A maximal run: units `start`…`end` (inclusive) of file `index` repeat units `origin_start`… of file
    `origin`."""

    index: int
    start: int
    end: int
    origin: int
    origin_start: int
    origin_end: int


def duplicates(files: Sequence[Sequence[int]], size: int) -> list[Duplicate]:
    """The maximal duplicated runs of at least `size` consecutive keys in `files` (lists of line keys), each at
    a later occurrence, in file order. A window's origin is the one that continues the previous window's origin
    when there is one (so a copied block stays one run), else the nearest earlier non-overlapping occurrence."""
    first: dict[int, int] = {}  # window hash -> its only occurrence (file << 32 | position) so far
    groups: dict[int, list[int]] = {}  # window hash -> every occurrence, once it has two
    for index, keys in enumerate(files):
        for pos, value in _window_hashes(keys, size):
            here = index << 32 | pos
            if value in groups:
                groups[value].append(here)
            elif value in first:
                groups[value] = [first.pop(value), here]
            else:
                first[value] = here
    first.clear()
    hashes = {here: value for value, occurrences in groups.items() for here in occurrences}
    rank = {here: k for occurrences in groups.values() for k, here in enumerate(occurrences)}
    pairs: dict[int, int] = {}  # occurrence -> its origin, both windows equal key by key

    def same(here: int, there: int) -> bool:
        index, pos, other, opos = here >> 32, here & 0xFFFFFFFF, there >> 32, there & 0xFFFFFFFF
        if other == index and pos - opos < size:
            return False  # overlapping windows of one repetitive stretch
        return files[other][opos:opos + size] == files[index][pos:pos + size]  # not a hash collision

    for here in sorted(hashes):  # in file order, so the previous window's pair is known
        value, k = hashes[here], rank[here]
        if k == 0:
            continue  # the first occurrence
        previous = pairs.get(here - 1) if here & 0xFFFFFFFF else None
        if previous is not None and hashes.get(previous + 1) == value and rank[previous + 1] < k \
                and same(here, previous + 1):
            pairs[here] = previous + 1  # the run goes on with the same origin
            continue
        occurrences = groups[value]
        for j in range(k - 1, max(-1, k - size - 2), -1):
            if same(here, occurrences[j]):
                pairs[here] = occurrences[j]
                break
            if occurrences[j] >> 32 != here >> 32 or (here - occurrences[j]) >= size:
                break  # the nearest non-overlapping one is a hash collision: no origin
    runs = []
    for here in sorted(pairs):
        there = pairs[here]
        if pairs.get(here - 1) == there - 1 and (here & 0xFFFFFFFF) and (there & 0xFFFFFFFF):
            continue  # inside a run that started earlier
        end, origin_end = here, there
        while pairs.get(end + 1) == origin_end + 1:
            end, origin_end = end + 1, origin_end + 1
        runs.append(Duplicate(here >> 32, here & 0xFFFFFFFF, (end & 0xFFFFFFFF) + size - 1, there >> 32,
                              there & 0xFFFFFFFF, (origin_end & 0xFFFFFFFF) + size - 1))
    return runs


def keyed(lines: Sequence[LogicalLine]) -> tuple[array[int], array[int]]:
    """The keys of a file's counted lines, and their spans as first line, last line, first line… (arrays: they
    travel back from worker processes as bytes)."""
    keys: array[int] = array("q")
    spans: array[int] = array("l")
    for code, line, end_line in units(lines):
        data = code.encode("utf-8")
        keys.append((zlib.crc32(data) << 32 | zlib.adler32(data)) % _MOD)
        spans.append(line)
        spans.append(end_line)
    return keys, spans


def block_key(keys: Sequence[int]) -> str:
    """The identity of a duplicated block: a hash of its line keys."""
    return hashlib.sha256(",".join(map(str, keys)).encode("ascii")).hexdigest()[:16]
