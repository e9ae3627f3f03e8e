"""The mapping between Package URLs and the OSV ecosystem, package name and version that advisories use.

`to_osv` reads a purl (SBOM components); `package_purl` writes one for a package found in a lockfile, so
that `to_osv(parse_purl(package_purl(e, n, v)))` gives back `(e, n)` for every ecosystem both know.

Language types map one to one (`pypi` → PyPI, `golang` → Go with "namespace/name", `maven` → Maven with
"group:artifact", ...). Distribution packages need their release, which a purl carries in the `distro`
qualifier: `deb` → `Debian:12` / `Ubuntu:22.04`, `apk` → `Alpine:v3.18`, `rpm` by vendor namespace. A type
without an OSV ecosystem maps to None, and the caller reports the component rather than dropping it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from urllib.parse import quote

from shiftsec.purl import PackageURL

__all__ = ["osv_version", "package_purl", "to_osv"]

# Types whose OSV package name is the purl name alone.
_PLAIN: Mapping[str, str] = {
    "pypi": "PyPI",
    "cargo": "crates.io",
    "nuget": "NuGet",
    "gem": "RubyGems",
    "pub": "Pub",
    "cran": "CRAN",
    "hackage": "Hackage",
    "hex": "Hex",  # a hex namespace is a private organization: OSV only has public hex.pm packages
    "conan": "ConanCenter",
    "bitnami": "Bitnami",
}
# Types whose OSV package name is "namespace/name".
_SLASHED: Mapping[str, str] = {"golang": "Go", "composer": "Packagist", "swift": "SwiftURL"}

# rpm vendors (purl namespace) → OSV ecosystem. Namespaces are what producers write: the os-release ID
# (osv-scalibr, syft: rhel, rocky, almalinux, opensuse-leap, sles) or the vendor name (Red Hat's own
# SBOMs use `redhat`; osv-scalibr's ecosystem→purl table uses redhat, rocky-linux, almalinux, opensuse,
# suse, openeuler, mageia, azure-linux). Most of these OSV ecosystems carry release suffixes that a
# purl cannot give reliably (`Red Hat:enterprise_linux:9::appstream`, `SUSE:Linux Enterprise Server 15
# SP5`), so the unversioned ecosystem is returned; AlmaLinux and Rocky Linux get their major release.
_RPM_VENDORS: Mapping[str, str] = {
    "redhat": "Red Hat",
    "rhel": "Red Hat",
    "rocky": "Rocky Linux",
    "rocky-linux": "Rocky Linux",
    "rockylinux": "Rocky Linux",
    "almalinux": "AlmaLinux",
    "alma": "AlmaLinux",
    "opensuse": "openSUSE",
    "opensuse-leap": "openSUSE",
    "opensuse-tumbleweed": "openSUSE",
    "opensuse-leap-micro": "openSUSE",
    "suse": "SUSE",
    "sles": "SUSE",
    "sled": "SUSE",
    "sles_sap": "SUSE",
    "sle-micro": "SUSE",
    "sl-micro": "SUSE",
    "openeuler": "openEuler",
    "mageia": "Mageia",
    "azure-linux": "Azure Linux",
    "azurelinux": "Azure Linux",
}

_RPM_MAJOR_RELEASES = frozenset({"AlmaLinux", "Rocky Linux"})
_RPM_DISTRO_RE = re.compile(r"(?:[a-z][a-z_-]*-)?(\d+)(?:\.\d+)*")

_DEBIAN_CODENAMES: Mapping[str, str] = {
    "etch": "4",
    "lenny": "5",
    "squeeze": "6",
    "wheezy": "7",
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
    "duke": "15",
}
_UBUNTU_CODENAMES: Mapping[str, str] = {
    "precise": "12.04",
    "quantal": "12.10",
    "raring": "13.04",
    "saucy": "13.10",
    "trusty": "14.04",
    "utopic": "14.10",
    "vivid": "15.04",
    "wily": "15.10",
    "xenial": "16.04",
    "yakkety": "16.10",
    "zesty": "17.04",
    "artful": "17.10",
    "bionic": "18.04",
    "cosmic": "18.10",
    "disco": "19.04",
    "eoan": "19.10",
    "focal": "20.04",
    "groovy": "20.10",
    "hirsute": "21.04",
    "impish": "21.10",
    "jammy": "22.04",
    "kinetic": "22.10",
    "lunar": "23.04",
    "mantic": "23.10",
    "noble": "24.04",
    "oracular": "24.10",
    "plucky": "25.04",
    "questing": "25.10",
}
_DEBIAN_RELEASE_RE = re.compile(r"(\d+)(?:\.\d+)*")
_TWO_PART_RELEASE_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)*")


def _release_text(distro: str, family: str) -> str:
    """The release part of a `distro` qualifier: `debian-12.5` → `12.5`, `bookworm` → `bookworm`."""
    if distro.startswith(family):
        return distro[len(family) :].lstrip("-_: ")
    return distro


# Each of these returns None when the distro does not name a release of that family ("sid", "edge",
# "ubuntu-22.04" on a debian purl, garbage): the caller then falls back to the unversioned ecosystem.
@functools.lru_cache(maxsize=256)
def _debian_release(distro: str) -> str | None:
    rest = _release_text(distro, "debian")
    if rest in _DEBIAN_CODENAMES:
        return _DEBIAN_CODENAMES[rest]
    match = _DEBIAN_RELEASE_RE.fullmatch(rest)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=256)
def _ubuntu_release(distro: str) -> str | None:
    rest = _release_text(distro, "ubuntu")
    if rest in _UBUNTU_CODENAMES:
        return _UBUNTU_CODENAMES[rest]
    match = _TWO_PART_RELEASE_RE.fullmatch(rest)
    return f"{match.group(1)}.{match.group(2)}" if match else None


@functools.lru_cache(maxsize=256)
def _alpine_release(distro: str) -> str | None:
    match = _TWO_PART_RELEASE_RE.fullmatch(_release_text(distro, "alpine"))
    return f"v{match.group(1)}.{match.group(2)}" if match else None


def _looks_ubuntu(distro: str) -> bool:
    return distro.startswith("ubuntu") or distro in _UBUNTU_CODENAMES


def _deb_ecosystem(purl: PackageURL) -> str | None:
    distro = purl.qualifiers.get("distro", "").strip().lower()
    vendor = purl.namespace
    if vendor is None:  # no vendor: let the distro qualifier decide, Debian by default
        vendor = "ubuntu" if _looks_ubuntu(distro) else "debian"
    # A deb purl without a usable distro still maps to the unversioned ecosystem ("Debian", "Ubuntu"):
    # the package then stays in the inventory, where the scanner can match what is not release-specific
    # and say which per-release advisories it could not evaluate; returning None would turn a real
    # package into a mere component error.
    if vendor == "debian":
        release = _debian_release(distro) if distro else None
        return f"Debian:{release}" if release else "Debian"
    if vendor == "ubuntu":
        release = _ubuntu_release(distro) if distro else None
        return f"Ubuntu:{release}" if release else "Ubuntu"
    return None


def _apk_ecosystem(purl: PackageURL) -> str | None:
    vendor = purl.namespace or "alpine"
    if vendor == "wolfi":
        return "Wolfi"  # rolling distribution: no release suffix in OSV
    if vendor == "chainguard":
        return "Chainguard"
    if vendor != "alpine":
        return None
    # Without a usable distro (absent, "edge", garbled) the unversioned "Alpine" is returned, for the same
    # reason as for Debian: the package stays in the inventory.
    distro = purl.qualifiers.get("distro", "").strip().lower()
    release = _alpine_release(distro) if distro else None
    return f"Alpine:{release}" if release else "Alpine"


def _rpm_ecosystem(purl: PackageURL) -> str | None:
    ecosystem = _RPM_VENDORS.get(purl.namespace or "")
    if ecosystem in _RPM_MAJOR_RELEASES:
        # AlmaLinux and Rocky Linux advisories are per major release ("AlmaLinux:9"); `distro` is
        # `almalinux-9.3`, `rocky-8.9` or a bare `9.3` (the vendor prefix is whatever the producer wrote).
        distro = purl.qualifiers.get("distro", "").strip().lower()
        match = _RPM_DISTRO_RE.fullmatch(distro)
        if match:
            return f"{ecosystem}:{match.group(1)}"
    return ecosystem


def to_osv(purl: PackageURL) -> tuple[str, str] | None:
    """(OSV ecosystem, OSV package name) for a purl, or None when its type/vendor has no OSV ecosystem."""
    kind = purl.type
    ecosystem = _PLAIN.get(kind)
    if ecosystem is not None:
        return ecosystem, purl.name
    ecosystem = _SLASHED.get(kind)
    if ecosystem is not None:
        return ecosystem, f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
    if kind == "npm":
        if not purl.namespace:
            return "npm", purl.name
        scope = purl.namespace if purl.namespace.startswith("@") else "@" + purl.namespace
        return "npm", f"{scope}/{purl.name}"
    if kind == "maven":
        return ("Maven", f"{purl.namespace}:{purl.name}") if purl.namespace else None
    if kind == "deb":
        ecosystem = _deb_ecosystem(purl)
    elif kind == "apk":
        ecosystem = _apk_ecosystem(purl)
    elif kind == "rpm":
        ecosystem = _rpm_ecosystem(purl)
    return (ecosystem, purl.name) if ecosystem is not None else None


def osv_version(purl: PackageURL, fallback: str | None = None) -> str | None:
    """The version to match in OSV: the purl version (else `fallback`), with the `epoch` qualifier of a
    deb or rpm purl folded in as `epoch:version` (the form Debian and RPM version strings use)."""
    version = purl.version or fallback
    if not version:
        return None
    if purl.type in ("deb", "rpm") and ":" not in version:
        epoch = purl.qualifiers.get("epoch", "").strip()
        if epoch:
            return f"{epoch}:{version}"
    return version


_PEP503 = re.compile(r"[-_.]+")

# OSV ecosystem → purl type, for packages found in lockfiles (distro packages get theirs elsewhere).
_PURL_TYPES: Mapping[str, str] = {
    **{ecosystem: kind for kind, ecosystem in _PLAIN.items()},
    **{ecosystem: kind for kind, ecosystem in _SLASHED.items()},
    "npm": "npm",
    "Maven": "maven",
    "CocoaPods": "cocoapods",
}


def _segment(text: str) -> str:
    return quote(text, safe="")


def package_purl(ecosystem: str, name: str, version: str) -> str | None:
    """The purl of a language package, or None for an ecosystem without a purl type here."""
    kind = _PURL_TYPES.get(ecosystem)
    if kind is None or not name:
        return None
    namespace = ""
    if kind == "maven":
        group, _, name = name.rpartition(":")
        namespace = group
    elif kind == "npm" and name.startswith("@") and "/" in name:
        namespace, _, name = name.partition("/")
    elif kind in ("golang", "composer", "swift") and "/" in name:
        namespace, _, name = name.rpartition("/")
    elif kind == "pypi":
        name = _PEP503.sub("-", name).lower()  # the purl spec's canonical pypi name
    path = "/".join(_segment(part) for part in namespace.split("/")) + "/" if namespace else ""
    at_version = f"@{_segment(version)}" if version else ""
    return f"pkg:{kind}/{path}{_segment(name)}{at_version}"
