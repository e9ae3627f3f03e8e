"""`javascript/pnpm-lock`: pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.0.

- Reading: a file without a `lockfileVersion` line is not a pnpm lockfile (osv-scalibr fails it too). The
  layout pnpm writes goes through `_pnpm_yaml.scan` (about ten times faster than PyYAML); anything else
  through libyaml's C loader (`yaml.CSafeLoader`), after a check that it does not nest deep enough to
  overflow libyaml's recursive composer.

- Packages are the `packages:` entries; `_pnpm_keys` reads name and version from the key, and an entry's
  own `name`/`version` fields take precedence (git, tarball and `file:` entries carry them). An entry that
  ends up without either is skipped with a note; `file:` folders, git sources and tarball URLs are reported
  with a note, as osv-scalibr reports them. In 9.0, `snapshots:` add each package's peer-resolved variants
  (`name@1.0.0(peer@2.0.0)`), which merge into the package.
- Edges: `dependencies` and `optionalDependencies` of each package (5.x/6.x) or snapshot (9.0); each
  reference is resolved to a key of the file (see `_pnpm_keys.candidates`); `link:` workspaces give none.
- direct: what the importers ask for (`importers:`, or the top-level `dependencies`/`devDependencies`/
  `optionalDependencies` of a single-project 5.x/6.x file). dev: the entry's `dev` flag in 5.x/6.x (absent
  means prod and dev both need it); otherwise reachable only from `devDependencies`.
"""

from __future__ import annotations

import datetime
import re

import yaml

from shiftsec.analyzers.api import Analyzer, InputFile, Parsed, ParseError
from shiftsec.analyzers.javascript._common import (
    ECOSYSTEM,
    commit_of,
    source_note,
    text_of,
    type_name,
    wants,
)
from shiftsec.analyzers.javascript._graph import Graph
from shiftsec.analyzers.javascript._pnpm_keys import candidates, lockfile_version, name_version
from shiftsec.analyzers.javascript._pnpm_yaml import scan

_EDGE_FIELDS = ("dependencies", "optionalDependencies")
_IMPORTER_FIELDS = (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True))
_SECTION = re.compile(r"packages:[ \t]*(?:#.*)?$")
_MAX_DEPTH = 1000
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_CONTENT = re.compile(rb"^[ \t]*[^\s#]", re.MULTILINE)
_VERSION_LINE = re.compile(rb"""^["']?lockfileVersion["']?[ \t]*:""", re.MULTILINE)
_KEY = re.compile(r"""  (?:'((?:[^'\n]|'')*)'|"([^"\n]*)"|([^\s'"#][^\n]*?)):(?:[ \t]|$)""")


def required(path: str) -> bool:
    return wants(path, "pnpm-lock.yaml")


def _where(section: str, key: str | None = None, field: str = "") -> str:
    where = section if key is None else f"{section}[{key!r}]"
    return f"{where}.{field}" if field else where


def _mapping(value: object, section: str, key: str | None = None, field: str = "") -> dict[str, object]:
    """A mapping (null is an empty one). Its keys are strings: the fast reader only makes those, and a
    libyaml document is checked once by `_string_keys`."""
    if value is None:
        return {}
    if type(value) is not dict:
        raise ParseError(f"{_where(section, key, field)}: expected a mapping, found {type_name(value)}")
    return value


def _scalar(value: object, section: str, key: str | None = None, field: str = "") -> str:
    """A YAML scalar as text ("" for null); a bare number or date (libyaml types them) as text."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
        return str(value)  # as the fast reader reads it
    raise ParseError(f"{_where(section, key, field)}: expected text, found {type_name(value)}")


def _ref(value: object, section: str, key: str, field: str) -> str:
    """A dependency reference: `1.0.0` (packages, 5.x importers) or `{specifier, version}` (6.x+ importers)."""
    if type(value) is dict:
        return _scalar(value.get("version"), section, key, f"{field}.version")
    return _scalar(value, section, key, field)


def _string_keys(doc: object) -> None:
    """ParseError unless every mapping key of a libyaml document is a string (aliases are visited once)."""
    seen: set[int] = set()
    stack = [doc]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            for key, value in node.items():
                if not isinstance(key, str):
                    raise ParseError(f"mapping key {key!r:.40} is not a string")
                if isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(item for item in node if isinstance(item, (dict, list)))


def _package_lines(text: str) -> dict[str, int]:
    """Line of each key of the `packages:` section (for a document libyaml read)."""
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.split("\n"), 1):
        if line[:1] not in ("", " ", "#"):
            inside = _SECTION.match(line) is not None
        elif inside:
            match = _KEY.match(line)
            if match is not None:
                quoted, double, plain = match.groups()
                key = quoted.replace("''", "'") if quoted is not None else double if double is not None else plain
                lines.setdefault(key, number)
    return lines


def _guard_depth(data: bytes) -> None:
    """ParseError for a document nested deeper than libyaml's composer can take (it recurses in C: a deep
    enough nest overflows the stack and kills the process instead of raising).

    Flow nesting is at most the brackets left once balanced `[]`/`{}` pairs are peeled off a few times (a
    lockfile nests flow collections two deep); block nesting is at most the indentation and `- `/`? `
    indicators that start a line, which only a very long line can make deep.
    """
    brackets = data.translate(None, _NOT_BRACKETS)
    for _ in range(8):
        peeled = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(peeled) == len(brackets):
            break
        brackets = peeled
    if len(brackets) > _MAX_DEPTH:
        raise ParseError(f"flow collections nested more than {_MAX_DEPTH} deep")
    for line in data.split(b"\n"):
        if len(line) > _MAX_DEPTH and len(line) - len(line.lstrip(b" \t?:-")) > _MAX_DEPTH:
            raise ParseError(f"block collections nested more than {_MAX_DEPTH} deep")


def _load(data: bytes, text: str) -> tuple[object, dict[str, int]] | None:
    """The document: pnpm's own layout through the fast reader, anything else through libyaml."""
    if not data.strip() or _CONTENT.search(data) is None:
        return None  # blank or comments only
    if _VERSION_LINE.search(data, 0, 65_536) is None:
        raise ParseError("no lockfileVersion: not a pnpm lockfile")
    fast = scan(text)
    if fast is not None:
        return fast
    _guard_depth(data)
    try:
        doc = yaml.load(text, Loader=yaml.CSafeLoader)  # the C *safe* loader
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise ParseError(f"not valid YAML: {reason}") from None
    _string_keys(doc)
    return doc, _package_lines(text)


