"""OSV range evaluation and fix advice, table-driven over hand-checked cases."""

from __future__ import annotations

import pytest

from shiftsec.model import Affected, Event, Range
from shiftsec.vulndb.ranges import beyond, compile_spec, smallest_fix, spec_of, upper_bound


def _affected(ecosystem: str, *ranges: tuple[str, list[tuple[str, str]]], versions: tuple[str, ...] = ()) -> Affected:
    return Affected(
        ecosystem=ecosystem,
        name="demo",
        ranges=tuple(Range(kind, tuple(Event(k, v) for k, v in events)) for kind, events in ranges),
        versions=versions,
    )


INTRO_FIXED = ("ECOSYSTEM", [("introduced", "1.0"), ("fixed", "1.5")])
TWO_BRANCHES = ("ECOSYSTEM", [("introduced", "0"), ("fixed", "1.2.5"), ("introduced", "2.0"), ("fixed", "2.0.3")])
LAST_AFFECTED = ("ECOSYSTEM", [("introduced", "0"), ("last_affected", "3.1")])
WITH_LIMIT = ("ECOSYSTEM", [("introduced", "0"), ("limit", "2.0")])
UNSORTED = ("ECOSYSTEM", [("fixed", "2.0.3"), ("introduced", "2.0"), ("fixed", "1.2.5"), ("introduced", "0")])

CASES = [
    # (name, affected, version, expected)
    ("below introduced", _affected("PyPI", INTRO_FIXED), "0.9", False),
    ("at introduced", _affected("PyPI", INTRO_FIXED), "1.0", True),
    ("inside", _affected("PyPI", INTRO_FIXED), "1.4.9", True),
    ("at fixed", _affected("PyPI", INTRO_FIXED), "1.5", False),
    ("pep440 prerelease of fixed is affected", _affected("PyPI", INTRO_FIXED), "1.5rc1", True),
    ("pep440 1.5.0 equals fixed 1.5", _affected("PyPI", INTRO_FIXED), "1.5.0", False),
    ("first branch", _affected("PyPI", TWO_BRANCHES), "1.2.4", True),
    ("between branches", _affected("PyPI", TWO_BRANCHES), "1.9", False),
    ("second branch", _affected("PyPI", TWO_BRANCHES), "2.0.2", True),
    ("after both", _affected("PyPI", TWO_BRANCHES), "2.1", False),
    ("events in any order", _affected("PyPI", UNSORTED), "2.0.2", True),
    ("events in any order, gap", _affected("PyPI", UNSORTED), "1.3", False),
    ("last_affected itself", _affected("PyPI", LAST_AFFECTED), "3.1", True),
    ("after last_affected", _affected("PyPI", LAST_AFFECTED), "3.1.1", False),
    ("below limit", _affected("PyPI", WITH_LIMIT), "1.9", True),
    ("at limit", _affected("PyPI", WITH_LIMIT), "2.0", False),
    ("explicit versions list only", _affected("PyPI", versions=("1.1", "1.3")), "1.3", True),
    ("not in versions list", _affected("PyPI", versions=("1.1", "1.3")), "1.2", False),
    ("versions list, equal under PEP 440", _affected("PyPI", versions=("1.3",)), "1.3.0", True),
    ("semver range with v-prefixed Go version", _affected("Go", ("SEMVER", [("introduced", "0"), ("fixed", "1.4.2")])),
     "v1.4.1", True),
    ("semver range, Go +incompatible", _affected("Go", ("SEMVER", [("introduced", "2.0.0"), ("fixed", "2.1.0")])),
     "v2.0.5+incompatible", True),
    ("semver range, pseudo-version before fix",
     _affected("Go", ("SEMVER", [("introduced", "0"), ("fixed", "0.3.0")])),
     "v0.0.0-20210101000000-abcdef123456", True),
    ("debian epoch", _affected("Debian:12", ("ECOSYSTEM", [("introduced", "0"), ("fixed", "1:2.0-1")])), "2.5-1", True),
    ("debian tilde before release", _affected("Debian:12", ("ECOSYSTEM", [("introduced", "0"), ("fixed", "2.0-1")])),
     "2.0~rc1-1", True),
    ("maven qualifier", _affected("Maven", ("ECOSYSTEM", [("introduced", "0"), ("fixed", "2.17.1")])),
     "2.17.1-rc1", True),
    ("git ranges are not evaluated", _affected("PyPI", ("GIT", [("introduced", "0")])), "1.0", None),
]


