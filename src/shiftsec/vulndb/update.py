"""`db update`: download the per-ecosystem OSV dumps (`<base>/<Ecosystem>/all.zip`) and import them.

- Conditional requests: the ETag and Last-Modified of each dump are kept in the store's `sources` table and
  sent back (`If-None-Match`, `If-Modified-Since`); a 304 costs one round trip and no parsing.
- Atomic swap: the update works on a copy of the database and replaces the real file only when every
  requested dump was fetched and imported, so a failed or interrupted update leaves the old database as it was.
- Offline or failing: one `DownloadError` naming the URL and the reason, with the offline alternative
  (`shiftsec db import`) as its hint.

The base URL defaults to the public OSV bucket and can be changed (`--base-url`, `SHIFTSEC_DB_URL`) for a
mirror; plain http is accepted there only because a mirror on a private network may not have TLS.
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
from shiftsec.errors import DatabaseError, DownloadError
from shiftsec.vulndb.importing import ImportResult, import_source
from shiftsec.vulndb.store import Store

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = (
    "PyPI", "npm", "Go", "crates.io", "Maven", "NuGet", "RubyGems", "Packagist", "Pub", "Hex", "CRAN",
    "Hackage", "SwiftURL", "GitHub Actions", "Debian", "Ubuntu", "Alpine", "Red Hat", "Rocky Linux",
    "AlmaLinux", "Wolfi", "Chainguard",
)
OFFLINE_HINT = (
    "offline? import advisory files instead: `shiftsec db import PATH` (OSV JSON/YAML, all.zip dumps, RustSec, "
    "rubysec, FriendsOfPHP, Alpine secdb)"
)
_CHUNK = 1 << 16

# (ecosystem, bytes done, bytes total or None)
DownloadProgress = Callable[[str, int, int | None], None]


@dataclass
class UpdateResult:
    downloaded: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    imported: ImportResult = field(default_factory=ImportResult)


def dump_url(base_url: str, ecosystem: str) -> str:
    return f"{base_url.rstrip('/')}/{urllib.parse.quote(ecosystem)}/all.zip"


def update(
    db_path: Path,
    *,
    base_url: str = DEFAULT_BASE_URL,
    ecosystems: Sequence[str] = DEFAULT_ECOSYSTEMS,
    timeout: float = 60.0,
    progress: DownloadProgress | None = None,
) -> UpdateResult:
    """Fetch and import the dumps of `ecosystems` into the database at `db_path` (created if absent)."""
    scheme = urllib.parse.urlsplit(base_url).scheme
    if scheme not in ("https", "http"):
        raise DownloadError(f"unsupported base URL {base_url!r}: expected https://…")
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
    previous = store.source(source)
    request = urllib.request.Request(url, headers={"User-Agent": f"shiftsec/{__version__}"})
    if previous and previous.etag:
        request.add_header("If-None-Match", previous.etag)
    if previous and previous.last_modified:
        request.add_header("If-Modified-Since", previous.last_modified)
    target = tmp / f"{len(result.downloaded) + len(result.not_modified)}.zip"
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
                        progress(ecosystem, done, total)
            if total is not None and done != total:
                raise DownloadError(f"download of {url} was cut short ({done} of {total} bytes)")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            result.not_modified.append(ecosystem)
            return
        if exc.code == 404:
            raise DownloadError(f"no advisory dump for ecosystem {ecosystem!r} at {url} (HTTP 404)") from None
        raise DownloadError(f"cannot download {url}: HTTP {exc.code} {exc.reason}", hint=OFFLINE_HINT) from None
    except http.client.HTTPException as exc:  # e.g. IncompleteRead when the connection drops mid-body
        raise DownloadError(f"download of {url} failed: {type(exc).__name__}", hint=OFFLINE_HINT) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"cannot download {url}: {reason}", hint=OFFLINE_HINT) from None
    except OSError as exc:
        raise DownloadError(f"cannot download {url}: {exc.strerror or exc}", hint=OFFLINE_HINT) from None
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
