"""The contract between secret rules, the matching engine and the secret scanner.

A `Rule` is data (loaded from shiftsec's own TOML rule files or from a gitleaks config). The engine compiles a
tuple of rules once and returns `SecretMatch`es for a file's bytes; the scanner turns matches into findings
(redacted: a match carries the secret only until the scanner hashes and redacts it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shiftsec.model import Severity


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Matches to ignore. `regexes` are tried on the secret (or, with `target="match"`, on the whole match,
    or `target="line"` on the line); `stopwords` are substrings of the secret; `paths` are regexes on the file
    path; `commits` are commit hashes (or prefixes of 7+ characters) whose additions a history scan ignores
    (only as an alternative: under condition "and" they are not used). A rule's allowlist applies to that rule;
    the config's global allowlist to every rule."""

    regexes: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()
    target: str = "secret"  # secret | match | line
    condition: str = "or"  # gitleaks: "or" (any criterion) or "and" (every criterion given)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # stable, e.g. "aws-access-key-id"
    title: str
    regex: str  # RE2 syntax; the secret is group `secret_group` (0 = whole match)
    severity: Severity = Severity.HIGH
    keywords: tuple[str, ...] = ()  # lower-case; a file (or line) without any of them is not tried
    secret_group: int = 0
    entropy: float | None = None  # minimum Shannon entropy of the secret (bits per character)
    path: str | None = None  # a regex on the file path the rule is limited to (gitleaks `path`)
    allowlists: tuple[Allowlist, ...] = ()
    remediation: str = ""  # where to revoke / rotate
    provider: str = ""  # e.g. "AWS", "GitHub"; groups rules in reports and recall tables
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecretMatch:
    rule_id: str
    secret: str  # the raw value: never leaves the scanner
    line: int  # 1-based
    column: int  # 1-based, of the secret
    end_line: int
    match: str  # the whole match (for allowlists with target "match"); never leaves the scanner


class Matcher(Protocol):
    """What the scanner needs of an engine: the matches of the rules it was built with in one file."""

    def scan(self, data: bytes, path: str) -> list[SecretMatch]: ...
