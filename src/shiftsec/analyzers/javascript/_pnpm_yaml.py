"""A fast reader for the YAML that pnpm writes (part of `javascript/pnpm-lock`).

libyaml parses quickly, but PyYAML builds and resolves every node in Python: a 0.8 MB pnpm-lock.yaml takes
0.4-0.6 s through `yaml.CSafeLoader`. pnpm writes a small, regular subset of YAML (js-yaml's dump): block
mappings indented by two spaces, block sequences of scalars, one-line flow mappings and sequences of
scalars, plain and quoted one-line scalars, comments on their own lines. `scan` reads exactly that subset
into the same dicts, lists and strings (`true`/`false`/`null` become True/False/None; numbers stay text:
the analyzer reads versions as text anyway) about ten times faster, and answers None for anything
outside it (anchors, tags, block scalars, multi-line scalars or flow collections, escapes, tabs,
inconsistent indentation...), so that the caller hands the file to libyaml, which then has the last word.
Nothing here recurses, so no input can exhaust the stack.
"""

from __future__ import annotations

import re

_BAD_FIRST = frozenset("'\"#&*!|>%@`?{}[],:\t")  # cannot start a plain key or scalar in pnpm's subset
_QUOTED_KEY_LINE = re.compile(r"""(?:'((?:[^'\n]|'')*)'|"([^"\\\n]*)")[ \t]*:(?:[ \t]+(.*))?""")
_PLAIN = re.compile(r"""(?:[^\s'"#&*!|>%@`?{}\[\],:-]|-(?=\S))(?:[^\s:#]++|:(?=\S)|[ \t]++(?=[^\s#])|#)*+""")
_INTEGRITY = re.compile(r"\{integrity: ([\w+/=-]+)\}")  # the resolution of every registry package
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_FLOW_SCALAR = (
    r"""'(?:[^']|'')*'|"[^"\\]*"|(?:[^\s'",:{}\[\]#&*!|>%@`?-]|-(?=\S))"""
    r"""(?:[^\s,:{}\[\]]++|:(?=[^\s,{}\[\]])|[ \t]++(?=[^\s,:{}\[\]#]))*+"""
)
_FLOW_PAIR = re.compile(rf"[ \t]*({_FLOW_SCALAR})[ \t]*:[ \t]+({_FLOW_SCALAR})[ \t]*(?:,|$)")
_FLOW_ITEM = re.compile(rf"[ \t]*({_FLOW_SCALAR})[ \t]*(?:,|$)")
_SPECIAL: dict[str, object] = {
    **dict.fromkeys(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"), False),
    **dict.fromkeys(("null", "Null", "NULL", "~"), None),
}


class _Unsupported(Exception):
    """The text leaves the subset this reader handles."""


Container = dict[str, object] | list[object]


def scan(text: str) -> tuple[dict[str, object], dict[str, int]] | None:
    """The document as a dict when it is in pnpm's subset of YAML (an empty document is {}), with the line of
    each key of its `packages` mapping; None when the text leaves the subset."""
    lines: dict[str, int] = {}
    try:
        return _scan(text, lines), lines
    except _Unsupported:
        return None


def _scalar(text: str) -> object:
    first = text[0]
    if first == "'":
        match = _SINGLE.fullmatch(text)
        if match is None:
            raise _Unsupported
        return match.group(1).replace("''", "'")
    if first == '"':
        match = _DOUBLE.fullmatch(text)
        if match is None:
            raise _Unsupported
        return match.group(1)
    if _PLAIN.fullmatch(text) is None:
        raise _Unsupported
    return _SPECIAL.get(text, text)


def _flow(text: str) -> Container:
    integrity = _INTEGRITY.fullmatch(text)
    if integrity is not None:
        return {"integrity": integrity.group(1)}
    inner = text[1:-1].strip()
    if text[0] == "{":
        if text[-1] != "}":
            raise _Unsupported
        mapping: dict[str, object] = {}
        pos = 0
        while pos < len(inner):
            match = _FLOW_PAIR.match(inner, pos)
            if match is None or match.end() == pos:
                raise _Unsupported
            key = _scalar(match.group(1))
            if not isinstance(key, str):
                raise _Unsupported
            mapping[key] = _scalar(match.group(2))
            pos = match.end()
        return mapping
    if text[-1] != "]":
        raise _Unsupported
    items: list[object] = []
    pos = 0
    while pos < len(inner):
        match = _FLOW_ITEM.match(inner, pos)
        if match is None or match.end() == pos:
            raise _Unsupported
        items.append(_scalar(match.group(1)))
        pos = match.end()
    return items


def _value(text: str) -> object:
    return _flow(text) if text[0] in "{[" else _scalar(text)


def _scan(text: str, lines: dict[str, int]) -> dict[str, object]:
    root: dict[str, object] = {}
    stack: list[tuple[int, Container]] = [(0, root)]  # open containers and the indent of their entries
    pending: tuple[dict[str, object], str, int] | None = None  # a key whose value is the block below it
    packages: Container | None = None  # the top-level `packages` mapping, once open
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip()
        if not line:
            continue
        content = line.lstrip(" ")
        first = content[0]
        if first == "#":
            continue
        if first == "\t":
            raise _Unsupported
        indent = len(line) - len(content)
        item = first == "-" and (len(content) == 1 or content[1] == " ")
        if pending is not None:
            parent, key, at = pending
            pending = None
            if indent > at:
                child: Container = [] if item else {}
                parent[key] = child
                stack.append((indent, child))
                if at == 0 and key == "packages":
                    packages = child
            else:
                parent[key] = None
        while indent < stack[-1][0]:
            stack.pop()
        top_indent, container = stack[-1]
        if indent != top_indent:
            raise _Unsupported
        if item:
            if not isinstance(container, list) or len(content) < 3:
                raise _Unsupported
            container.append(_value(content[2:].lstrip()))
            continue
        if not isinstance(container, dict):
            raise _Unsupported
        if first in _BAD_FIRST:
            match = _QUOTED_KEY_LINE.fullmatch(content)
            if match is None:
                raise _Unsupported
            quoted, double, value = match.groups()
            key = quoted.replace("''", "'") if quoted is not None else double
        else:
            key, colon, value = content.partition(": ")
            if not colon:
                if content[-1] != ":":
                    raise _Unsupported
                key = content[:-1]
            key = key.rstrip(" ")
            if not key or " #" in key or key[-1] == "\t" or key == "<<":  # "<<" would be a merge key
                raise _Unsupported
            value = value.lstrip(" ")
        if container is packages:
            lines.setdefault(key, number)
        if value:
            container[key] = _value(value)
        else:
            pending = (container, key, indent)

    if pending is not None:
        pending[0][pending[1]] = None
    return root