def _source(key: str, entry: dict[str, object]) -> tuple[str, str] | None:
    """(kind, where from) for a package not taken from the npm registry; the key and the entry's `resolution`
    tell (a registry package's resolution holds only its integrity)."""
    resolution = _mapping(entry.get("resolution"), "packages", key, "resolution")
    if key.startswith("file:"):
        return "local", key
    if len(resolution) < 2 and "integrity" in resolution:
        return None
    tarball = _scalar(resolution.get("tarball"), "packages", key, "resolution.tarball")
    kind = _scalar(resolution.get("type"), "packages", key, "resolution.type")
    if kind == "directory" or tarball.startswith("file:"):
        return "local", key
    commit = _scalar(resolution.get("commit"), "packages", key, "resolution.commit")
    if commit or kind == "git":
        repo = _scalar(resolution.get("repo"), "packages", key, "resolution.repo")
        return "git", f"{repo or key}#{commit}" if commit else repo or key
    if tarball and commit_of(tarball):
        return "git", tarball
    return None


def analyze(file: InputFile) -> Parsed:
    text = text_of(file.data)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    loaded = _load(file.data, text)
    if loaded is None:
        return Parsed(ECOSYSTEM, ())
    doc, lines = loaded
    lock = _mapping(doc, "top level")
    v9 = lockfile_version(lock.get("lockfileVersion")) >= 9
    graph = Graph()
    notes: list[str] = []
    by_key: dict[str, str] = {}  # package (and snapshot) key -> "name@version"
    placed: list[tuple[str, dict[str, object], str, str]] = []  # (node, entry, section, key)
    for key, raw in _mapping(lock.get("packages"), "packages").items():
        entry = _mapping(raw, "packages", key)
        key_name, key_version = name_version(key, v9)
        name = _scalar(entry.get("name"), "packages", key, "name") or key_name
        version = _scalar(entry.get("version"), "packages", key, "version") or key_version
        if not name or not version:
            notes.append(f"{key}: no package name or version recorded; skipped")
            continue
        dev = entry.get("dev")
        if dev is not None and type(dev) is not bool:
            raise ParseError(f"{_where('packages', key, 'dev')}: expected true or false, found {type_name(dev)}")
        node = graph.add(name, version, lines.get(key), dev)
        by_key[key] = node
        placed.append((node, entry, "packages", key))
        source = _source(key, entry)
        if source is not None:
            notes.append(source_note(name, source[1], source[0], version))
        elif not key_name:
            tarball = _mapping(entry.get("resolution"), "packages", key, "resolution").get("tarball")
            notes.append(
                source_note(name, _scalar(tarball, "packages", key, "resolution.tarball") or key, "url", version)
            )
    if v9:
        for key, raw in _mapping(lock.get("snapshots"), "snapshots").items():
            entry = _mapping(raw, "snapshots", key)
            variant_of = by_key.get(key.partition("(")[0])
            if variant_of is not None:
                by_key[key] = variant_of
                placed.append((variant_of, entry, "snapshots", key))

    for node, entry, section, key in placed:
        edges = graph.edges_of(node)
        for field in _EDGE_FIELDS:
            for dep, value in _mapping(entry.get(field), section, key, field).items():
                ref = value if type(value) is str else _ref(value, section, key, f"{field}[{dep!r}]")
                target = _find(by_key, dep, ref, v9)
                if target is not None and target != node:
                    edges[target] = None

    importers = lock.get("importers")
    if importers is not None:
        for path, importer in _mapping(importers, "importers").items():
            _importer(graph, by_key, _mapping(importer, "importers", path), _where("importers", path), v9)
    else:
        _importer(graph, by_key, lock, "", v9)
    return Parsed(ECOSYSTEM, graph.dependencies(), tuple(dict.fromkeys(notes)))


def _find(by_key: dict[str, str], name: str, ref: str, v9: bool) -> str | None:
    found = by_key.get(f"{name}@{ref}" if v9 else f"/{name}@{ref}")  # the usual reference, tried first
    if found is not None:
        return found
    for candidate in candidates(name, ref, v9):
        found = by_key.get(candidate)
        if found is None and "(" in candidate:
            found = by_key.get(candidate.partition("(")[0])
        if found is not None:
            return found
    return None


def _importer(graph: Graph, by_key: dict[str, str], importer: dict[str, object], where: str, v9: bool) -> None:
    for field, dev in _IMPORTER_FIELDS:
        if field not in importer:
            continue
        graph.roots_known = True
        section = f"{where}.{field}" if where else field
        for dep, value in _mapping(importer[field], section).items():
            target = _find(by_key, dep, _ref(value, section, dep, ""), v9)
            if target is not None:
                graph.root(target, dev=dev)


ANALYZER = Analyzer(name="javascript/pnpm-lock", version=1, required=required, analyze=analyze)
