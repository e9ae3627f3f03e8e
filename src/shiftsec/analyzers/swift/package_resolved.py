"""Package.resolved: the Swift packages SwiftPM pinned, in format v1 (`object.pins`) or v2/v3 (`pins`).

Owns the pin shapes and the package name OSV's SwiftURL ecosystem uses: the repository URL without its
scheme, user, trailing slash and `.git` ("https://github.com/apple/swift-nio.git" ->
"github.com/apple/swift-nio"; scp-style "git@github.com:apple/swift-nio.git" alike). A pin without a
version (a branch or revision pin), a local package and a registry package have nothing SwiftURL can match
and become notes.
"""

from __future__ import annotations

import json
import re

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SCP = re.compile(r"(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>(?!//).+)")
_LOCAL_KINDS = frozenset({"localSourceControl", "fileSystem"})


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "Package.resolved"


def url_name(url: str) -> str:
    """The SwiftURL package name of a repository URL."""
    name = url.strip()
    scheme = _SCHEME.match(name)
    if scheme is not None:
        name = name[scheme.end():]
        host, _, rest = name.partition("/")
        name = f"{host.rpartition('@')[2]}/{rest}" if rest else host.rpartition("@")[2]
    else:
        scp = _SCP.fullmatch(name)
        if scp is not None:
            name = f"{scp['host']}/{scp['path']}"
    name = name.rstrip("/")
    return name.removesuffix(".git").rstrip("/")


def _text(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{where} is not a string")
    return value or None


def _analyze(file: InputFile) -> Parsed:
    data = json.loads(file.data)
    if not isinstance(data, dict):
        raise ParseError("the top level is not an object")
    holder = data.get("object", data) if data.get("version") in (1, None) else data
    if not isinstance(holder, dict):
        raise ParseError("'object' is not an object")
    pins = holder.get("pins")
    if pins is None:
        pins = []
    if not isinstance(pins, list):
        raise ParseError("'pins' is not an array")

    packages: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    for index, pin in enumerate(pins, 1):
        if not isinstance(pin, dict):
            raise ParseError(f"pin #{index} is not an object")
        state = pin.get("state") or {}
        if not isinstance(state, dict):
            raise ParseError(f"pin #{index}: 'state' is not an object")
        location = _text(pin.get("location", pin.get("repositoryURL")), f"pin #{index} location")
        label = _text(pin.get("identity", pin.get("package")), f"pin #{index} identity") or location or f"#{index}"
        kind = _text(pin.get("kind"), f"pin #{index} kind")
        version = _text(state.get("version"), f"pin #{index} version")
        if kind in _LOCAL_KINDS:
            notes.append(f"{label} is a local package ({location})")
        elif kind == "registry" or location is None:
            notes.append(f"{label} comes from a package registry, which SwiftURL advisories do not name")
        elif version is None:
            pinned = _text(state.get("branch"), "branch") or (_text(state.get("revision"), "revision") or "")[:12]
            notes.append(f"{label} is pinned to {pinned or 'no version'}, not to a version")
        else:
            name = url_name(location)
            packages.setdefault((name, version), Dependency(name, version))
    return Parsed("SwiftURL", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "Package.resolved")


ANALYZER = Analyzer(name="swift/package-resolved", version=1, required=_required, analyze=analyze)
