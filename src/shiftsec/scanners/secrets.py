"""The secret scanner: files → engine matches → findings that never carry the secret.

A finding shows the rule, the file and line, a redacted form (the first 4 characters and the length) and the
SHA-256 of the value; its fingerprint is built from the rule id, that hash and the path, so it survives line
moves and can be baselined without storing the secret. Inline `shiftsec:ignore` (optionally
`shiftsec:ignore=<rule-id>`) on the line of a match marks its finding suppressed (kind inline: reported, never
failing; a policy with `allow_inline_ignores: false` makes the comment inert). Which files are read is decided
here: text files up to a size cap, never lockfiles, minified bundles or known binary formats.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from shiftsec.model import (
    Commit,
    Finding,
    FindingType,
    Location,
    ScanError,
    Suppression,
    SuppressionKind,
    fingerprint,
)
from shiftsec.secrets.api import Allowlist, Matcher, Rule, SecretMatch
from shiftsec.secrets.text import BINARY_PROBE, is_binary

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from shiftsec.targets.git import AddedBlock

MAX_FILE_BYTES = 10 * 1024 * 1024
_PARALLEL_BYTES = 16 * 1024 * 1024  # below this, starting worker processes costs more than it saves
_CHUNK_BYTES = 2 * 1024 * 1024  # a batch of files handed to a worker
_CHUNK_FILES = 400
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
_MARKER = b"shiftsec:ignore"
_IGNORE = re.compile(rb"shiftsec:ignore(?:=([A-Za-z0-9_.-]+))?")


DEFAULT_FIXTURE_DIRS = ("testdata", "test_data", "fixtures", "__fixtures__", "__snapshots__")


@dataclass(frozen=True, slots=True)
class FileFilter:
    """Which files the secret scanner reads (by path only).

    Never: binary formats (by suffix; other binary files are recognised by content). By default not: lockfiles,
    minified bundles and source maps (`include_generated` searches them too), and files under a folder named in
    `fixture_dirs` (test data, where fake credentials are expected; an empty tuple searches them too)."""

    include_generated: bool = False
    fixture_dirs: tuple[str, ...] = DEFAULT_FIXTURE_DIRS

    def wanted(self, rel: str) -> bool:
        folder, _, name = rel.rpartition("/")
        lower = name.lower()
        dot = lower.rfind(".")
        if dot != -1 and lower[dot:] in _BINARY_SUFFIXES:
            return False
        if not self.include_generated and (
            name in _SKIPPED_NAMES or lower.endswith((".min.js", ".min.css", ".map"))
        ):
            return False
        in_fixtures = bool(folder and self.fixture_dirs) and any(p in self.fixture_dirs for p in folder.split("/"))
        return not in_fixtures


DEFAULT_FILTER = FileFilter()


def wanted(rel: str) -> bool:
    """Whether the secret scanner reads the file at `rel` under the default `FileFilter`."""
    return DEFAULT_FILTER.wanted(rel)


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


def _ignore_check(data: bytes) -> Callable[[SecretMatch], bool]:
    """Whether a match's line carries `shiftsec:ignore` (for every rule, or `=<its id>`). Files without the marker
    (nearly all) cost one substring search; with it, each line is split out and searched once, however many
    matches it holds (a 100 MB line with thousands of matches stays linear)."""
    if _MARKER not in data:
        return lambda match: False
    lines = data.split(b"\n")
    markers: dict[int, set[str | None]] = {}

    def ignored(match: SecretMatch) -> bool:
        if not 0 < match.line <= len(lines):
            return False
        ids = markers.get(match.line)
        if ids is None:
            ids = markers[match.line] = {
                m.group(1).decode() if m.group(1) else None for m in _IGNORE.finditer(lines[match.line - 1])
            }
        return None in ids or match.rule_id in ids

    return ignored


def findings_for(
    matches: Sequence[SecretMatch],
    rules: dict[str, Rule],
    path: str,
    data: bytes,
    *,
    line_numbers: Sequence[int] | None = None,
    commit: Commit | None = None,
) -> list[Finding]:
    """Findings for the engine's matches in `data` (the content of `path`, or with `line_numbers` the added
    lines of a commit, whose file line numbers they are)."""
    if not matches:
        return []
    ignored = _ignore_check(data)
    out = []
    for match in matches:
        rule = rules[match.rule_id]
        digest = secret_hash(match.secret)
        line, end_line = match.line, match.end_line
        if line_numbers is not None:
            line = line_numbers[min(line, len(line_numbers)) - 1]
            end_line = line_numbers[min(end_line, len(line_numbers)) - 1]
        where = f"{path} line {line}"
        # An inline ignore keeps the finding, marked: the policy may make such comments inert.
        suppression = Suppression(SuppressionKind.INLINE, "inline shiftsec:ignore", source=f"{path}:{line}") if (
            ignored(match)) else None
        if commit is not None:
            where += f" (commit {commit.sha[:12]}, {commit.author}, {commit.date[:10]})"
        out.append(Finding(
            type=FindingType.SECRET,
            rule_id=rule.id,
            severity=rule.severity,
            title=rule.title,
            message=f"{rule.title} in {where}: {redact(match.secret)}",
            fingerprint=fingerprint("secret", rule.id, digest, path),
            location=Location(path, line, end_line, commit),
            remediation=rule.remediation or "Revoke the secret where it was issued, replace it, and remove it from "
                                            "the code (and its history).",
            evidence=redact(match.secret),
            secret_sha256=digest,
            suppression=suppression,
        ))
    return out


def read_capped(path: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The file's bytes, or None when it is larger than `limit` bytes (0: no limit). A binary file (see
    `is_binary`) yields only its first 8 KiB, which is all the engine looks at before skipping it. Uses
    os-level calls: pathlib's per-file overhead is a third of the cost of a warm scan."""
    limit = limit or sys.maxsize
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            return None
        chunks = [os.read(fd, BINARY_PROBE)]
        if is_binary(chunks[0]):
            return chunks[0]
        read = len(chunks[0])
        while chunk := os.read(fd, max(size + 1 - read, 65536)):
            chunks.append(chunk)
            read += len(chunk)
            if read > limit:
                return None
        return b"".join(chunks)
    finally:
        os.close(fd)


