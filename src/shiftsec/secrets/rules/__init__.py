"""shiftsec's own secret rules: a TOML schema (documented at the top of `default.toml`) and its loader.

`load_rules(text, origin)` validates a rule file strictly (unknown fields, missing or duplicate ids, bad
severities and malformed values raise `UsageError("<origin>: rule <id>: <reason>")`); `default_rules()` loads
the rule set shipped with the package.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

import re2

from shiftsec.errors import UsageError
from shiftsec.model import Severity
from shiftsec.secrets.api import Allowlist, Rule

__all__ = [
    "SEVERITIES", "cached_default_rule_file", "default_rule_file", "default_rules", "gitleaks_map", "load_rule_file",
    "load_rules",
]

SEVERITIES: dict[str, Severity] = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_RULE_FIELDS = frozenset(
    {
        "id",
        "title",
        "regex",
        "secret_group",
        "severity",
        "keywords",
        "entropy",
        "path",
        "allowlists",
        "remediation",
        "provider",
        "tags",
    }
)
_REQUIRED = ("id", "title", "regex", "remediation", "provider")
_ALLOWLIST_FIELDS = frozenset({"regexes", "stopwords", "paths", "commits", "target", "condition"})
_TOP_FIELDS = frozenset({"rules", "allowlist"})


class _Invalid(Exception):
    pass


def _str(table: dict[str, Any], key: str, default: str | None = None) -> str | None:
    value = table.get(key, default)
    if value is not None and not isinstance(value, str):
        raise _Invalid(f"`{key}` must be a string")
    return value


def _strings(table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Invalid(f"`{key}` must be a list of strings")
    return tuple(value)


def _allowlist(table: object) -> Allowlist:
    if not isinstance(table, dict):
        raise _Invalid("`allowlists` entries must be tables")
    unknown = sorted(set(table) - _ALLOWLIST_FIELDS)
    if unknown:
        raise _Invalid(f"unknown allowlist field(s) {', '.join(unknown)}")
    target = _str(table, "target", "secret")
    if target not in ("secret", "match", "line"):
        raise _Invalid(f"allowlist target must be secret, match or line, not {target!r}")
    condition = _str(table, "condition", "or")
    if condition not in ("or", "and"):
        raise _Invalid(f"allowlist condition must be or / and, not {condition!r}")
    allow = Allowlist(
        regexes=_strings(table, "regexes"),
        stopwords=tuple(word.lower() for word in _strings(table, "stopwords")),
        paths=_strings(table, "paths"),
        commits=tuple(c.lower() for c in _strings(table, "commits")),
        target=target,
        condition=condition,
    )
    if not (allow.regexes or allow.stopwords or allow.paths or allow.commits):
        raise _Invalid("an allowlist needs regexes, stopwords, paths or commits")
    for pattern in (*allow.regexes, *allow.paths):
        _check_regex(pattern, "allowlist regex")
    return allow


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False
    return options


_RE2_OPTIONS = _re2_options()


def _check_regex(pattern: str, what: str) -> int:
    """Validate `pattern` as RE2 syntax; returns its number of capture groups."""
    for construct in ("(?=", "(?!", "(?<=", "(?<!", "(?P=", "(?>"):
        if construct in pattern:
            raise _Invalid(f"{what} uses {construct!r}, which RE2 does not support")
    if re.search(r"(?<!\\)\\[1-9]", pattern):
        raise _Invalid(f"{what} uses a backreference, which RE2 does not support")
    try:
        return int(re2.compile(pattern, _RE2_OPTIONS).groups)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise _Invalid(f"{what} is not valid RE2: {reason}") from None


def _rule(table: dict[str, Any], check_regexes: bool = True) -> Rule:
    unknown = sorted(set(table) - _RULE_FIELDS)
    if unknown:
        raise _Invalid(f"unknown field(s) {', '.join(unknown)}")
    for key in _REQUIRED:
        if not table.get(key):
            raise _Invalid(f"missing `{key}`")
    rule_id = _str(table, "id") or ""
    if not _ID.fullmatch(rule_id):
        raise _Invalid("`id` must be kebab-case ([a-z0-9]+(-[a-z0-9]+)*)")
    regex = _str(table, "regex") or ""
    groups = _check_regex(regex, "`regex`") if check_regexes else None
    group = table.get("secret_group", 0)
    if not isinstance(group, int) or isinstance(group, bool) or group < 0:
        raise _Invalid("`secret_group` must be a non-negative integer")
    if groups is not None and group > groups:
        raise _Invalid(f"`secret_group` {group} exceeds the regex's {groups} group(s)")
    severity_name = _str(table, "severity", "high") or ""
    if severity_name not in SEVERITIES:
        raise _Invalid(f"bad severity {severity_name!r} (expected one of {', '.join(SEVERITIES)})")
    keywords = _strings(table, "keywords")
    if any(word != word.lower() or not word for word in keywords):
        raise _Invalid("`keywords` must be non-empty lower-case strings")
    entropy = table.get("entropy")
    if entropy is not None:
        if not isinstance(entropy, (int, float)) or isinstance(entropy, bool) or not 0 <= entropy <= 8:
            raise _Invalid("`entropy` must be a number between 0 and 8")
        entropy = float(entropy)
    path = _str(table, "path")
    if path is not None and check_regexes:
        _check_regex(path, "`path`")
    raw_allowlists = table.get("allowlists", [])
    if not isinstance(raw_allowlists, list):
        raise _Invalid("`allowlists` must be an array of tables")
    return Rule(
        id=rule_id,
        title=_str(table, "title") or "",
        regex=regex,
        severity=SEVERITIES[severity_name],
        keywords=keywords,
        secret_group=group,
        entropy=entropy,
        path=path,
        allowlists=tuple(_allowlist(item) for item in raw_allowlists),
        remediation=_str(table, "remediation") or "",
        provider=_str(table, "provider") or "",
        tags=_strings(table, "tags"),
    )


def load_rules(text: str, origin: str, *, check_regexes: bool = True) -> tuple[Rule, ...]:
    """Parse and validate a shiftsec rule file; `origin` (a path or name) prefixes every error message.

    `check_regexes=False` skips compiling every regex (a third of a second for the shipped set): only for the
    shipped rules, which a test loads with the full check."""
    return load_rule_file(text, origin, check_regexes=check_regexes)[0]


def load_rule_file(
    text: str, origin: str, *, check_regexes: bool = True
) -> tuple[tuple[Rule, ...], Allowlist | None]:
    """The rules of a shiftsec rule file and its optional top-level `[allowlist]`, which applies to every rule
    (placeholders such as `${VAR}` or `EXAMPLE` values that no rule should report)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{origin}: not valid TOML: {exc}") from None
    unknown = sorted(set(document) - _TOP_FIELDS)
    if unknown:
        raise UsageError(f"{origin}: unknown top-level field(s) {', '.join(unknown)}")
    tables = document.get("rules", [])
    if not isinstance(tables, list):
        raise UsageError(f"{origin}: `rules` must be an array of tables ([[rules]])")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, 1):
        label = f"#{index}"
        if isinstance(table, dict) and isinstance(table.get("id"), str) and table["id"]:
            label = table["id"]
        if not isinstance(table, dict):
            raise UsageError(f"{origin}: rule {label}: must be a table")
        try:
            rule = _rule(table, check_regexes)
        except _Invalid as exc:
            raise UsageError(f"{origin}: rule {label}: {exc}") from None
        if rule.id in seen:
            raise UsageError(f"{origin}: rule {rule.id}: duplicate id")
        seen.add(rule.id)
        rules.append(rule)
    allowlist = None
    if "allowlist" in document:
        if not isinstance(document["allowlist"], dict):
            raise UsageError(f"{origin}: `allowlist` must be a table ([allowlist])")
        try:
            allowlist = _allowlist(document["allowlist"])
        except _Invalid as exc:
            raise UsageError(f"{origin}: allowlist: {exc}") from None
    return tuple(rules), allowlist


