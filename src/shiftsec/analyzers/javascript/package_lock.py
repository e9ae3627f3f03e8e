"""`javascript/package-lock`: npm's `package-lock.json`, `npm-shrinkwrap.json` and the hidden lockfile
`node_modules/.package-lock.json`.

This module owns which files are read and lockfileVersion 2/3 (`packages` keyed by install path);
`_package_lock_v1` owns the nested `dependencies` tree of lockfileVersion 1 (also used by v2+ files that
lack `packages`, as osv-scalibr does).

- Precedence, as npm has it: a `package-lock.json` with an `npm-shrinkwrap.json` beside it is not read
  (the shrinkwrap is). The hidden lockfile records what `node_modules` actually holds; it is read only when
  its project has neither a `package-lock.json` nor an `npm-shrinkwrap.json` (an installed tree shipped
  without its lockfile), otherwise it would report the same packages twice. Any other lockfile inside a
  `node_modules` folder belongs to a dependency and is skipped.
- v2/v3: the root "" entry is the project, not a package. `link: true` entries are symlinks (workspaces,
  `file:` folders): they are not packages themselves, edges through them lead to the package at their
  `resolved` path. Packages at paths outside `node_modules` (workspaces, `file:` folders) are reported
  with their own version, as osv-scalibr does, plus a note; so are git and tarball sources.
- `dev` is npm's own `dev` flag (`devOptional` packages can be installed in production, so not dev).
- Edges: each `dependencies`/`optionalDependencies`/`peerDependencies` name resolves the way Node finds
  it: `<path>/node_modules/<name>`, then the same under each enclosing package, then the root.
- `direct`: packages the root entry (or the workspace/local packages) depends on; without a root entry
  (the hidden lockfile) the sibling `package.json` says, else None.
"""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer, InputFile, Parsed, ParseError
from shiftsec.analyzers.javascript import _package_lock_v1
from shiftsec.analyzers.javascript._common import (
    ECOSYSTEM,
    KeyLines,
    as_dict,
    first_of,
    load_json_object,
    manifest_names,
    opt_bool,
    opt_str,
    source_note,
    source_of,
    type_name,
)
from shiftsec.analyzers.javascript._graph import Graph

_EDGE_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
_OPT_STR = frozenset({str, type(None)})
_OPT_BOOL = frozenset({bool, type(None)})
_OPT_DICT = frozenset({dict, type(None)})
_HIDDEN = ".package-lock.json"