@pytest.mark.parametrize(("affected", "version", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_affects(affected: Affected, version: str, expected: bool | None) -> None:
    spec = spec_of(affected)
    if expected is None:
        assert spec is None
        return
    assert spec is not None
    assert compile_spec(spec, affected.ecosystem).affects(version) is expected


FIX_CASES = [
    ("next fix in own branch", [TWO_BRANCHES], "1.1", "1.2.5"),
    ("second branch", [TWO_BRANCHES], "2.0.1", "2.0.3"),
    ("no fix known", [LAST_AFFECTED], "1.0", None),
    # A fixed event that another entry of the same advisory still affects is not advice.
    ("fix overridden by other entry",
     [INTRO_FIXED, ("ECOSYSTEM", [("introduced", "1.5"), ("fixed", "1.7")])], "1.2", "1.7"),
]


@pytest.mark.parametrize(("ranges", "installed", "expected"), [c[1:] for c in FIX_CASES], ids=[c[0] for c in FIX_CASES])
def test_smallest_fix(ranges: list[tuple[str, list[tuple[str, str]]]], installed: str, expected: str | None) -> None:
    specs = []
    for rng in ranges:
        spec = spec_of(_affected("PyPI", rng))
        assert spec is not None
        specs.append(compile_spec(spec, "PyPI"))
    assert smallest_fix(specs, "PyPI", installed) == expected


BOUND_CASES = [
    # (name, affected, expected encoded bound)
    ("fixed", _affected("PyPI", INTRO_FIXED), "E<1.5"),
    ("two branches: the later fix", _affected("PyPI", TWO_BRANCHES), "E<2.0.3"),
    ("unsorted events", _affected("PyPI", UNSORTED), "E<2.0.3"),
    ("last_affected is inclusive", _affected("PyPI", LAST_AFFECTED), "E=3.1"),
    ("limit ends an open range", _affected("PyPI", WITH_LIMIT), "E<2.0"),
    ("open range", _affected("PyPI", ("ECOSYSTEM", [("introduced", "1.0")])), None),
    ("open range beside a closed one", _affected("PyPI", INTRO_FIXED, ("ECOSYSTEM", [("introduced", "3.0")])), None),
    ("listed version above the ranges", _affected("PyPI", INTRO_FIXED, versions=("1.2", "1.9")), "E=1.9"),
    ("only a list", _affected("PyPI", versions=("1.1", "1.10", "1.9")), "E=1.10"),
    ("semver", _affected("Go", ("SEMVER", [("introduced", "0"), ("fixed", "1.4.2")])), "S<1.4.2"),
    ("semver with a list: orders differ", _affected("Go", ("SEMVER", [("introduced", "0"), ("fixed", "1.4.2")]),
                                                    versions=("v1.0.0",)), None),
    ("equal fixed and last_affected: inclusive wins",
     _affected("PyPI", ("ECOSYSTEM", [("introduced", "0"), ("fixed", "2.0")]),
               ("ECOSYSTEM", [("introduced", "0"), ("last_affected", "2.0")])), "E=2.0"),
]


@pytest.mark.parametrize(("affected", "expected"), [c[1:] for c in BOUND_CASES], ids=[c[0] for c in BOUND_CASES])
def test_upper_bound(affected: Affected, expected: str | None) -> None:
    spec = spec_of(affected)
    assert spec is not None
    assert upper_bound(spec, affected.ecosystem) == expected


@pytest.mark.parametrize(
    ("upper", "installed", "expected"),
    [("E<1.5", "1.5", True), ("E<1.5", "1.5.0", True), ("E<1.5", "1.4.9", False), ("E=3.1", "3.1", False),
     ("E=3.1", "3.1.1", True), ("S<1.4.2", "v1.4.2", True), ("S<1.4.2", "v1.4.2-rc1", False)],
)
def test_beyond(upper: str, installed: str, expected: bool) -> None:
    ecosystem = "Go" if upper[0] == "S" else "PyPI"
    assert beyond(upper, ecosystem, installed) is expected
