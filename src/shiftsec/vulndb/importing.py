"""`db import`: read advisory files, directories and OSV zip dumps into the store.

Inputs are recognised by content, not only by name: OSV JSON/YAML records (one record, a list, or an
`{"vulns": [...]}` envelope), OSV `all.zip` dumps, RustSec Markdown, rubysec / FriendsOfPHP / Alpine secdb YAML
and GitHub advisory API JSON; the non-OSV ones go through the converters in `vulndb.importers`. The CISA KEV
catalogue (JSON) and FIRST's EPSS scores (CSV, plain or `.csv.gz`) are recognised too and handed to
`vulndb.exploits`: each replaces the stored data set of its kind.

Incremental by design: every input file (or zip member) has a digest in the store; an unchanged file is not
parsed again (size and mtime first, then content), and a record whose `modified` did not change is not
rewritten. An invalid record or unreadable file becomes an error entry (file + reason) and the import goes on.
Parsing runs in worker processes when there is enough of it; only the parent writes to SQLite.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from shiftsec.errors import InputError, InvalidRecord
from shiftsec.model import ScanError
from shiftsec.vulndb import exploits, versions
from shiftsec.vulndb.names import normalize
from shiftsec.vulndb.osv import parse_advisory
from shiftsec.vulndb.ranges import spec_of, upper_bound
from shiftsec.vulndb.severity import rate
from shiftsec.vulndb.store import RecordRow, SourceRow, Store

ProgressFn = Callable[[int, int], None]

_SUFFIXES = (".json", ".yaml", ".yml", ".md", ".zip", ".csv", ".gz")
_PARALLEL_THRESHOLD = 400  # below this many changed inputs, worker start-up costs more than it saves
_BATCH = 100


@dataclass
class ImportResult:
    files_seen: int = 0
    files_unchanged: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    kev: int = 0  # entries of the KEV catalogue imported (the last one read, if several)
    epss: int = 0  # EPSS scores imported
    errors: list[ScanError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Input:
    key: str  # absolute path, or "zip path!member"
    digest: str  # "size:mtime_ns:content" for files, "crc:size:content" for zip members
    data: bytes


@dataclass(frozen=True, slots=True)
class _Converted:
    key: str
    digest: str
    rows: list[RecordRow]
    errors: list[tuple[str, str]]  # (where, reason)
    is_advisory: bool
    exploits: exploits.ExploitData | None = None


# --- format detection and conversion (runs in worker processes: keep it pure) -----------------------------


class _OsvYamlLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """YAML loader that keeps timestamps as the strings OSV defines them to be."""


_OsvYamlLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _sniff(name: str, data: bytes) -> str | None:
    """The format of one input, or None when it is not an advisory file we know."""
    fact_format = exploits.sniff(name, data)
    if fact_format is not None:
        return fact_format
    head = data[:4096]
    lower = name.lower()
    if lower.endswith(".md"):
        return "rustsec" if head.lstrip().startswith(b"```toml") else None
    if lower.endswith(".json"):
        if (b'"ghsa_id"' in head or b'"ghsaId"' in head) and b'"vulnerabilities"' in data:
            return "ghsa"
        return "osv-json"
    if lower.endswith((".yaml", ".yml")):
        lines = {
            line.split(b":", 1)[0].strip() for line in head.splitlines() if b":" in line and line[:1] not in b" -#"
        }
        if b"gem" in lines or (b"engine" in lines and b"patched_versions" in data):
            return "rubysec"
        if b"branches" in lines and b"reference" in lines:
            return "phpsec"
        if b"distroversion" in lines and b"packages" in lines:
            return "alpine"
        if b"id" in lines:
            return "osv-yaml"
        return None
    return None


def _records(fmt: str, name: str, data: bytes) -> list[Any]:
    if fmt == "osv-json":
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidRecord(f"not valid JSON: {exc}") from None
    elif fmt == "osv-yaml":
        try:
            doc = yaml.load(data, Loader=_OsvYamlLoader)
        except yaml.YAMLError as exc:
            raise InvalidRecord(f"not valid YAML: {str(exc).splitlines()[0]}") from None
    else:
        from shiftsec.vulndb.importers import converter

        return converter(fmt)(name, data)
    if isinstance(doc, dict) and "vulns" in doc and "id" not in doc:
        doc = doc["vulns"]
    if isinstance(doc, dict) and not doc.keys() & {"id", "modified", "affected", "aliases"}:
        raise _NotAdvisory  # e.g. a SOURCES.json or schema file beside the records
    return doc if isinstance(doc, list) else [doc]


class _NotAdvisory(Exception):
    """The file parsed, but it is some other kind of document."""


def build_row(record: Any) -> RecordRow:
    """Validate one OSV record (a decoded dict) and prepare its row; raises `InvalidRecord`."""
    adv = parse_advisory(record)
    rating = rate(adv)
    affected = []
    for entry in adv.affected:
        if not entry.ecosystem or not entry.name:
            continue
        spec = spec_of(entry)
        if spec is None:
            continue
        base = versions.base_ecosystem(entry.ecosystem)
        upper = upper_bound(spec, entry.ecosystem)
        affected.append((entry.ecosystem, base, normalize(base, entry.name), spec, upper))
    summary = adv.summary or (adv.details.strip().splitlines()[0][:200] if adv.details.strip() else "")
    return RecordRow(
        id=adv.id,
        modified=adv.modified,
        published=adv.published,
        withdrawn=adv.withdrawn,
        aliases=adv.aliases,
        summary=summary,
        severity=int(rating.severity),
        cvss_score=rating.score,
        cvss_vector=rating.vector,
        record=json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str),
        affected=tuple(affected),
    )


def _content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _convert(item: _Input) -> _Converted:
    digest = item.digest
    fmt = _sniff(item.key, item.data)
    if fmt is None:
        return _Converted(item.key, digest, [], [], False)
    if fmt in (exploits.KEV, exploits.EPSS):
        try:
            facts = exploits.parse(fmt, item.key, item.data)
        except InvalidRecord as exc:
            return _Converted(item.key, digest, [], [(item.key, str(exc))], True)
        return _Converted(item.key, digest, [], list(facts.errors), True, facts)
    rows: list[RecordRow] = []
    errors: list[tuple[str, str]] = []
    try:
        records = _records(fmt, item.key, item.data)
    except _NotAdvisory:
        return _Converted(item.key, digest, [], [], False)
    except InvalidRecord as exc:
        # converters name the file in their messages (they are used on their own too); the entry has it already
        reason = str(exc).removeprefix(f"{item.key}: ")
        return _Converted(item.key, digest, [], [(item.key, reason)], True)
    for index, record in enumerate(records):
        try:
            rows.append(build_row(record))
        except InvalidRecord as exc:
            where = item.key if len(records) == 1 else f"{item.key} (record {index + 1})"
            errors.append((where, str(exc)))
    return _Converted(item.key, digest, rows, errors, True)


def _convert_batch(items: list[_Input]) -> list[_Converted]:
    return [_convert(item) for item in items]


# --- walking inputs (parent process) -------------------------------------------------------------------


def _walk(root: Path, errors: list[ScanError]) -> Iterator[Path]:
    def onerror(exc: OSError) -> None:
        errors.append(ScanError(str(exc.filename or root), f"cannot read: {exc.strerror or exc}", "unreadable"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(_SUFFIXES) and not name.startswith("."):
                yield Path(dirpath, name)


def _inputs(
    path: Path,
    known: dict[str, str],
    errors: list[ScanError],
    stats: ImportResult,
    key_override: str | None,
    touched: list[tuple[str, str]],
) -> Iterator[_Input]:
    """Yield the inputs under `path` that changed since they were last imported.

    Size and modification time unchanged: not even read. Read but with the same content (a checkout, a
    `touch`): not parsed; its new stat goes to `touched` so that next time it is not read either.
    """
    files = _walk(path, errors) if path.is_dir() else iter([path])
    for file in files:
        key = key_override or str(file.resolve())
        if file.suffix.lower() == ".zip":
            yield from _zip_inputs(file, key, known, errors, stats)
            continue
        try:
            st = file.stat()
            stat = f"{st.st_size}:{st.st_mtime_ns}"
            stats.files_seen += 1
            previous = known.get(key, "")
            if previous.startswith(stat + ":"):
                stats.files_unchanged += 1
                continue
            data = file.read_bytes()
        except OSError as exc:
            errors.append(ScanError(key, f"cannot read: {exc.strerror or exc}", "unreadable"))
            continue
        content = _content_digest(data)
        if previous.endswith(":" + content):
            stats.files_unchanged += 1
            touched.append((key, f"{stat}:{content}"))
            continue
        yield _Input(key, f"{stat}:{content}", data)


def _zip_inputs(
    file: Path, key: str, known: dict[str, str], errors: list[ScanError], stats: ImportResult
) -> Iterator[_Input]:
    try:
        with zipfile.ZipFile(file) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.lower().endswith((".json", ".yaml", ".yml")):
                    continue
                member_key = f"{key}!{info.filename}"
                stat = f"{info.CRC:08x}:{info.file_size}"
                stats.files_seen += 1
                if known.get(member_key, "").startswith(stat + ":"):
                    stats.files_unchanged += 1
                    continue
                try:
                    data = archive.read(info)
                except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                    errors.append(ScanError(member_key, f"damaged archive member: {exc}", "bad-archive"))
                    continue
                yield _Input(member_key, f"{stat}:{_content_digest(data)}", data)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        errors.append(ScanError(key, f"not a readable zip archive: {reason}", "bad-archive"))


# --- the import ----------------------------------------------------------------------------------------


def import_paths(
    store: Store,
    paths: list[Path],
    *,
    progress: ProgressFn | None = None,
    workers: int | None = None,
) -> ImportResult:
    """Import every advisory found under `paths` into `store`; see the module docstring."""
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    result = ImportResult()
    for path in paths:
        resolved = str(path.resolve())
        import_source(store, path, source=f"import:{resolved}", kind="import", location=resolved,
                      result=result, progress=progress, workers=workers)
    return result


def import_source(
    store: Store,
    path: Path,
    *,
    source: str,
    kind: str,
    location: str,
    result: ImportResult,
    key: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
) -> None:
    """Import one file, directory or zip as the source named `source`, in one transaction.

    `key` replaces the file's own path in the digests the store keeps (a download lands in a temporary file,
    but its members must be recognised again next time).
    """
    known = store.file_digests()
    modified = store.modified_by_id()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    touched: list[tuple[str, str]] = []
    pending = list(_inputs(path, known, result.errors, result, key, touched))
    with store.transaction():
        store.adopt_ordering(versions.ORDERING_REVISION)
        store.mark_files((k, digest, source) for k, digest in touched)
        for converted in _run(pending, progress, workers):
            _apply(store, converted, source, modified, result)
        records = store.count(source=source)
        store.record_source(SourceRow(source, kind, location, now, records, etag, last_modified))
        store.set_meta("updated_at", now)


def _run(pending: list[_Input], progress: ProgressFn | None, workers: int | None) -> Iterator[_Converted]:
    total = len(pending)
    if progress:
        progress(0, total)
    batches = [pending[i : i + _BATCH] for i in range(0, total, _BATCH)]
    n_workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    done = 0
    if total < _PARALLEL_THRESHOLD or n_workers <= 1:
        for batch in batches:
            yield from _convert_batch(batch)
            done += len(batch)
            if progress:
                progress(done, total)
        return
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
        for converted in pool.map(_convert_batch, batches):
            yield from converted
            done += len(converted)
            if progress:
                progress(done, total)


def _apply(
    store: Store,
    converted: _Converted,
    source: str,
    modified: dict[str, str],
    result: ImportResult,
) -> None:
    for where, reason in converted.errors:
        result.errors.append(ScanError(where, reason, "invalid-record"))
    if converted.exploits is not None:
        count = exploits.store_facts(store, converted.exploits, converted.key)
        if isinstance(converted.exploits, exploits.KevCatalog):
            result.kev = count
        else:
            result.epss = count
    for row in converted.rows:
        if row.withdrawn:
            result.withdrawn += 1
        old = modified.get(row.id)
        if old == row.modified:
            result.unchanged += 1
            continue
        store.put(row, source)
        modified[row.id] = row.modified
        if old is None:
            result.added += 1
        else:
            result.updated += 1
    if not converted.errors:  # a file with errors is read again next time, so its errors are shown again
        store.mark_files([(converted.key, converted.digest, source)])
