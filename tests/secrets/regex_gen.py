"""A small, deterministic generator of strings matching a regex (RE2 / Go syntax, as gitleaks writes it).

`Generator(pattern, seed)` parses the pattern once with Python's `re._parser` (after `to_python` rewrites the few
RE2 constructs Python's parser does not read) and `generate()` walks the parse tree:

- literals are emitted as written; under `(?i)` the letters *outside* the secret get one case style per sample
  (as written, lower, upper), so a keyword such as `mailchimp` appears as `MAILCHIMP_KEY` and `mailchimp_key`. "The
  secret" is the secret group and any later capturing group (alternative token branches such as gitleaks'
  `...([a-z0-9]{24})|\\b(ATATT3[...]{186})`), or the whole pattern when `secret_group` is 0;
- character classes, categories (`\\d`, `\\w`, `\\s`), negated classes and `.` draw from printable ASCII plus tab
  (a newline only when the class holds nothing else), and `.` is a literal dot half of the time (gitleaks writes
  `hooks.slack.com` with unescaped dots); classes are drawn as written, without case folding: gitleaks
  writes a token's alphabet in the case the provider issues it and uses `(?i)` for the surrounding keyword;
- repeats pick a count uniformly: inside the secret in `[min, max]` (the token lengths the pattern states;
  `[min, min + secret_cap]` for `*`, `+`, `{m,}`), elsewhere in `[min, min(max, min + cap)]`, and a lazy repeat
  outside the secret takes its minimum, so that the context around a secret stays short and plausible (gitleaks'
  `[\\w.-]{0,50}?` before a keyword only widens the match to the whole variable name);
- alternations pick a branch uniformly; groups recurse; anchors and `\\b` emit nothing (a sample that needs them
  and does not meet them is rejected by the caller, who checks every sample with a real matcher).

The output is not guaranteed to match (boundaries, lazy repeats and the rule's entropy or allowlists can reject
it): callers regenerate until their matcher accepts a sample. Same pattern + seed → same samples.
"""

from __future__ import annotations

import random
import re
import re._constants as c  # type: ignore[import-not-found]
import re._parser as sre_parser  # type: ignore[import-not-found]
import string
from typing import Any

__all__ = ["Generator", "to_python"]

# Printable ASCII plus the whitespace a class may require; `_PREFERRED` leaves out line breaks.
_UNIVERSE = "".join(chr(i) for i in range(0x20, 0x7F)) + "\t\n\r"
_PREFERRED = frozenset(_UNIVERSE) - {"\n", "\r"}

_POSIX = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "lower": "a-z",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
    "space": r"\s",
    "word": r"\w",
    "blank": r" \t",
    "punct": re.escape(string.punctuation),
}
_SCOPED_FLAGS = re.compile(r"\(\?([a-zA-Z]*(?:-[a-zA-Z]+)?)\)")


def to_python(pattern: str) -> str:
    """Rewrite RE2 syntax that Python's parser rejects into an equivalent Python pattern: `\\z` becomes `\\Z`,
    POSIX classes (`[[:alnum:]]`) are expanded, and a flag group in mid-pattern (`foo(?i)bar`, which RE2 applies to
    the rest of the enclosing group) becomes a scoped group `foo(?i:bar)`."""
    out: list[str] = []
    scoped: list[list[str]] = [[]]  # per open group: the scoped-flag groups opened in it, to close with it
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            escape = pattern[i : i + 2]
            out.append("\\Z" if escape == "\\z" else escape)
            i += 2
        elif ch == "[":
            end, text = _char_class(pattern, i)
            out.append(text)
            i = end
        elif ch == "(":
            flags = _SCOPED_FLAGS.match(pattern, i)
            if flags and i > 0:
                out.append(f"(?{flags.group(1)}:")
                scoped[-1].append(flags.group(1))
                i = flags.end()
            else:
                out.append(ch)
                scoped.append([])
                i += 1
        elif ch == "|":
            # RE2 keeps the flags past `|` up to the group's end: close the scoped groups and reopen them.
            opened = scoped[-1]
            out.append(")" * len(opened) + "|" + "".join(f"(?{flags}:" for flags in opened))
            i += 1
        elif ch == ")":
            out.append(")" * len(scoped.pop()) + ")")
            if not scoped:
                raise ValueError(f"unbalanced ')' at {i} in {pattern!r}")
            i += 1
        else:
            out.append(ch)
            i += 1
    if len(scoped) != 1:
        raise ValueError(f"unbalanced '(' in {pattern!r}")
    return "".join(out) + ")" * len(scoped[0])


def _char_class(pattern: str, start: int) -> tuple[int, str]:
    """The end of the class opening at `start`, and its text with POSIX classes expanded."""
    out = ["["]
    i = start + 1
    if pattern[i : i + 1] == "^":
        out.append("^")
        i += 1
    first = True
    while i < len(pattern):
        ch = pattern[i]
        if ch == "]" and not first:
            out.append("]")
            return i + 1, "".join(out)
        first = False
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif pattern.startswith("[:", i):
            end = pattern.index(":]", i)
            out.append(_POSIX[pattern[i + 2 : end]])
            i = end + 2
        elif ch == "[":
            out.append("\\[")  # a literal '[' (Python warns about possible nested sets otherwise)
            i += 1
        else:
            out.append(ch)
            i += 1
    raise ValueError(f"unterminated character class at {start} in {pattern!r}")


