"""What a governed exception or a fail rule selects: ids and aliases, package URLs, path globs, fingerprints,
severities, fixes, KEV and EPSS. Pure functions over one finding."""

from __future__ import annotations

import fnmatch
import functools
import re

from shiftsec.model import Finding
from shiftsec.policy.config import FailRule, PolicyException
from shiftsec.purl import PackageURL, parse_purl

__all__ = ["exception_matches", "glob_matches", "rule_matches"]


@functools.lru_cache(maxsize=512)
def _glob(pattern: str) -> re.Pattern[str]:
    """A path glob as a regex: `*` and `?` stay within a folder, `**` crosses folders (`**/` may match no
    folder at all); a pattern without a slash matches the file name in any folder, as in .gitignore."""
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    if pattern.endswith("/"):
        pattern += "**"
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape("["))
                i += 1
            else:
                out.append(fnmatch.translate(pattern[i:end + 1])[4:-3])  # fnmatch's class syntax
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"(?:/.*)?\Z")  # a folder pattern covers what is inside it


def glob_matches(pattern: str, path: str) -> bool:
    return _glob(pattern).match(path.lstrip("/").removeprefix("./")) is not None


@functools.lru_cache(maxsize=2048)
def _purl(text: str) -> PackageURL | None:
    try:
        return parse_purl(text)
    except ValueError:
        return None


def _package_matches(wanted: str, finding: Finding) -> bool:
    if finding.package is None or finding.package.purl is None:
        return False
    want, have = _purl(wanted), _purl(finding.package.purl)
    if want is None or have is None:
        return False
    if (want.type, want.namespace, want.name) != (have.type, have.namespace, have.name):
        return False
    if want.version is not None and want.version != have.version:
        return False
    return all(have.qualifiers.get(key) == value for key, value in want.qualifiers.items())


def _paths(finding: Finding) -> list[str]:
    paths = []
    if finding.location is not None:
        paths.append(finding.location.path)
    if finding.package is not None and finding.package.location is not None:
        paths.append(finding.package.location.path)
    return paths


def exception_matches(exception: PolicyException, finding: Finding) -> bool:
    """Whether every selector the exception gives matches the finding."""
    if exception.ids:
        names = {finding.rule_id.casefold(), *(alias.casefold() for alias in finding.aliases)}
        if not any(wanted.casefold() in names for wanted in exception.ids):
            return False
    if exception.packages and not any(_package_matches(purl, finding) for purl in exception.packages):
        return False
    if exception.paths:
        paths = _paths(finding)
        if not any(glob_matches(pattern, path) for pattern in exception.paths for path in paths):
            return False
    return not exception.fingerprints or finding.fingerprint in exception.fingerprints


def rule_matches(rule: FailRule, finding: Finding) -> bool:
    """Whether the finding meets every condition of the fail rule (suppression and novelty aside)."""
    if rule.types and finding.type not in rule.types:
        return False
    if rule.severities is not None and finding.severity not in rule.severities:
        return False
    if rule.fix_available is not None and bool(finding.fixed_in or finding.fixed_versions) != rule.fix_available:
        return False
    if rule.kev is not None and (finding.kev is True) != rule.kev:
        return False
    if rule.min_epss is not None and (finding.epss is None or finding.epss < rule.min_epss):
        return False
    return not rule.rule_ids or any(fnmatch.fnmatchcase(finding.rule_id, glob) for glob in rule.rule_ids)
