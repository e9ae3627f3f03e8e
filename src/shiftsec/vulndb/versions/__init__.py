"""Version ordering for every OSV ecosystem: the one entry point the matcher uses.

``parse(ecosystem, version)`` returns a :class:`Version` that is totally ordered against every
other version parsed for the same ecosystem, whatever the string: a version that is not valid
for its ecosystem still gets a deterministic position (see each module), so range matching
never has to handle a parse error.  ``ecosystem`` is an OSV ecosystem name, optionally with
a ``:release`` suffix (``Debian:12``, ``Ubuntu:22.04:LTS``, ``Alpine:v3.18``); the pseudo
ecosystem ``SEMVER`` gives the ordering of OSV's ``SEMVER`` range type.  Ecosystems without
a dedicated algorithm (and unknown names) use :mod:`.generic`.

The modules, one per ordering family:

* :mod:`.semver` — npm, Go, crates.io, Hex, SwiftURL, Bitnami, ... and NuGet, Pub;
* :mod:`.pypi` — PyPI; :mod:`.maven` — Maven; :mod:`.rubygems` — RubyGems;
* :mod:`.packagist` — Packagist; :mod:`.dotted` — CRAN, Bioconductor, Hackage, GHC;
* :mod:`.dpkg` — Debian, Ubuntu, Echo, opam; :mod:`.rpm` — Red Hat and the other RPM distros;
* :mod:`.apk` — Alpine, Wolfi, Chainguard and the other apk distros; :mod:`.generic`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ._base import KeyVersion, PairwiseVersion, Version
from .apk import parse_apk
from .dotted import parse_cran, parse_hackage
from .dpkg import parse_dpkg, parse_opam
from .generic import parse_generic
from .maven import parse_maven
from .packagist import parse_packagist
from .pypi import parse_pypi
from .rpm import parse_rpm
from .rubygems import parse_rubygems
from .semver import parse_nuget, parse_pub, parse_semver

__all__ = [
    "ORDERING_REVISION",
    "KeyVersion",
    "PairwiseVersion",
    "Version",
    "base_ecosystem",
    "compare",
    "parse",
    "supported_ecosystems",
]

Parser = Callable[[str], Version]

# Bump whenever any ordering changes: the database keeps per-row upper bounds computed with these rules
# (`vulndb.ranges.upper_bound`) and trusts them only while the revision it recorded is this one.
ORDERING_REVISION = 1

_PARSERS: dict[str, Parser] = {
    # SemVer 2.0
    "npm": parse_semver,
    "Go": parse_semver,
    "crates.io": parse_semver,
    "Hex": parse_semver,
    "SwiftURL": parse_semver,
    "Bitnami": parse_semver,
    "ConanCenter": parse_semver,
    "GitHub Actions": parse_semver,
    "Julia": parse_semver,
    "VSCode": parse_semver,
    "SEMVER": parse_semver,
    "NuGet": parse_nuget,
    "Pub": parse_pub,
    # language ecosystems with their own rules
    "PyPI": parse_pypi,
    "Maven": parse_maven,
    "RubyGems": parse_rubygems,
    "Packagist": parse_packagist,
    "CRAN": parse_cran,
    "Bioconductor": parse_cran,
    "Hackage": parse_hackage,
    "GHC": parse_hackage,
    "opam": parse_opam,
    # Linux distributions
    "Debian": parse_dpkg,
    "Ubuntu": parse_dpkg,
    "Echo": parse_dpkg,
    "Red Hat": parse_rpm,
    "Rocky Linux": parse_rpm,
    "AlmaLinux": parse_rpm,
    "SUSE": parse_rpm,
    "openSUSE": parse_rpm,
    "Mageia": parse_rpm,
    "openEuler": parse_rpm,
    "Azure Linux": parse_rpm,
    "Photon OS": parse_rpm,
    "Alpine": parse_apk,
    "Wolfi": parse_apk,
    "Chainguard": parse_apk,
    "MinimOS": parse_apk,
    "Alpaquita": parse_apk,
    "BellSoft Hardened Containers": parse_apk,
}
_PARSERS_FOLDED: dict[str, Parser] = {name.casefold(): parser for name, parser in _PARSERS.items()}


def base_ecosystem(ecosystem: str) -> str:
    """The ecosystem without its ``:release`` suffix: ``"Debian:12"`` -> ``"Debian"``."""
    return ecosystem.partition(":")[0].strip()


def supported_ecosystems() -> tuple[str, ...]:
    """The ecosystem names with a dedicated ordering (others fall back to the generic one)."""
    return tuple(sorted(_PARSERS, key=str.casefold))


def _parser(base: str) -> Parser:
    parser = _PARSERS.get(base)
    if parser is None:
        parser = _PARSERS_FOLDED.get(base.casefold(), parse_generic)
    return parser


@functools.lru_cache(maxsize=1 << 17)
def parse(ecosystem: str, version: str) -> Version:
    """Parse ``version`` under ``ecosystem``'s ordering rules; never raises for any string."""
    return _parser(base_ecosystem(ecosystem))(version)


def compare(ecosystem: str, a: str, b: str) -> int:
    """-1, 0 or 1 as version ``a`` sorts before, equal to or after ``b`` in ``ecosystem``."""
    return parse(ecosystem, a).cmp(parse(ecosystem, b))