def _size(limit: int) -> str:
    return f"{round(limit / 2**20, 1):g} MiB" if limit >= 2**20 else f"{round(limit / 1024):g} KiB"


def too_large(rel: str, limit: int) -> ScanError:
    return ScanError(rel, f"larger than {_size(limit)}: not searched for secrets (raise --secret-max-mb)", "skipped")


def _scan_chunk(
    base: str, rels: Sequence[str], engine: Matcher, by_id: dict[str, Rule], limit: int = MAX_FILE_BYTES
) -> SecretScan:
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for rel in rels:
        try:
            data = read_capped(f"{base}/{rel}" if base else rel, limit)
        except OSError as exc:
            errors.append(ScanError(rel, f"cannot read: {exc.strerror or exc}", "unreadable"))
            continue
        if data is None:
            errors.append(too_large(rel, limit))
            continue
        findings.extend(findings_for(engine.scan(data, rel), by_id, rel, data))
    return SecretScan(tuple(findings), tuple(errors), len(rels))


# A pool worker's engine: inherited from the parent when processes are forked, else built once per process.
_WORKER: tuple[Matcher, dict[str, Rule], int] | None = None


def _init_worker(factory: Callable[[], Matcher] | None, rules: Sequence[Rule], limit: int) -> None:
    global _WORKER  # noqa: PLW0603 - per-process state of a pool worker
    if factory is not None:
        _WORKER = (factory(), {rule.id: rule for rule in rules}, limit)


def _scan_in_worker(base: str, rels: Sequence[str]) -> SecretScan:
    assert _WORKER is not None
    return _scan_chunk(base, rels, *_WORKER)


def scan_files(
    root: Path,
    rels: Iterable[str],
    engine: Matcher,
    rules: Sequence[Rule],
    *,
    factory: Callable[[], Matcher] | None = None,
    workers: int | None = None,
    parallel_from: int = _PARALLEL_BYTES,
    max_bytes: int = MAX_FILE_BYTES,
) -> SecretScan:
    """Read each file (relative to `root`, a folder; or `root` itself when it is a file) and report the engine's
    matches as findings. Files over `max_bytes` (0: no limit) are listed in `errors` and not read.

    `rels` may be a walk still in progress: files are scanned in batches as they arrive. The first
    `parallel_from` bytes are scanned here; past them the rest is shared out to `workers` processes (default:
    the CPU count, at most 4), forked on Linux (they share `engine`), else spawned, each building its engine
    with the picklable `factory` (no factory: no workers). The findings are the same, in the same order."""
    by_id = {rule.id: rule for rule in rules}
    if not root.is_dir():  # a single file: `rels` is its name
        return _scan_chunk(str(root.parent), list(rels), engine, by_id, max_bytes)
    base = str(root)
    n_workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    can_fork = sys.platform == "linux"
    parallel = n_workers > 1 and (factory is not None or can_fork)
    parts: list[SecretScan | Future[SecretScan]] = []
    pool: ProcessPoolExecutor | None = None
    global _WORKER  # noqa: PLW0603 - handed to forked workers
    _WORKER = (engine, by_id, max_bytes) if can_fork else None
    count = total = 0
    try:
        for batch in _batches(base, rels):
            count += len(batch.rels)
            total += batch.size
            if pool is None and parallel and total >= parallel_from:
                pool = _pool(n_workers, can_fork, factory, rules, max_bytes)
            if pool is None:
                parts.append(_scan_chunk(base, batch.rels, engine, by_id, max_bytes))
            else:
                parts.append(pool.submit(_scan_in_worker, base, batch.rels))
        done = [part if isinstance(part, SecretScan) else part.result() for part in parts]
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        _WORKER = None
    return SecretScan(
        tuple(f for part in done for f in part.findings),
        tuple(e for part in done for e in part.errors),
        count,
    )


