"""Debian and Ubuntu (dpkg): epochs, revisions, `~` before everything, letters before other characters."""

from __future__ import annotations

import pytest

from shiftsec.vulndb.versions import compare, parse

_CASES = [
    # epochs
    ("1:1.0", ">", "2.0"),
    ("1:1.0", ">", "0:9.9"),
    ("2:1.0", ">", "1:9.9"),
    ("0:1.0", "=", "1.0"),
    ("00:1.0", "=", "1.0"),
    ("10:1.0", ">", "9:1.0"),
    ("1:1.0-1", "<", "1:1.0-2"),
    ("1:2.30-1", "=", "1:2.30-1"),
    # tilde sorts before everything, even the end of the string
    ("1.0~rc1", "<", "1.0"),
    ("1.0~rc1", "<", "1.0~rc2"),
    ("1.0~~", "<", "1.0~"),
    ("1.0~~a", "<", "1.0~"),
    ("1.0~", "<", "1.0"),
    ("1.0", "<", "1.0+b1"),
    ("1.0", "<", "1.0a"),
    ("1.2.3-1~deb11u1", "<", "1.2.3-1"),
    ("1.2.3-1~deb11u1", "<", "1.2.3-1~deb12u1"),
    ("2.36-9+deb12u3", "<", "2.36-9+deb12u4"),
    ("2.36-9+deb12u4", "<", "2.36-10"),
    # letters before non-letters; digits compare numerically
    ("1.0a", "<", "1.0+"),
    ("1.0a", "<", "1.0."),
    ("1.0", "<", "1.0.0"),
    ("1.9", "<", "1.10"),
    ("1.01", "=", "1.1"),
    # revision: after the last hyphen; absent means 0
    ("1.0", "=", "1.0-0"),
    ("1.0-1", ">", "1.0"),
    ("1.0-1-2", ">", "1.0-1-1"),
    ("1.0-1ubuntu1", ">", "1.0-1"),
    ("1.0-1ubuntu1", "<", "1.0-1ubuntu2"),
    ("1.0-0ubuntu0.22.04.1", "<", "1.0-0ubuntu0.22.04.2"),
    # a non-numeric "epoch" is not an epoch (kept in the upstream version)
    ("a:1.0", ">", "1.0"),
]


@pytest.mark.parametrize(("a", "op", "b"), _CASES, ids=[f"{a}{op}{b}" for a, op, b in _CASES])
@pytest.mark.parametrize("ecosystem", ["Debian", "Debian:12", "Ubuntu:22.04:LTS"])
def test_dpkg_order(ecosystem: str, a: str, op: str, b: str) -> None:
    expected = {"<": -1, "=": 0, ">": 1}[op]
    assert compare(ecosystem, a, b) == expected
    assert compare(ecosystem, b, a) == -expected
    if expected == 0:
        assert hash(parse(ecosystem, a)) == hash(parse(ecosystem, b))


def test_sorting_a_debian_series() -> None:
    series = ["1:0.9", "1.0~beta1", "1.0", "1.0-1~bpo1", "1.0-1", "1.0-1+deb12u1", "1.0-2", "1.0.1", "1.0a", "2.0~rc1"]
    # "1.0a" < "1.0.1": after "1.0", a letter sorts before any other character
    expected = ["1.0~beta1", "1.0", "1.0-1~bpo1", "1.0-1", "1.0-1+deb12u1", "1.0-2", "1.0a", "1.0.1", "2.0~rc1"]
    expected.append("1:0.9")
    assert sorted(series, key=lambda v: parse("Debian", v)) == expected
