"""`.gitignore` rules: parse a file's patterns and decide whether a path is ignored.

Follows git's documented rules (gitignore(5)): blank lines and `#` comments are skipped; `!` negates; a
trailing `/` matches directories only; a pattern with a `/` at the start or in the middle is anchored to the
folder of its .gitignore, otherwise it matches a name at any depth; `*` and `?` and `[...]` do not cross
`/`, `**` does (`**/x`, `x/**`, `a/**/b`); `\\` escapes. The last matching pattern wins, and deeper
.gitignore files come after shallower ones. (As in git, a file inside an ignored folder stays ignored: the
walker never descends into it.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    base: str  # folder of the .gitignore, relative to the scan root ("" for the root), forward slashes
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


def _translate(pattern: str) -> str:
    """Regex source for a gitignore glob (without the anchoring decision)."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                at_start = i == 0 or pattern[i - 1] == "/"
                at_end = i + 2 == n or pattern[i + 2] == "/"
                if at_start and at_end:
                    if i + 2 == n:
                        out.append(".*")  # "x/**": everything inside
                        i += 2
                    else:
                        out.append("(?:.*/)?")  # "**/x", "a/**/b": zero or more folders
                        i += 3
                    continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^", "]") else i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def parse(text: str, base: str) -> list[Rule]:
    """The rules of one .gitignore whose folder is `base` (relative to the scan root)."""
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        # trailing spaces are ignored unless escaped
        stripped = line.rstrip(" ")
        if stripped.endswith("\\") and len(stripped) < len(line):
            stripped += " "
        line = stripped
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate or line.startswith("\\!") or line.startswith("\\#"):
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        source = _translate(line)
        regex = re.compile(source if anchored else f"(?:.*/)?{source}")
        rules.append(Rule(base, regex, negate, dir_only))
    return rules


def ignored(rules: list[Rule], path: str, is_dir: bool) -> bool:
    """Whether `path` (relative to the scan root) is ignored by `rules` (shallow .gitignore files first)."""
    result = False
    for rule in rules:
        if rule.dir_only and not is_dir:
            continue
        if rule.base:
            if not path.startswith(rule.base + "/"):
                continue
            relative = path[len(rule.base) + 1 :]
        else:
            relative = path
        if rule.regex.fullmatch(relative):
            result = not rule.negate
    return result
