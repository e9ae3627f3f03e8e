"""Dockerfile syntax: instructions with their line spans and build stage, as BuildKit's front end reads them.

Parser directives (only `# escape=`, which may switch the line-continuation character to a backtick), comment and
empty lines (dropped, also inside continuations) and heredocs (`RUN <<EOF`, `COPY <<EOF`; the body and its
terminator belong to the instruction). `parse` never raises: malformed input yields whatever instructions can be
recognised, unknown keywords included as they are. Instructions before the first `FROM` (global `ARG`s) carry
stage -1; `FROM` starts stages 0, 1, ...
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["HEREDOC", "Instruction", "parse"]


@dataclass(frozen=True, slots=True)
class Instruction:
    """One logical Dockerfile instruction."""

    keyword: str  # upper-case, e.g. "FROM", "RUN"
    value: str  # arguments; continuation lines joined with a space, heredoc bodies appended after a newline
    line: int  # 1-based line where the instruction starts
    end_line: int
    stage: int  # 0-based build stage; -1 before the first FROM


_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})


def _escape_char(lines: Sequence[str]) -> str:
    """The continuation character set by a leading `# escape=` parser directive (default backslash)."""
    escape = "\\"
    for raw in lines:
        match = _DIRECTIVE.match(raw.strip())
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            escape = match.group(2)
    return escape


def _skippable(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _heredoc_markers(keyword: str, value: str) -> list[tuple[bool, str]]:
    if keyword not in HEREDOC_KEYWORDS or value.lstrip().startswith("["):
        return []
    return [(dash == "-", name) for dash, _quote, name in HEREDOC.findall(value)]


def parse(text: str) -> list[Instruction]:
    """Instructions of a Dockerfile in file order (see the module docstring for the rules followed)."""
    lines = text.splitlines()
    escape = _escape_char(lines)
    out: list[Instruction] = []
    stage = -1
    count = len(lines)
    index = 0
    while index < count:
        if _skippable(lines[index]):
            index += 1
            continue
        start = end = index
        parts: list[str] = []
        cursor = index
        while True:
            piece = lines[cursor].rstrip()
            continued = piece.endswith(escape)
            if continued:
                piece = piece[: -len(escape)]
            parts.append(piece.strip())
            end = cursor
            if not continued:
                break
            cursor += 1
            while cursor < count and _skippable(lines[cursor]):
                cursor += 1
            if cursor >= count:
                break
        index = end + 1
        joined = " ".join(part for part in parts if part)
        head, _, rest = joined.partition(" ")
        keyword = head.upper()
        value = rest.strip()
        for dash, name in _heredoc_markers(keyword, value):
            body: list[str] = []
            while index < count:
                body_line = lines[index]
                end = index
                index += 1
                candidate = body_line.lstrip("\t") if dash else body_line
                if candidate.rstrip() == name:
                    body.append(candidate.rstrip())
                    break
                body.append(body_line)
            if body:
                value = value + "\n" + "\n".join(body)
        if keyword == "FROM":
            stage += 1
        out.append(Instruction(keyword, value, start + 1, end + 1, stage))
    return out
