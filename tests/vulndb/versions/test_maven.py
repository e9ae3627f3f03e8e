"""Maven: ComparableVersion order, on the ordered lists Maven's own test suite uses, and equalities."""

from __future__ import annotations

import itertools

import pytest

from shiftsec.vulndb.versions import compare, parse

# Each list is in strictly increasing order (Maven's ComparableVersionTest uses these two).
QUALIFIERS = [
    "1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc",
    "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1",
    "1-1-snapshot", "1-1", "1-2", "1-123",
]  # fmt: skip
NUMBERS = [
    "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1",
    "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c",
    "11m",
]  # fmt: skip


@pytest.mark.parametrize("series", [QUALIFIERS, NUMBERS], ids=["qualifiers", "numbers"])
def test_ordered_series(series: list[str]) -> None:
    for lower, higher in itertools.combinations(series, 2):
        assert compare("Maven", lower, higher) == -1, (lower, higher)
        assert compare("Maven", higher, lower) == 1, (lower, higher)


@pytest.mark.parametrize(
    ("a", "op", "b"),
    [
        ("1", "=", "1.0.0"),
        ("1", "=", "1-0"),
        ("1.0", "=", "1.0-0.0"),
        ("1a", "=", "1-a"),
        ("1.0.0a", "=", "1-a"),
        ("1ga", "=", "1"),
        ("1.0.RELEASE", "=", "1"),
        ("1final", "=", "1"),
        ("1cr", "=", "1rc"),
        ("1a1", "=", "1-alpha-1"),
        ("1M3", "=", "1-milestone-3"),
        ("1.0.RC2", "<", "1.0-RC3"),  # MNG-7644: a qualifier after "." sorts like one after "-"
        ("1.0-RC3", "<", "1.0.1"),
        ("1.0.0.X1", "<", "1.0.0-X2"),
        ("2.0.1", "<", "2.0.1-xyz"),
        ("2.0.1-xyz", "<", "2.0.1-123"),
        ("5.3.18.RELEASE", "<", "5.3.19"),
        ("2.13.4.2", ">", "2.13.4"),
        ("2.13.4.2", "<", "2.13.5"),
        ("1.0-SNAPSHOT", "<", "1.0"),
        ("20190126.230843", "<", "1234567890.12345"),  # int < long < big integer items
        ("123456789012345.1", "<", "12345678901234567890.1"),
    ],
)
def test_order(a: str, op: str, b: str) -> None:
    expected = {"<": -1, "=": 0, ">": 1}[op]
    assert compare("Maven", a, b) == expected
    assert compare("Maven", b, a) == -expected
    if expected == 0:
        assert hash(parse("Maven", a)) == hash(parse("Maven", b))
