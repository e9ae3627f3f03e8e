"""Reading Python source for the quality metrics: one regular expression replaces every string literal
(f-strings and docstrings included) by a placeholder and drops comments, keeping line numbers; physical lines
are joined into logical lines (open brackets, backslashes, strings spanning lines). No syntax tree is built, so
a file that is not valid Python still gives lines (the caller decides what to trust: `scan_sast` leaves out
files Ruff could not parse).

`read_source(path)` is the text of a file worth measuring, or None for one that cannot be read, is not UTF-8,
holds NUL bytes or is over `MAX_BYTES` (the Ruff engine reports those files; one report is enough).
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # as the Ruff engine: larger files are generated
STRING = "\x01"  # what every string literal becomes


# Every branch starts with a literal character, so `re` skips ahead to the next `#`, `'` or `"` in C. A string's
# prefix (r, b, f, u…) stays in front of the placeholder (matching it too would cost `re` that fast skip, and a
# second pass to drop it as much again). A backslash escapes the next character in every kind of string (raw
# ones too: r"\"" is one string).
_LEXEME = re.compile(
    r"\#[^\r\n]*"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\r\n]|\\.)*'"
    r'|"(?:[^"\\\r\n]|\\.)*"',
    re.S,
)


def _blank(match: re.Match[str]) -> str:
    text = match.group()
    if text[0] == "#":
        return ""
    newlines = text.count("\n")
    # every line break of a string becomes a backslash continuation: the code after the string stays in the
    # statement that holds it, and every line keeps its number
    return STRING + "\\\n" * newlines if newlines else STRING


LogicalLine = tuple[int, int, int, str]
"""One logical line: (first physical line, last physical line, indentation of its first line, code), the code
with strings replaced by `STRING`, comments dropped, physical lines joined by a space, ends stripped. A plain
tuple: a file has thousands and building a NamedTuple costs a Python call each."""


def logical_lines(text: str) -> list[LogicalLine]:
    """The logical lines of Python source `text` (blank and comment-only lines left out)."""
    stripped = _LEXEME.sub(_blank, text)
    physical = stripped.split("\n")
    out: list[LogicalLine] = []
    append = out.append
    parts: list[str] = []
    depth = start = indent = 0
    continued = False
    number = 0
    for raw in physical:
        number += 1
        body = raw.lstrip()
        if not body:
            if parts and depth <= 0 and continued:  # a string ended this line, nothing after it
                append((start, number, indent, " ".join(parts)))
                parts, depth = [], 0
            continue
        code = body.rstrip()
        if not parts:
            start = number
            indent = len(raw) - len(body)
            if indent and "\t" in raw[:indent]:
                indent = len(raw[:indent].expandtabs(8))
            if not depth and "(" not in code and "[" not in code and "{" not in code and code[-1] != "\\":
                append((number, number, indent, code))  # the common case: one physical line
                continued = False
                continue
        if depth or "(" in code or "[" in code or "{" in code:
            depth += (code.count("(") + code.count("[") + code.count("{")
                      - code.count(")") - code.count("]") - code.count("}"))
        continued = code[-1] == "\\"
        if continued:
            parts.append(code[:-1].rstrip())
            continue
        parts.append(code)
        if depth > 0:
            continue
        depth = 0  # more closers than openers (broken code) must not swallow the rest of the file
        append((start, number, indent, parts[0] if len(parts) == 1 else " ".join(parts)))
        parts = []
    if parts:
        append((start, len(physical), indent, " ".join(parts)))
    return out


def read_source(path: Path) -> str | None:
    """The UTF-8 text of `path`, or None when it cannot be read, is too large, binary or not UTF-8."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
        return None if b"\0" in data else data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None

