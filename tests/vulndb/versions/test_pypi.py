"""PyPI: PEP 440 normalization and order, legacy versions before valid ones, agreement with packaging."""

from __future__ import annotations

import random

import pytest
from packaging.version import InvalidVersion
from packaging.version import Version as PackagingVersion

from shiftsec.vulndb.versions import compare, parse

_CASES = [
    # normalization
    ("1.0", "=", "1.0.0"),
    ("1.0", "=", "1.0.0.0.0"),
    ("v1.0", "=", "1.0"),
    ("1.0.post1", "=", "1.0-1"),
    ("1.0.post1", "=", "1.0.post.1"),
    ("1.0.post1", "=", "1.0-r1"),
    ("1.0rc1", "=", "1.0c1"),
    ("1.0rc1", "=", "1.0-pre1"),
    ("1.0a1", "=", "1.0.alpha.1"),
    ("1.0b0", "=", "1.0beta"),
    ("1.0.DEV1", "=", "1.0.dev1"),
    ("1.0+Ubuntu.1", "=", "1.0+ubuntu-1"),
    ("  1.0  ", "=", "1.0"),
    ("0!1.0", "=", "1.0"),
    # order
    ("1.0.dev1", "<", "1.0a1"),
    ("1.0a1", "<", "1.0a2.dev1"),
    ("1.0a2.dev1", "<", "1.0a2"),
    ("1.0a2", "<", "1.0b1"),
    ("1.0b1", "<", "1.0rc1"),
    ("1.0rc1", "<", "1.0"),
    ("1.0", "<", "1.0.post1.dev1"),
    ("1.0.post1.dev1", "<", "1.0.post1"),
    ("1.0.post1", "<", "1.0.1"),
    ("1.0", "<", "1.0+local"),
    ("1.0+local", "<", "1.0.post1"),
    ("1.0+abc", "<", "1.0+1"),
    ("1.0+1", "<", "1.0+1.0"),
    ("1.0+2", "<", "1.0+10"),
    ("1!0.1", ">", "2.0"),
    ("1.10", ">", "1.9"),
    # legacy (not PEP 440) versions sort before every valid version, and among themselves
    ("2.0-final-beta", "<", "0.0.1"),
    ("1.0-SNAPSHOT", "<", "0.0.0.dev0"),
    ("french toast", "<", "0"),
    ("0.1-bulbasaur", "<", "0.1-charmander"),
    ("1.0-final", "<", "1.0-beta"),  # "1.0-beta" is valid (1.0b0), "1.0-final" is not
    ("0.9-eevee", "<", "0.9-fearow"),
]


@pytest.mark.parametrize(("a", "op", "b"), _CASES, ids=[f"{a}{op}{b}" for a, op, b in _CASES])
def test_pypi_order(a: str, op: str, b: str) -> None:
    expected = {"<": -1, "=": 0, ">": 1}[op]
    assert compare("PyPI", a, b) == expected
    assert compare("PyPI", b, a) == -expected
    if expected == 0:
        assert hash(parse("PyPI", a)) == hash(parse("PyPI", b))


_ATOMS = [
    "0", "1", "2", "10", "007", ".", ".", ".", "-", "_", "a", "b", "c", "rc", "pre", "preview", "alpha",
    "beta", "post", "rev", "r", "dev", "DEV", "RC", "Post", "+", "local", "ubuntu", "!", "v", " ", "x",
]  # fmt: skip


def test_agrees_with_packaging_on_random_strings() -> None:
    """Same validity as `packaging`, and the same order for every pair of valid versions."""
    rng = random.Random(440)
    valid: list[tuple[str, PackagingVersion]] = []
    for _ in range(20_000):
        text = "".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 8)))
        try:
            reference: PackagingVersion | None = PackagingVersion(text)
        except InvalidVersion:
            reference = None
        legacy = parse("PyPI", text) < parse("PyPI", "0.dev0")  # the least valid version
        assert legacy == (reference is None), text
        if reference is not None:
            valid.append((text, reference))
    assert len(valid) > 500
    for _ in range(20_000):
        (a, ref_a), (b, ref_b) = rng.choice(valid), rng.choice(valid)
        assert compare("PyPI", a, b) == (ref_a > ref_b) - (ref_a < ref_b), (a, b)
