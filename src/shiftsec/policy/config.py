"""`shiftsec.yaml`: which scanners run where, and the policy that turns findings into a verdict.

The file is found at the scanned repository's root (or given with `--config`); a policy the security team
owns can live in its own file (`--policy FILE`, holding a `policy:` section or just that section's keys) and
then wins: the repository file's `policy` section is ignored entirely, so a change cannot loosen the rules or
approve its own exceptions. Without any file the built-in defaults apply (`DEFAULT_POLICY`).

Every key is validated here, against the same rules `schemas/shiftsec-config.schema.json` states for editors:
an unknown key, a wrong type, a bad date or severity, an exception without owner, reason or expiry, each gives
one `ConfigError` naming the file, the line and the key (`shiftsec.yaml:14: policy.exceptions[0].expires: …`).
The format is documented in docs/policy.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shiftsec.errors import InputError
from shiftsec.model import FindingType, Severity
from shiftsec.policy.yamlfile import Doc, kind, read

__all__ = [
    "CONFIG_NAMES", "DEFAULT_POLICY", "SCANNER_NAMES", "VEX_JUSTIFICATIONS", "Config", "ConfigError",
    "FailRule", "Policy", "PolicyException", "ScannerSettings", "find_config", "load_config", "load_policy",
]

CONFIG_NAMES = ("shiftsec.yaml", "shiftsec.yml", ".shiftsec.yaml", ".shiftsec.yml")
SCANNER_NAMES = ("vuln", "secret", "misconfig", "sast")
SAST_ENGINES = ("ruff", "quality", "bandit", "semgrep")  # as shiftsec.sast.scan.ENGINE_NAMES
VEX_JUSTIFICATIONS = (
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
)
_HINT = "the format: docs/policy.md"
_TYPES = {t.value: t for t in FindingType}
_COMPARISON = re.compile(r"^\s*(>=|>|==|<=|<)?\s*(\S+)\s*$")


class ConfigError(InputError):
    """A policy or configuration file that cannot be used; the message names the file, line and key."""


@dataclass(frozen=True, slots=True)
class FailRule:
    """One fail condition: a finding meets it when every condition given holds (`types` empty = any type).
    `severities` is the set the severity condition admits (None = any severity)."""

    name: str
    types: tuple[FindingType, ...] = ()
    severities: frozenset[Severity] | None = None
    severity_text: str = ""  # the condition as written, normalised: ">= HIGH"
    fix_available: bool | None = None
    kev: bool | None = None
    min_epss: float | None = None
    rule_ids: tuple[str, ...] = ()  # globs on the finding's rule id
    source: str = ""  # file:line
    max_allowed: int = 0  # the rule fails only when more findings than this meet it

    def describe(self) -> str:
        """The rule in words: "vulnerability, severity >= HIGH, fix available"."""
        parts = [" or ".join(t.value for t in self.types) if self.types else "any finding"]
        if self.severity_text:
            parts.append(f"severity {self.severity_text}")
        if self.fix_available is not None:
            parts.append("fix available" if self.fix_available else "no fix available")
        if self.kev is not None:
            parts.append("known exploited (CISA KEV)" if self.kev else "not in CISA KEV")
        if self.min_epss is not None:
            parts.append(f"EPSS >= {self.min_epss:g}")
        if self.rule_ids:
            parts.append(f"rule {' or '.join(self.rule_ids)}")
        if self.max_allowed:
            parts.append(f"more than {self.max_allowed}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class PolicyException:
    """A governed exception: what it covers (every selector given must match), why, who answers for it and
    until when. `vex_justification` (OpenVEX vocabulary) makes it a VEX statement in `--format openvex`."""

    reason: str
    owner: str
    expires: datetime.date
    source: str  # file:line
    ids: tuple[str, ...] = ()  # advisory ids or aliases, or rule ids (case-insensitive)
    packages: tuple[str, ...] = ()  # purls; without a version: every version
    paths: tuple[str, ...] = ()  # globs on the finding's file (`**` crosses folders)
    fingerprints: tuple[str, ...] = ()
    vex_justification: str | None = None

    def covers(self) -> str:
        """What it selects, in words: "CVE-2023-32681 in pkg:pypi/requests"."""
        parts = []
        if self.ids:
            parts.append(", ".join(self.ids))
        if self.packages:
            parts.append("in " + ", ".join(self.packages))
        if self.paths:
            parts.append("at " + ", ".join(self.paths))
        if self.fingerprints:
            parts.append("fingerprint " + ", ".join(self.fingerprints))
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Policy:
    fail: tuple[FailRule, ...]
    exceptions: tuple[PolicyException, ...] = ()
    new_only: bool = True
    allow_inline_ignores: bool = True
    source: str = "built-in defaults"


@dataclass(frozen=True, slots=True)
class ScannerSettings:
    """One scanner's settings. `enabled` None: run it when the repository holds what it scans."""

    enabled: bool | None = None
    skip: tuple[str, ...] = ()  # globs of paths this scanner leaves out
    include_dev: bool = False  # vuln
    standard: str | None = None  # misconfig: pss-baseline | pss-restricted
    checks: tuple[Path, ...] = ()  # misconfig: folders of Rego checks (relative to the file's folder)
    render: bool = True  # misconfig: render Helm charts and kustomizations
    rules: Path | None = None  # secret: a gitleaks-format rule file instead of the built-in rules
    engines: tuple[str, ...] = ()  # sast: engine names (empty: the built-in ones, ruff and quality)
    semgrep_rules: tuple[Path, ...] = ()  # sast: local Semgrep rule files or folders
    engine_paths: tuple[tuple[str, Path], ...] = ()  # sast: ("bandit" | "semgrep", executable or home)
    complexity: int | None = None  # sast: the quality engine's complexity threshold
    duplicate_lines: int | None = None  # sast: the quality engine's duplicated-block size


