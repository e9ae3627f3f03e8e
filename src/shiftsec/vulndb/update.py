"""`db update`: download the per-ecosystem OSV dumps (`<base>/<Ecosystem>/all.zip`) and import them, then the
exploit facts (the CISA KEV catalogue and FIRST's EPSS scores, see `vulndb.exploits`).

- Conditional requests: the ETag and Last-Modified of each dump are kept in the store's `sources` table and
  sent back (`If-None-Match`, `If-Modified-Since`); a 304 costs one round trip and no parsing.
- Atomic swap: the update works on a copy of the database and replaces the real file only when every
  requested dump was fetched and imported, so a failed or interrupted update leaves the old database as it was.
- Offline or failing: one `DownloadError` naming the URL and the reason, with the offline alternative
  (`shiftsec db import`) as its hint.

The base URL defaults to the public OSV bucket and can be changed (`--base-url`, `SHIFTSEC_DB_URL`) for a
mirror; plain http is accepted there only because a mirror on a private network may not have TLS. The KEV and
EPSS URLs default to the official feeds and can be changed with the `kev_url`/`epss_url` arguments or the
`SHIFTSEC_KEV_URL`/`SHIFTSEC_EPSS_URL` environment variables; an empty value skips that feed (e.g. on a network
that only mirrors OSV). They are fetched after the OSV dumps, with the same conditional requests, into the same
copy of the database: a failure leaves the old database as it was.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import sqlite3
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

from shiftsec import __version__
from shiftsec.errors import DatabaseError, DownloadError, InvalidRecord
from shiftsec.model import ScanError
from shiftsec.vulndb import exploits
from shiftsec.vulndb.importing import ImportResult, import_source
from shiftsec.vulndb.store import SourceRow, Store

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = (
    "PyPI", "npm", "Go", "crates.io", "Maven", "NuGet", "RubyGems", "Packagist", "Pub", "Hex", "CRAN",
    "Hackage", "SwiftURL", "GitHub Actions", "Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux",
    "AlmaLinux", "Wolfi", "Chainguard",
)
DEFAULT_KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
DEFAULT_EPSS_URL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
KEV_URL_ENV = "SHIFTSEC_KEV_URL"
EPSS_URL_ENV = "SHIFTSEC_EPSS_URL"
OFFLINE_HINT = (
    "offline? import advisory files instead: `shiftsec db import PATH` (OSV JSON/YAML, all.zip dumps, RustSec, "
    "rubysec, FriendsOfPHP, Alpine secdb, CISA KEV JSON, EPSS CSV)"
)
_CHUNK = 1 << 16

# (ecosystem, bytes done, bytes total or None)
DownloadProgress = Callable[[str, int, int | None], None]


@dataclass
class UpdateResult:
    downloaded: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    imported: ImportResult = field(default_factory=ImportResult)
    feeds_downloaded: list[str] = field(default_factory=list)  # "KEV", "EPSS"
    feeds_not_modified: list[str] = field(default_factory=list)


def dump_url(base_url: str, ecosystem: str) -> str:
    return f"{base_url.rstrip('/')}/{urllib.parse.quote(ecosystem)}/all.zip"


def update(
    db_path: Path,
    *,
    base_url: str = DEFAULT_BASE_URL,
    ecosystems: Sequence[str] = DEFAULT_ECOSYSTEMS,
    timeout: float = 60.0,
    progress: DownloadProgress | None = None,
    kev_url: str | None = None,
    epss_url: str | None = None,
) -> UpdateResult:
    """Fetch and import the dumps of `ecosystems`, then the KEV and EPSS feeds, into the database at `db_path`
    (created if absent).

    `kev_url`/`epss_url`: None takes `$SHIFTSEC_KEV_URL`/`$SHIFTSEC_EPSS_URL`, else the official feed; an
    empty string skips that feed.
    """
    feeds = [
        (name, url)
        for name, url in (("KEV", feed_url(kev_url, KEV_URL_ENV, DEFAULT_KEV_URL)),
                          ("EPSS", feed_url(epss_url, EPSS_URL_ENV, DEFAULT_EPSS_URL)))
        if url
    ]
    for label, url in (("base URL", base_url), *((f"{name} URL", url) for name, url in feeds)):
        if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
            raise DownloadError(f"unsupported {label} {url!r}: expected https://…")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    work = db_path.with_name(db_path.name + ".updating")
    _remove(work)
    if db_path.exists():
        _copy_database(db_path, work)
    result = UpdateResult()
    try:
        with Store.open(work, create=True) as store, tempfile.TemporaryDirectory(prefix="shiftsec-") as tmp:
            for ecosystem in ecosystems:
                _update_one(store, ecosystem, base_url, Path(tmp), timeout, progress, result)
            for name, url in feeds:
                _update_feed(store, name, url, Path(tmp), timeout, progress, result)
            store.set_meta("updated_at", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        os.replace(work, db_path)
    finally:
        _remove(work)
    return result


def _update_one(
    store: Store,
    ecosystem: str,
    base_url: str,
    tmp: Path,
    timeout: float,
    progress: DownloadProgress | None,
    result: UpdateResult,
) -> None:
    url = dump_url(base_url, ecosystem)
    source = f"download:{url}"
    target = tmp / f"{len(result.downloaded) + len(result.not_modified)}.zip"
    headers = _download(
        store, url, target, ecosystem, timeout, progress,
        not_found=f"no advisory dump for ecosystem {ecosystem!r} at {url} (HTTP 404)",
    )
    if headers is None:
        result.not_modified.append(ecosystem)
        return
    if not zipfile.is_zipfile(target):
        raise DownloadError(f"{url} did not return a zip archive (damaged or truncated download)")
    try:
        with zipfile.ZipFile(target) as archive:
            damaged = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DownloadError(f"{url} returned a damaged zip archive: {exc}") from None
    if damaged is not None:
        raise DownloadError(f"{url} returned a damaged zip archive (bad member {damaged!r})")
    import_source(
        store, target, source=source, kind="download", location=url, result=result.imported, key=source,
        etag=headers.get("ETag"), last_modified=headers.get("Last-Modified"),
    )
    result.downloaded.append(ecosystem)


def feed_url(explicit: str | None, env: str, default: str) -> str:
    """The URL of one exploit feed: `explicit` if given (empty: skip the feed), else `$env`, else `default`."""
    if explicit is not None:
        return explicit
    return os.environ.get(env, default)


def _update_feed(
    store: Store,
    name: str,
    url: str,
    tmp: Path,
    timeout: float,
    progress: DownloadProgress | None,
    result: UpdateResult,
) -> None:
    """Fetch one exploit feed (`KEV` or `EPSS`) and replace the stored data set with it."""
    source = f"download:{url}"
    target = tmp / f"{name.lower()}.download"
    headers = _download(store, url, target, name, timeout, progress, not_found=f"no {name} feed at {url} (HTTP 404)")
    if headers is None:
        result.feeds_not_modified.append(name)
        return
    data = target.read_bytes()
    fmt = exploits.KEV if name == "KEV" else exploits.EPSS
    try:
        facts = exploits.parse(fmt, url, data)
    except InvalidRecord as exc:
        raise DownloadError(f"{url} did not return usable {name} data: {exc}") from None
    for where, reason in facts.errors:
        result.imported.errors.append(ScanError(where, reason, "invalid-record"))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with store.transaction():
        count = exploits.store_facts(store, facts, source)
        store.record_source(
            SourceRow(source, "download", url, now, count, headers.get("ETag"), headers.get("Last-Modified"))
        )
    if fmt == exploits.KEV:
        result.imported.kev = count
    else:
        result.imported.epss = count
    result.feeds_downloaded.append(name)


def _download(
    store: Store,
    url: str,
    target: Path,
    label: str,
    timeout: float,
    progress: DownloadProgress | None,
    *,
    not_found: str,
) -> Message | None:
    """Download `url` to `target` with a conditional request; the response headers, or None for a 304."""
    previous = store.source(f"download:{url}")
    request = urllib.request.Request(url, headers={"User-Agent": f"shiftsec/{__version__}"})
    if previous and previous.etag:
        request.add_header("If-None-Match", previous.etag)
    if previous and previous.last_modified:
        request.add_header("If-Modified-Since", previous.last_modified)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            headers: Message = response.headers
            total = int(headers["Content-Length"]) if (headers["Content-Length"] or "").isdigit() else None
            done = 0
            with target.open("wb") as out:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(label, done, total)
            if total is not None and done != total:
                raise DownloadError(f"download of {url} was cut short ({done} of {total} bytes)")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return None
        if exc.code == 404:
            raise DownloadError(not_found) from None
        raise DownloadError(f"cannot download {url}: HTTP {exc.code} {exc.reason}", hint=OFFLINE_HINT) from None
    except http.client.HTTPException as exc:  # e.g. IncompleteRead when the connection drops mid-body
        raise DownloadError(f"download of {url} failed: {type(exc).__name__}", hint=OFFLINE_HINT) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"cannot download {url}: {reason}", hint=OFFLINE_HINT) from None
    except OSError as exc:
        raise DownloadError(f"cannot download {url}: {exc.strerror or exc}", hint=OFFLINE_HINT) from None
    return headers


def _copy_database(src: Path, dst: Path) -> None:
    """Copy a live SQLite database consistently (WAL included) with the backup API."""
    source = sqlite3.connect(src)
    target = sqlite3.connect(dst)
    try:
        with target:
            source.backup(target)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{src} is not a usable shiftsec database: {exc}") from None
    finally:
        target.close()
        source.close()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()
