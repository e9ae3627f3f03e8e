"""The secret matching engine: linear-time, multi-pattern, with gitleaks' keyword, entropy and allowlist rules.

Per file: binary data (a NUL byte in the first 8 KiB, or more than 30% of them not UTF-8) is skipped; the bytes
are made valid UTF-8 (invalid sequences become U+FFFD) so that every offset below is an offset into one buffer.
Then

1. keyword prefilter: one Hyperscan literal scan finds which (lower-cased, ASCII case-insensitive) keywords
   occur anywhere in the file, as gitleaks does; a rule with keywords runs only if one of them occurs;
2. one Hyperscan scan of all rule regexes yields candidate (rule, start?, end) hits; hits of rules not enabled
   for this file (keywords, `path`) are dropped. The number of hits kept is capped; past the cap, the enabled
   rules are verified with RE2 over the rest of the file instead (still linear);
3. verification: each hit becomes a bounded window (from the hit start, or, when Hyperscan could not track the
   start, the regex's longest possible match — at most `_BACK` bytes — before its end, to `_FORWARD` bytes
   after its end); overlapping windows are merged and the rule's RE2 regex runs on each window with the whole
   buffer as context (so `^`, `$` and `\\b` keep their meaning). Rules Hyperscan cannot compile run RE2 over
   the whole buffer. Python's `re` never matches anything (its parser only measures regex widths);
4. the secret (its group; the first non-empty group if that one did not take part) passes the entropy check
   (Shannon bits per character must exceed `rule.entropy`) and the rule's and the global allowlists.

Work is bounded: at most `_MAX_HITS` Hyperscan hits are kept and at most `_MAX_MATCHES` matches per rule and
file are verified (a 100 MB line full of candidates then costs a few linear passes, not one object per byte).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import re2

from shiftsec.secrets import _hyperscan as hs
from shiftsec.secrets.api import Allowlist, Rule, SecretMatch
from shiftsec.secrets.text import BINARY_PROBE, is_binary, valid_utf8

_BACK = 16384  # bytes before a hit end searched when Hyperscan has no start offset for the rule
_FORWARD = 256  # bytes after a hit end (trailing context such as `(?:[\s;]|$)`)
_MAX_HITS = 200_000  # candidate hits kept per file; past it, RE2 verifies the rest of the file
_MAX_MATCHES = 10_000  # matches of one rule in one file; the rest of the file is not verified for that rule
_LINE_CONTEXT = 4096  # bytes of a line, either side of a match, given to allowlists with target "line"


def shannon_entropy(text: str) -> float:
    """Shannon entropy of `text` in bits per character (0 for the empty string)."""
    if not text:
        return 0.0
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values())


@dataclass(frozen=True, slots=True)
class _Allow:
    regexes: tuple[re2._Regexp, ...]
    stopwords: tuple[str, ...]
    paths: tuple[re2._Regexp, ...]
    target: str
    both: bool  # condition "and"

    @classmethod
    def of(cls, allow: Allowlist) -> _Allow:
        return cls(
            tuple(re2.compile(r) for r in allow.regexes),
            tuple(s.lower() for s in allow.stopwords),
            tuple(re2.compile(p) for p in allow.paths),
            allow.target,
            allow.condition.lower() == "and",
        )

    def path_allows(self, path: str) -> bool:
        """True when the path alone allows every match (so the rule need not run on this file)."""
        if not any(p.search(path) for p in self.paths):
            return False
        return not self.both or not (self.regexes or self.stopwords)

    def allows(self, path: str, secret: str, match: str, line: str) -> bool:
        target = {"match": match, "line": line}.get(self.target, secret)
        lowered = secret.lower()
        checks: list[bool] = []
        if self.paths:
            checks.append(any(p.search(path) for p in self.paths))
        if self.regexes:
            checks.append(any(r.search(target) for r in self.regexes))
        if self.stopwords:
            checks.append(any(s in lowered for s in self.stopwords))
        return bool(checks) and (all(checks) if self.both else any(checks))


class _Compiled:
    """A rule's RE2 objects, compiled on first use: most rules never verify a hit in a given scan, and compiling
    all of them up front costs a third of a second."""

    __slots__ = ("_allows", "_path", "_regex", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._regex: re2._Regexp | None = None
        self._path: re2._Regexp | None = None
        self._allows: tuple[_Allow, ...] | None = None

    @property
    def searches(self) -> bool:
        return bool(self.rule.regex)

    @property
    def regex(self) -> re2._Regexp:
        if self._regex is None:
            self._regex = re2.compile(self.rule.regex)
        return self._regex

    @property
    def path(self) -> re2._Regexp | None:
        if self._path is None and self.rule.path:
            self._path = re2.compile(self.rule.path)
        return self._path

    @property
    def allows(self) -> tuple[_Allow, ...]:
        if self._allows is None:
            self._allows = tuple(_Allow.of(a) for a in self.rule.allowlists)
        return self._allows


@dataclass(slots=True)
class _Found:
    rule: int
    start: int  # secret span in the buffer
    end: int
    match: str
    secret: str
    match_start: int
    match_end: int


class Engine:
    """Compile `rules` (and the config's global allowlist) once; `scan` a file's bytes many times.

    `cache_dir`, if given, keeps the compiled Hyperscan database between processes (see `_hyperscan`).
    A generic rule always gives way to a specific rule on an overlapping secret (gitleaks does the same for its
    generic-api-key); `one_per_secret` also keeps only one of several specific rules reporting the very same
    secret (shiftsec's own rules; a gitleaks config keeps gitleaks' behaviour, where each reports it)."""

    def __init__(
        self,
        rules: Iterable[Rule],
        global_allowlist: Allowlist | None = None,
        *,
        cache_dir: str | None = None,
        one_per_secret: bool = False,
    ) -> None:
        self.rules = tuple(rules)
        self.global_allowlist = global_allowlist
        self.one_per_secret = one_per_secret
        self._global = _Allow.of(global_allowlist) if global_allowlist else None
        self._compiled = tuple(_Compiled(r) for r in self.rules)
        keywords = tuple(dict.fromkeys(k.lower() for r in self.rules for k in r.keywords))
        index = {k: i for i, k in enumerate(keywords)}
        by_keyword: list[list[int]] = [[] for _ in keywords]
        for i, rule in enumerate(self.rules):
            for k in dict.fromkeys(kw.lower() for kw in rule.keywords):
                by_keyword[index[k]].append(i)
        self._by_keyword = tuple(tuple(rules) for rules in by_keyword)
        # Generic rules (tag "generic", or "generic" as a word of the id: generic-api-key, private-key-generic)
        # give way to a more specific rule that reports an overlapping secret.
        self._generic = frozenset(
            i for i, r in enumerate(self.rules) if "generic" in r.tags or "generic" in r.id.lower().split("-")
        )
        self._always = frozenset(i for i, r in enumerate(self.rules) if not r.keywords)
        self._path_gated = frozenset(
            i for i, r in enumerate(self.rules) if r.path or any(a.paths for a in r.allowlists)
        )
        self._keywords = hs.keyword_database(keywords, cache_dir)
        # A rule limited to some paths runs on RE2 alone, on those files only: in the Hyperscan database it would
        # cost a pass over every file (one such rule once took two thirds of the whole database's scan time).
        self._regexes = hs.regex_database(tuple("" if r.path else r.regex for r in self.rules), cache_dir)
        self._back: dict[int, int] = {}  # rule → window before a hit end (see `_max_width`), on first use

    def scan(self, data: bytes, path: str) -> list[SecretMatch]:
        """Every unallowed secret in `data` (the content of the file at `path`), in file order."""
        if is_binary(data[:BINARY_PROBE]):
            return []
        if self._global is not None and self._global.path_allows(path):
            return []
        buf = valid_utf8(data)
        candidates = set(self._always)
        for k in hs.present_keywords(self._keywords, buf):
            candidates.update(self._by_keyword[k])
        if not candidates:
            return []
        enabled = sorted(i for i in candidates if i not in self._path_gated or self._path_ok(i, path))
        found: list[_Found] = []
        searched: list[int] = []
        for i in enabled:
            if not self._compiled[i].searches:
                found.append(_Found(i, 0, 0, f"file detected: {path}", "", 0, 0))
            else:
                searched.append(i)
        produced: Counter[int] = Counter()
        for i, window in self._windows(searched, buf):
            if produced[i] >= _MAX_MATCHES:
                continue
            for hit in self._verify(i, buf, *window):
                produced[i] += 1
                found.append(hit)
                if produced[i] >= _MAX_MATCHES:
                    break
        return self._report(found, buf, path) if found else []

    def _back_of(self, i: int) -> int:
        back = self._back.get(i)
        if back is None:
            back = self._back[i] = _max_width(self.rules[i].regex)
        return back

    def _path_ok(self, i: int, path: str) -> bool:
        compiled = self._compiled[i]
        if compiled.path is not None and not compiled.path.search(path):
            return False
        return not any(a.path_allows(path) for a in compiled.allows)

    def _windows(self, enabled: list[int], buf: bytes) -> Iterator[tuple[int, tuple[int, int]]]:
        """(rule, (start, end)) byte windows to verify with RE2, merged per rule."""
        flags = self._regexes.flags
        wanted = {i for i in enabled if flags[i]}
        hits: dict[int, list[tuple[int, int]]] = {i: [] for i in wanted}
        count = 0
        stopped_at: int | None = None

        def on_hit(rid: int, start: int, end: int, _flags: int, _context: object) -> bool:
            nonlocal count, stopped_at
            if rid not in wanted:
                return False
            count += 1
            if count > _MAX_HITS:
                stopped_at = end
                return True
            hits[rid].append((start if flags[rid] & hs.SOM else max(0, end - self._back_of(rid)), end + _FORWARD))
            return False

        if wanted:
            self._regexes.scan(buf, on_hit)
        for i in enabled:
            spans = hits.get(i, [])
            if stopped_at is not None or i not in wanted:
                begin = 0 if i not in wanted else max(0, stopped_at or 0) - _BACK
                spans.append((max(0, begin), len(buf)))
            merged: list[tuple[int, int]] = []
            for start, stop in sorted(spans):
                end = min(stop, len(buf))
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            for window in merged:
                yield i, window

    def _verify(self, i: int, buf: bytes, start: int, end: int) -> Iterator[_Found]:
        compiled = self._compiled[i]
        group = compiled.rule.secret_group
        for m in compiled.regex.finditer(buf, start, end):
            span = m.span(group) if 0 < group <= compiled.regex.groups else m.span()
            if span[0] < 0 or span[0] == span[1]:
                spans = [m.span(g) for g in range(1, compiled.regex.groups + 1)]
                span = next((s for s in spans if s[0] >= 0 and s[1] > s[0]), m.span())
            secret = buf[span[0] : span[1]].decode("utf-8", "replace")
            entropy = compiled.rule.entropy
            if entropy is not None and shannon_entropy(secret) <= entropy:
                continue
            match = buf[m.start() : m.end()].decode("utf-8", "replace")
            yield _Found(i, span[0], span[1], match, secret, m.start(), m.end())

    def _report(self, found: list[_Found], buf: bytes, path: str) -> list[SecretMatch]:
        """Matches that survive the allowlists: a generic rule gives way to a specific rule on an overlapping
        secret, and with `one_per_secret` only one of several rules reporting the very same secret is kept
        (see `_rank`)."""
        found.sort(key=lambda f: (f.start, f.rule, f.end))
        kept: dict[tuple[int, ...], _Found] = {}
        specific = _Spans((f.start, f.end) for f in found if f.rule not in self._generic)
        for f in found:
            if f.rule in self._generic and specific.overlaps(f.start, f.end):
                continue  # a provider rule reports this secret already
            span = (f.start, f.end) if self.one_per_secret else (f.start, f.end, f.rule)
            other = kept.get(span)
            if other is not None and self._rank(other) <= self._rank(f):
                continue
            compiled = self._compiled[f.rule]
            allows = compiled.allows + ((self._global,) if self._global is not None else ())
            line_text = _line_around(buf, f.match_start, f.match_end) if any(a.target == "line" for a in allows) else ""
            if any(a.allows(path, f.secret, f.match, line_text) for a in allows):
                continue
            kept[span] = f
        out: list[SecretMatch] = []
        cursor = _Cursor(buf)
        for f in sorted(kept.values(), key=lambda f: (f.start, f.end, f.rule)):
            line, column = cursor.position(f.start)
            end_line = line + buf.count(b"\n", f.start, f.end)
            out.append(SecretMatch(self.rules[f.rule].id, f.secret, line, column, end_line, f.match))
        out.sort(key=lambda s: (s.line, s.column, s.rule_id))
        return out

    def _rank(self, f: _Found) -> tuple[bool, int, int, int]:
        """Which of several rules reporting one secret wins: a specific one, the most severe, the one whose match
        is tightest (a token format rather than its context, e.g. `jwt` over a curl `Authorization` header
        rule), the first in the rule file."""
        return (f.rule in self._generic, -int(self.rules[f.rule].severity), f.match_end - f.match_start, f.rule)


class _Spans:
    """Byte spans (added in order of their start) asked "does any share a byte with [start, end)?" in log time."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.reach: list[int] = []  # the largest end among the spans up to each index
        for start, end in spans:
            self.starts.append(start)
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self.starts, end)  # spans starting before `end`
        return index > 0 and self.reach[index - 1] > start


