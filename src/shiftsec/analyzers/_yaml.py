"""YAML for the lockfile parsers that use it (pubspec.lock, stack.yaml.lock, Podfile.lock): parsed into nodes
with libyaml, never into Python objects with tags, and refused past a nesting depth, because libyaml's C
loader overflows its stack (and kills the process) on very deeply nested input before Python can raise."""

from __future__ import annotations

import yaml

from shiftsec.errors import ParseError

MAX_DEPTH = 64
_LOADER = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader


def compose(text: str) -> yaml.Node | None:
    """The document's node tree (None for an empty document); `ParseError` past `MAX_DEPTH` levels."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"YAML nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return yaml.compose(text, Loader=_LOADER)


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def mapping(node: yaml.Node, where: str) -> dict[str, yaml.Node]:
    """A mapping node as a dict of its scalar keys; `ParseError` for anything else."""
    if not isinstance(node, yaml.MappingNode):
        raise ParseError(f"{where} is not a mapping")
    out: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise ParseError(f"{where} has a key that is not a scalar")
        out[str(key.value)] = value
    return out
