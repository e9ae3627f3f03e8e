"""The built-in quality engine: cyclomatic complexity per function and duplicated blocks, for Python, in the
SonarQube spirit (quality-gate metrics that the gate can count on new code only with `--diff-base`).

`quality_engine(complexity=15, duplicate_lines=10)` builds the `SastEngine` ("quality", languages
("python",)); `ENGINE` is the one with the defaults, which `scan_sast` runs beside Ruff (on the files Ruff
parsed: a file that is not Python 3 is Ruff's error, never a quality finding).

Neither metric builds a syntax tree: building CPython's `ast` objects costs more than Ruff's whole scan (10 s
against 1.8 s on the standard library). Each file is read once by `logical_lines`: one regular expression
replaces every string literal (f-strings and docstrings included) by a placeholder and drops comments, keeping
line numbers; physical lines are joined into logical lines (open brackets, backslashes). Both metrics work on
those logical lines (the standard library: about 4.3 s for both in one process, where `ast.parse` alone takes
10 s; large trees are shared among forked workers, one per core).

**Cyclomatic complexity** (`quality-complexity`) is counted as radon's `ComplexityVisitor` (radon 6) counts it
on the syntax tree, read off the logical lines of each function (its nesting from indentation):

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
  and reported on its own.

The one known difference from radon: an expression inside an f-string's braces (`f"{a if b else c}"`) is
part of the string here and counts nothing. `benchmarks/quality_agreement.py` compares every function of a
tree with a syntax-tree count (radon's rules) and lists the differences.

A function over the threshold is a MEDIUM finding at its `def` line to its last line; its fingerprint is (rule,
path, qualified name: `Class.method`, `outer.inner`), with "#2"… for a name defined again in the same file, so
moving a function keeps its identity and only a function that becomes too complex is new under `--diff-base`.

**Duplicated blocks** (`quality-duplication`) compare logical lines as SonarQube's copy-paste detection does:
differences in indentation, spacing, comments and the content of string literals are ignored (every string
is the same placeholder, after its prefix: `f"…"` and `b"…"` stay unlike `"…"`); names and numbers must
match. Blank lines, comment-only lines, import statements and lines holding only string literals (docstrings)
are not counted. Windows of `duplicate_lines` consecutive counted lines are hashed with a rolling (polynomial)
hash across every scanned file; each window that occurs again, verified line by line, pairs the later
occurrence with an earlier one (the one continuing the previous window's pair, else the nearest that does not
overlap it), consecutive pairs merge into a maximal run, and each run gives one LOW finding at the later
occurrence ("lines 10-25 duplicate app/b.py:40-55"): the first occurrence (in path and line order) is never
reported.
The fingerprint is (rule, path, hash of the normalised block). Time is linear in the number of logical lines
(plus the duplicates found); memory holds a few integers per counted line and per window, never the source:
each line's key is its CRC-32 and Adler-32 side by side, stable across runs, so a block's fingerprint is the
hash of its keys.

Quality findings are MEDIUM (complexity) and LOW (duplication): the default policy (`>= high`) never fails on
them. A policy turns them into quality-gate conditions with a fail rule on `rule: quality-*` and a
`max_allowed` count, on new code only (`new_only`, `--diff-base`); see docs/code-quality.md.

A file that cannot be read, is not UTF-8, holds NUL bytes or is over `MAX_BYTES` is skipped without an error:
the Ruff engine already reports those files, and one report is enough.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import os
import re
import threading
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from shiftsec.model import Finding, Severity, fingerprint
from shiftsec.sast.engine import EngineResult, Issue, SastEngine, to_finding

NAME = "quality"
COMPLEXITY_RULE = "quality-complexity"
DUPLICATION_RULE = "quality-duplication"
DEFAULT_COMPLEXITY = 15
DEFAULT_DUPLICATE_LINES = 10
MAX_BYTES = 5 * 1024 * 1024  # as the Ruff engine: larger files are generated
PARALLEL_FILES = 200  # from this many files on, the per-file work is shared among forked processes
STRING = "\x01"  # what every string literal becomes
_MOD = (1 << 61) - 1  # a Mersenne prime for the rolling hash
_BASE = 1_000_003
_COMPLEXITY_FIX = ("Split it into smaller functions, each doing one thing; replace long if/elif chains with a "
                   "lookup table or polymorphism, and return early instead of nesting.")
_DUPLICATION_FIX = ("Extract the shared code into one function (or class) and call it from both places, so a "
                    "fix is made once.")


# --- reading a file into logical lines -----------------------------------------------------------------------

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


# --- cyclomatic complexity -----------------------------------------------------------------------------------


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


_RULES = {  # rule id -> title, severity, remediation, description, CWE
    COMPLEXITY_RULE: ("Function too complex", Severity.MEDIUM, _COMPLEXITY_FIX,
                      "Cyclomatic complexity (McCabe, counted as radon does) over the quality gate's threshold",
                      1121),  # CWE-1121: Excessive McCabe Cyclomatic Complexity
    DUPLICATION_RULE: ("Duplicated block", Severity.LOW, _DUPLICATION_FIX,
                       "A block of code repeated elsewhere (compared line by line, string literals, spacing and "
                       "comments ignored)", 1041),  # CWE-1041: Use of Redundant Code
}


def _finding(rule_id: str, message: str, path: str, lines: tuple[int, int], identity: str,
             seen: dict[tuple[str, str], int]) -> Finding:
    """A quality finding, its fingerprint (rule, path, `identity`) told apart from an earlier one of the same
    identity in the file by "#2", "#3"…"""
    title, severity, remediation, description, cwe = _RULES[rule_id]
    seen[path, identity] = count = seen.get((path, identity), 0) + 1
    issue = Issue(rule_id=rule_id, title=title, message=message, severity=severity, confidence="", path=path,
                  line=lines[0], end_line=lines[1], code="", engine=NAME, remediation=remediation,
                  description=description, cwes=(cwe,))
    key = identity + ("" if count == 1 else f"#{count}")
    return replace(to_finding(issue), fingerprint=fingerprint("sast", rule_id, path, key))


def _complexity_findings(path: str, lines: Sequence[LogicalLine], threshold: int) -> list[Finding]:
    findings = []
    seen: dict[tuple[str, str], int] = {}
    for func in complexities(lines):
        identity = "function:" + func.name
        if func.complexity <= threshold:
            seen[path, identity] = seen.get((path, identity), 0) + 1  # a later namesake is still "#2"
            continue
        findings.append(_finding(
            COMPLEXITY_RULE, f"`{func.name}` has cyclomatic complexity {func.complexity} (threshold {threshold})",
            path, (func.line, func.end_line), identity, seen))
    return findings


# --- duplicated blocks ---------------------------------------------------------------------------------------


_PREFIXES = "rRbBuUfF"
_PUNCTUATION = " ,;+()" + _PREFIXES
Unit = tuple[str, int, int]
"""One counted logical line: (its code with every space removed, first physical line, last physical line)."""


def units(lines: Sequence[LogicalLine]) -> list[Unit]:
    """The logical lines that count for duplication (see the module's docstring)."""
    kept = []
    for line, end_line, _indent, code in lines:
        if code.startswith("import ") or (code.startswith("from ") and " import " in code):
            continue
        if code.lstrip("(").lstrip(_PREFIXES)[:1] == STRING and not code.replace(STRING, "").strip(_PUNCTUATION):
            continue  # a docstring or a line of string literals only
        kept.append(("".join(code.split()), line, end_line))
    return kept


def _window_hashes(keys: Sequence[int], size: int) -> Iterator[tuple[int, int]]:
    """(position, hash) of every window of `size` consecutive keys: a polynomial rolling hash."""
    if len(keys) < size:
        return
    top = pow(_BASE, size - 1, _MOD)
    value = 0
    for key in keys[:size]:
        value = (value * _BASE + key) % _MOD
    yield 0, value
    for pos in range(1, len(keys) - size + 1):
        value = ((value - keys[pos - 1] * top) * _BASE + keys[pos + size - 1]) % _MOD
        yield pos, value


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A maximal run: units `start`…`end` (inclusive) of file `index` repeat units `origin_start`… of file
    `origin`."""

    index: int
    start: int
    end: int
    origin: int
    origin_start: int
    origin_end: int


def duplicates(files: Sequence[Sequence[int]], size: int) -> list[Duplicate]:
    """The maximal duplicated runs of at least `size` consecutive keys in `files` (lists of line keys), each at
    a later occurrence, in file order. A window's origin is the one that continues the previous window's origin
    when there is one (so a copied block stays one run), else the nearest earlier non-overlapping occurrence."""
    first: dict[int, int] = {}  # window hash -> its only occurrence (file << 32 | position) so far
    groups: dict[int, list[int]] = {}  # window hash -> every occurrence, once it has two
    for index, keys in enumerate(files):
        for pos, value in _window_hashes(keys, size):
            here = index << 32 | pos
            if value in groups:
                groups[value].append(here)
            elif value in first:
                groups[value] = [first.pop(value), here]
            else:
                first[value] = here
    first.clear()
    hashes = {here: value for value, occurrences in groups.items() for here in occurrences}
    rank = {here: k for occurrences in groups.values() for k, here in enumerate(occurrences)}
    pairs: dict[int, int] = {}  # occurrence -> its origin, both windows equal key by key

    def same(here: int, there: int) -> bool:
        index, pos, other, opos = here >> 32, here & 0xFFFFFFFF, there >> 32, there & 0xFFFFFFFF
        if other == index and pos - opos < size:
            return False  # overlapping windows of one repetitive stretch
        return files[other][opos:opos + size] == files[index][pos:pos + size]  # not a hash collision

    for here in sorted(hashes):  # in file order, so the previous window's pair is known
        value, k = hashes[here], rank[here]
        if k == 0:
            continue  # the first occurrence
        previous = pairs.get(here - 1) if here & 0xFFFFFFFF else None
        if previous is not None and hashes.get(previous + 1) == value and rank[previous + 1] < k \
                and same(here, previous + 1):
            pairs[here] = previous + 1  # the run goes on with the same origin
            continue
        occurrences = groups[value]
        for j in range(k - 1, max(-1, k - size - 2), -1):
            if same(here, occurrences[j]):
                pairs[here] = occurrences[j]
                break
            if occurrences[j] >> 32 != here >> 32 or (here - occurrences[j]) >= size:
                break  # the nearest non-overlapping one is a hash collision: no origin
    runs = []
    for here in sorted(pairs):
        there = pairs[here]
        if pairs.get(here - 1) == there - 1 and (here & 0xFFFFFFFF) and (there & 0xFFFFFFFF):
            continue  # inside a run that started earlier
        end, origin_end = here, there
        while pairs.get(end + 1) == origin_end + 1:
            end, origin_end = end + 1, origin_end + 1
        runs.append(Duplicate(here >> 32, here & 0xFFFFFFFF, (end & 0xFFFFFFFF) + size - 1, there >> 32,
                              there & 0xFFFFFFFF, (origin_end & 0xFFFFFFFF) + size - 1))
    return runs


def _key(code: str) -> int:
    """A stable 64-bit key for one normalised line (CRC-32 and Adler-32 side by side), below the hash modulus."""
    data = code.encode("utf-8")
    return (zlib.crc32(data) << 32 | zlib.adler32(data)) % _MOD


def _block_key(keys: Sequence[int]) -> str:
    return hashlib.sha256(",".join(map(str, keys)).encode("ascii")).hexdigest()[:16]


def _duplication_findings(paths: Sequence[str], keys: Sequence[Sequence[int]],
                          spans: Sequence[Sequence[int]], size: int) -> list[Finding]:
    """`spans[i]` holds file i's counted lines as first line, last line, first line, last line…"""
    findings = []
    seen: dict[tuple[str, str], int] = {}
    for dup in duplicates(keys, size):
        path, mine, theirs = paths[dup.index], spans[dup.index], spans[dup.origin]
        line, end = mine[2 * dup.start], mine[2 * dup.end + 1]
        origin = f"{paths[dup.origin]}:{theirs[2 * dup.origin_start]}-{theirs[2 * dup.origin_end + 1]}"
        findings.append(_finding(
            DUPLICATION_RULE, f"lines {line}-{end} duplicate {origin} ({dup.end - dup.start + 1} logical lines)",
            path, (line, end), "block:" + _block_key(keys[dup.index][dup.start:dup.end + 1]), seen))
    return findings


# --- the engine ----------------------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        data = path.read_bytes()
        return None if b"\0" in data else data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class _Part(NamedTuple):
    """What one worker measured of its share of the files. It comes back from a child process, so the per-line
    data are arrays (pickled as bytes): each file's line keys, and its spans as first line, last line, …"""

    findings: list[Finding]
    paths: list[str]
    keys: list[array[int]]
    spans: list[array[int]]


def _measure(root: Path, files: Sequence[str], complexity: int) -> _Part:
    """Complexity findings, and duplication keys and spans, of `files` in the order given."""
    part = _Part([], [], [], [])
    for rel in files:
        text = _read(root / rel)
        if text is None:
            continue  # the Ruff engine reports it
        lines = logical_lines(text)
        part.findings.extend(_complexity_findings(rel, lines, complexity))
        part.paths.append(rel)
        file_keys = array("q")
        file_spans = array("l")
        for code, line, end_line in units(lines):
            data = code.encode("utf-8")
            file_keys.append((zlib.crc32(data) << 32 | zlib.adler32(data)) % _MOD)  # _key, inlined
            file_spans.append(line)
            file_spans.append(end_line)
        part.keys.append(file_keys)
        part.spans.append(file_spans)
    return part


def _shares(root: Path, files: Sequence[str], count: int) -> list[list[str]]:
    """`files` cut into `count` consecutive shares of about the same number of bytes."""
    sizes = []
    for rel in files:
        try:
            sizes.append((root / rel).stat().st_size)
        except OSError:
            sizes.append(0)
    total = sum(sizes) or 1
    shares: list[list[str]] = [[] for _ in range(count)]
    done = 0
    for rel, size in zip(files, sizes, strict=True):
        shares[min(count - 1, done * count // total)].append(rel)
        done += size
    return [share for share in shares if share]


def _measure_all(root: Path, files: Sequence[str], complexity: int) -> list[_Part]:
    """`_measure` over `files`, in forked worker processes (one per core) when the tree is large, this process
    runs no other thread (forking beside threads can deadlock) and fork exists; else here."""
    cores = os.cpu_count() or 1
    if (len(files) < PARALLEL_FILES or cores < 2 or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return [_measure(root, files, complexity)]
    shares = _shares(root, files, cores)
    context = multiprocessing.get_context("fork")
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=len(shares), mp_context=context) as pool:
            return list(pool.map(_measure, [root] * len(shares), shares, [complexity] * len(shares)))
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        return [_measure(root, files, complexity)]  # no process to spare: the same work here


def analyse(root: Path, files: Sequence[str], complexity: int = DEFAULT_COMPLEXITY,
            duplicate_lines: int = DEFAULT_DUPLICATE_LINES) -> EngineResult:
    """Complexity and duplication findings for `files` (paths relative to `root`), sorted by path and line."""
    paths: list[str] = []
    keys: list[array[int]] = []
    spans: list[array[int]] = []
    findings: list[Finding] = []
    for part in _measure_all(root, sorted(dict.fromkeys(files)), complexity):
        findings.extend(part.findings)
        paths.extend(part.paths)
        keys.extend(part.keys)
        spans.extend(part.spans)
    findings.extend(_duplication_findings(paths, keys, spans, duplicate_lines))
    findings.sort(key=lambda f: (f.location.path if f.location else "",
                                 (f.location.line or 0) if f.location else 0, f.rule_id))
    return EngineResult(tuple(findings), ())


def quality_engine(complexity: int = DEFAULT_COMPLEXITY,
                   duplicate_lines: int = DEFAULT_DUPLICATE_LINES) -> SastEngine:
    """The quality engine with these thresholds: functions over `complexity` and duplicated runs of at least
    `duplicate_lines` logical lines are reported."""
    if complexity < 1 or duplicate_lines < 1:
        raise ValueError("quality thresholds must be at least 1")

    def run(root: Path, files: Sequence[str]) -> EngineResult:
        return analyse(root, files, complexity, duplicate_lines)

    return SastEngine(name=NAME, languages=("python",), available=lambda: True, run=run)


ENGINE = quality_engine()
