"""Kubernetes manifests as a misconfiguration target: documents with the source line of every field.

`load_manifests(text)` reads multi-document YAML (JSON is YAML) as a node graph with libyaml (PyYAML's C
composer: every node keeps its position; ten times faster than ruamel.yaml's round-trip loader on a 10,000-
document file), builds plain data from it, and returns one `Manifest` per Kubernetes object: `List` kinds are
unrolled into their items, documents that are not objects (no `kind`) are skipped. Each manifest holds plain
data (dicts, lists, scalars) and a map from a field's path to its 1-based line, so a check reports the exact
line. `pod_of(manifest)` gives the pod a workload runs (a Pod itself, or the template of a Deployment,
StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or OpenShift DeploymentConfig) in
the shape of a Pod, with the path
prefix leading to it.

YAML aliases are followed, but a document that expands to more than `_MAX_NODES` nodes is refused with a
ParseError: aliases of aliases can expand exponentially ("billion laughs"). Tags are resolved through a cache
shared by all files (`_cached_tag`), emptied after any file of more than `_CACHE_FILE_CHARS`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from shiftsec.errors import ParseError
from shiftsec.misconfig.common import Path, line_at

_TEMPLATES: dict[str, Path] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "DeploymentConfig": ("spec", "template"),  # OpenShift's apps.openshift.io/v1 workload
}
WORKLOAD_KINDS = frozenset({"Pod", *_TEMPLATES})
_MAX_DOCUMENTS = 100_000
_MAX_NODES = 250_000
_CACHE_FILE_CHARS = 16 * 1024
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


_STARTS = frozenset(key for key in _BASE_LOADER.yaml_implicit_resolvers if key)
_RESOLVER: Any = yaml.resolver.Resolver()  # what SafeLoader (and CSafeLoader) resolve tags with


def _tag(kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
    """A node's tag, with a short-cut for the common cases (a third of the parse time went to resolving every
    scalar): a quoted scalar, or a plain one whose first character starts no implicit type (int, float, bool,
    null, timestamp, merge), is a string; a mapping is a map; a sequence a seq. Everything else is resolved as
    SafeLoader resolves it."""
    if kind is ScalarNode and (not implicit[0] or (value and value[0] not in _STARTS)):
        return _STR
    if kind is MappingNode:
        return _MAP
    if kind is SequenceNode:
        return _SEQ
    return str(_RESOLVER.resolve(kind, value, implicit))


# The composer calls `self.resolve` once per node. A tag depends on the arguments alone, and keys and many values
# repeat from file to file (apiVersion, name, "true", "80"...): this cache shared by all files (C code, no Python
# frame on a hit; 95% hits) in place of a method cut 54 M instructions (of 1.8 G) on Checkov's 311 examples. It
# holds the values it has seen: `_documents` empties it after a file of more than `_CACHE_FILE_CHARS`, so it never
# holds more than 2,048 values of at most that length each (32 MiB).
_cached_tag = functools.lru_cache(maxsize=2048)(_tag)


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader with cached tag resolution (`_cached_tag`)."""

    # The composer calls these two around every node to follow path resolvers, which this loader never has
    # (`add_path_resolver`); cheap built-ins in their place take the same arguments and do nothing visible.
    descend_resolver = slice  # (parent, index) -> an unused slice
    ascend_resolver = tuple  # () -> the empty tuple

    resolve = staticmethod(_cached_tag)


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object from a file: `data` is plain, `lines` maps a field path to its line (1-based)."""

    kind: str
    name: str
    namespace: str | None
    data: Mapping[str, Any]
    lines: Mapping[Path, int] = field(repr=False)
    document: int  # 0-based index of the YAML document in the file

    def line_of(self, path: Path) -> int | None:
        """The line of the field at `path`, or of its nearest ancestor that has one."""
        return line_at(self.lines, path)


class _Budget:
    """Nodes left to build in one document. A collection spends for all its children at once (a node is counted
    when its parent is entered, the document's root by the caller), so leaves cost nothing: one call per node
    was ~1% of a run."""

    def __init__(self) -> None:
        self.left = _MAX_NODES

    def spend(self, count: int = 1) -> None:
        self.left -= count
        if self.left < 0:
            raise ParseError(f"a document expands to more than {_MAX_NODES:,} nodes (YAML aliases?)")


def _plain(node: Node, path: Path, lines: dict[Path, int], budget: _Budget, scalars: SafeConstructor) -> Any:
    """Plain data from a node (already counted in `budget`), recording each field's line under its path."""
    if isinstance(node, ScalarNode):
        # Most scalars are strings: their value is the node's text (what SafeConstructor would build, faster).
        return node.value if node.tag == _STR else scalars.construct_object(node)
    if isinstance(node, MappingNode):
        budget.spend(len(node.value))
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                name = key_node.value if key_node.tag == _STR else str(scalars.construct_object(key_node))
            else:
                name = "?"
            child = path + (name,)  # noqa: RUF005 (faster than (*path, name), which builds a list first)
            lines[child] = key_node.start_mark.line + 1
            out[name] = _plain(value_node, child, lines, budget, scalars)
        return out
    if isinstance(node, SequenceNode):
        budget.spend(len(node.value))
        items = []
        for index, item in enumerate(node.value):
            child = path + (index,)  # noqa: RUF005 (as above)
            lines[child] = item.start_mark.line + 1
            items.append(_plain(item, child, lines, budget, scalars))
        return items
    return scalars.construct_object(node)


def _objects(document: Node, index: int) -> Iterator[Manifest]:
    if not isinstance(document, MappingNode):
        return
    budget = _Budget()
    budget.spend()  # the root
    scalars = SafeConstructor()
    lines: dict[Path, int] = {(): document.start_mark.line + 1}
    data = _plain(document, (), lines, budget, scalars)
    kind = data.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(data.get("items"), list):
        for position, item in enumerate(data["items"]):
            if isinstance(item, dict) and isinstance(item.get("kind"), str):
                prefix = ("items", position)
                item_lines = {path[2:]: line for path, line in lines.items() if path[:2] == prefix}
                item_lines[()] = lines.get(prefix, lines[()])
                yield _manifest(item, item_lines, index)
        return
    if isinstance(kind, str):
        yield _manifest(data, lines, index)


def _manifest(data: dict[str, Any], lines: dict[Path, int], index: int) -> Manifest:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    return Manifest(str(data["kind"]), str(name) if name is not None else "", str(namespace) if namespace else None,
                    data, lines, index)


def load_manifests(text: str) -> list[Manifest]:
    """Every Kubernetes object in a YAML or JSON file; raises ParseError (with a line) for invalid YAML."""
    try:
        return [manifest for index, node in _documents(text) for manifest in _objects(node, index)]
    except (ValueError, TypeError) as exc:  # a scalar its tag cannot construct, e.g. a bad !!timestamp
        raise ParseError(f"invalid YAML value: {exc}") from None


def load_documents(text: str) -> list[tuple[Any, dict[Path, int]]]:
    """Every YAML document of a file as plain data with its field lines (for non-Kubernetes YAML such as a
    compose file); the same limits and errors as `load_manifests`."""
    out = []
    try:
        for _, node in _documents(text):
            lines: dict[Path, int] = {(): node.start_mark.line + 1}
            budget = _Budget()
            budget.spend()  # the root
            out.append((_plain(node, (), lines, budget, SafeConstructor()), lines))
    except (ValueError, TypeError) as exc:
        raise ParseError(f"invalid YAML value: {exc}") from None
    return out


def _documents(text: str) -> Iterator[tuple[int, Node]]:
    try:
        for index, document in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if index >= _MAX_DOCUMENTS:
                raise ParseError(f"more than {_MAX_DOCUMENTS:,} YAML documents")
            if document is not None:
                yield index, document
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParseError(f"invalid YAML: {where}{problem}") from None
    finally:
        if len(text) > _CACHE_FILE_CHARS:  # its long values are not kept (see `_cached_tag`)
            _cached_tag.cache_clear()


def pod_of(manifest: Manifest) -> tuple[Mapping[str, Any], Path] | None:
    """The pod a workload runs, shaped as a Pod ({"metadata", "spec"}), and the path to it; None otherwise."""
    if manifest.kind == "Pod":
        return manifest.data, ()
    prefix = _TEMPLATES.get(manifest.kind)
    if prefix is None:
        return None
    node: Any = manifest.data
    for key in prefix:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or not isinstance(node.get("spec"), dict):
        return None
    return node, prefix
