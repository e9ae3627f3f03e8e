"""MSBuild project files (`*.csproj`, also `*.fsproj` and `*.vbproj`): `PackageReference` items.

Owns: `PackageReference Include=` (or `Update=`) with the version from the `Version` attribute or child
element (`VersionOverride` wins), `$(Property)` references expanded from the file's own `PropertyGroup`s,
and Central Package Management: a reference without a version takes it from the nearest
`Directory.Packages.props` up the tree (`PackageVersion` items; an `Import` of the next one above is
followed). `PrivateAssets="all"` marks a build-time-only reference (analyzers, source link): dev. Every
reference is direct. References that name no package or no exact version (empty, a range, a floating
`1.*`, an undefined property, no central version) become notes.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.dotnet._common import (
    child_text,
    expand,
    local_attr,
    msbuild_properties,
    nuget_pin,
    parse_xml,
)

_SUFFIXES = (".csproj", ".fsproj", ".vbproj")
_CENTRAL = "Directory.Packages.props"
_MAX_UP = 12  # folders searched above the project for Directory.Packages.props


def _required(path: str) -> bool:
    return path.lower().endswith(_SUFFIXES)


class _Central:
    """Central package versions (as written) from the nearest Directory.Packages.props, loaded on first use."""

    def __init__(self, file: InputFile, properties: dict[str, str]) -> None:
        self._file = file
        self._versions: dict[str, str] | None = None
        self.properties = properties  # the project's, under those of the props files once loaded
        self.found: list[str] = []  # the props files read, nearest first
        self.notes: list[str] = []

    def version(self, name: str) -> str | None:
        if self._versions is None:
            self._versions = self._load()
        return self._versions.get(name.lower())

    def _load(self) -> dict[str, str]:
        roots: list[Element] = []  # nearest first
        for up in range(_MAX_UP):
            relative = "../" * up + _CENTRAL
            data = self._file.read(relative)
            if data is None:
                continue
            try:
                root = parse_xml(data)
            except ParseError as exc:
                self.notes.append(f"{relative} ignored: {exc}")
                break
            roots.append(root)
            self.found.append(relative)
            if not any(_CENTRAL.lower() in (local_attr(i, "Project") or "").lower() for i in root.iter("Import")):
                break
        self.properties = {**msbuild_properties(reversed(roots)), **self.properties}
        versions: dict[str, str] = {}
        for root in roots:
            for item in root.iter("PackageVersion"):
                name = local_attr(item, "Include") or local_attr(item, "Update") or ""
                raw = local_attr(item, "Version")
                raw = child_text(item, "Version") if raw is None else raw
                if name and raw is not None:
                    versions.setdefault(name.lower(), raw)
        return versions


@guarded
def _analyze(file: InputFile) -> Parsed:
    root = parse_xml(file.data)
    if root.tag != "Project":
        raise ParseError(f"not an MSBuild project: the root element is <{root.tag}>, not <Project>")
    properties = msbuild_properties([root])
    central = _Central(file, properties)
    found: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    for item in root.iter("PackageReference"):
        if local_attr(item, "Remove") is not None and local_attr(item, "Include") is None:
            continue
        raw_names = local_attr(item, "Include")
        raw_names = local_attr(item, "Update") if raw_names is None else raw_names
        names, missing = expand(raw_names or "", properties)
        if names is None:
            notes.append(f"PackageReference '{raw_names}': property $({missing}) is not defined")
            continue
        dev = (local_attr(item, "PrivateAssets") or child_text(item, "PrivateAssets") or "").lower() == "all"
        for name in filter(None, (n.strip() for n in names.split(";"))):
            version, problem = _version(item, name, properties, central)
            if version is None:
                notes.append(f"{name}: {problem}")
                continue
            key = (name.lower(), version)
            old = found.get(key)
            found[key] = Dependency(name, version, direct=True, dev=dev and (old is None or old.dev))
        if not names.strip():
            notes.append("a PackageReference names no package")
    return Parsed("NuGet", tuple(found.values()), (*notes, *dict.fromkeys(central.notes)))


def _version(item: Element, name: str, properties: dict[str, str], central: _Central) -> tuple[str | None, str]:
    """(exact version, "") of one reference, or (None, why not)."""
    raw = local_attr(item, "VersionOverride")
    raw = child_text(item, "VersionOverride") if raw is None else raw
    raw = local_attr(item, "Version") if raw is None else raw
    raw = child_text(item, "Version") if raw is None else raw
    if raw is None:
        raw = central.version(name)
        if raw is None and central.found:
            return None, f"no version, in the reference or in {central.found[0]}"
        if raw is None:
            return None, f"no version, in the reference or in a {_CENTRAL} in the scan tree"
        properties = central.properties
    value, missing = expand(raw, properties)
    if value is None:
        return None, f"version property $({missing}) is not defined"
    if not value.strip():
        return None, "empty version"
    pinned = nuget_pin(value)
    if pinned is None:
        return None, f"version '{value}' is a range or floating version, not a pin"
    return pinned, ""


ANALYZER = Analyzer(name="dotnet/csproj", version=1, required=_required, analyze=_analyze)
