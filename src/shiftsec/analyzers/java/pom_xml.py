"""Maven `pom.xml`: the dependencies a project declares, resolved offline as far as the scan tree allows.

Owns the effective model, built the way Maven builds it but from local files only:
- the `<parent>` chain, read through `InputFile.read` at `relativePath` (default `../pom.xml`; a folder
  means its pom.xml) when the file found there is the declared parent; its properties, dependencies and
  dependencyManagement are inherited (at most `MAX_PARENTS` levels, loops refused);
- `${property}` interpolation from the merged properties and `project.*` built-ins (`project.version`,
  `project.parent.version`, ...), in the child's context as Maven does;
- `dependencyManagement` versions (and scopes) for dependencies declared without them, including BOMs
  imported with `<scope>import</scope>` when the BOM's pom is in the tree (looked for in a folder named
  after its artifactId, or `bom`, beside the pom or up to three folders above it).
Reported: `dependencies/dependency` of the project, its parents and its activeByDefault profiles (not the
managed entries, not plugins, not the project itself), as "groupId:artifactId", direct, `test` scope -> dev.
Notes: a parent or BOM not in the tree, a missing version, an undefined property, a version range.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.java.pom_model import (
    ParentRef,
    Pom,
    PomDependency,
    builtin_properties,
    interpolate,
    maven_pin,
    maven_range_floor,
    parse_pom,
)

MAX_PARENTS = 10
MAX_POMS = 64  # poms read for one analysis (parents, BOMs and their parents)
MAX_IMPORT_DEPTH = 4  # BOMs importing BOMs
_BOM_SEARCH_UP = 4

_Key = tuple[str, str, str, str]  # groupId, artifactId, type, classifier: Maven's dependency identity


@dataclass
class _Model:
    properties: dict[str, str]
    dependencies: list[PomDependency]
    managed: dict[_Key, tuple[str, str]] = field(default_factory=dict)  # key -> (version, scope), interpolated


def _required(path: str) -> bool:
    return posixpath.basename(path) == "pom.xml"


def _parse(file: InputFile) -> Parsed:
    return _Resolver(file).resolve(parse_pom(file.data))


_analyze = guarded(_parse, "pom.xml")


class _Resolver:
    def __init__(self, file: InputFile) -> None:
        self._read = file.read
        self._name = posixpath.basename(file.path) or "pom.xml"
        self._budget = MAX_POMS
        self._cache: dict[str, Pom | None] = {}
        self.notes: list[str] = []

    def resolve(self, pom: Pom) -> Parsed:
        model = self._model(pom, self._name, depth=0, importing=frozenset())
        props = model.properties
        found: dict[tuple[str, str], Dependency] = {}
        seen: set[_Key] = set()
        for dep in model.dependencies:
            group, g_missing = interpolate(dep.group, props)
            artifact, a_missing = interpolate(dep.artifact, props)
            if not group or not artifact:
                label = f"{dep.group or '?'}:{dep.artifact or '?'}"
                why = (
                    f"property ${{{g_missing or a_missing}}} is not defined"
                    if g_missing or a_missing
                    else ("groupId or artifactId missing")
                )
                self.notes.append(f"dependency {label}: {why}")
                continue
            key = _key(group, artifact, dep, props)
            if key in seen:  # Maven keeps the first declaration of a (group, artifact, type, classifier)
                continue
            seen.add(key)
            name = f"{group}:{artifact}"
            managed_version, managed_scope = model.managed.get(key, ("", ""))
            raw_version = dep.version or managed_version
            if not raw_version:
                self.notes.append(f"{name}: no version (not managed by this pom or a parent or BOM in the tree)")
                continue
            version, missing = interpolate(raw_version, props)
            if version is None:
                self.notes.append(f"{name}: version property ${{{missing}}} is not defined")
                continue
            pinned = maven_pin(version)
            if pinned is None:
                pinned = maven_range_floor(version)
                if pinned is None:
                    self.notes.append(f"{name}: version '{version}' names no version to check")
                    continue
                self.notes.append(f"{name}: version '{version}' is a range, not a pin: checked at its lowest "
                                  f"allowed version {pinned}")
            scope = (interpolate(dep.scope, props)[0] or "") if dep.scope else managed_scope
            dev = scope.strip() == "test"
            old = found.get((name, pinned))
            found[(name, pinned)] = Dependency(name, pinned, direct=True, dev=dev and (old is None or old.dev))
        return Parsed("Maven", tuple(found.values()), tuple(dict.fromkeys(self.notes)))

    def _model(self, pom: Pom, path: str, depth: int, importing: frozenset[str]) -> _Model:
        """The effective model of `pom` (read from `path`, relative to the analyzed file's folder)."""
        chain = self._lineage(pom, path)
        properties: dict[str, str] = {}
        for ancestor, _ in reversed(chain):
            properties.update(ancestor.properties)
        properties.update(builtin_properties(pom))
        model = _Model(properties, [dep for ancestor, _ in chain for dep in ancestor.dependencies])
        imports: list[tuple[PomDependency, str]] = []
        for ancestor, where in chain:
            for dep in ancestor.managed:
                group, artifact = interpolate(dep.group, properties)[0], interpolate(dep.artifact, properties)[0]
                if not group or not artifact:
                    continue
                if (interpolate(dep.scope, properties)[0] or "") == "import":
                    imports.append((dep, where))
                    continue
                key = _key(group, artifact, dep, properties)
                scope = interpolate(dep.scope, properties)[0] or ""
                model.managed.setdefault(key, (dep.version, scope))
        for dep, where in imports:
            for key, value in self._import(dep, where, properties, depth, importing).items():
                model.managed.setdefault(key, value)
        return model

    def _lineage(self, pom: Pom, path: str) -> list[tuple[Pom, str]]:
        """[(pom, its folder), (its parent, that one's folder), ...] for the parents found in the scan tree."""
        chain = [(pom, posixpath.dirname(path) or ".")]
        visited = {posixpath.normpath(path), f"{pom.effective_group}:{pom.artifact}"}
        current = pom
        while current.parent is not None:
            parent = current.parent
            if len(chain) > MAX_PARENTS:
                self.notes.append(f"parent {parent.label}: more than {MAX_PARENTS} parents, not followed")
                break
            found = self._find_parent(parent, chain[-1][1], visited)
            if found is None:
                break
            current, where = found
            chain.append((current, where))
        return chain

    def _find_parent(self, parent: ParentRef, folder: str, visited: set[str]) -> tuple[Pom, str] | None:
        if parent.relative_path == "":
            self.notes.append(f"parent {parent.label}: empty relativePath, so not looked for in the scan tree")
            return None
        relative = parent.relative_path or "../pom.xml"
        candidates = [relative] if relative.endswith(".xml") else [f"{relative.rstrip('/')}/pom.xml", relative]
        for candidate in candidates:
            path = posixpath.normpath(posixpath.join(folder, candidate))
            if path in visited:
                self.notes.append(f"parent {parent.label}: {path} is already in the chain (a loop), not followed")
                return None
            pom = self._load(path)
            if pom is None:
                continue
            if not _is(pom, parent.group, parent.artifact, parent.version):
                self.notes.append(
                    f"parent {parent.label}: {path} is {pom.effective_group}:{pom.artifact}, not that parent"
                )
                return None
            if f"{pom.effective_group}:{pom.artifact}" in visited:
                self.notes.append(f"parent {parent.label}: already in the chain (a loop), not followed")
                return None
            visited |= {path, f"{pom.effective_group}:{pom.artifact}"}
            return pom, posixpath.dirname(path) or "."
        self.notes.append(
            f"parent {parent.label} is not in the scan tree: its properties and managed versions are unknown"
        )
        return None

    def _import(
        self, dep: PomDependency, folder: str, properties: dict[str, str], depth: int, importing: frozenset[str]
    ) -> dict[_Key, tuple[str, str]]:
        """The managed versions a `<scope>import</scope>` entry brings in, when its BOM is in the tree."""
        group, artifact, version = (interpolate(v, properties)[0] or "" for v in (dep.group, dep.artifact, dep.version))
        label = f"{group}:{artifact}:{version or '?'}"
        if (interpolate(dep.type, properties)[0] or "jar") != "pom":
            return {}
        if label in importing or depth >= MAX_IMPORT_DEPTH:
            self.notes.append(f"imported BOM {label}: imports nest too deep or loop, not followed")
            return {}
        for up in range(_BOM_SEARCH_UP):
            for name in dict.fromkeys((artifact, "bom")):
                path = posixpath.normpath(posixpath.join(folder, "../" * up + f"{name}/pom.xml"))
                pom = self._load(path)
                if pom is not None and _is(pom, group, artifact, version):
                    bom = self._model(pom, path, depth + 1, importing | {label})
                    return {
                        key: (interpolate(v, bom.properties)[0] or v, scope) for key, (v, scope) in bom.managed.items()
                    }
        self.notes.append(f"imported BOM {label} is not in the scan tree: the versions it manages are unknown")
        return {}

    def _load(self, path: str) -> Pom | None:
        """The pom at `path` (relative to the analyzed file's folder), read and parsed once per analysis."""
        if path in self._cache:
            return self._cache[path]
        if self._budget <= 0:
            self.notes.append(f"{path}: more than {MAX_POMS} poms involved, not read")
            return None
        data = self._read(path)
        pom = None
        if data is not None:
            self._budget -= 1
            try:
                pom = parse_pom(data)
            except ParseError as exc:
                self.notes.append(f"{path} ignored: {exc}")
        self._cache[path] = pom
        return pom


def _key(group: str, artifact: str, dep: PomDependency, properties: dict[str, str]) -> _Key:
    kind = interpolate(dep.type, properties)[0] or "jar"
    return group, artifact, kind, interpolate(dep.classifier, properties)[0] or ""


def _is(pom: Pom, group: str, artifact: str, version: str) -> bool:
    """Whether `pom` is group:artifact:version (a version that is still a `${...}` matches any)."""
    if pom.effective_group != group or pom.artifact != artifact:
        return False
    mine = pom.effective_version
    return not mine or not version or mine == version or "${" in mine or "${" in version


ANALYZER = Analyzer(name="java/pom-xml", version=1, required=_required, analyze=_analyze)
