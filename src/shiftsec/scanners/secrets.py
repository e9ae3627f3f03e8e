"""The secret scanner: files → engine matches → findings that never carry the secret.

A finding shows the rule, the file and line, a redacted form (the first 4 characters and the length) and the
SHA-256 of the value; its fingerprint is built from the rule id, that hash and the path, so it survives line
moves and can be baselined without storing the secret. Inline `shiftsec:ignore` (optionally
`shiftsec:ignore=<rule-id>`) on the line of a match silences it. Which files are read is decided here: text
files up to a size cap, never lockfiles, minified bundles or known binary formats.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shiftsec.model import Finding, FindingType, Location, ScanError, fingerprint
from shiftsec.secrets.api import Matcher, Rule, SecretMatch

MAX_FILE_BYTES = 10 * 1024 * 1024
_SKIPPED_NAMES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock", "poetry.lock",
    "Pipfile.lock", "pdm.lock", "uv.lock", "Cargo.lock", "Gemfile.lock", "composer.lock", "go.sum",
    "packages.lock.json", "pubspec.lock", "mix.lock", "Package.resolved", "Podfile.lock", "gradle.lockfile",
})
_BINARY_WORDS = (
    ".png .jpg .jpeg .gif .bmp .ico .webp .svgz .pdf .zip .gz .tgz .bz2 .xz .7z .rar .jar .war .ear .class "
    ".so .dll .dylib .exe .bin .o .a .pyc .pyo .whl .woff .woff2 .ttf .otf .eot .mp3 .mp4 .mov .avi .wav "
    ".sqlite .db .psd .iso"
)
_BINARY_SUFFIXES = frozenset(_BINARY_WORDS.split())
_IGNORE = re.compile(r"shiftsec:ignore(?:=([A-Za-z0-9_.-]+))?")


def wanted(rel: str) -> bool:
    """Whether the secret scanner reads the file at `rel` (by name only)."""
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    if name in _SKIPPED_NAMES or lower.endswith((".min.js", ".min.css", ".map")):
        return False
    dot = lower.rfind(".")
    return dot == -1 or lower[dot:] not in _BINARY_SUFFIXES


def redact(secret: str) -> str:
    """The first 4 characters and the length: enough to recognise a token type, never enough to use it."""
    shown = secret[:4] if len(secret) >= 12 else secret[:2]
    return f"{shown}… ({len(secret)} characters)"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class SecretScan:
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    files: int


def _ignored(lines: list[bytes], match: SecretMatch) -> bool:
    if not 0 < match.line <= len(lines):
        return False
    found = _IGNORE.search(lines[match.line - 1].decode("utf-8", "replace"))
    return found is not None and found.group(1) in (None, match.rule_id)


def findings_for(matches: Iterable[SecretMatch], rules: dict[str, Rule], path: str, data: bytes) -> list[Finding]:
    lines = data.split(b"\n")
    out = []
    for match in matches:
        if _ignored(lines, match):
            continue
        rule = rules[match.rule_id]
        digest = secret_hash(match.secret)
        out.append(Finding(
            type=FindingType.SECRET,
            rule_id=rule.id,
            severity=rule.severity,
            title=rule.title,
            message=f"{rule.title} in {path} line {match.line}: {redact(match.secret)}",
            fingerprint=fingerprint("secret", rule.id, digest, path),
            location=Location(path, match.line, match.end_line),
            remediation=rule.remediation or "Revoke the secret where it was issued, replace it, and remove it from "
                                            "the code (and its history).",
            evidence=redact(match.secret),
            secret_sha256=digest,
        ))
    return out


def scan_files(root: Path, rels: Sequence[str], engine: Matcher, rules: Sequence[Rule]) -> SecretScan:
    """Read each file (relative to `root`) and report the engine's matches as findings."""
    by_id = {rule.id: rule for rule in rules}
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for rel in rels:
        path = root / rel if root.is_dir() else root
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                errors.append(ScanError(rel, f"larger than {MAX_FILE_BYTES >> 20} MiB: not searched for secrets",
                                        "skipped"))
                continue
            data = path.read_bytes()
        except OSError as exc:
            errors.append(ScanError(rel, f"cannot read: {exc.strerror or exc}", "unreadable"))
            continue
        matches = engine.scan(data, rel)
        findings.extend(findings_for(matches, by_id, rel, data))
    return SecretScan(tuple(findings), tuple(errors), len(rels))


__all__ = ["SecretScan", "findings_for", "redact", "scan_files", "secret_hash", "wanted"]