@dataclass(frozen=True, slots=True)
class Config:
    policy: Policy
    scanners: Mapping[str, ScannerSettings] = field(default_factory=dict)
    skip: tuple[str, ...] = ()  # globs of paths every scanner leaves out
    source: str | None = None

    def scanner(self, name: str) -> ScannerSettings:
        return self.scanners.get(name) or ScannerSettings()


DEFAULT_POLICY = Policy(fail=(
    FailRule("vulnerabilities", (FindingType.VULNERABILITY,), frozenset({Severity.HIGH, Severity.CRITICAL}),
             ">= HIGH"),
    FailRule("secrets", (FindingType.SECRET,)),
    FailRule("misconfigurations", (FindingType.MISCONFIG,), frozenset({Severity.HIGH, Severity.CRITICAL}),
             ">= HIGH"),
    FailRule("code", (FindingType.SAST,), frozenset({Severity.HIGH, Severity.CRITICAL}), ">= HIGH"),
))


def find_config(root: Path) -> Path | None:
    """The configuration file at the root of the scanned tree, if there is one."""
    folder = root if root.is_dir() else root.parent
    for name in CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None, *, policy_file: Path | None = None) -> Config:
    """The configuration at `path` (None: built-in defaults), with the policy of `policy_file` instead of its
    own when given."""
    config = Config(policy=DEFAULT_POLICY)
    if path is not None:
        data, doc = read(path, ConfigError, _HINT)
        top = doc.mapping(data, (), ("version", "scanners", "skip", "policy"))
        _version(doc, top)
        config = Config(
            policy=_policy(doc, top["policy"], ("policy",)) if "policy" in top else DEFAULT_POLICY,
            scanners=_scanners(doc, top.get("scanners")),
            skip=doc.texts(top["skip"], ("skip",)) if top.get("skip") is not None else (),
            source=str(path),
        )
    if policy_file is not None:
        config = Config(policy=load_policy(policy_file), scanners=config.scanners, skip=config.skip,
                        source=config.source)
    return config


def load_policy(path: Path) -> Policy:
    """A policy on its own: a file with a top-level `policy:` section, or with that section's keys at the top."""
    data, doc = read(path, ConfigError, _HINT)
    if isinstance(data, dict) and "policy" in data:
        top = doc.mapping(data, (), ("version", "policy"))
        _version(doc, top)
        return _policy(doc, top["policy"], ("policy",))
    return _policy(doc, data, ())


def _version(doc: Doc, top: Mapping[str, Any]) -> None:
    if "version" in top and top["version"] != 1:
        raise doc.fail(("version",), f"unsupported version {top['version']!r} (this shiftsec reads version 1)")


