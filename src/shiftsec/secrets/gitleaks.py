"""Read a gitleaks configuration file (TOML, as gitleaks itself reads it) into shiftsec `Rule`s.

Supported: `[[rules]]` (id, description, regex, secretGroup, entropy, keywords, path, tags), a rule's
`[[rules.allowlists]]` and the older single `[rules.allowlist]` (regexes, stopwords, paths, regexTarget,
condition, commits: honoured by `shiftsec repo`), the top-level `[allowlist]` and
`[[allowlists]]`. `[extend]` with `useDefault` or `path` is refused (a `UsageError`: shiftsec does not bundle
gitleaks' default config and does not follow includes); `[extend] disabledRules` is honoured.

Gitleaks regexes are Go RE2 syntax; shiftsec verifies with the C++ RE2 library (`re2`), which accepts the same
syntax (mid-pattern flags such as `foo(?i)bar`, `(?-i:...)`, `\\z`, `(?P<name>...)`, `(?s:.)`), so patterns are
used unchanged. A regex RE2 rejects is reported per rule (`RuleError`), never a crash.

Secret group: gitleaks uses the first non-empty capture group when `secretGroup` is unset. `Rule.secret_group`
0 means the whole match, so a regex with capture groups and no `secretGroup` gets group 1; the engine falls back
to the first non-empty group when the chosen group did not take part in a match.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import re2

from shiftsec.errors import UsageError
from shiftsec.model import Severity
from shiftsec.secrets.api import Allowlist, Rule


@dataclass(frozen=True, slots=True)
class RuleError:
    """A gitleaks rule that cannot be used, and why (one line)."""

    rule_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class GitleaksConfig:
    rules: tuple[Rule, ...]
    allowlist: Allowlist | None
    errors: tuple[RuleError, ...]


class RuleCompileError(UsageError):
    """Some gitleaks rules cannot be compiled; `errors` names each rule and the reason."""

    def __init__(self, errors: tuple[RuleError, ...]) -> None:
        listed = "; ".join(f"{e.rule_id}: {e.reason}" for e in errors)
        super().__init__(f"gitleaks config: {len(errors)} rule(s) cannot be compiled: {listed}")
        self.errors = errors


def load_gitleaks(text: str) -> tuple[tuple[Rule, ...], Allowlist | None]:
    """Rules and global allowlist of a gitleaks config; raises `RuleCompileError` if any rule is unusable."""
    config = parse_gitleaks(text)
    if config.errors:
        raise RuleCompileError(config.errors)
    return config.rules, config.allowlist


def parse_gitleaks(text: str) -> GitleaksConfig:
    """Like `load_gitleaks`, but returns the usable rules together with the list of unusable ones."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"gitleaks config is not valid TOML: {exc}") from None
    disabled = _extend(doc.get("extend"))
    globals_ = [_allowlist(a, "global allowlist") for a in _tables(doc, "allowlist", "allowlists", "config")]
    # `load_gitleaks` returns one global allowlist; any further ones are applied to every rule instead.
    extra = tuple(globals_[1:])
    rules: list[Rule] = []
    errors: list[RuleError] = []
    raw_rules = doc.get("rules", [])
    if not isinstance(raw_rules, list):
        raise UsageError("gitleaks config: `rules` must be an array of tables ([[rules]])")
    for index, raw in enumerate(raw_rules):
        if not isinstance(raw, dict):
            raise UsageError(f"gitleaks config: rules[{index}] is not a table")
        rule_id = str(raw.get("id") or f"rules[{index}]")
        if rule_id in disabled:
            continue
        try:
            rule = _rule(raw, rule_id)
        except _Invalid as exc:
            errors.append(RuleError(rule_id, str(exc)))
            continue
        if extra:
            rule = _with_allowlists(rule, extra)
        rules.append(rule)
    return GitleaksConfig(tuple(rules), globals_[0] if globals_ else None, tuple(errors))


class _Invalid(Exception):
    pass


_QUIET = re2.Options()
_QUIET.log_errors = False  # the reason is reported in the exception; RE2 need not also log it to stderr