def required(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    parts = folder.split("/")
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        return "node_modules" not in parts
    if name == _HIDDEN:  # only the project's own node_modules/.package-lock.json
        return parts[-1] == "node_modules" and "node_modules" not in parts[:-1]
    return False


def analyze(file: InputFile) -> Parsed:
    name = file.path.rpartition("/")[2]
    if name == "package-lock.json" and file.read("npm-shrinkwrap.json") is not None:
        return Parsed(ECOSYSTEM, (), ("npm-shrinkwrap.json beside it takes precedence; not read",))
    hidden = name == _HIDDEN
    if hidden:
        other = first_of(file.read, "../npm-shrinkwrap.json", "../package-lock.json")
        if other is not None:
            return Parsed(ECOSYSTEM, (), (f"{other[3:]} of the project takes precedence over this hidden lockfile",))
    lock = load_json_object(file.data)
    manifest = "../package.json" if hidden else "package.json"
    packages = lock.get("packages")
    if packages is not None:
        return _parse_packages(as_dict(packages, "packages"), file, manifest)
    dependencies = lock.get("dependencies")
    dependencies = {} if dependencies is None else as_dict(dependencies, "dependencies")
    return _package_lock_v1.parse(dependencies, file, manifest)


def _name_from_path(path: str) -> str:
    head, _, base = path.rpartition("/")
    scope = head.rpartition("/")[2]
    return f"{scope}/{base}" if scope.startswith("@") else base


def _is_local(path: str) -> bool:
    return not path.startswith("node_modules/") and "/node_modules/" not in path


def _resolve(index: dict[str, str], path: str, name: str) -> str | None:
    """The key of the package `name` as Node would find it from the package installed at `path`."""
    base = path
    while True:
        target = index.get(f"{base}/node_modules/{name}" if base else f"node_modules/{name}")
        if target is not None:
            return target
        if not base:
            return None
        cut = base.rfind("/node_modules/")
        base = base[:cut] if cut >= 0 else ""


def _lookup_chain(path: str, nested: set[str]) -> list[str]:
    """The `node_modules/` folders Node searches from the package at `path`, nearest first; only folders
    that hold something (`nested`) besides the root one."""
    chain = []
    base = path
    while base:
        if base in nested:
            chain.append(f"{base}/node_modules/")
        cut = base.rfind("/node_modules/")
        base = base[:cut] if cut >= 0 else ""
    chain.append("node_modules/")
    return chain


def _entry_error(path: str, entry: dict[str, object]) -> ParseError:
    """The precise complaint about an entry a fast type check rejected."""
    where = f"packages[{path!r}]"
    for key in ("name", "version", "resolved"):
        opt_str(entry, key, where)
    for key in ("dev", "link"):
        opt_bool(entry, key, where)
    for key in _EDGE_FIELDS:
        if entry.get(key) is not None:
            as_dict(entry[key], f"{where}.{key}")
    return ParseError(f"{where}: unexpected value")


def _parse_packages(packages: dict[str, object], file: InputFile, manifest: str) -> Parsed:
    graph = Graph()
    notes: list[str] = []
    lines = KeyLines(file.data)
    index: dict[str, str] = {}  # install path -> key
    entries: list[tuple[str, str, list[dict[str, object]]]] = []  # (path, key, dependency maps)
    links: list[tuple[str, str]] = []
    root: dict[str, object] | None = None
    for path, entry in packages.items():
        if type(entry) is not dict:
            raise ParseError(f"packages[{path!r}]: expected an object, found {type_name(entry)}")
        if not path:
            root = entry
            continue
        get = entry.get
        name, version, resolved = get("name"), get("version"), get("resolved")
        dev, link = get("dev"), get("link")
        maps = [get(field) for field in _EDGE_FIELDS]
        if (
            type(name) not in _OPT_STR
            or type(version) not in _OPT_STR
            or type(resolved) not in _OPT_STR
            or type(dev) not in _OPT_BOOL
            or type(link) not in _OPT_BOOL
            or any(type(deps) not in _OPT_DICT for deps in maps)
        ):
            raise _entry_error(path, entry)
        if link:
            links.append((path, resolved or ""))
            continue
        name = name or _name_from_path(path)
        version = version or ""
        key = graph.add(name, version, lines.find(path, 0x7B), bool(dev))
        index[path] = key
        entries.append((path, key, [deps for deps in maps if isinstance(deps, dict) and deps]))
        local = _is_local(path)
        kind = "local" if local else source_of(resolved) if resolved else None
        if kind is not None and kind != "url":  # `resolved` is a tarball URL for every registry package
            notes.append(source_note(name, path if local else resolved or "", kind, version))
        elif not version:
            notes.append(f"{name}: no version recorded at {path}")
    for path, link_to in links:
        linked = index.get(link_to)
        if linked is not None:
            index[path] = linked
        else:
            notes.append(f"{path}: link to {link_to or 'nowhere'}, which the lockfile does not describe")

    nested = {path[: path.rfind("/node_modules/")] for path in index if "/node_modules/" in path}
    get_key = index.get
    for path, key, dep_maps in entries:
        if not dep_maps:
            continue
        chain = _lookup_chain(path, nested)
        edges = graph.edges_of(key)
        for deps in dep_maps:
            for dep in deps:
                for folder in chain:
                    target = get_key(folder + dep)
                    if target is not None:
                        if target != key:
                            edges[target] = None
                        break

    if root is not None:
        _roots(graph, index, "", root, "packages['']")
        for path, key, _maps in entries:
            if _is_local(path):  # workspaces and file: folders are part of the project
                graph.root(key, dev=False)
                entry = as_dict(packages[path], path)
                _roots(graph, index, path, entry, f"packages[{path!r}]")
    else:
        names = manifest_names(file, manifest, notes)
        if names is not None:
            graph.roots_known = True
            for dev_names, asked in enumerate(names):
                for dep in asked:
                    hoisted = index.get(f"node_modules/{dep}")
                    if hoisted is not None:
                        graph.root(hoisted, dev=bool(dev_names))
    return Parsed(ECOSYSTEM, graph.dependencies(), tuple(dict.fromkeys(notes)))


def _roots(graph: Graph, index: dict[str, str], path: str, entry: dict[str, object], where: str) -> None:
    """The packages a project entry (root or workspace) asks for become direct."""
    graph.roots_known = True
    for field in (*_EDGE_FIELDS, "devDependencies"):
        deps = entry.get(field)
        for dep in () if deps is None else as_dict(deps, f"{where}.{field}"):
            target = _resolve(index, path, dep)
            if target is not None:
                graph.root(target, dev=field == "devDependencies")


ANALYZER = Analyzer(name="javascript/package-lock", version=1, required=required, analyze=analyze)
