"""`javascript/yarn-lock`: yarn.lock, both yarn v1's own format and Yarn Berry's (v2+, YAML-like).

`_yarn_syntax` splits the file into entries; this module turns them into packages, following osv-scalibr:

- the name comes from the first spec of the header (`"alias@npm:real@^1"` names `real`); the version is the
  entry's `version`. Entries without one are skipped with a note. Berry's `__metadata` block and the root
  workspace (`name@workspace:.`) are not packages; other workspaces, `file:`/`link:`/`portal:` folders and
  git sources are reported with the version they record (`0.0.0-use.local` for Berry workspaces), plus a
  note that they are not registry packages. `patch:` entries are the patched registry package.
- edges: each `dependencies`/`optionalDependencies` line `name range` is the spec `name@range`, which is
  looked up among all header specs (Berry writes `lodash: ^4` for the header `lodash@npm:^4`, so
  `name@npm:range` is tried too). Peer dependencies are not resolved by the lockfile and give no edge.
- direct/dev: from the sibling `package.json` when present (its ranges are looked up the same way; a
  package only reachable from `devDependencies` is dev). Without it, Berry's root workspace entry lists
  what the project asks for (direct known, dev not); yarn v1 says nothing, so `direct` is None.
  Workspace packages are part of the project: they and what they depend on are direct.
"""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer, InputFile, Parsed
from shiftsec.analyzers.javascript._common import (
    ECOSYSTEM,
    commit_of,
    manifest_names,
    source_note,
    source_of,
    text_of,
    wants,
)
from shiftsec.analyzers.javascript._graph import Graph
from shiftsec.analyzers.javascript._yarn_syntax import Entry, name_and_range, parse_entries


def required(path: str) -> bool:
    return wants(path, "yarn.lock")


def _lookup(specs: dict[str, str], name: str, wanted: str) -> str | None:
    found = specs.get(f"{name}@{wanted}")
    if found is None and not wanted.startswith("npm:"):
        found = specs.get(f"{name}@npm:{wanted}")
    return found


def analyze(file: InputFile) -> Parsed:
    entries = parse_entries(text_of(file.data))
    graph = Graph()
    notes: list[str] = []
    specs: dict[str, str] = {}  # every header spec -> key
    placed: list[tuple[str, Entry]] = []
    workspaces: list[tuple[str, Entry]] = []
    root: Entry | None = None
    for entry in entries:
        first = entry.specs[0]
        if first == "__metadata":
            continue
        if any(spec.endswith("@workspace:.") for spec in entry.specs):
            root = entry
            continue
        name, wanted = name_and_range(first)
        if not entry.version:
            notes.append(f"{name}: no version in the entry at line {entry.line}; skipped")
            continue
        key = graph.add(name, entry.version, entry.line)
        for spec in entry.specs:
            specs[spec] = key
        placed.append((key, entry))
        kind = source_of(wanted)
        if kind is not None:
            resolved = entry.resolution.removeprefix(f"{name}@")
            shown = resolved if commit_of(resolved) else wanted
            notes.append(source_note(name, shown, "git" if commit_of(shown) else kind, entry.version))
            if wanted.startswith("workspace:"):
                workspaces.append((key, entry))

    for key, entry in placed:
        for dep, wanted in entry.dependencies.items():
            target = _lookup(specs, dep, wanted)
            if target is not None:
                graph.edge(key, target)

    names = manifest_names(file, "package.json", notes)
    if names is not None:
        graph.roots_known = True
        for dev, deps in enumerate(names):
            for dep, wanted in deps.items():
                target = _lookup(specs, dep, wanted)
                if target is not None:
                    graph.root(target, dev=bool(dev))
    elif root is not None:
        graph.roots_known = True
        _project(graph, specs, root)
    for key, entry in workspaces:
        graph.root(key, dev=False)
        _project(graph, specs, entry)
    return Parsed(ECOSYSTEM, graph.dependencies(), tuple(dict.fromkeys(notes)))


def _project(graph: Graph, specs: dict[str, str], entry: Entry) -> None:
    """What a workspace entry depends on is direct (Berry merges dev into `dependencies`: dev unknown)."""
    for dep, wanted in entry.dependencies.items():
        target = _lookup(specs, dep, wanted)
        if target is not None:
            graph.root(target, dev=False)


ANALYZER = Analyzer(name="javascript/yarn-lock", version=1, required=required, analyze=analyze)
