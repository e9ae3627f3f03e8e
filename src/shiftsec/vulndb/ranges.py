"""OSV range evaluation: is a version affected, and which version fixes it.

An affected entry is stored as a compact JSON "spec" (`spec_of`), compiled once per (spec, ecosystem) into
parsed version keys (`compile_spec`), then evaluated with the OSV algorithm
(https://ossf.github.io/osv-schema/#evaluation): events sorted by version with `introduced: "0"` first; an
`introduced` at or below the version turns it affected, a `fixed` at or below turns it unaffected, a
`last_affected` strictly below turns it unaffected; a `limit` at or below excludes the range; a version in
the explicit `versions` list is affected whatever the ranges say.

ECOSYSTEM ranges use the package's ecosystem ordering, SEMVER ranges SemVer 2.0 ordering; GIT ranges name
commits, not versions, and are not kept in the spec.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from functools import lru_cache

from shiftsec.model import Affected
from shiftsec.vulndb import versions
from shiftsec.vulndb.versions import Version

_INTRODUCED, _FIXED, _LAST_AFFECTED, _LIMIT = "introduced", "fixed", "last_affected", "limit"
_KIND_ORDER = {_INTRODUCED: 0, _LAST_AFFECTED: 1, _FIXED: 2, _LIMIT: 3}


def spec_of(affected: Affected) -> str | None:
    """The compact JSON the store keeps for matching, or None when nothing in it can match a version."""
    ranges = [
        [r.type, [[e.kind, e.value] for e in r.events]] for r in affected.ranges if r.type in ("ECOSYSTEM", "SEMVER")
    ]
    if not ranges and not affected.versions:
        return None
    spec: dict[str, object] = {"r": ranges}
    if affected.versions:
        spec["v"] = list(affected.versions)
    return json.dumps(spec, separators=(",", ":"))


class _Range:
    """One evaluable range (a plain slotted class: tens of thousands are built per scan, and a frozen
    dataclass pays a Python-level `object.__setattr__` for every field of every one)."""

    __slots__ = ("ecosystem", "events", "limits")

    def __init__(
        self, ecosystem: str, events: tuple[tuple[str, Version | None], ...], limits: tuple[Version, ...]
    ) -> None:
        self.ecosystem = ecosystem  # the ordering this range's versions follow
        self.events = events  # sorted; None stands for introduced "0"
        self.limits = limits

    def state(self, text: str) -> tuple[bool, str | None]:
        """(whether `text` is affected, the first `fixed` event above it when it is).

        Events are sorted, and one above the version cannot change its status, so the walk stops there;
        the events left over tell where this range stops affecting it.
        """
        version = versions.parse(self.ecosystem, text)
        if any(not (version < limit) for limit in self.limits):
            return False, None
        status = False
        rest = len(self.events)
        for index, (kind, key) in enumerate(self.events):
            if key is not None and version < key:
                rest = index
                break
            if kind == _INTRODUCED:
                status = True
            elif kind == _FIXED or (kind == _LAST_AFFECTED and key is not None and key < version):
                status = False
        if not status:
            return False, None
        for kind, key in self.events[rest:]:
            if kind == _FIXED and key is not None:
                return True, key.text
            if kind == _LAST_AFFECTED:
                return True, None
        return True, None


class CompiledSpec:
    """A stored spec parsed for one ecosystem; treat as immutable (slotted for the same reason as `_Range`)."""

    __slots__ = ("ecosystem", "fixes", "ranges", "version_keys", "version_strings")

    def __init__(
        self,
        ecosystem: str,
        ranges: tuple[_Range, ...],
        version_strings: frozenset[str],
        version_keys: frozenset[Version],
        fixes: tuple[str, ...],
    ) -> None:
        self.ecosystem = ecosystem
        self.ranges = ranges
        self.version_strings = version_strings
        self.version_keys = version_keys
        self.fixes = fixes  # the text of every `fixed` event

    def affects(self, text: str) -> bool:
        """Whether version `text` (of this spec's ecosystem) is affected."""
        if text in self.version_strings:
            return True
        if self.version_keys and versions.parse(self.ecosystem, text) in self.version_keys:
            return True
        return any(rng.state(text)[0] for rng in self.ranges)


def _range_ecosystem(range_type: str, ecosystem: str) -> str:
    return "SEMVER" if range_type == "SEMVER" else ecosystem


@lru_cache(maxsize=200_000)
def compile_spec(spec: str, ecosystem: str) -> CompiledSpec:
    """Parse a stored spec once for `ecosystem` (the affected entry's ecosystem)."""
    data = json.loads(spec)
    ranges = []
    fixes: list[str] = []
    for range_type, events in data.get("r", ()):
        eco = _range_ecosystem(range_type, ecosystem)
        parsed: list[tuple[str, Version | None]] = []
        limits = []
        for kind, value in events:
            if kind == _INTRODUCED and value == "0":
                parsed.append((kind, None))
                continue
            key = versions.parse(eco, value)
            if kind == _LIMIT:
                if value != "*":
                    limits.append(key)
                continue
            parsed.append((kind, key))
            if kind == _FIXED:
                fixes.append(value)
        if not _in_order(parsed):  # producers nearly always write events in order already
            parsed.sort(key=_event_sort_key)
        ranges.append(_Range(eco, tuple(parsed), tuple(limits)))
    listed = tuple(data.get("v", ()))
    # A listed version is matched by its exact text. Matching it also under the ecosystem's equality (PyPI's
    # 1.0 == 1.0.0) means parsing the whole list, often hundreds of versions, which was most of a scan's time;
    # where ranges exist they already decide such versions, so only a bare list is parsed.
    keys = _NO_KEYS if ranges or not listed else frozenset(versions.parse(ecosystem, v) for v in listed)
    return CompiledSpec(
        ecosystem=ecosystem,
        ranges=tuple(ranges),
        version_strings=frozenset(listed) if listed else _NO_STRINGS,
        version_keys=keys,
        fixes=tuple(fixes),
    )


_NO_KEYS: frozenset[Version] = frozenset()
_NO_STRINGS: frozenset[str] = frozenset()


def _in_order(events: list[tuple[str, Version | None]]) -> bool:
    """Whether `events` already sit in the order `_event_sort_key` gives."""
    for (kind_a, a), (kind_b, b) in itertools.pairwise(events):
        if b is None:
            if a is not None or _KIND_ORDER[kind_a] > _KIND_ORDER[kind_b]:
                return False
        elif a is not None and (b < a or (not (a < b) and _KIND_ORDER[kind_a] > _KIND_ORDER[kind_b])):
            return False
    return True


class _SortKey:
    """Sort adapter for event versions, where None (an `introduced: "0"`) comes before every version."""

    __slots__ = ("key",)

    def __init__(self, key: Version | None) -> None:
        self.key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SortKey) and (
            self.key is other.key or (self.key is not None and other.key is not None and self.key == other.key)
        )

    __hash__ = None  # type: ignore[assignment]

    def __lt__(self, other: _SortKey) -> bool:
        if self.key is None:
            return other.key is not None
        if other.key is None:
            return False
        return bool(self.key < other.key)


