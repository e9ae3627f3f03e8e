"""The interval algebra the RustSec and rubysec converters share: intersection, union, complement, events."""

from __future__ import annotations

from typing import Any

import pytest

from shiftsec.vulndb.importers import _requirements as req

SEMVER = req.Ordering("SEMVER")


def iv(lower: str | None, upper: str | None, *, lo_inc: bool = True, up_inc: bool = False) -> req.Interval:
    return req.Interval(req.Bound(lower, lo_inc) if lower else None, req.Bound(upper, up_inc) if upper else None)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param([iv("1.0.0", None), iv(None, "2.0.0")], iv("1.0.0", "2.0.0"), id="both-sides"),
        pytest.param(
            [iv("1.0.0", None), iv("1.5.0", None, lo_inc=False)],
            iv("1.5.0", None, lo_inc=False),
            id="higher-lower-wins",
        ),
        pytest.param(
            [iv("1.0.0", None, lo_inc=False), iv("1.0.0", None)],
            iv("1.0.0", None, lo_inc=False),
            id="tie-exclusive-wins",
        ),
        pytest.param([iv(None, "2.0.0", up_inc=True), iv(None, "2.0.0")], iv(None, "2.0.0"), id="tie-upper"),
        pytest.param([iv("2.0.0", None), iv(None, "2.0.0")], None, id="touching-empty"),
        pytest.param(
            [iv("2.0.0", None), iv(None, "2.0.0", up_inc=True)],
            iv("2.0.0", "2.0.0", up_inc=True),
            id="single-version",
        ),
        pytest.param([], req.EVERYTHING, id="no-comparator"),
    ],
)
def test_intersect(parts: list[req.Interval], expected: req.Interval | None) -> None:
    assert req.intersect(SEMVER, parts) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param([iv("1.0.0", "2.0.0"), iv("1.5.0", "1.6.0")], [iv("1.0.0", "2.0.0")], id="nested"),
        pytest.param([iv("3.0.0", None), iv("1.0.0", "2.0.0")], [iv("1.0.0", "2.0.0"), iv("3.0.0", None)], id="sorted"),
        pytest.param([iv("1.0.0", "2.0.0"), iv("2.0.0", "3.0.0")], [iv("1.0.0", "3.0.0")], id="touching"),
        pytest.param(
            [iv("1.0.0", "2.0.0"), iv("2.0.0", "3.0.0", lo_inc=False)],
            [iv("1.0.0", "2.0.0"), iv("2.0.0", "3.0.0", lo_inc=False)],
            id="one-version-gap",
        ),
        pytest.param([iv(None, "1.0.0"), iv("0.5.0", None)], [req.EVERYTHING], id="everything"),
        pytest.param([iv("2.0.0", "1.0.0")], [], id="empty-dropped"),
    ],
)
def test_union(parts: list[req.Interval], expected: list[req.Interval]) -> None:
    assert req.union(SEMVER, parts) == expected


@pytest.mark.parametrize(
    ("disjoint", "expected"),
    [
        pytest.param([], [req.EVERYTHING], id="nothing-excluded"),
        pytest.param([req.EVERYTHING], [], id="everything-excluded"),
        pytest.param([iv("1.0.0", "2.0.0")], [iv(None, "1.0.0"), iv("2.0.0", None)], id="middle"),
        pytest.param(
            [iv(None, "1.0.0", up_inc=True), iv("2.0.0", None, lo_inc=False)],
            [iv("1.0.0", "2.0.0", lo_inc=False, up_inc=True)],
            id="flipped-bounds",
        ),
    ],
)
def test_complement(disjoint: list[req.Interval], expected: list[req.Interval]) -> None:
    assert req.complement(disjoint) == expected


@pytest.mark.parametrize(
    ("affected", "exact", "expected"),
    [
        pytest.param([req.EVERYTHING], True, [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}]}], id="all"),
        pytest.param([], True, [], id="none"),
        pytest.param(
            [iv(None, "1.0.0"), iv("2.0.0", "2.1.0", lo_inc=False, up_inc=True)],
            True,
            [
                {
                    "type": "SEMVER",
                    "events": [
                        {"introduced": "0.0.0-0"},
                        {"fixed": "1.0.0"},
                        {"introduced": "2.0.1-0"},
                        {"fixed": "2.1.1-0"},
                    ],
                }
            ],
            id="exact-successors",
        ),
        pytest.param(
            [iv(None, "1.0.0"), iv("2.0.0", "2.1.0", up_inc=True), iv("3.0.0", None)],
            False,
            [
                {
                    "type": "SEMVER",
                    "events": [{"introduced": "0.0.0-0"}, {"fixed": "1.0.0"}, {"introduced": "3.0.0"}],
                },
                {"type": "SEMVER", "events": [{"introduced": "2.0.0"}, {"last_affected": "2.1.0"}]},
            ],
            id="last-affected-in-own-range",
        ),
        pytest.param([iv("1.0.0", "1.0.1-0", lo_inc=False)], True, [], id="empty-after-successor"),
    ],
)
def test_to_ranges(affected: list[req.Interval], exact: bool, expected: list[dict[str, Any]]) -> None:
    def successor(version: str) -> str:
        major, minor, patch = version.split(".")
        return f"{major}.{minor}.{int(patch) + 1}-0"

    assert (
        req.to_ranges(SEMVER, affected, range_type="SEMVER", zero="0.0.0-0", successor=successor, exact=exact)
        == expected
    )
