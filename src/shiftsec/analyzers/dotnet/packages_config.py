"""NuGet `packages.config` (the pre-PackageReference format): `<packages><package id version .../>`.

Owns: every `package` element (all direct: the format lists what the project installed, flat), with
`developmentDependency="true"` -> dev. A package without an id or a pinned version becomes a note.
"""

from __future__ import annotations

import posixpath

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.dotnet._common import local_attr, nuget_pin, parse_xml


def _required(path: str) -> bool:
    return posixpath.basename(path).lower() == "packages.config"


@guarded
def _analyze(file: InputFile) -> Parsed:
    root = parse_xml(file.data)
    if root.tag != "packages":
        raise ParseError(f"not a packages.config: the root element is <{root.tag}>, not <packages>")
    found: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    for index, element in enumerate(root.iter("package"), start=1):
        name = local_attr(element, "id") or ""
        raw_version = local_attr(element, "version")
        if not name:
            notes.append(f"package #{index} has no id")
            continue
        if raw_version is None or not raw_version:
            notes.append(f"{name}: no version")
            continue
        version = nuget_pin(raw_version)
        if version is None:
            notes.append(f"{name}: version '{raw_version}' is not a pinned version")
            continue
        dev = (local_attr(element, "developmentDependency") or "").lower() == "true"
        key = (name.lower(), version)
        old = found.get(key)
        found[key] = Dependency(name, version, direct=True, dev=dev and (old is None or old.dev))
    return Parsed("NuGet", tuple(found.values()), tuple(notes))


ANALYZER = Analyzer(name="dotnet/packages-config", version=1, required=_required, analyze=_analyze)