def _scanners(doc: Doc, value: Any) -> dict[str, ScannerSettings]:
    section = doc.mapping(value, ("scanners",), SCANNER_NAMES)
    out = {}
    for name, body in section.items():
        where = ("scanners", name)
        if isinstance(body, bool):  # `secret: false`
            out[name] = ScannerSettings(enabled=body)
            continue
        keys = {"vuln": ("enabled", "skip", "include_dev"),
                "sast": ("enabled", "skip", "engines", "semgrep_rules", "bandit", "semgrep", "complexity",
                         "duplicate_lines"),
                "secret": ("enabled", "skip", "rules"),
                "misconfig": ("enabled", "skip", "standard", "checks", "render")}[name]
        entry = doc.mapping(body, where, keys)
        base = doc.path.parent
        standard = entry.get("standard")
        if standard is not None and standard not in ("pss-baseline", "pss-restricted"):
            raise doc.fail((*where, "standard"), f"unknown standard {standard!r} (pss-baseline or pss-restricted)")
        enabled = entry.get("enabled")
        engines = doc.texts(entry["engines"], (*where, "engines")) if entry.get("engines") is not None else ()
        for i, engine in enumerate(engines):
            if engine not in SAST_ENGINES:
                raise doc.fail((*where, "engines", i), f"unknown engine {engine!r} (expected one of: "
                                                       f"{', '.join(SAST_ENGINES)})")
        semgrep_rules = tuple(base / r for r in doc.texts(entry["semgrep_rules"], (*where, "semgrep_rules"))) \
            if entry.get("semgrep_rules") is not None else ()
        if "semgrep" in engines and not semgrep_rules:
            raise doc.fail((*where, "engines"), "the semgrep engine needs `semgrep_rules`: local rule files or "
                                                "folders (shiftsec never uses the Semgrep registry)")
        thresholds = {key: _count(doc, entry[key], (*where, key)) for key in ("complexity", "duplicate_lines")
                      if entry.get(key) is not None}
        for key, number in thresholds.items():
            if number < 1:
                raise doc.fail((*where, key), f"expected a whole number of 1 or more, found {number}")
        out[name] = ScannerSettings(
            enabled=None if enabled is None else doc.typed(enabled, (*where, "enabled"), bool, "true or false"),
            skip=doc.texts(entry["skip"], (*where, "skip")) if entry.get("skip") is not None else (),
            include_dev=doc.typed(entry.get("include_dev", False), (*where, "include_dev"), bool, "true or false"),
            standard=standard,
            checks=tuple(base / p for p in doc.texts(entry["checks"], (*where, "checks")))
            if entry.get("checks") is not None else (),
            render=doc.typed(entry.get("render", True), (*where, "render"), bool, "true or false"),
            rules=base / doc.text(entry["rules"], (*where, "rules")) if entry.get("rules") is not None else None,
            engines=engines,
            semgrep_rules=semgrep_rules,
            engine_paths=tuple((tool, base / doc.text(entry[tool], (*where, tool))) for tool in ("bandit", "semgrep")
                               if entry.get(tool) is not None),
            complexity=thresholds.get("complexity"),
            duplicate_lines=thresholds.get("duplicate_lines"),
        )
    return out


def _policy(doc: Doc, value: Any, where: tuple[Any, ...]) -> Policy:
    section = doc.mapping(value, where, ("new_only", "allow_inline_ignores", "fail", "exceptions"))
    fail = section.get("fail")
    if fail is None:
        rules = DEFAULT_POLICY.fail
    else:
        fail = doc.typed(fail, (*where, "fail"), list, "a list of rules")
        rules = tuple(_rule(doc, item, (*where, "fail", i)) for i, item in enumerate(fail))
        names = [rule.name for rule in rules]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise doc.fail((*where, "fail", i, "name"), f"duplicate rule name {name!r}")
    exceptions = section.get("exceptions")
    if exceptions is not None:
        exceptions = doc.typed(exceptions, (*where, "exceptions"), list, "a list of exceptions")
    return Policy(
        fail=rules,
        exceptions=tuple(_exception(doc, item, (*where, "exceptions", i)) for i, item in enumerate(exceptions or ())),
        new_only=doc.typed(section.get("new_only", True), (*where, "new_only"), bool, "true or false"),
        allow_inline_ignores=doc.typed(section.get("allow_inline_ignores", True), (*where, "allow_inline_ignores"),
                                       bool, "true or false"),
        source=str(doc.path),
    )


def _rule(doc: Doc, value: Any, where: tuple[Any, ...]) -> FailRule:
    entry = doc.mapping(value, where, ("name", "type", "severity", "fix_available", "kev", "epss", "rule",
                                       "max_allowed"))
    if not entry:
        raise doc.fail(where, "an empty rule would fail on every finding: give at least `type`")
    types: tuple[FindingType, ...] = ()
    if entry.get("type") is not None:
        words = doc.texts(entry["type"], (*where, "type"))
        unknown = [w for w in words if w not in _TYPES]
        if unknown:
            raise doc.fail((*where, "type"), f"unknown finding type {unknown[0]!r} (expected one of: "
                                             f"{', '.join(_TYPES)})")
        types = tuple(_TYPES[w] for w in words)
    severities, severity_text = None, ""
    if entry.get("severity") is not None:
        severities, severity_text = _severity(doc, entry["severity"], (*where, "severity"))
    min_epss = None
    if entry.get("epss") is not None:
        min_epss = _epss(doc, entry["epss"], (*where, "epss"))
    fix = entry.get("fix_available")
    kev = entry.get("kev")
    default_name = "-".join(t.value for t in types) or "any"
    return FailRule(
        name=doc.text(entry["name"], (*where, "name")) if "name" in entry else f"{default_name}-{where[-1]}",
        types=types,
        severities=severities,
        severity_text=severity_text,
        fix_available=None if fix is None else doc.typed(fix, (*where, "fix_available"), bool, "true or false"),
        kev=None if kev is None else doc.typed(kev, (*where, "kev"), bool, "true or false"),
        min_epss=min_epss,
        rule_ids=doc.texts(entry["rule"], (*where, "rule")) if entry.get("rule") is not None else (),
        source=doc.source(where),
        max_allowed=_count(doc, entry.get("max_allowed", 0), (*where, "max_allowed")),
    )


