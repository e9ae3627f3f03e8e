"""The line syntax of yarn.lock, v1 and Berry alike (part of `javascript/yarn-lock`).

Both formats are blocks of a header at column 0 and properties indented by two spaces:

    "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":     (v1: specs quoted one by one)
    "@babel/code-frame@npm:^7.0.0, @babel/code-frame@npm:^7.10.4":   (Berry: one quoted list)
      version "7.12.13"            (v1)       version: 7.12.13            (Berry)
      resolved "https://..."       (v1)       resolution: "name@npm:7.12.13"  (Berry)
      dependencies:
        "@babel/highlight" "^7.10.4"   (v1)    "@babel/highlight": ^7.10.4   (Berry)

Only what the analyzer needs is read: the specs of each header, its line, `version`, `resolved` /
`resolution`, and the `dependencies` / `optionalDependencies` maps. One regular expression classifies
every line in C; Python sees one match per useful line. A file that is not this syntax (a header without
its trailing colon, properties before any header, over-long lines, binary data) raises `ParseError`.
"""

from __future__ import annotations

import re

from shiftsec.analyzers.api import ParseError
from shiftsec.analyzers.javascript._common import MAX_LINE

_PROP = re.compile(r'"?(version|resolved|resolution|dependencies|optionalDependencies)"?:?(?:[ \t]+(.*))?')


class Entry:
    __slots__ = ("dependencies", "line", "resolution", "specs", "version")

    def __init__(self, specs: list[str], line: int) -> None:
        self.specs = specs
        self.line = line
        self.version = ""
        self.resolution = ""
        self.dependencies: dict[str, str] = {}


def unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
        if "\\" in text:
            text = text.replace('\\"', '"').replace("\\\\", "\\")
    return text


def _dependency(body: str, block: dict[str, str]) -> None:
    """One `name range` (v1) or `name: range` (Berry) line; names are quoted when they need it."""
    if body[0] == '"':
        end = body.find('"', 1)
        if end < 0:
            return
        name, rest = body[1:end], body[end + 1 :]
    else:
        name, _, rest = body.partition(" ")
        name = name.removesuffix(":")
    wanted = rest.lstrip(": \t").rstrip()
    if name and wanted:
        block[name] = unquote(wanted) if wanted[0] == '"' else wanted


def _specs(header: str) -> list[str]:
    return [unquote(part.strip().strip('"')) for part in header.split(", ") if part.strip().strip('"')]


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def parse_entries(text: str) -> list[Entry]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_LINE and max(map(len, text.split("\n"))) > MAX_LINE:
        raise ParseError(f"a line is longer than {MAX_LINE} characters: not a yarn.lock")
    entries: list[Entry] = []
    current: Entry | None = None
    block: dict[str, str] | None = None  # the dependency map being read, if any
    for number, line in enumerate(text.split("\n"), 1):
        first = line[:1]
        if first == " ":
            if current is None:
                if line.strip() and line.lstrip()[0] != "#":
                    raise ParseError(f"line {number}: indented {_short(line.strip())!r} before the first entry")
                continue
            if line[2:3] == " ":  # a dependency line (or deeper)
                if block is not None and line[4:5] not in (" ", ""):
                    _dependency(line[4:], block)
                continue
            prop = _PROP.fullmatch(line, 2)
            if prop is None:
                block = None  # another property: checksum, integrity, peerDependencies, bin...
                continue
            key, value = prop.groups()
            if value is None:
                block = current.dependencies if key.endswith("ependencies") else None
                continue
            value = value.rstrip()
            if value[:1] == '"':
                value = unquote(value)
            if key == "version":
                current.version = value
            elif key[0] == "r":
                current.resolution = value
            block = None
        elif first in ("", "#") or not line.strip():
            continue
        else:
            header = line.rstrip()
            if not header.endswith(":"):
                raise ParseError(f"line {number}: {_short(header)!r} is not an entry header (`name@range:`)")
            specs = _specs(header[:-1])
            if not specs:
                raise ParseError(f"line {number}: entry header without a package")
            current = Entry(specs, number)
            entries.append(current)
            block = None
    return entries


def name_and_range(spec: str) -> tuple[str, str]:
    """`@scope/name@range` -> ("@scope/name", "range"); an `npm:` alias names the real package."""
    while True:
        scoped = spec.startswith("@")
        name, _, rest = (spec[1:] if scoped else spec).partition("@")
        if scoped:
            name = "@" + name
        if rest.startswith("npm:") and "@" in rest[5:]:
            spec = rest[4:]
            continue
        return name, rest
