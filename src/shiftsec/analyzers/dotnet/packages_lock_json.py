"""NuGet `packages.lock.json`: the packages restored for each target framework (and runtime).

Owns: `dependencies.<framework>.<name>` entries of type Direct, Transitive and CentralTransitive (Direct ->
`direct`), their `dependencies` as `depends_on` (resolved within the same framework), and Project entries
(local project references: a note each, never a package). The file does not say what is dev-only.
"""

from __future__ import annotations

import posixpath

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.dotnet._common import expect_dict, expect_str, load_json_object


def _required(path: str) -> bool:
    return posixpath.basename(path) == "packages.lock.json"


@guarded
def _analyze(file: InputFile) -> Parsed:
    document = load_json_object(file.data)
    frameworks = expect_dict(document.get("dependencies", {}), "'dependencies'")
    found: dict[tuple[str, str], Dependency] = {}
    projects: dict[str, None] = {}
    for framework, raw_entries in frameworks.items():
        entries = expect_dict(raw_entries, f"'dependencies.{framework}'")
        resolved = _resolved_versions(framework, entries)
        for name, raw in entries.items():
            where = f"'{framework}.{name}'"
            entry = expect_dict(raw, where)
            kind = expect_str(entry.get("type", "Transitive"), f"{where}.type")
            if kind.lower() == "project":
                projects.setdefault(name)
                continue
            version = resolved[name.lower()]
            edges = []
            for dep_name, dep_range in expect_dict(entry.get("dependencies", {}), f"{where}.dependencies").items():
                expect_str(dep_range, f"{where}.dependencies.{dep_name}")
                dep_version = resolved.get(dep_name.lower())
                if dep_version is not None:
                    edges.append(f"{dep_name}@{dep_version}")
            _add(found, Dependency(name, version, direct=kind.lower() == "direct", depends_on=tuple(edges)))
    notes = tuple(f"{name}: project reference (a local project, not a NuGet package)" for name in projects)
    return Parsed("NuGet", tuple(found.values()), notes)


def _resolved_versions(framework: str, entries: dict[str, object]) -> dict[str, str]:
    """Lower-cased package name -> resolved version, for every non-project entry of one framework."""
    out: dict[str, str] = {}
    for name, raw in entries.items():
        entry = expect_dict(raw, f"'{framework}.{name}'")
        if str(entry.get("type", "")).lower() == "project":
            continue
        if "resolved" not in entry:
            raise ParseError(f"'{framework}.{name}' has no 'resolved' version")
        version = expect_str(entry["resolved"], f"'{framework}.{name}'.resolved").strip()
        if not version:
            raise ParseError(f"'{framework}.{name}' has an empty 'resolved' version")
        out[name.lower()] = version
    return out


def _add(found: dict[tuple[str, str], Dependency], dep: Dependency) -> None:
    """Keep one entry per (name, version) across frameworks: direct anywhere wins, edges are merged."""
    key = (dep.name.lower(), dep.version)
    old = found.get(key)
    if old is None:
        found[key] = dep
        return
    edges = tuple(dict.fromkeys((*old.depends_on, *dep.depends_on)))
    found[key] = Dependency(old.name, old.version, direct=bool(old.direct or dep.direct), depends_on=edges)


ANALYZER = Analyzer(name="dotnet/packages-lock-json", version=1, required=_required, analyze=_analyze)