def _count(doc: Doc, value: Any, where: tuple[Any, ...]) -> int:
    number = doc.typed(value, where, int, "a whole number")
    if number < 0:
        raise doc.fail(where, f"expected a whole number of 0 or more, found {number}")
    return number


def _severity(doc: Doc, value: Any, where: tuple[Any, ...]) -> tuple[frozenset[Severity], str]:
    """`high` (at least high), `>= high`, `> medium`, `== critical`, `<= low`."""
    match = _COMPARISON.match(value) if isinstance(value, str) else None
    if match is None:
        raise doc.fail(where, f"expected a severity such as `high` or `>= high`, found {kind(value)}")
    op, word = match.group(1) or ">=", match.group(2)
    try:
        level = Severity.parse(word)
    except ValueError as exc:
        raise doc.fail(where, str(exc)) from None
    tests: dict[str, Callable[[Severity], bool]] = {
        ">=": lambda s: s >= level, ">": lambda s: s > level, "==": lambda s: s == level,
        "<=": lambda s: s <= level, "<": lambda s: s < level,
    }
    chosen = frozenset(s for s in Severity if tests[op](s))
    if not chosen:
        raise doc.fail(where, f"`{value}` admits no severity")
    return chosen, f"{op} {level.name}"


def _epss(doc: Doc, value: Any, where: tuple[Any, ...]) -> float:
    """`0.1` or `>= 0.1`: the least EPSS probability that fails."""
    text = str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else None
    if text is not None and text.startswith(">="):
        text = text[2:].strip()
    try:
        number = float(text) if text is not None else None
    except ValueError:
        number = None
    if number is None or not 0.0 <= number <= 1.0:
        raise doc.fail(where, f"expected a probability from 0 to 1 such as `0.1` or `>= 0.1`, found {kind(value)}")
    return number


def _exception(doc: Doc, value: Any, where: tuple[Any, ...]) -> PolicyException:
    entry = doc.mapping(value, where, ("id", "package", "path", "fingerprint", "reason", "owner", "expires",
                                       "vex_justification"))
    for key in ("reason", "owner", "expires"):
        if entry.get(key) is None:
            raise doc.fail(where, f"an exception needs `{key}` (every exception has a reason, an owner and an "
                                  "expiry date)")
    selectors = {key: doc.texts(entry[key], (*where, key)) if entry.get(key) is not None else ()
                 for key in ("id", "package", "path", "fingerprint")}
    if not any(selectors.values()):
        raise doc.fail(where, "an exception must say what it covers: `id`, `package`, `path` or `fingerprint`")
    for i, purl in enumerate(selectors["package"]):
        _check_purl(doc, purl, (*where, "package", i) if isinstance(entry["package"], list) else (*where, "package"))
    justification = entry.get("vex_justification")
    if justification is not None and justification not in VEX_JUSTIFICATIONS:
        raise doc.fail((*where, "vex_justification"), f"unknown VEX justification {justification!r} (expected one "
                                                      f"of: {', '.join(VEX_JUSTIFICATIONS)})")
    return PolicyException(
        reason=doc.text(entry["reason"], (*where, "reason")),
        owner=doc.text(entry["owner"], (*where, "owner")),
        expires=_date(doc, entry["expires"], (*where, "expires")),
        source=doc.source(where),
        ids=selectors["id"],
        packages=selectors["package"],
        paths=selectors["path"],
        fingerprints=selectors["fingerprint"],
        vex_justification=justification,
    )


def _check_purl(doc: Doc, purl: str, where: tuple[Any, ...]) -> None:
    from shiftsec.purl import parse_purl

    try:
        parse_purl(purl)
    except ValueError as exc:
        raise doc.fail(where, f"not a package URL: {exc}") from None


def _date(doc: Doc, value: Any, where: tuple[Any, ...]) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise doc.fail(where, f"expected a date as YYYY-MM-DD, found {kind(value)}")
