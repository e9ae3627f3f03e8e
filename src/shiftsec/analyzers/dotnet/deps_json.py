"""`*.deps.json`: the dependency manifest the .NET SDK writes next to a built application.

Owns: `libraries` ("Name/Version" keys) of type `package` and `project` (the application itself and the
projects it references, reported as osv-scalibr does), `runtimepack` libraries as the runtime pack package
they come from (`runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/6.0.5` ->
`Microsoft.NETCore.App.Runtime.linux-x64@6.0.5`), and `targets` dependencies as `depends_on` edges.
Packages a project library depends on are `direct`. Other library types (`reference`) and malformed keys
become notes. The file does not say what is dev-only.
"""

from __future__ import annotations

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed
from shiftsec.analyzers.dotnet._common import expect_dict, expect_str, load_json_object

_RUNTIME_PACK = "runtimepack."


def _required(path: str) -> bool:
    return path.endswith(".deps.json")


@guarded
def _analyze(file: InputFile) -> Parsed:
    document = load_json_object(file.data)
    libraries = expect_dict(document.get("libraries", {}), "'libraries'")
    edges = _target_edges(expect_dict(document.get("targets", {}), "'targets'"))
    kept: dict[str, tuple[str, str, str]] = {}  # "Name/Version" -> (name, version, type)
    notes: list[str] = []
    for key, raw in libraries.items():
        library = expect_dict(raw, f"'libraries.{key}'")
        kind = expect_str(library.get("type", "package"), f"'libraries.{key}'.type").lower()
        name, slash, version = key.partition("/")
        if not slash or not name.strip() or not version.strip() or "/" in version:
            notes.append(f"{key}: library key is not 'Name/Version'")
            continue
        if kind == "runtimepack" and name.lower().startswith(_RUNTIME_PACK):
            name = name[len(_RUNTIME_PACK) :]
        elif kind not in {"package", "project"}:
            notes.append(f"{key}: library of type '{kind}' is not a NuGet package")
            continue
        kept[key] = (name.strip(), version.strip(), kind)
    # edges name libraries as written in `libraries` ("runtimepack.X@1.0"), lower-cased
    known = {_edge(key): f"{name}@{version}" for key, (name, version, _) in kept.items()}
    projects = [key for key, (_, _, kind) in kept.items() if kind == "project"]
    wanted_by_projects = {edge for key in projects for edge in edges.get(key.lower(), ())}
    packages = []
    for key, (name, version, kind) in kept.items():
        direct = None if kind == "project" or not projects else _edge(key) in wanted_by_projects
        depends_on = tuple(known[e] for e in edges.get(key.lower(), ()) if e in known)
        packages.append(Dependency(name, version, direct=direct, depends_on=depends_on))
    return Parsed("NuGet", tuple(packages), tuple(notes))


def _edge(key: str) -> str:
    name, _, version = key.partition("/")
    return f"{name.strip()}@{version.strip()}".lower()


def _target_edges(targets: dict[str, object]) -> dict[str, list[str]]:
    """Lower-cased "name/version" -> its dependencies as lower-cased "name@version", over every target."""
    edges: dict[str, list[str]] = {}
    for framework, raw_entries in targets.items():
        for key, raw in expect_dict(raw_entries, f"'targets.{framework}'").items():
            entry = expect_dict(raw, f"'targets.{framework}.{key}'")
            deps = expect_dict(entry.get("dependencies", {}), f"'targets.{framework}.{key}'.dependencies")
            out = edges.setdefault(key.lower(), [])
            for dep_name, dep_version in deps.items():
                version = expect_str(dep_version, f"'targets.{framework}.{key}'.dependencies.{dep_name}")
                edge = f"{dep_name}@{version.strip()}".lower()
                if edge not in out:
                    out.append(edge)
    return edges


ANALYZER = Analyzer(name="dotnet/deps-json", version=1, required=_required, analyze=_analyze)