def _category(category: Any, ch: str) -> bool:
    if category in (c.CATEGORY_DIGIT, c.CATEGORY_NOT_DIGIT):
        hit = ch in string.digits
        return hit if category is c.CATEGORY_DIGIT else not hit
    if category in (c.CATEGORY_SPACE, c.CATEGORY_NOT_SPACE):
        hit = ch in " \t\n\r\x0b\x0c"
        return hit if category is c.CATEGORY_SPACE else not hit
    if category in (c.CATEGORY_WORD, c.CATEGORY_NOT_WORD):
        hit = ch in string.ascii_letters + string.digits + "_"
        return hit if category is c.CATEGORY_WORD else not hit
    raise ValueError(f"unsupported category {category}")


def _in_class(items: list[tuple[Any, Any]], ch: str) -> bool:
    negate = False
    hit = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            hit = hit or ord(ch) == av
        elif op is c.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op is c.CATEGORY:
            hit = hit or _category(av, ch)
        else:
            raise ValueError(f"unsupported class item {op}")
    return hit != negate


class Generator:
    """Strings matching `pattern` (see the module docstring); `secret_group` is the capture group holding the secret
    (0: the whole match), whose letters keep their written case under `(?i)` and whose repeats span their bounds."""

    def __init__(
        self, pattern: str, seed: object, *, secret_group: int = 0, cap: int = 12, secret_cap: int = 32
    ) -> None:
        self.pattern = pattern
        self.parsed = sre_parser.parse(to_python(pattern))
        self.rng = random.Random(str(seed))
        self.secret_group = secret_group
        self.cap = cap
        self.secret_cap = secret_cap
        self._classes: dict[int, tuple[str, ...]] = {}
        self._case = "as-written"

    def generate(self) -> str:
        self._case = self.rng.choice(("as-written", "lower", "upper"))
        out: list[str] = []
        self._emit(self.parsed, self.parsed.state.flags, self.secret_group == 0, out)
        return "".join(out)

    def _choose(self, items: list[tuple[Any, Any]] | int | None) -> str:
        """A character of a class (`items`), of `.` (`None`) or of the complement of one literal (an int)."""
        cache_key = -1 if items is None else -2 - items if isinstance(items, int) else id(items)
        choices = self._classes.get(cache_key)
        if choices is None:
            if items is None:
                allowed = [ch for ch in _UNIVERSE if ch not in "\n\r"]
            elif isinstance(items, int):
                allowed = [ch for ch in _UNIVERSE if ord(ch) != items]
            else:
                allowed = [ch for ch in _UNIVERSE if _in_class(items, ch)]
            preferred = [ch for ch in allowed if ch in _PREFERRED]
            choices = tuple(preferred or allowed)
            if not choices:
                raise ValueError(f"empty character class in {self.pattern!r}")
            self._classes[cache_key] = choices
        return self.rng.choice(choices)

    def _literal(self, code: int, flags: int, secret: bool) -> str:
        ch = chr(code)
        if not (flags & c.SRE_FLAG_IGNORECASE) or secret or self._case == "as-written":
            return ch
        return ch.lower() if self._case == "lower" else ch.upper()

    def _emit(self, items: Any, flags: int, secret: bool, out: list[str]) -> None:
        for op, av in items:
            if op is c.LITERAL:
                out.append(self._literal(av, flags, secret))
            elif op is c.NOT_LITERAL:
                out.append(self._choose(av))
            elif op is c.ANY:
                # An unescaped `.` in a token pattern is nearly always a sloppy literal dot (`hooks.slack.com`).
                out.append("." if self.rng.random() < 0.5 else self._choose(None))
            elif op is c.IN:
                out.append(self._choose(av))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                low, high, sub = av
                if op is c.MIN_REPEAT and not secret:
                    top = low  # a lazy filler (`[\w.-]{0,50}?` before a keyword) as short as the author meant
                elif high is c.MAXREPEAT:
                    top = low + (self.secret_cap if secret else self.cap)
                else:
                    top = high if secret else min(high, low + self.cap)
                for _ in range(self.rng.randint(low, top)):
                    self._emit(sub, flags, secret, out)
            elif op is c.SUBPATTERN:
                group, add, delete, sub = av
                inner = (flags | add) & ~delete
                # Capturing groups hold token parts (gitleaks reports the first non-empty one when an alternation
                # has several); context keywords sit in non-capturing groups.
                token = group is not None and (self.secret_group == 0 or group >= self.secret_group)
                self._emit(sub, inner, secret or token, out)
            elif op is c.ATOMIC_GROUP:
                self._emit(av, flags, secret, out)
            elif op is c.BRANCH:
                self._emit(self.rng.choice(av[1]), flags, secret, out)
            elif op is c.AT:
                continue  # anchors and word boundaries emit nothing; the caller's matcher judges the sample
            else:
                raise ValueError(f"unsupported regex construct {op} in {self.pattern!r}")
