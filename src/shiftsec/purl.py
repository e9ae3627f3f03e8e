"""Package URL (purl) parsing. The mapping from a purl to an OSV ecosystem lives in `purl_to_osv`.

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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import quote, unquote_to_bytes

__all__ = ["PackageURL", "parse_purl"]

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
