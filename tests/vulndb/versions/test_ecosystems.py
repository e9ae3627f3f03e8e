"""Ecosystem names: release suffixes, the supported list, routing to the right ordering, the cache."""

from __future__ import annotations

import pytest

from shiftsec.vulndb import versions
from shiftsec.vulndb.versions import KeyVersion, Version, base_ecosystem, compare, parse, supported_ecosystems


@pytest.mark.parametrize(
    ("ecosystem", "base"),
    [
        ("PyPI", "PyPI"),
        ("Debian:12", "Debian"),
        ("Debian:13", "Debian"),
        ("Alpine:v3.18", "Alpine"),
        ("Ubuntu:22.04:LTS", "Ubuntu"),
        ("Ubuntu:Pro:18.04:LTS", "Ubuntu"),
        ("Red Hat:enterprise_linux:9::appstream", "Red Hat"),
        ("Rocky Linux:9", "Rocky Linux"),
        ("SUSE:Linux Enterprise Server 15 SP5", "SUSE"),
        ("Photon OS:5.0", "Photon OS"),
        ("crates.io", "crates.io"),
        ("", ""),
        (":", ""),
    ],
)
def test_base_ecosystem(ecosystem: str, base: str) -> None:
    assert base_ecosystem(ecosystem) == base


def test_supported_ecosystems() -> None:
    supported = supported_ecosystems()
    assert isinstance(supported, tuple)
    assert len(set(supported)) == len(supported)
    for name in ("PyPI", "npm", "Go", "crates.io", "Maven", "NuGet", "RubyGems", "Packagist", "Pub", "Hex",
                 "SwiftURL", "CRAN", "Hackage", "Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard", "Red Hat",
                 "Rocky Linux", "AlmaLinux", "SUSE", "openSUSE", "Mageia", "openEuler", "SEMVER"):  # fmt: skip
        assert name in supported, name


@pytest.mark.parametrize(
    ("ecosystem", "a", "op", "b"),
    [
        # the release suffix does not change the ordering
        ("Debian:12", "1.0~rc1", "<", "1.0"),
        ("Alpine:v3.18", "1.2.3_rc1-r0", "<", "1.2.3-r0"),
        ("Red Hat:enterprise_linux:9::appstream", "1.0~rc1", "<", "1.0"),
        # each ecosystem gets its own rules for the same strings
        ("PyPI", "1.0-1", ">", "1.0"),  # post-release
        ("npm", "1.0.0-1", "<", "1.0.0"),  # pre-release
        ("Maven", "1.0-1", ">", "1.0"),
        ("RubyGems", "1.0-1", "<", "1.0"),  # "-" reads ".pre."
        ("Hackage", "1.0", "<", "1.0.0"),
        ("CRAN", "1.0-1", "=", "1.0.1"),
        # RPM family
        ("Rocky Linux", "2:1.0", ">", "1:9.9"),
        ("AlmaLinux", "1.0^git1", ">", "1.0"),
        ("openSUSE", "1.0~rc1", "<", "1.0"),
        ("Mageia:9", "1.0-1.mga9", "<", "1.0-2.mga9"),
        ("openEuler:24.03-LTS", "1.0-1.oe2403", "<", "1.0-2.oe2403"),
        # apk family
        ("Wolfi", "1.2.3-r1", ">", "1.2.3-r0"),
        ("Chainguard", "1.2.3_p1-r0", ">", "1.2.3-r9"),
        # case-insensitive fallback on the name; unknown ecosystems get the generic order
        ("pypi", "1.0.post1", ">", "1.0"),
        ("NoSuchEcosystem", "1.0-rc1", "<", "1.0"),
        ("NoSuchEcosystem", "1.0", "=", "v1.0.0"),
        ("GIT", "1.0", "<", "1.1"),
    ],
)
def test_routing(ecosystem: str, a: str, op: str, b: str) -> None:
    expected = {"<": -1, "=": 0, ">": 1}[op]
    assert compare(ecosystem, a, b) == expected


def test_parse_is_cached_and_keeps_the_text() -> None:
    first = parse("PyPI", "1.0.0")
    assert parse("PyPI", "1.0.0") is first
    assert first.text == "1.0.0" and str(first) == "1.0.0"
    assert "PyPI" in repr(first) or "pypi" in repr(first)
    assert versions.parse.cache_info().maxsize is not None and versions.parse.cache_info().maxsize >= 100_000


def test_versions_of_different_families_do_not_compare() -> None:
    pypi, npm = parse("PyPI", "1.0"), parse("npm", "1.0.0")
    assert pypi != npm
    with pytest.raises(TypeError):
        _ = pypi < npm
    with pytest.raises(TypeError):
        pypi.cmp(npm)
    maven, packagist = parse("Maven", "1.0"), parse("Packagist", "1.0")
    with pytest.raises(TypeError):
        _ = maven < packagist
    with pytest.raises(TypeError):
        maven.cmp(pypi)


def test_versions_are_usable_as_set_members_and_sort_keys() -> None:
    assert isinstance(parse("PyPI", "1.0"), KeyVersion)
    assert isinstance(parse("Maven", "1.0"), Version)
    assert len({parse("PyPI", "1.0"), parse("PyPI", "1.0.0"), parse("PyPI", "1.0.post0")}) == 2
    assert len({parse("Maven", "1.0"), parse("Maven", "1"), parse("Maven", "1.0.0-ga")}) == 1
    ordered = sorted(["1.10", "1.9", "1.9.1", "1.10-rc1"], key=lambda v: parse("Maven", v))
    assert ordered == ["1.9", "1.9.1", "1.10-rc1", "1.10"]
    assert max(["3.0.0-alpha", "2.9.9", "3.0.0-beta"], key=lambda v: parse("npm", v)) == "3.0.0-beta"
