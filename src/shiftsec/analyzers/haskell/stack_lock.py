"""stack.yaml.lock: the extra Hackage packages Stack pinned on top of the project's snapshot.

Owns the lock's `packages` list, whose `completed.hackage` value names one package as
`name-1.2.3@sha256:<hash>,<size>` (or `@rev:N`); the name is everything before the last `-`. A completed
entry from git, an archive or a URL has no Hackage version and is noted. The `snapshots` (the resolver,
e.g. lts-22.41) fix the rest of the package set but list no packages here. The YAML is read with libyaml
(CSafeLoader) after a streaming check of its nesting depth, since libyaml's composer recurses without a
limit.
"""

from __future__ import annotations

import re

import yaml

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers._yaml import compose, is_null, mapping
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_HACKAGE = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9-]*?)-(?P<version>\d+(?:\.\d+)*)(?:@.*)?")


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "stack.yaml.lock"





def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    root = compose(text)
    if root is None:
        return Parsed("Hackage", ())
    listed = mapping(root, "the document").get("packages")
    if listed is None or is_null(listed):
        return Parsed("Hackage", ())
    if not isinstance(listed, yaml.SequenceNode):
        raise ParseError("'packages' is not a list")

    packages: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    for entry in listed.value:
        line = entry.start_mark.line + 1
        completed = mapping(entry, f"the package at line {line}").get("completed")
        if completed is None or is_null(completed):
            notes.append(f"line {line}: a package that was never completed")
            continue
        hackage = mapping(completed, f"line {line}: 'completed'").get("hackage")
        if hackage is None:
            notes.append(f"line {line}: a package that does not come from Hackage")
            continue
        if not isinstance(hackage, yaml.ScalarNode):
            raise ParseError(f"line {line}: 'hackage' is not a string")
        match = _HACKAGE.fullmatch(str(hackage.value).strip())
        if match is None:
            notes.append(f"line {line}: hackage {str(hackage.value)[:80]!r} names no package version")
            continue
        key = (match["name"], match["version"])
        packages.setdefault(key, Dependency(*key, line=line))
    return Parsed("Hackage", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "stack.yaml.lock")


ANALYZER = Analyzer(name="haskell/stack-lock", version=1, required=_required, analyze=analyze)