class _Cursor:
    """1-based (line, column in characters) of increasing byte offsets, in time linear in the buffer."""

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.offset = 0
        self.line = 1
        self.line_start = 0
        self.column_chars = 0  # characters from line_start to offset

    def position(self, offset: int) -> tuple[int, int]:
        newlines = self.buf.count(b"\n", self.offset, offset)
        if newlines:
            self.line += newlines
            self.line_start = self.buf.rindex(b"\n", self.offset, offset) + 1
            self.offset = self.line_start
            self.column_chars = 0
        self.column_chars += len(self.buf[self.offset : offset].decode("utf-8", "replace"))
        self.offset = offset
        return self.line, self.column_chars + 1


def _line_around(buf: bytes, start: int, end: int) -> str:
    """The line(s) holding buf[start:end], at most `_LINE_CONTEXT` bytes either side."""
    low = max(0, start - _LINE_CONTEXT)
    high = min(len(buf), end + _LINE_CONTEXT)
    first = buf.rfind(b"\n", low, start) + 1 or low
    last = buf.find(b"\n", end, high)
    return buf[first : high if last < 0 else last].decode("utf-8", "replace")


def _max_width(regex: str) -> int:
    """How many bytes before a hit's end its match can start: the regex's longest match (in characters, times
    4 for UTF-8), capped at `_BACK` (also for unbounded repeats and syntax Python's parser does not know)."""
    widest = hs.max_width(regex)
    return _BACK if widest is None else min(_BACK, widest * 4)
