"""Package URL (purl) parsing and the mapping from a purl to an OSV ecosystem and package name.

Spec: https://github.com/package-url/purl-spec (core rules and the per-type definitions). The parser is a
small, allocation-light implementation of the spec's "how to parse" algorithm:

    pkg:type/namespace/name@version?qualifiers#subpath

It percent-decodes every component except the type, lowercases the type and the qualifier keys, drops
qualifiers with an empty value and applies the per-type normalizations of the spec (lowercase names for
deb/apk/npm/composer/..., PEP 503 names for pypi). Any violation raises `ValueError` with a message that
says what is wrong.

Deliberate deviations from the letter of the spec, both for matching against OSV:

* `golang` namespaces and names keep their case. The type definition asks for lowercasing but predates
  Go modules (its own note says so, and purl-spec issue #308 is open about it); module paths are case
  sensitive (`github.com/BurntSushi/toml`) and OSV records use the exact path, so lowercasing would lose
  matches.
* An unencoded npm scope (`pkg:npm/@babel/core`, without a version) is read as a namespace, not as an
  empty name with version `babel/core`; several SBOM producers write scopes that way.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import quote, unquote_to_bytes

__all__ = ["PackageURL", "osv_version", "parse_purl", "to_osv"]

_EMPTY: Mapping[str, str] = MappingProxyType({})

_TYPE_RE = re.compile(r"[a-z.+\-][a-z0-9.+\-]*")
_QUALIFIER_KEY_RE = re.compile(r"[a-z.\-_][a-z0-9.\-_]*")
_BAD_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PYPI_SEPARATORS_RE = re.compile(r"[-_.]+")

# Per-type normalizations from the type definitions (case-insensitive components are lowercased).
_LOWER_NAMESPACE = frozenset({"alpm", "apk", "bitbucket", "composer", "deb", "github", "hex", "npm", "qpkg", "rpm"})
_LOWER_NAME = frozenset(
    {"alpm", "apk", "bitbucket", "bitnami", "composer", "deb", "github", "hex", "npm", "oci", "pub"}
)
_LOWER_VERSION = frozenset({"huggingface", "oci"})
# Types whose definition makes the namespace mandatory (and whose OSV name needs it).
_NAMESPACE_REQUIRED = frozenset({"maven", "swift"})

# Characters left unencoded when building the canonical string (RFC 3986 unreserved, plus ':' which the
# spec never requires to be encoded, plus '/' inside qualifier values as in `repository_url=host/path`).
_SAFE_SEGMENT = ":"
_SAFE_QUALIFIER = ":/"


_VALID_KEYS: set[str] = set()  # qualifier keys already validated (few distinct keys recur in an SBOM)


def _valid_key(key: str) -> bool:
    if not _QUALIFIER_KEY_RE.fullmatch(key):
        return False
    if len(_VALID_KEYS) < 1024:
        _VALID_KEYS.add(key)
    return True


_DECODED: dict[str, str] = {}  # percent-encoded text already decoded (scopes, vendors and keys recur)


def _decode(text: str, what: str) -> str:
    """Strict percent-decoding of text that contains '%': malformed escapes and non-UTF-8 are errors."""
    decoded = _DECODED.get(text)
    if decoded is not None:
        return decoded
    if _BAD_ESCAPE_RE.search(text):
        raise ValueError(f"malformed percent-encoding in {what} {text!r}")
    try:
        decoded = unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"percent-encoded {what} {text!r} is not valid UTF-8") from None
    if len(_DECODED) < 4096:
        _DECODED[text] = decoded
    return decoded


_VALID_TYPES: set[str] = set()


def _valid_type(purl_type: str) -> bool:
    if not _TYPE_RE.fullmatch(purl_type):
        return False
    if len(_VALID_TYPES) < 1024:
        _VALID_TYPES.add(purl_type)
    return True


@dataclass(frozen=True, slots=True)
class PackageURL:
    """A parsed purl. `namespace`, `version` and `subpath` are None when absent; all values are decoded."""

    type: str
    namespace: str | None
    name: str
    version: str | None = None
    qualifiers: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)
    subpath: str | None = None

    @classmethod
    def from_string(cls, purl: str) -> PackageURL:
        return parse_purl(purl)

    def to_string(self) -> str:
        """The canonical form: lowercase type, encoded components, qualifiers sorted by key."""
        parts = ["pkg:", self.type, "/"]
        if self.namespace:
            parts.append("/".join(quote(seg, safe=_SAFE_SEGMENT) for seg in self.namespace.split("/")))
            parts.append("/")
        parts.append(quote(self.name, safe=_SAFE_SEGMENT))
        if self.version is not None:
            parts.append("@")
            parts.append(quote(self.version, safe=_SAFE_SEGMENT))
        if self.qualifiers:
            parts.append("?")
            parts.append("&".join(f"{k}={quote(v, safe=_SAFE_QUALIFIER)}" for k, v in sorted(self.qualifiers.items())))
        if self.subpath:
            parts.append("#")
            parts.append("/".join(quote(seg, safe=_SAFE_SEGMENT) for seg in self.subpath.split("/")))
        return "".join(parts)

    def __str__(self) -> str:
        return self.to_string()


# The shape of nearly every purl in the wild: `pkg:type/[namespace/]name[@version][?qualifiers]` with no
# subpath, no '@' or '?' outside their separator role and no '/' in the version. For such strings the
# spec's right-to-left splits give exactly these groups, so one regex match replaces them; anything else
# (leading or doubled slashes, a subpath, an unusual type) takes the step-by-step algorithm.
_FAST_RE = re.compile(
    r"pkg:([A-Za-z][A-Za-z0-9.+\-]*)/(?:([^/?#@]+(?:/[^/?#@]+)*)/)?([^/?#@]+)(?:@([^?#@/]*))?(?:\?([^#?]*))?"
)


def parse_purl(purl: str) -> PackageURL:
    """Parse a purl string (spec "how to parse", right to left). Raises ValueError when it is invalid."""
    if not isinstance(purl, str):
        raise ValueError(f"a purl must be a string, not {type(purl).__name__}")
    match = _FAST_RE.fullmatch(purl)
    if match is None:
        return _parse_by_spec(purl)
    purl_type, namespace, name, version, raw_qualifiers = match.groups()
    purl_type = purl_type.lower()
    if namespace is not None and "%" in namespace:
        namespace = _namespace(namespace)
    if "%" in name:
        name = _decode(name, "name")
    if version is not None and "%" in version:
        version = _decode(version, "version")
    qualifiers = _qualifiers(raw_qualifiers) if raw_qualifiers else _EMPTY
    return _build(purl_type, namespace, name, version or None, qualifiers=qualifiers, subpath=None)


def _parse_by_spec(purl: str) -> PackageURL:
    """The spec's parsing algorithm, step by step, for purls of any shape."""
    if not purl:
        raise ValueError("empty purl")
    remainder = purl

    # subpath (split once from the right)
    subpath: str | None = None
    hash_at = remainder.rfind("#")
    if hash_at != -1:
        raw_subpath = remainder[hash_at + 1 :]
        remainder = remainder[:hash_at]
        segments = []
        for raw in raw_subpath.split("/"):
            seg = _decode(raw, "subpath segment") if "%" in raw else raw
            if seg in ("", ".", ".."):
                continue
            if "/" in seg:
                raise ValueError(f"subpath segment {seg!r} contains '/'")
            segments.append(seg)
        subpath = "/".join(segments) or None

    # qualifiers (split once from the right)
    qualifiers: Mapping[str, str] = _EMPTY
    qmark = remainder.rfind("?")
    if qmark != -1:
        qualifiers = _qualifiers(remainder[qmark + 1 :])
        remainder = remainder[:qmark]

    # scheme
    scheme, colon, remainder = remainder.partition(":")
    if not colon:
        raise ValueError("missing 'pkg:' scheme")
    if scheme.lower() != "pkg":
        raise ValueError(f"scheme must be 'pkg', not {scheme!r}")

    # type
    remainder = remainder.lstrip("/")
    purl_type, slash, remainder = remainder.partition("/")
    if not slash:
        raise ValueError("missing type or name: expected 'pkg:type/name'")
    purl_type = purl_type.lower()

    # version (split once from the right on '@', unless that '@' opens an unencoded npm-style scope)
    version: str | None = None
    at = remainder.rfind("@")
    if at != -1 and not ((at == 0 or remainder[at - 1] == "/") and "/" in remainder[at:]):
        version = remainder[at + 1 :]
        if "%" in version:
            version = _decode(version, "version")
        version = version or None
        remainder = remainder[:at]
    else:
        remainder = remainder.rstrip("/")

    # name
    slash_at = remainder.rfind("/")
    name = remainder[slash_at + 1 :]
    if "%" in name:
        name = _decode(name, "name")

    # namespace
    namespace = _namespace(remainder[:slash_at]) if slash_at > 0 else None
    return _build(purl_type, namespace, name, version, qualifiers=qualifiers, subpath=subpath)