def _event_sort_key(event: tuple[str, Version | None]) -> tuple[_SortKey, int]:
    return (_SortKey(event[1]), _KIND_ORDER[event[0]])


@dataclass(frozen=True, slots=True)
class Match:
    """How one advisory (all its entries for a package) bears on one installed version."""

    affected: bool
    fix_bound: str | None  # the latest `fixed` among the ranges that affect the version
    open_ended: bool  # some range affects it with no `fixed` after it


def evaluate(specs: list[CompiledSpec], ecosystem: str, installed: str) -> Match:
    """Evaluate every entry of one advisory once: is `installed` affected, and where might a fix start."""
    affected = open_ended = False
    bound: str | None = None
    for spec in specs:
        if installed in spec.version_strings or (
            spec.version_keys and versions.parse(spec.ecosystem, installed) in spec.version_keys
        ):
            affected = True
        for rng in spec.ranges:
            hit, fix = rng.state(installed)
            if not hit:
                continue
            affected = True
            if fix is None:
                open_ended = True
            elif bound is None or versions.parse(ecosystem, bound) < versions.parse(ecosystem, fix):
                bound = fix
    return Match(affected, bound, open_ended)


def smallest_fix(specs: list[CompiledSpec], ecosystem: str, installed: str, match: Match | None = None) -> str | None:
    """The smallest `fixed` version above `installed` that none of `specs` (one advisory's entries) affects.

    Every range that affects `installed` must be left behind, so the answer is at least the latest of their
    next `fixed` events (`Match.fix_bound`); usually that version is the answer and one check confirms it.
    """
    match = match or evaluate(specs, ecosystem, installed)
    if match.open_ended:
        return None  # affected with no known end
    lower = match.fix_bound
    if lower is not None:
        # One range alone cannot affect its own next `fixed` version (at equal versions `fixed` sorts after
        # `introduced` and `last_affected`), so only several ranges or an explicit list need the check.
        single = len(specs) == 1 and len(specs[0].ranges) == 1
        if single and lower not in specs[0].version_strings and not specs[0].version_keys:
            return lower
        if not any(spec.affects(lower) for spec in specs):
            return lower
    current = versions.parse(ecosystem, lower or installed)
    candidates = sorted(
        {text for spec in specs for text in spec.fixes if current < versions.parse(ecosystem, text)},
        key=lambda text: versions.parse(ecosystem, text),
    )
    for text in candidates:
        if not any(spec.affects(text) for spec in specs):
            return text
    return None


