"""Version requirements as intervals, and sets of intervals as OSV range events.

RustSec and rubysec say which versions are NOT affected (`patched` + `unaffected` requirement lists); OSV
says which ARE. Each format parses its own requirement syntax into `Interval`s; this module does the rest
with the ecosystem's ordering (`shiftsec.vulndb.versions.compare`): intersect the comparators of one
requirement, unite the requirements, take the complement, and write it out as sorted `introduced`/`fixed`
events (RustSec's own OSV export does the same, see rustsec `osv/ranges_for_advisory.rs`).

OSV has no exclusive lower bound and no inclusive upper bound for `fixed`; where the complement needs one the
caller supplies `successor(v)`, the least version above `v`. It is exact for SemVer (`1.2.3` → `1.2.4-0`);
where the ordering has no least successor (RubyGems, Composer) the caller says so (`exact=False`): an
inclusive upper bound then becomes a `last_affected` event in a range of its own (OSV forbids mixing it with
`fixed`), and an exclusive lower bound uses the caller's close approximation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from shiftsec.vulndb import versions


@dataclass(frozen=True, slots=True)
class Bound:
    version: str
    inclusive: bool


@dataclass(frozen=True, slots=True)
class Interval:
    """A set of versions between two bounds; `None` is unbounded on that side."""

    lower: Bound | None = None
    upper: Bound | None = None


EVERYTHING = Interval()


def at_least(version: str) -> Interval:
    return Interval(lower=Bound(version, True))


def above(version: str) -> Interval:
    return Interval(lower=Bound(version, False))


def below(version: str) -> Interval:
    return Interval(upper=Bound(version, False))


def at_most(version: str) -> Interval:
    return Interval(upper=Bound(version, True))


def exactly(version: str) -> Interval:
    return Interval(Bound(version, True), Bound(version, True))


class Ordering:
    """Comparisons of bounds in one ecosystem's version order."""

    def __init__(self, ecosystem: str) -> None:
        self.ecosystem = ecosystem

    def cmp(self, a: str, b: str) -> int:
        return versions.compare(self.ecosystem, a, b)

    def cmp_lower(self, a: Bound | None, b: Bound | None) -> int:
        """Order of two lower bounds: which interval starts first."""
        if a is None or b is None:
            return (b is None) - (a is None)
        return self.cmp(a.version, b.version) or (b.inclusive - a.inclusive)

    def cmp_upper(self, a: Bound | None, b: Bound | None) -> int:
        """Order of two upper bounds: which interval ends first."""
        if a is None or b is None:
            return (a is None) - (b is None)
        return self.cmp(a.version, b.version) or (a.inclusive - b.inclusive)

    def is_empty(self, interval: Interval) -> bool:
        lower, upper = interval.lower, interval.upper
        if lower is None or upper is None:
            return False
        order = self.cmp(lower.version, upper.version)
        return order > 0 or (order == 0 and not (lower.inclusive and upper.inclusive))

    def reaches(self, upper: Bound | None, lower: Bound | None) -> bool:
        """Whether an interval ending at `upper` overlaps or touches one starting at `lower` (no gap)."""
        if upper is None or lower is None:
            return True
        order = self.cmp(lower.version, upper.version)
        return order < 0 or (order == 0 and (upper.inclusive or lower.inclusive))


def intersect(order: Ordering, intervals: Iterable[Interval]) -> Interval | None:
    """The intersection of `intervals` (all the comparators of one requirement), None when empty."""
    lower: Bound | None = None
    upper: Bound | None = None
    for interval in intervals:
        if order.cmp_lower(interval.lower, lower) > 0:
            lower = interval.lower
        if order.cmp_upper(interval.upper, upper) < 0:
            upper = interval.upper
    result = Interval(lower, upper)
    return None if order.is_empty(result) else result


def union(order: Ordering, intervals: Iterable[Interval]) -> list[Interval]:
    """The union of `intervals` as sorted, disjoint, non-touching intervals."""

    def by_start(a: Interval, b: Interval) -> int:
        return order.cmp_lower(a.lower, b.lower)

    items = sorted((i for i in intervals if not order.is_empty(i)), key=cmp_to_key(by_start))
    merged: list[Interval] = []
    for item in items:
        if merged and order.reaches(merged[-1].upper, item.lower):
            last = merged[-1]
            upper = item.upper if order.cmp_upper(item.upper, last.upper) > 0 else last.upper
            merged[-1] = Interval(last.lower, upper)
        else:
            merged.append(item)
    return merged


def complement(disjoint: list[Interval]) -> list[Interval]:
    """Everything not in `disjoint` (sorted, disjoint intervals as `union` returns them)."""
    out: list[Interval] = []
    start: Bound | None = None
    for interval in disjoint:
        if interval.lower is not None:
            out.append(Interval(start, _flip(interval.lower)))
        if interval.upper is None:
            return out
        start = _flip(interval.upper)
    out.append(Interval(start, None))
    return out


def _flip(bound: Bound) -> Bound:
    return Bound(bound.version, not bound.inclusive)


def affected_intervals(order: Ordering, not_affected: Iterable[Interval]) -> list[Interval]:
    """The versions outside every interval in `not_affected`, sorted."""
    return complement(union(order, not_affected))


def to_ranges(
    order: Ordering,
    affected: list[Interval],
    *,
    range_type: str,
    zero: str,
    successor: Callable[[str], str],
    exact: bool,
) -> list[dict[str, Any]]:
    """OSV ranges describing exactly the sorted, disjoint `affected` intervals (see the module docstring).

    `zero` is the `introduced` value of an unbounded start (`"0"`, or RustSec's `"0.0.0-0"`). Intervals left
    with no version once bounds are replaced by successors are dropped.
    """
    events: list[dict[str, str]] = []
    own_ranges: list[dict[str, Any]] = []
    for interval in affected:
        lower, upper = interval.lower, interval.upper
        start = zero if lower is None else lower.version if lower.inclusive else successor(lower.version)
        if upper is None:
            events.append({"introduced": start})
            continue
        if not upper.inclusive or exact:
            end = upper.version if not upper.inclusive else successor(upper.version)
            if start != zero and order.cmp(start, end) >= 0:
                continue
            events += [{"introduced": start}, {"fixed": end}]
        else:
            if start != zero and order.cmp(start, upper.version) > 0:
                continue
            own_ranges.append({"type": range_type, "events": [{"introduced": start}, {"last_affected": upper.version}]})
    ranges = [{"type": range_type, "events": events}] if events else []
    return ranges + own_ranges