def _extend(extend: object) -> frozenset[str]:
    if extend is None:
        return frozenset()
    if not isinstance(extend, dict):
        raise UsageError("gitleaks config: [extend] must be a table")
    if extend.get("useDefault") or extend.get("path") or extend.get("url"):
        raise UsageError(
            "gitleaks config: [extend] useDefault/path is not supported (shiftsec does not bundle gitleaks' "
            "default rules); merge the configs into one file"
        )
    return frozenset(str(r) for r in extend.get("disabledRules", []))


def _tables(doc: Mapping[str, Any], single: str, many: str, where: str) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    one = doc.get(single)
    if one is not None:
        if not isinstance(one, dict):
            raise UsageError(f"gitleaks config: {where}: `{single}` must be a table")
        found.append(one)
    several = doc.get(many, [])
    if not isinstance(several, list) or not all(isinstance(a, dict) for a in several):
        raise UsageError(f"gitleaks config: {where}: `{many}` must be an array of tables")
    found.extend(several)
    return found


def _check_regex(pattern: object, what: str) -> str:
    if not isinstance(pattern, str):
        raise _Invalid(f"{what} must be a string")
    try:
        re2.compile(pattern, options=_QUIET)
    except re2.error as exc:
        raise _Invalid(f"{what} does not compile: {exc}") from None
    return pattern


def _strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"`{key}` must be an array of strings")
    return tuple(value)


def _allowlist(raw: Mapping[str, Any], where: str) -> Allowlist:
    try:
        return _allowlist_checked(raw)
    except _Invalid as exc:
        raise UsageError(f"gitleaks config: {where}: {exc}") from None


def _allowlist_checked(raw: Mapping[str, Any]) -> Allowlist:
    target = str(raw.get("regexTarget") or "secret").lower()
    if target not in ("secret", "match", "line"):
        raise _Invalid(f"regexTarget {target!r} (expected secret, match or line)")
    condition = str(raw.get("condition") or "or").lower()
    if condition not in ("or", "and"):
        raise _Invalid(f"condition {condition!r} (expected OR or AND)")
    regexes = tuple(_check_regex(r, "allowlist regex") for r in _strings(raw, "regexes"))
    paths = tuple(_check_regex(p, "allowlist path") for p in _strings(raw, "paths"))
    stopwords = tuple(s.lower() for s in _strings(raw, "stopwords"))
    commits = tuple(c.strip().lower() for c in _strings(raw, "commits") if c.strip())
    return Allowlist(regexes=regexes, stopwords=stopwords, paths=paths, commits=commits, target=target,
                     condition=condition)


def _rule(raw: Mapping[str, Any], rule_id: str) -> Rule:
    regex = raw.get("regex", "")
    path = raw.get("path")
    if not regex and not path:
        raise _Invalid("rule has neither `regex` nor `path`")
    groups = re2.compile(_check_regex(regex, "regex")).groups if regex else 0
    if path is not None:
        path = _check_regex(path, "path")
    group = raw.get("secretGroup", 0)
    if not isinstance(group, int) or group < 0 or group > groups:
        raise _Invalid(f"secretGroup {group!r} but the regex has {groups} group(s)")
    if group == 0 and groups > 0:
        group = 1
    entropy = raw.get("entropy")
    if entropy is not None and not isinstance(entropy, int | float):
        raise _Invalid("`entropy` must be a number")
    allowlists = tuple(_allowlist_checked(a) for a in _tables(raw, "allowlist", "allowlists", rule_id))
    return Rule(
        id=rule_id,
        title=str(raw.get("description") or rule_id),
        regex=regex,
        severity=Severity.HIGH,
        keywords=tuple(dict.fromkeys(k.lower() for k in _strings(raw, "keywords"))),
        secret_group=group,
        entropy=float(entropy) if entropy else None,
        path=path,
        allowlists=allowlists,
        remediation="",
        provider=rule_id.split("-", maxsplit=1)[0],
        tags=_strings(raw, "tags"),
    )


def _with_allowlists(rule: Rule, extra: tuple[Allowlist, ...]) -> Rule:
    return replace(rule, allowlists=rule.allowlists + extra)
