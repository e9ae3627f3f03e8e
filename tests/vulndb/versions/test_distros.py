"""RPM and apk distributions: epochs, ~ and ^, releases; apk suffixes and revisions."""

from __future__ import annotations

import pytest

from shiftsec.vulndb.versions import compare

_CASES = [
    # RPM (rpmvercmp): epoch:version-release
    ("Red Hat", "0:1.2.3-4.el9", "=", "1.2.3-4.el9"),
    ("Red Hat", "1:1.0-1.el9", ">", "2.0-1.el9"),
    ("Red Hat", "1.2.3-4.el9", "<", "1.2.3-4.el9_2.1"),
    ("Red Hat", "1.2.3-4.el8", "<", "1.2.3-4.el9"),
    ("Red Hat", "3.0.7-16.el9_2", "<", "3.0.7-18.el9_2"),
    ("Red Hat", "1.10", ">", "1.9"),
    ("Red Hat", "1.0~rc1", "<", "1.0"),
    ("Red Hat", "1.0", "<", "1.0^git1"),
    ("Red Hat", "1.0^git1", "<", "1.0.1"),
    ("Red Hat", "1.0a", ">", "1.0"),
    ("Red Hat", "1.0.a", "<", "1.0.1"),  # letters sort below digits
    ("Red Hat", "1_0", "=", "1.0"),  # separators only separate
    ("SUSE", "5.3.0-150400.1.5", "<", "5.3.0-150400.3.1"),
    ("openSUSE:Tumbleweed", "2.41-1.1", "<", "2.41-2.1"),
    ("AlmaLinux:9", "2:8.2.2637-20.el9_1", ">", "8.2.2637-21.el9"),
    # apk: number{.number}{letter}{_suffix{number}}{-r#}
    ("Alpine", "1.2.3-r0", "<", "1.2.3-r1"),
    ("Alpine", "1.2.3_rc1-r0", "<", "1.2.3-r0"),
    ("Alpine", "1.2.3_p1-r0", ">", "1.2.3-r5"),
    ("Alpine", "1.2.3_alpha", "<", "1.2.3_beta"),
    ("Alpine", "1.2.3_beta", "<", "1.2.3_pre"),
    ("Alpine", "1.2.3_pre", "<", "1.2.3_rc"),
    ("Alpine", "1.2.3_cvs", "<", "1.2.3_svn"),
    ("Alpine", "1.2.3_git20240101", "<", "1.2.3_hg1"),
    ("Alpine", "1.2.3a", ">", "1.2.3"),
    ("Alpine", "1.2.3a", "<", "1.2.4"),
    ("Alpine", "1.01", "<", "1.1"),  # a leading zero compares as a string
    ("Alpine", "1.10", ">", "1.9"),
    ("Alpine", "3.0.13-r0", "<", "3.0.14-r0"),
    ("Wolfi", "1.21.5-r1", "<", "1.22.0-r0"),
    ("Chainguard", "2.40-r3", ">", "2.40-r2"),
]


@pytest.mark.parametrize(("ecosystem", "a", "op", "b"), _CASES, ids=[f"{c[0]}:{c[1]}{c[2]}{c[3]}" for c in _CASES])
def test_distro_order(ecosystem: str, a: str, op: str, b: str) -> None:
    expected = {"<": -1, "=": 0, ">": 1}[op]
    assert compare(ecosystem, a, b) == expected
    assert compare(ecosystem, b, a) == -expected


def test_apk_common_shape_fast_path_equals_the_walk() -> None:
    """The one-regex reading of common apk versions must give exactly the token walk's key."""
    import random

    from shiftsec.vulndb.versions.apk import _walk, _walk_common

    rng = random.Random(7)
    pieces = ["0", "1", "01", "10", "007", "", "2"]
    seen = 0
    for _ in range(5000):
        text = ".".join(rng.choice([*pieces[:-2], "3"]) + rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        text = text if text[:1].isdigit() else "1" + text
        text += rng.choice(["", "a", "z", "b"]) + rng.choice(["", "-r0", "-r12", "-r", "-r007"])
        fast = _walk_common(text)
        if fast is not None:
            seen += 1
            assert fast == _walk(text), text
    assert seen > 4000
    for odd in ("1.0_rc1", "1.0-r1-r2", "1.0~abc", "1.0a1", "1.0ab", "1.0.a"):
        assert _walk_common(odd) is None or _walk_common(odd) == _walk(odd)