def _namespace(raw_namespace: str) -> str | None:
    segments = []
    for raw in raw_namespace.split("/"):
        if not raw:
            continue
        seg = _decode(raw, "namespace segment") if "%" in raw else raw
        if "/" in seg:
            raise ValueError(f"namespace segment {seg!r} contains '/'")
        segments.append(seg)
    return "/".join(segments) or None


_QUALIFIER_CACHE: dict[str, Mapping[str, str]] = {}  # raw qualifier strings recur (arch=…&distro=…)


def _qualifiers(raw_qualifiers: str) -> Mapping[str, str]:
    cached = _QUALIFIER_CACHE.get(raw_qualifiers)
    if cached is not None:
        return cached
    parsed = _parse_qualifiers(raw_qualifiers)
    if len(_QUALIFIER_CACHE) < 4096:
        _QUALIFIER_CACHE[raw_qualifiers] = parsed  # immutable, so safe to share
    return parsed


def _parse_qualifiers(raw_qualifiers: str) -> Mapping[str, str]:
    found: dict[str, str] = {}
    for pair in raw_qualifiers.split("&"):
        if not pair:
            continue
        raw_key, _, value = pair.partition("=")
        key = raw_key.lower()
        if key not in _VALID_KEYS and not _valid_key(key):
            raise ValueError(
                f"invalid qualifier key {raw_key!r} (letters, digits, '.', '-', '_'; not starting with a digit)"
            )
        if key in found:
            raise ValueError(f"duplicate qualifier key {key!r}")
        if "%" in value:
            value = _decode(value, f"value of qualifier {key!r}")
        if value:
            found[key] = value
    return MappingProxyType(found) if found else _EMPTY


def _build(
    purl_type: str,
    namespace: str | None,
    name: str,
    version: str | None,
    *,
    qualifiers: Mapping[str, str],
    subpath: str | None,
) -> PackageURL:
    """Validate the type and name, apply the per-type normalizations and requirements."""
    if purl_type not in _VALID_TYPES and not _valid_type(purl_type):
        raise ValueError(
            f"invalid type {purl_type!r} (ASCII letters, digits, '.', '+', '-'; not starting with a digit)"
        )
    if not name:
        raise ValueError("missing name")
    if namespace is not None and purl_type in _LOWER_NAMESPACE:
        namespace = namespace.lower()
    if purl_type in _LOWER_NAME:
        name = name.lower()
    elif purl_type == "pypi":
        name = _PYPI_SEPARATORS_RE.sub("-", name).lower()
    if version is not None and purl_type in _LOWER_VERSION:
        version = version.lower()
    if namespace is None and purl_type in _NAMESPACE_REQUIRED:
        raise ValueError(f"a {purl_type} purl needs a namespace")
    return PackageURL(purl_type, namespace, name, version, qualifiers, subpath)


# --- purl → OSV ---------------------------------------------------------------------------------------------

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
