"""Cyclomatic complexity per function, counted as radon's `ComplexityVisitor` (radon 6) counts it on the syntax
tree, read off a file's logical lines (`source.logical_lines`; nesting from indentation):

- 1 for the function itself;
- `if`, `elif`, conditional expressions (`a if c else b`) and comprehension filters: +1 each;
- `for`, `async for` (statements and comprehension clauses), `while`: +1, and +1 for a loop's `else:`;
- `try`: +1 per `except` handler (`except*` too) and +1 for its `else:`; `finally` counts nothing;
- `and`/`or`: +1 each (`a and b and c`: +2);
- `match`: +1 per `case`, except an irrefutable one (`case _:`, `case name:`); a guard's own `if` counts
  nothing, its `and`/`or` do;
- `assert`: +1, whatever it holds (radon does not look inside);
- a function's signature (defaults, annotations) and decorators count nothing; a `lambda`'s body counts toward
  the function that holds it; a nested function or class does not: each nested function and method is measured
  and reported on its own, by its qualified name (`Class.method`, `outer.inner`).

The one known difference from radon: an expression inside an f-string's braces (`f"{a if b else c}"`) is
part of the string here and counts nothing. `benchmarks/quality_agreement.py` compares every function of a
tree with a syntax-tree count (radon's rules) and lists the differences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from shiftsec.sast.quality.source import STRING, LogicalLine


@dataclass(frozen=True, slots=True)
class FunctionComplexity:
    name: str  # qualified: "Class.method", "outer.inner"
    line: int
    end_line: int
    complexity: int


_DECISION = re.compile(r"\b(?:if|elif|for|while|except|and|or)\b")
_WORD = re.compile(r"[^\W\d]\w*")
_IF = re.compile(r"\bif\b")
_HEADER = re.compile(r"(?:async\s+)?(def|class)\s+(\w+)")
_ELSE_BRANCHES = frozenset({"for", "while", "except", "async"})  # openers whose `else:` is a decision
_COMPOUND = frozenset({"if", "elif", "else", "for", "while", "try", "except", "finally", "with", "async", "match",
                       "case"})
_PATTERN_START = frozenset(" \t([{-." + STRING)
# `case _:`, `case name:`, `case (name):`, guarded or not; True, False and None are literal patterns
_IRREFUTABLE = re.compile(r"case\s*(\(\s*)?(?!(?:True|False|None)\b)[^\W\d]\w*\s*(?(1)\)\s*)(?:if\b.*)?")


def _split_header(code: str) -> tuple[str, str]:
    """A compound statement's header (up to its colon outside brackets) and the body on the same line; the body
    is None when there is no such colon."""
    depth = 0
    for i, char in enumerate(code):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == ":" and depth == 0 and code[i + 1:i + 2] != "=":
            return code[:i], code[i + 1:]
    return code, ""


def _decisions(code: str) -> int:
    if "if" in code or "or" in code or "and" in code or "while" in code or "except" in code:
        return len(_DECISION.findall(code))
    return 0


class _Scope(NamedTuple):
    indent: int
    slot: int  # into the function lists; -1 for a class
    name: str


def complexities(lines: Sequence[LogicalLine]) -> list[FunctionComplexity]:
    """Every function and method (nested ones included) of a file's logical lines, in source order."""
    names: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    counts: list[int] = []
    stack: list[_Scope] = []
    opener: dict[int, str] = {}  # indentation -> first word of the last logical line there, if compound
    wildcard: dict[int, bool] = {}  # indentation of a match's cases -> an irrefutable case was discounted
    before = ""  # first word of the previous logical line
    end = 0  # last line of the previous logical line: where a scope closed by this line ends
    for first_line, end_line, indent, code in lines:
        while stack and indent <= stack[-1].indent:
            closed = stack.pop()
            if closed.slot >= 0:
                ends[closed.slot] = end
        end = end_line
        word = _WORD.match(code)
        first = word.group() if word is not None else code[0]
        previous = opener.get(indent, "")
        opener[indent] = first if first in _COMPOUND else ""
        last, before = before, first
        if first == "@":
            continue  # decorators count nothing
        header = _HEADER.match(code) if first in ("def", "class", "async") else None
        if header is not None:
            name = ".".join([*(scope.name for scope in stack), header.group(2)])
            if header.group(1) == "def":
                names.append(name)
                starts.append(first_line)
                ends.append(end_line)
                counts.append(1 + _decisions(_split_header(code)[1]))  # the signature counts nothing
                stack.append(_Scope(indent, len(names) - 1, header.group(2)))
            else:
                stack.append(_Scope(indent, -1, header.group(2)))
            continue
        if not stack or stack[-1].slot < 0:
            continue  # module or class level: no function's decision
        index = stack[-1].slot
        if first == "assert":
            counts[index] += 1  # whatever it holds
        elif first == "else":
            counts[index] += (previous in _ELSE_BRANCHES) + _decisions(_split_header(code)[1])
        elif first == "case" and len(code) > 4 and code[4] in _PATTERN_START and ":" in code:
            head, body = _split_header(code)
            if last == "match":
                wildcard[indent] = False
            free = not wildcard.get(indent, False) and _IRREFUTABLE.fullmatch(head) is not None
            if free:
                wildcard[indent] = True
            guard = _IF.search(head) is not None
            counts[index] += (not free) + _decisions(head) - guard + _decisions(body)
        else:
            counts[index] += _decisions(code)
    for scope in stack:
        if scope.slot >= 0:
            ends[scope.slot] = end
    found = [FunctionComplexity(*item) for item in zip(names, starts, ends, counts, strict=True)]
    found.sort(key=lambda f: (f.line, f.name))
    return found
