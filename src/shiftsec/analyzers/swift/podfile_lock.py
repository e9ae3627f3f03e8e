"""Podfile.lock: the CocoaPods pods installed for an iOS/macOS project.

Owns the lock's PODS list (entries `Name (1.2.3)`, or a one-key mapping from that to the pod's own
dependencies, which give `depends_on`), its DEPENDENCIES list (what the Podfile asks for: direct) and
EXTERNAL SOURCES (pods taken from a path or a git repository, noted, as their version is not a released
one). A subspec (`PINCache/Core`) is reported as its pod (`PINCache`), the name advisories use. The YAML is
read with libyaml (CSafeLoader) after a streaming check of its nesting depth, since libyaml's composer
recurses without a limit.
"""

from __future__ import annotations

import re

import yaml

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers._yaml import compose
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_ENTRY = re.compile(r"(?P<name>[^\s(]+)(?:\s+\((?P<version>[^)]*)\))?")


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "Podfile.lock"



def _scalar(node: yaml.Node, where: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise ParseError(f"{where} is not a string")
    return str(node.value)


def _sequence(node: yaml.Node | None, where: str) -> list[yaml.Node]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise ParseError(f"{where} is not a list")
    return list(node.value)


def _root_name(entry: str) -> str:
    match = _ENTRY.match(entry.strip())
    return match["name"].split("/", 1)[0] if match else entry.strip()


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    root = compose(text)
    if root is None:
        raise ParseError("empty file")
    if not isinstance(root, yaml.MappingNode):
        raise ParseError("the document is not a mapping")
    top = {_scalar(key, "a top-level key"): value for key, value in root.value}

    pods: list[tuple[str, str, int, list[str]]] = []  # root name, version, line, dependency names
    notes: list[str] = []
    for node in _sequence(top.get("PODS"), "PODS"):
        requires: list[str] = []
        if isinstance(node, yaml.MappingNode):
            if len(node.value) != 1:
                raise ParseError(f"line {node.start_mark.line + 1}: a PODS entry maps more than one pod")
            key, value = node.value[0]
            entry = _scalar(key, "a PODS entry")
            requires = [_root_name(_scalar(dep, f"a dependency of {entry}")) for dep in _sequence(value, entry)]
        else:
            entry = _scalar(node, "a PODS entry")
        match = _ENTRY.fullmatch(entry.strip())
        if match is None or not match["version"]:
            notes.append(f"line {node.start_mark.line + 1}: pod {entry[:80]!r} has no version")
            continue
        pods.append((match["name"].split("/", 1)[0], match["version"], node.start_mark.line + 1, requires))

    asked = _sequence(top.get("DEPENDENCIES"), "DEPENDENCIES")
    wanted = {_root_name(_scalar(node, "a DEPENDENCIES entry")) for node in asked}
    external = top.get("EXTERNAL SOURCES")
    if isinstance(external, yaml.MappingNode):
        for key, value in external.value:
            where = ", ".join(f"{_scalar(k, 'a source kind').lstrip(':')} {_scalar(v, 'a source')}"
                              for k, v in (value.value if isinstance(value, yaml.MappingNode) else ()))
            notes.append(f"{_scalar(key, 'an external pod')} is installed from {where or 'an external source'}")

    versions: dict[str, str] = {}
    for name, version, _, _ in pods:
        versions.setdefault(name, version)
    packages: dict[tuple[str, str], Dependency] = {}
    for name, version, line, requires in pods:
        depends_on = tuple(dict.fromkeys(f"{r}@{versions[r]}" for r in requires if r in versions and r != name))
        seen = packages.get((name, version))
        if seen is not None:  # another subspec of the same pod
            depends_on = tuple(dict.fromkeys(seen.depends_on + depends_on))
        packages[(name, version)] = Dependency(name, version, direct=name in wanted if wanted else None,
                                               line=line if seen is None else seen.line, depends_on=depends_on)
    return Parsed("CocoaPods", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "Podfile.lock")


ANALYZER = Analyzer(name="swift/podfile-lock", version=1, required=_required, analyze=analyze)
