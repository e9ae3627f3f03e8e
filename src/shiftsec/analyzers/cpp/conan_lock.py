"""conan.lock: the Conan packages a lockfile pins, in the Conan 1 graph format or the Conan 2 flat lists.

Owns both layouts and the reference syntax `name/version[@user[/channel]][#rrev][:package_id[#prev]]
[%timestamp]`. Conan 1 (`graph_lock.nodes`, lockfile 0.0-0.4): each node's `ref` (`pref` before 0.4) is a
package unless the node is the consumer's own conanfile (it has a `path`); edges in `requires` and
`build_requires` (lists of node ids, or ref -> id maps before 0.4) give `depends_on`, the consumer's edges
give `direct`, and a node reached only through `build_requires` is dev, as are a node's `python_requires`.
Conan 2 (0.5+): `requires` are packages, `build_requires`, `python_requires` and `config_requires` are dev;
direct is not recorded. A reference without a name (a consumer conanfile) is skipped and noted.
"""

from __future__ import annotations

import json

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_DEV_LISTS = ("build_requires", "python_requires", "config_requires")


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "conan.lock"


def parse_reference(ref: str) -> tuple[str, str]:
    """(name, version) of a Conan reference; name is "" when the reference has none."""
    ref = ref.split("%", 1)[0].split(":", 1)[0].split("#", 1)[0].split("@", 1)[0]
    name, slash, version = ref.partition("/")
    return (name, version) if slash else ("", ref)


def _strings(value: object, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ParseError(f"{where} is not an array of strings")
    return value


def _edges(node: dict[str, object], field: str, where: str) -> list[str]:
    """Node ids a Conan 1 node points to through `field` (a list of ids, or a ref -> id map before 0.4)."""
    value = node.get(field)
    if isinstance(value, dict):
        value = list(value.values())
    return _strings(value, f"{where}.{field}")


def _graph(nodes: object) -> Parsed:
    if not isinstance(nodes, dict):
        raise ParseError("'graph_lock.nodes' is not an object")
    refs: dict[str, tuple[str, str]] = {}
    consumers: list[str] = []
    notes: list[str] = []
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            raise ParseError(f"node {node_id} is not an object")
        ref = node.get("ref") or node.get("pref")
        if ref is not None and not isinstance(ref, str):
            raise ParseError(f"node {node_id}: 'ref' is not a string")
        if node.get("path"):
            consumers.append(node_id)
        elif ref:
            name, version = parse_reference(ref)
            if name:
                refs[node_id] = (name, version)
            else:
                notes.append(f"node {node_id}: reference {ref!r} has no package name")

    requires = {node_id: _edges(node, "requires", f"node {node_id}") for node_id, node in nodes.items()}
    build = {node_id: _edges(node, "build_requires", f"node {node_id}") for node_id, node in nodes.items()}
    wanted = {target for node_id in consumers for target in requires[node_id] + build[node_id]}
    # runtime: what the consumers reach through `requires` alone (without consumers, what any node requires)
    runtime = set(consumers) if consumers else {t for targets in requires.values() for t in targets}
    stack = list(runtime)
    while stack:
        for target in requires.get(stack.pop(), ()):
            if target not in runtime:
                runtime.add(target)
                stack.append(target)

    packages: dict[tuple[str, str], Dependency] = {}
    for node_id, (name, version) in refs.items():
        depends_on = tuple(dict.fromkeys("@".join(refs[t]) for t in requires[node_id] + build[node_id] if t in refs))
        seen = packages.get((name, version))
        dependency = Dependency(name, version, direct=node_id in wanted if consumers else None,
                                dev=node_id not in runtime,
                                depends_on=depends_on)
        if seen is not None:  # the same package in another context (host and build)
            dependency = Dependency(name, version, direct=seen.direct or dependency.direct,
                                    dev=seen.dev and dependency.dev,
                                    depends_on=tuple(dict.fromkeys(seen.depends_on + depends_on)))
        packages[(name, version)] = dependency
    for node_id, node in nodes.items():  # recipe helpers, by reference rather than node id
        for ref in _strings(node.get("python_requires"), f"node {node_id}.python_requires"):
            name, version = parse_reference(ref)
            if name:
                packages.setdefault((name, version), Dependency(name, version, dev=True))
    return Parsed("ConanCenter", tuple(packages.values()), tuple(notes))


def _flat(lock: dict[str, object]) -> Parsed:
    packages: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    for field in ("requires", *_DEV_LISTS):
        for ref in _strings(lock.get(field), f"'{field}'"):
            name, version = parse_reference(ref)
            if not name:
                notes.append(f"{field}: reference {ref!r} has no package name")
                continue
            packages.setdefault((name, version), Dependency(name, version, dev=field != "requires"))
    return Parsed("ConanCenter", tuple(packages.values()), tuple(notes))


def _analyze(file: InputFile) -> Parsed:
    lock = json.loads(file.data)
    if not isinstance(lock, dict):
        raise ParseError("the top level is not an object")
    graph = lock.get("graph_lock")
    if graph is not None:
        if not isinstance(graph, dict):
            raise ParseError("'graph_lock' is not an object")
        if graph.get("nodes") is not None:
            return _graph(graph["nodes"])
    return _flat(lock)


analyze = guarded(_analyze, "conan.lock")


ANALYZER = Analyzer(name="cpp/conan-lock", version=1, required=_required, analyze=analyze)
