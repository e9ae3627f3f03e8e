"""pubspec.lock: the Dart/Flutter packages pub resolved, with what the pubspec asks for.

Owns the lock's `packages` map: each entry's `version`, its `dependency` kind (`direct main`, `direct
dev` and `direct overridden` are direct, `transitive` is not; `direct dev` is dev) and its `description`
(the hosted name, when it differs from the key). Packages from git, a path or an SDK are reported like
hosted ones, as osv-scalibr does. The YAML is read with libyaml (CSafeLoader) after a streaming check of
its nesting depth, since libyaml's composer recurses without a limit.
"""

from __future__ import annotations

import yaml

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers._yaml import compose, is_null, mapping
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "pubspec.lock"





def _scalar(node: yaml.Node | None, where: str) -> str | None:
    if node is None or is_null(node):
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise ParseError(f"{where} is not a scalar")
    return str(node.value)


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    root = compose(text)
    if root is None:
        raise ParseError("empty file")
    top = mapping(root, "the document")
    listed = top.get("packages")
    if listed is None or is_null(listed):
        return Parsed("Pub", ())
    if not isinstance(listed, yaml.MappingNode):
        raise ParseError("'packages' is not a mapping")

    packages: dict[tuple[str, str], Dependency] = {}
    for key_node, value in listed.value:
        key = _scalar(key_node, "a package name")
        if not key:
            raise ParseError(f"line {key_node.start_mark.line + 1}: a package without a name")
        entry = mapping(value, f"package {key}")
        version = _scalar(entry.get("version"), f"{key}.version")
        if not version:
            raise ParseError(f"package {key} has no version")
        kind = _scalar(entry.get("dependency"), f"{key}.dependency") or ""
        name = key
        description = entry.get("description")
        if isinstance(description, yaml.MappingNode):
            name = _scalar(mapping(description, f"{key}.description").get("name"), f"{key}.description.name") or key
        direct = kind.startswith("direct") if kind else None
        packages.setdefault((name, version), Dependency(name, version, direct=direct, dev=kind == "direct dev",
                                                        line=key_node.start_mark.line + 1))
    return Parsed("Pub", tuple(packages.values()))


analyze = guarded(_analyze, "pubspec.lock")


ANALYZER = Analyzer(name="dart/pubspec-lock", version=1, required=_required, analyze=analyze)
