"""`javascript/bun-lock`: bun's text lockfile `bun.lock` (JSONC: JSON with trailing commas and comments).
The binary `bun.lockb` is not read.

- JSONC: bun writes trailing commas but no comments, so trailing commas are dropped with one regex
  (which does not step over strings: a string value ending in ", ]" would lose its comma, harmless for the
  names and versions read here) and orjson parses the rest; only when that fails are comments stripped too
  (a slower pass that does step over strings) before the final attempt.
- Packages: each `packages` value is a tuple whose first element is "name@version" (a tuple whose first
  element is not a string is an error, as in osv-scalibr). A git source (`name@github:user/repo#sha`) has no
  registry version: it is reported with version "" (as osv-scalibr does) and a note; so are `file:`/`link:`
  folders and tarball URLs. `workspace:` packages are the project itself, not packages.
- Edges: the `dependencies`/`optionalDependencies`/`peerDependencies` of the tuple's metadata object,
  resolved the way bun lays out `node_modules`: a package at key `chalk/supports-color` finds `has-flag` at
  `chalk/supports-color/has-flag`, then `chalk/has-flag`, then `has-flag`.
- direct: what the workspaces (`workspaces[""]` is the root) ask for; dev: reachable only from their
  `devDependencies`.
"""

from __future__ import annotations

import re

from shiftsec.analyzers.api import Analyzer, InputFile, Parsed, ParseError
from shiftsec.analyzers.javascript._common import (
    ECOSYSTEM,
    KeyLines,
    as_dict,
    load_json_object,
    opt_str,
    source_note,
    source_of,
    text_of,
    type_name,
    wants,
)
from shiftsec.analyzers.javascript._graph import Graph

_EDGE_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")
_TRAILING_COMMA = re.compile(r",(?=\s*[}\]])")
_STRING = r'("(?:[^"\\]|\\[\s\S])*+(?:"|\Z))'
_COMMENT = re.compile(_STRING + r"|//[^\n]*|/\*(?:[^*]|\*(?!/))*+(?:\*/|\Z)")
_STRING_OR_TRAILING_COMMA = re.compile(_STRING + r"|,(?=\s*[}\]])")


def required(path: str) -> bool:
    return wants(path, "bun.lock")


def _keep_strings(match: re.Match[str]) -> str:
    return match.group(1) or ""


def _load(text: str) -> dict[str, object]:
    if not text.lstrip().startswith(("{", "/")):
        raise ParseError("not a bun.lock: expected a JSONC object")
    try:
        return load_json_object(_TRAILING_COMMA.sub("", text))
    except ParseError:
        if "/" not in text:  # no comment could have caused it
            raise
    stripped = _STRING_OR_TRAILING_COMMA.sub(_keep_strings, _COMMENT.sub(_keep_strings, text))
    return load_json_object(stripped)


def _segments(key: str) -> list[str]:
    """`a/@s/b/c` -> ["a", "@s/b", "c"]: the package names along a bun package key."""
    out: list[str] = []
    pending = ""
    for part in key.split("/"):
        if pending:
            out.append(f"{pending}/{part}")
            pending = ""
        elif part.startswith("@"):
            pending = part
        else:
            out.append(part)
    if pending:
        out.append(pending)
    return out


def _chain(segments: list[str], nested: set[str]) -> list[str]:
    """The key prefixes bun searches from a package, nearest first: its own folder and each enclosing one
    that holds nested packages (`nested`), then the top level ("")."""
    chain = []
    for depth in range(len(segments), 0, -1):
        folder = "/".join(segments[:depth])
        if folder in nested:
            chain.append(folder + "/")
    chain.append("")
    return chain


def _resolve(index: dict[str, str], chain: list[str], name: str) -> str | None:
    for prefix in chain:
        found = index.get(prefix + name)
        if found is not None:
            return found
    return None


def _maps(info: dict[str, object], fields: tuple[str, ...], where: str) -> list[dict[str, object]]:
    """The dependency maps of a metadata object (only their names are read)."""
    out = []
    for field in fields:
        deps = info.get(field)
        if deps is not None:
            checked = as_dict(deps, f"{where}.{field}")
            if checked:
                out.append(checked)
    return out


def _object(lock: dict[str, object], key: str) -> dict[str, object]:
    value = lock.get(key)
    return {} if value is None else as_dict(value, key)


def _split(ident: str) -> tuple[str, str]:
    scoped = ident.startswith("@")
    name, _, spec = (ident[1:] if scoped else ident).partition("@")
    return ("@" + name if scoped else name), spec


def analyze(file: InputFile) -> Parsed:
    lock = _load(text_of(file.data))
    packages = _object(lock, "packages")
    workspaces = _object(lock, "workspaces")
    graph = Graph()
    notes: list[str] = []
    lines = KeyLines(file.data)
    index: dict[str, str] = {}  # package key -> "name@version"
    placed: list[tuple[str, list[str], list[dict[str, object]]]] = []  # (node, key segments, dep maps)
    for key, raw in packages.items():
        if type(raw) is not list or not raw or type(raw[0]) is not str:
            where = f"packages[{key!r}]"
            if not isinstance(raw, list) or not raw:
                raise ParseError(f"{where}: expected a non-empty array, found {type_name(raw)}")
            raise ParseError(f"{where}: first element must be 'name@version', found {type_name(raw[0])}")
        name, spec = _split(raw[0])
        if spec.startswith("workspace:"):
            continue  # a workspace of this project; its dependencies are under `workspaces`
        kind = source_of(spec)
        if kind is not None:
            notes.append(source_note(name, spec, kind, ""))
            version = ""
        elif not spec:
            notes.append(f"{name}: no version recorded at {key}; skipped")
            continue
        else:
            version = spec
        info = next((item for item in raw[1:] if type(item) is dict), None)
        node = graph.add(name, version, lines.find(key, 0x5B))
        index[key] = node
        maps = _maps(info, _EDGE_FIELDS, f"packages[{key!r}]") if info else []
        placed.append((node, _segments(key) if "/" in key else [key], maps))

    nested = {"/".join(segments[:-1]) for _, segments, _ in placed if len(segments) > 1}
    for node, segments, maps in placed:
        if not maps:
            continue
        chain = _chain(segments, nested)
        edges = graph.edges_of(node)
        for deps in maps:
            for dep in deps:
                target = _resolve(index, chain, dep)
                if target is not None and target != node:
                    edges[target] = None

    for path, raw in workspaces.items():
        where = f"workspaces[{path!r}]"
        workspace = as_dict(raw, where)
        own = _segments(opt_str(workspace, "name", where) or "") if path else []
        chain = _chain(own, nested)
        graph.roots_known = True
        for field in (*_EDGE_FIELDS, "devDependencies"):
            for deps in _maps(workspace, (field,), where):
                for dep in deps:
                    target = _resolve(index, chain, dep)
                    if target is not None:
                        graph.root(target, dev=field == "devDependencies")
    return Parsed(ECOSYSTEM, graph.dependencies(), tuple(dict.fromkeys(notes)))


ANALYZER = Analyzer(name="javascript/bun-lock", version=1, required=required, analyze=analyze)