@dataclass(frozen=True, slots=True)
class _Batch:
    rels: list[str]
    size: int


def _batches(base: str, rels: Iterable[str]) -> Iterator[_Batch]:
    """Consecutive runs of about `_CHUNK_BYTES` (or `_CHUNK_FILES` files), in walk order."""
    batch: list[str] = []
    size = 0
    for rel in rels:
        with contextlib.suppress(OSError):  # an unreadable file is reported when it is read
            size += os.stat(f"{base}/{rel}").st_size
        batch.append(rel)
        if size >= _CHUNK_BYTES or len(batch) >= _CHUNK_FILES:
            yield _Batch(batch, size)
            batch, size = [], 0
    if batch:
        yield _Batch(batch, size)


def _pool(
    n_workers: int, can_fork: bool, factory: Callable[[], Matcher] | None, rules: Sequence[Rule], max_bytes: int
) -> ProcessPoolExecutor:
    import multiprocessing  # only large scans start workers
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if can_fork else "spawn")
    return ProcessPoolExecutor(max_workers=n_workers, mp_context=context, initializer=_init_worker,
                               initargs=(None if can_fork else factory, tuple(rules), max_bytes))


def _commit_allowed(sha: str, allowlists: Iterable[Allowlist]) -> bool:
    return any(
        allow.condition.lower() != "and" and any(sha.startswith(c) for c in allow.commits if len(c) >= 7)
        for allow in allowlists
    )


def scan_blocks(
    blocks: Iterable[AddedBlock],
    engine: Matcher,
    rules: Sequence[Rule],
    *,
    limit: int = MAX_FILE_BYTES,
    allowlist: Allowlist | None = None,
    file_filter: FileFilter = DEFAULT_FILTER,
) -> SecretScan:
    """Search the added lines of commits (or of the index) for secrets.

    A secret added to the same file by several commits (re-added after a revert, cherry-picked to another
    branch) is one finding, located at the commit git lists last, i.e. the oldest one, which introduced it;
    the message says how many commits added it. Commits an allowlist names (the rule's, or the global
    `allowlist`) are skipped for that rule, or for every rule; files `file_filter` leaves out are not read."""
    by_id = {rule.id: rule for rule in rules}
    every_rule = (allowlist,) if allowlist is not None else ()
    kept: dict[str, Finding] = {}
    times: Counter[str] = Counter()
    errors: list[ScanError] = []
    count = 0
    for block in blocks:
        if not file_filter.wanted(block.path):
            continue
        count += 1
        if block.truncated:
            where = f"{block.path} in commit {block.commit.sha[:12]}" if block.commit else block.path
            errors.append(ScanError(where, f"more than {_size(limit)} added: only the first part was "
                                           "searched for secrets (raise --secret-max-mb)", "skipped"))
        matches = engine.scan(block.data, block.path)
        for finding in findings_for(matches, by_id, block.path, block.data, line_numbers=block.lines,
                                    commit=block.commit):
            if block.commit is not None and _commit_allowed(
                block.commit.sha, (*every_rule, *by_id[finding.rule_id].allowlists)
            ):
                continue
            times[finding.fingerprint] += 1
            kept[finding.fingerprint] = finding
    findings = [
        replace(f, message=f"{f.message} (added by {times[key]} commits; the oldest is shown)") if times[key] > 1 else f
        for key, f in kept.items()
    ]
    return SecretScan(tuple(findings), tuple(errors), count)


__all__ = [
    "DEFAULT_FILTER", "FileFilter", "SecretScan", "findings_for", "read_capped", "redact", "scan_blocks", "scan_files",
    "secret_hash", "wanted",
]