DEFAULT_ORIGIN = "shiftsec:secrets/rules/default.toml"
_CACHE_FORMAT = "shiftsec-rules-1"  # change when Rule or Allowlist change shape


def default_text() -> str:
    """The shipped rule file's text."""
    return resources.files(__name__).joinpath("default.toml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_rule_file() -> tuple[tuple[Rule, ...], Allowlist | None]:
    """shiftsec's built-in rule set and its global allowlist (`default.toml`, shipped as package data)."""
    return load_rule_file(default_text(), DEFAULT_ORIGIN, check_regexes=False)


def default_rules() -> tuple[Rule, ...]:
    """shiftsec's built-in rule set."""
    return default_rule_file()[0]


def _allow_to_json(allow: Allowlist) -> dict[str, Any]:
    return {"regexes": allow.regexes, "stopwords": allow.stopwords, "paths": allow.paths, "commits": allow.commits,
            "target": allow.target, "condition": allow.condition}


def _allow_from_json(raw: dict[str, Any]) -> Allowlist:
    return Allowlist(tuple(raw["regexes"]), tuple(raw["stopwords"]), tuple(raw["paths"]), tuple(raw["commits"]),
                     raw["target"], raw["condition"])


def _rule_to_json(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "title": rule.title, "regex": rule.regex, "severity": int(rule.severity),
            "keywords": rule.keywords, "secret_group": rule.secret_group, "entropy": rule.entropy, "path": rule.path,
            "allowlists": [_allow_to_json(a) for a in rule.allowlists], "remediation": rule.remediation,
            "provider": rule.provider, "tags": rule.tags}


def _rule_from_json(raw: dict[str, Any]) -> Rule:
    return Rule(raw["id"], raw["title"], raw["regex"], Severity(raw["severity"]), tuple(raw["keywords"]),
                raw["secret_group"], raw["entropy"], raw["path"],
                tuple(_allow_from_json(a) for a in raw["allowlists"]), raw["remediation"], raw["provider"],
                tuple(raw["tags"]))


def cached_default_rule_file(cache_dir: str | None) -> tuple[tuple[Rule, ...], Allowlist | None]:
    """`default_rule_file()`, kept as JSON in `cache_dir` keyed by the rule file's hash: loading it takes a
    few milliseconds where parsing the TOML takes fifty, on every scan (a pre-commit hook's start-up)."""
    if cache_dir is None:
        return default_rule_file()
    text = default_text()
    key = hashlib.sha256(f"{_CACHE_FORMAT}\n{text}".encode()).hexdigest()[:24]
    file = os.path.join(cache_dir, f"rules-{key}.json")
    try:
        with open(file, encoding="utf-8") as stream:
            raw = json.load(stream)
        return tuple(_rule_from_json(r) for r in raw["rules"]), (
            _allow_from_json(raw["allowlist"]) if raw["allowlist"] is not None else None
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent or unreadable: parse, then write it
    rules, allowlist = default_rule_file()
    data = {"rules": [_rule_to_json(r) for r in rules],
            "allowlist": _allow_to_json(allowlist) if allowlist is not None else None}
    with contextlib.suppress(OSError):
        with open(file + ".tmp", "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(file + ".tmp", file)
    return rules, allowlist


def gitleaks_map() -> dict[str, tuple[str, ...]]:
    """gitleaks rule id → the shiftsec rule id(s) covering it (`gitleaks_map.toml`; a list where shiftsec splits a
    gitleaks rule, e.g. Stripe live / test / restricted keys)."""
    text = resources.files(__name__).joinpath("gitleaks_map.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text).get("map", {})
    result: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        ids = [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not ids or not all(isinstance(item, str) for item in ids):
            raise UsageError(f"gitleaks_map.toml: {key}: expected a rule id or a list of rule ids")
        result[str(key)] = tuple(ids)
    return result
