"""Hyperscan databases for the secret engine: one literal database of keywords, one database of rule regexes.

Every rule regex is tried alone first with `SOM_LEFTMOST | UTF8` (the hit then carries its start offset), then
with `UTF8` only (end offset only: large bounded repeats make SOM tracking "too large"); a regex Hyperscan rejects
either way is left to RE2 alone. Trying ~280 regexes one by one takes about 5 s, so the outcome for the shipped
rules is shipped too (`hyperscan_tiers.json`, pattern hash → flags, kept current by a test): a pattern found
there is not tried. Should the hinted flags not compile together (another Hyperscan build), every pattern is
tried after all. Compiled databases are cached per pattern set in the process and, when a cache directory is
given, on disk (`hyperscan.dumpb`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import hyperscan

SOM = hyperscan.HS_FLAG_SOM_LEFTMOST
UTF8 = hyperscan.HS_FLAG_UTF8
# Hyperscan callback: (pattern id, start or 0, end, flags, context) -> True to stop scanning.
Handler = Callable[[int, int, int, int, object], bool | None]


@dataclass(frozen=True, slots=True)
class RegexDatabase:
    database: hyperscan.Database | None
    flags: tuple[int, ...]  # per input pattern: SOM|UTF8, UTF8, or 0 = not in the database (RE2 alone)

    def scan(self, data: bytes, handler: Handler) -> None:
        if self.database is not None:
            with contextlib.suppress(hyperscan.ScanTerminated):  # the handler asked to stop
                self.database.scan(data, match_event_handler=handler)


_BOUND = re.compile(r"\{(\d*),?(\d*)\}")
_HEAVY_BOUND = 300
_DB_FORMAT = 2  # bump when the choice of flags per pattern changes: cached databases are then rebuilt
_UNBOUNDED = 65535  # Python's parser reports the width of `*`, `+` and `{n,}` as MAXREPEAT (4294967295)


def _heavy(pattern: str) -> bool:
    """Whether `pattern` is better left to RE2 alone: Hyperscan would spend seconds to minutes compiling it (a
    repeated group `(...){0,8}` whose body holds bounded repeats of its own, or a bound of 300 or more; measured
    on the default rules: one Kubernetes rule alone took 126 s), or its matches have no length limit, so that
    Hyperscan reports one hit per end offset (a PEM key body: 55,000 callbacks on a 100 MB corpus). Such
    patterns are keyword-gated and cheap for RE2 on the files that hold their keywords."""
    if "){" in pattern:
        return True
    if any(int(upper or lower or 0) >= _HEAVY_BOUND for lower, upper in _BOUND.findall(pattern)):
        return True
    widest = max_width(pattern)
    return widest is not None and widest >= _UNBOUNDED


@functools.lru_cache(maxsize=4096)
def max_width(pattern: str) -> int | None:
    """The most characters a match of `pattern` can span, by Python's regex parser (RE2 syntax is nearly a
    subset); very large for `*`, `+` and `{n,}`; None for syntax Python does not know."""
    try:
        with warnings.catch_warnings():  # Python warns of syntax RE2 reads differently, e.g. "[[" (a nested set)
            warnings.simplefilter("ignore")
            return int(re._parser.parse(pattern).getwidth()[1])  # type: ignore[attr-defined]
    except (re.error, OverflowError, RecursionError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def _tier(pattern: str) -> int:
    """The richest flags this pattern compiles with alone (0: left to RE2 alone, see `_heavy`)."""
    if _heavy(pattern):
        return 0
    for flags in (SOM | UTF8, UTF8):
        try:
            _compile([pattern.encode()], [flags])
        except hyperscan.error:
            continue
        return flags
    return 0


def _compile(
    expressions: Sequence[bytes], flags: Sequence[int], ids: Sequence[int] | None = None
) -> hyperscan.Database:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=list(expressions),
        ids=list(ids if ids is not None else range(len(expressions))),
        elements=len(expressions),
        flags=list(flags),
    )
    return database


@functools.lru_cache(maxsize=16)
def regex_database(patterns: tuple[str, ...], cache_dir: str | None = None) -> RegexDatabase:
    """One database for all patterns Hyperscan accepts; pattern ids are indexes into `patterns`."""
    if cache_dir is None:
        return _regex_database(patterns)
    file = _cache_file(cache_dir, "hyperscan", patterns)
    try:
        with open(file, "rb") as stream:
            header, blob = stream.read().split(b"\n", 1)
        flags = tuple(int(f) for f in json.loads(header))
        if len(flags) == len(patterns):
            return RegexDatabase(_load(blob) if blob else None, flags)
    except (OSError, ValueError, hyperscan.error):
        pass  # absent, corrupt or from another Hyperscan build: compile again
    compiled = _regex_database(patterns)
    blob = hyperscan.dumpb(compiled.database) if compiled.database is not None else b""
    _store(file, json.dumps(compiled.flags).encode() + b"\n" + blob)
    return compiled


def _cache_file(cache_dir: str, kind: str, parts: tuple[str, ...]) -> str:
    """Where a database compiled from `parts` is cached: named by their hash, this module's format and the
    Hyperscan build."""
    identity = json.dumps([_DB_FORMAT, getattr(hyperscan, "__version__", ""), *parts])
    return os.path.join(cache_dir, f"{kind}-{hashlib.sha256(identity.encode()).hexdigest()[:32]}.db")


def _store(file: str, data: bytes) -> None:
    """Write a cache file atomically; a read-only cache only costs time."""
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file + ".tmp", "wb") as stream:
            stream.write(data)
        os.replace(file + ".tmp", file)


def _load(blob: bytes) -> hyperscan.Database:
    database = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
    database.scratch = hyperscan.Scratch(database)  # a loaded database comes without scratch space
    return database


def pattern_key(pattern: str) -> str:
    return hashlib.sha256(pattern.encode()).hexdigest()[:20]


@functools.lru_cache(maxsize=1)
def _shipped_tiers() -> dict[str, int]:
    try:
        text = resources.files("shiftsec.secrets").joinpath("hyperscan_tiers.json").read_text(encoding="utf-8")
        tiers = json.loads(text)["tiers"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {str(k): int(v) for k, v in tiers.items()} if isinstance(tiers, dict) else {}


def _regex_database(patterns: tuple[str, ...]) -> RegexDatabase:
    shipped = _shipped_tiers()
    hinted = [shipped.get(pattern_key(p)) if p else 0 for p in patterns]
    if any(h is not None for h in hinted):
        found = _database([h if h is not None else _tier(p) for p, h in zip(patterns, hinted, strict=True)], patterns)
        if found is not None:
            return found
    found = _database([_tier(p) if p else 0 for p in patterns], patterns)
    return found if found is not None else RegexDatabase(None, (0,) * len(patterns))


def _database(flags: list[int], patterns: tuple[str, ...]) -> RegexDatabase | None:
    """One database of the patterns with non-zero flags (without SOM if need be); None if neither compiles."""
    for attempt in (flags, [f & ~SOM for f in flags]):
        ids = [i for i, f in enumerate(attempt) if f]
        if not ids:
            return RegexDatabase(None, tuple(attempt))
        try:
            database = _compile([patterns[i].encode() for i in ids], [attempt[i] for i in ids], ids)
        except hyperscan.error:
            continue
        return RegexDatabase(database, tuple(attempt))
    return None


def _literal(keyword: str) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in keyword.encode())


@functools.lru_cache(maxsize=16)
def keyword_database(keywords: tuple[str, ...], cache_dir: str | None = None) -> hyperscan.Database | None:
    """Case-insensitive literal matching of every keyword; each keyword reports at most once per scan. Cached
    on disk like the regex database (compiling it costs more than loading it, on every run)."""
    if not keywords:
        return None
    file = _cache_file(cache_dir, "keywords", ("keywords", *keywords)) if cache_dir is not None else None
    if file is not None:
        with contextlib.suppress(OSError, hyperscan.error), open(file, "rb") as stream:
            return _load(stream.read())
    flag = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH
    database = _compile([_literal(k) for k in keywords], [flag] * len(keywords))
    if file is not None:
        _store(file, hyperscan.dumpb(database))
    return database


def present_keywords(database: hyperscan.Database | None, data: bytes) -> set[int]:
    """Indexes of the keywords that occur in `data` (ASCII case-insensitively)."""
    found: set[int] = set()
    if database is None:
        return found

    def on_match(kid: int, start: int, end: int, flags: int, context: object) -> None:
        found.add(kid)

    database.scan(data, match_event_handler=on_match)
    return found