def upper_bound(spec: str, ecosystem: str) -> str | None:
    """A version from which on nothing in `spec` is affected, encoded for the store, or None if unbounded.

    Encoding: one letter for the ordering (`E` the ecosystem's, `S` SemVer), then `<` (versions at or above
    are unaffected) or `=` (versions above are unaffected), then the version: `E<2.0.3`, `S=1.4.0`. Each
    range ends where its last event (in order) says: a `fixed` F bounds it below F, a `last_affected` L at L,
    a `limit` below the limit; a range whose last event is `introduced` has no end. Listed versions bound at
    the highest one. Mixed ECOSYSTEM and SEMVER ranges get no bound (they order differently).
    """
    compiled = compile_spec(spec, ecosystem)
    orders = {rng.ecosystem for rng in compiled.ranges}
    if compiled.version_strings:
        orders.add(ecosystem)
    if len(orders) != 1:
        return None
    (order,) = orders
    best: tuple[Version, bool] | None = None  # (key, inclusive)

    def raise_to(key: Version, inclusive: bool) -> None:
        nonlocal best
        if best is None or best[0] < key or (inclusive and not best[1] and not (key < best[0])):
            best = (key, inclusive)

    for rng in compiled.ranges:
        kind, key = rng.events[-1] if rng.events else (_INTRODUCED, None)
        if kind == _FIXED and key is not None:
            raise_to(key, False)
        elif kind == _LAST_AFFECTED and key is not None:
            raise_to(key, True)
        elif rng.limits:
            raise_to(min(rng.limits), False)
        else:
            return None  # affected from some version on, with no end
    for text in compiled.version_strings:
        raise_to(versions.parse(order, text), True)
    if best is None:
        return None
    key, inclusive = best
    return ("S" if order == "SEMVER" else "E") + ("=" if inclusive else "<") + key.text


def beyond(upper: str, ecosystem: str, installed: str) -> bool:
    """Whether `installed` lies at or past the bound `upper` (see `upper_bound`), so nothing can affect it."""
    order = "SEMVER" if upper[0] == "S" else ecosystem
    bound = versions.parse(order, upper[2:])
    version = versions.parse(order, installed)
    return bool(bound < version) if upper[1] == "=" else not (version < bound)
