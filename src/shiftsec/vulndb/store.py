"""The local advisory database: one SQLite file, its schema and migrations, and the queries on it.

Tables (schema version in `PRAGMA user_version`, upgraded by the numbered steps in `MIGRATIONS`):
- `advisories`: one row per OSV id — the full record as JSON plus what reports need without re-parsing it
  (aliases, summary, severity computed at import time, published, withdrawn).
- `affected`: one row per (advisory, affected package), indexed by (base ecosystem, normalized name); `spec`
  holds only what matching needs: the evaluable ranges and the explicit version list; `upper` the version
  from which on nothing is affected, valid while `meta.ordering_revision` equals the code's.
- `import_files`: a digest per imported file or zip member, so unchanged inputs are skipped without parsing.
- `sources`: where the data came from (import roots, download URLs with their ETag/Last-Modified).
- `meta`: key/value facts such as `updated_at`, and which exploit data sets are loaded (`kev_version`,
  `kev_released`, `kev_input`, `epss_date`, `epss_model`, `epss_input`).
- `kev`: the CISA Known Exploited Vulnerabilities catalogue, one row per CVE; `epss`: FIRST's EPSS score and
  percentile per CVE. Each is one data set, replaced as a whole by the next import (see `vulndb.exploits`).

The default location is `$XDG_CACHE_HOME/shiftsec/db.sqlite` (`~/.cache/...`), overridden by `--db` or
`SHIFTSEC_DB`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from shiftsec.errors import DatabaseError

MIGRATIONS: tuple[str, ...] = (
    # 1: initial schema
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE advisories (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        modified TEXT NOT NULL,
        published TEXT,
        withdrawn TEXT,
        aliases TEXT NOT NULL,
        summary TEXT NOT NULL,
        severity INTEGER NOT NULL,
        cvss_score REAL,
        cvss_vector TEXT,
        record TEXT NOT NULL
    );
    CREATE TABLE affected (
        advisory_id TEXT NOT NULL,
        ecosystem TEXT NOT NULL,
        base TEXT NOT NULL,
        name TEXT NOT NULL,
        spec TEXT NOT NULL
    );
    CREATE INDEX affected_lookup ON affected (base, name);
    CREATE INDEX affected_advisory ON affected (advisory_id);
    CREATE TABLE import_files (key TEXT PRIMARY KEY, digest TEXT NOT NULL, source TEXT NOT NULL);
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        records INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        last_modified TEXT
    );
    """,
    # 2: an upper bound per affected row (see vulndb.ranges.upper_bound): at or above it nothing is affected,
    # so a scan can set the row aside without evaluating it. NULL (as for rows written before) means unknown.
    """
    ALTER TABLE affected ADD COLUMN upper TEXT;
    """,
    # 3: exploit facts per CVE (vulndb.exploits): the CISA KEV catalogue and FIRST's EPSS scores
    """
    CREATE TABLE kev (
        cve TEXT PRIMARY KEY,
        date_added TEXT,
        due_date TEXT,
        ransomware INTEGER NOT NULL,
        name TEXT NOT NULL
    );
    CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    """`$SHIFTSEC_DB`, else `$XDG_CACHE_HOME/shiftsec/db.sqlite`, else `~/.cache/shiftsec/db.sqlite`."""
    env = os.environ.get("SHIFTSEC_DB")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "shiftsec" / "db.sqlite"


@dataclass(frozen=True, slots=True)
class AdvisoryRow:
    """What a finding needs from an advisory, without its full record."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: int
    cvss_score: float | None
    cvss_vector: str | None
    published: str | None
    withdrawn: str | None


class AffectedRow(NamedTuple):
    """One affected entry as matching needs it (a tuple: a scan reads tens of thousands)."""

    advisory_id: str
    ecosystem: str
    spec: str  # JSON, see vulndb.ranges
    upper: str | None  # see vulndb.ranges.upper_bound


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One advisory ready to store (built by the importer, possibly in another process)."""

    id: str
    modified: str
    published: str | None
    withdrawn: str | None
    aliases: tuple[str, ...]
    summary: str
    severity: int
    cvss_score: float | None
    cvss_vector: str | None
    record: str
    affected: tuple[tuple[str, str, str, str, str | None], ...]  # (ecosystem, base, normalized name, spec, upper)


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    kind: str
    location: str
    updated_at: str
    records: int
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class KevRow:
    """One CISA KEV entry as stored (`ransomware`: CISA says it is known to be used in ransomware campaigns)."""

    cve: str
    date_added: str | None
    due_date: str | None
    ransomware: bool
    name: str


@dataclass(frozen=True, slots=True)
class ExploitStatus:
    """Which exploit data sets the database holds (`*_loaded` False: never imported)."""

    kev_loaded: bool
    epss_loaded: bool
    kev_version: str | None
    kev_released: str | None
    kev_count: int
    epss_date: str | None
    epss_model: str | None
    epss_count: int


@dataclass(frozen=True, slots=True)
class ExploitFacts:
    """Exploit facts of some CVE ids: which are known exploited, and their EPSS scores.

    `kev_loaded`/`epss_loaded` say whether the database holds those data sets at all, so that "not in KEV" can
    be told from "KEV unknown".
    """

    kev_loaded: bool
    epss_loaded: bool
    kev: frozenset[str]
    epss: Mapping[str, float]

    def lookup(self, ids: Iterable[str]) -> tuple[bool | None, float | None]:
        """(known exploited, highest EPSS score) over the CVE ids among `ids` (other ids are ignored)."""
        cves = {i.upper() for i in ids if i.upper().startswith("CVE-")}
        kev = bool(cves & self.kev) if self.kev_loaded else None
        return kev, max((self.epss[c] for c in cves if c in self.epss), default=None)


class Store:
    """An open advisory database. Use `Store.open(path)`; close it (or use it as a context manager)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Store:
        if not path.exists():
            if not create:
                raise DatabaseError(
                    f"no advisory database at {path}",
                    hint="run `shiftsec db update` (online) or `shiftsec db import PATH` (offline) first",
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
        elif path.is_dir():
            raise DatabaseError(f"{path} is a directory, not a database file")
        try:
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            store = cls(conn, path)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"{path} is not a usable shiftsec database: {exc}") from None
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"{self.path} has schema version {version}, newer than this shiftsec knows ({SCHEMA_VERSION})",
                hint="upgrade shiftsec, or point --db at another file",
            )
        for step in range(version, SCHEMA_VERSION):
            try:
                self.conn.executescript(f"BEGIN; {MIGRATIONS[step]}; PRAGMA user_version = {step + 1}; COMMIT;")
            except sqlite3.Error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.conn.rollback()  # a no-op when nothing is open
            raise
        self.conn.commit()

    # --- import bookkeeping ---------------------------------------------------------------------------

    def file_digests(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, digest FROM import_files"))

    def mark_files(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Remember (key, digest, source) of inputs that were read completely."""
        self.conn.executemany("INSERT OR REPLACE INTO import_files (key, digest, source) VALUES (?, ?, ?)", rows)

    def modified_by_id(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT id, modified FROM advisories"))

    def put(self, row: RecordRow, source: str) -> None:
        """Insert or replace one advisory and its affected rows."""
        self.conn.execute("DELETE FROM affected WHERE advisory_id = ?", (row.id,))
        self.conn.execute(
            "INSERT OR REPLACE INTO advisories (id, source, modified, published, withdrawn, aliases, summary,"
            " severity, cvss_score, cvss_vector, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.id, source, row.modified, row.published, row.withdrawn, json.dumps(list(row.aliases)),
                row.summary, row.severity, row.cvss_score, row.cvss_vector, row.record,
            ),
        )
        self.conn.executemany(
            "INSERT INTO affected (advisory_id, ecosystem, base, name, spec, upper) VALUES (?, ?, ?, ?, ?, ?)",
            [(row.id, *a) for a in row.affected],
        )

    def record_source(self, source: SourceRow) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO sources (name, kind, location, updated_at, records, etag, last_modified)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (source.name, source.kind, source.location, source.updated_at, source.records, source.etag,
             source.last_modified),
        )

    def source(self, name: str) -> SourceRow | None:
        row = self.conn.execute(
            "SELECT name, kind, location, updated_at, records, etag, last_modified FROM sources WHERE name = ?",
            (name,),
        ).fetchone()
        return SourceRow(*row) if row else None

    def sources(self) -> list[SourceRow]:
        rows = self.conn.execute(
            "SELECT name, kind, location, updated_at, records, etag, last_modified FROM sources ORDER BY name"
        )
        return [SourceRow(*r) for r in rows]

    def bounds_valid(self, revision: int) -> bool:
        """Whether the stored `upper` bounds were computed with ordering rules of `revision`."""
        return self.meta("ordering_revision") == str(revision)

    def adopt_ordering(self, revision: int) -> None:
        """Forget bounds computed under other ordering rules (rows written from now on carry new ones)."""
        if not self.bounds_valid(revision):
            self.conn.execute("UPDATE affected SET upper = NULL")
            self.set_meta("ordering_revision", str(revision))

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    # --- queries ------------------------------------------------------------------------------------------

    def affected_for(
        self, base: str, names: Iterable[str], ecosystems: Sequence[str] | None = None
    ) -> dict[str, list[AffectedRow]]:
        """Affected rows of every name (already normalized) in one base ecosystem, keyed by name; only rows of
        the given full `ecosystems` (e.g. `Debian:12`, `Debian`) when those are named."""
        out: dict[str, list[AffectedRow]] = {}
        only = f" AND ecosystem IN ({','.join('?' * len(ecosystems))})" if ecosystems else ""
        rows = self._select_in(
            f"SELECT name, advisory_id, ecosystem, spec, upper FROM affected WHERE base = ? AND name IN ({{}}){only}",
            names,
            before=(base,),
            after=tuple(ecosystems or ()),
        )
        for name, adv_id, ecosystem, spec, upper in rows:
            out.setdefault(name, []).append(AffectedRow(adv_id, ecosystem, spec, upper))
        return out

    def advisories(self, ids: Iterable[str]) -> dict[str, AdvisoryRow]:
        out: dict[str, AdvisoryRow] = {}
        rows = self._select_in(
            "SELECT id, aliases, summary, severity, cvss_score, cvss_vector, published, withdrawn"
            " FROM advisories WHERE id IN ({})",
            ids,
        )
        for adv_id, aliases, summary, severity, score, vector, published, withdrawn in rows:
            out[adv_id] = AdvisoryRow(
                adv_id, tuple(json.loads(aliases)), summary, severity, score, vector, published, withdrawn
            )
        return out

    def _select_in(
        self, sql: str, values: Iterable[str], *, before: tuple[str, ...] = (), after: tuple[str, ...] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """Run `sql`, whose `{}` is an IN list, over `values` (deduplicated) in chunks SQLite accepts."""
        unique = list(dict.fromkeys(values))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            yield from self.conn.execute(sql.format(",".join("?" * len(chunk))), (*before, *chunk, *after))

    def record(self, adv_id: str) -> str | None:
        row = self.conn.execute("SELECT record FROM advisories WHERE id = ?", (adv_id,)).fetchone()
        return str(row[0]) if row else None

    def count(self, *, source: str | None = None) -> int:
        """Number of advisories, all of them or those last written by `source`."""
        if source is None:
            return int(self.conn.execute("SELECT COUNT(*) FROM advisories").fetchone()[0])
        return int(self.conn.execute("SELECT COUNT(*) FROM advisories WHERE source = ?", (source,)).fetchone()[0])

    def counts_by_ecosystem(self) -> list[tuple[str, int, int]]:
        """(base ecosystem, advisories, withdrawn advisories) for every ecosystem in the database."""
        rows = self.conn.execute(
            "SELECT f.base, COUNT(DISTINCT f.advisory_id),"
            " COUNT(DISTINCT CASE WHEN a.withdrawn IS NOT NULL THEN a.id END)"
            " FROM affected f JOIN advisories a ON a.id = f.advisory_id GROUP BY f.base ORDER BY f.base"
        )
        return [(str(b), int(n), int(w)) for b, n, w in rows]

    # --- exploit facts (vulndb.exploits) -------------------------------------------------------------------

    def replace_kev(self, rows: Iterable[KevRow], *, version: str, released: str | None, key: str) -> None:
        """Replace the KEV catalogue by `rows` (call inside a transaction); `key` names the input it came from."""
        self.conn.execute("DELETE FROM kev")
        self.conn.executemany(
            "INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware, name) VALUES (?, ?, ?, ?, ?)",
            ((r.cve, r.date_added, r.due_date, int(r.ransomware), r.name) for r in rows),
        )
        self._replace_input("kev_input", key)
        self.set_meta("kev_version", version)
        self._set_or_clear("kev_released", released)

    def replace_epss(
        self, rows: Iterable[tuple[str, float, float]], *, score_date: str | None, model: str | None, key: str
    ) -> None:
        """Replace the EPSS scores by `rows` of (cve, score, percentile) (call inside a transaction)."""
        self.conn.execute("DELETE FROM epss")
        self.conn.executemany("INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)", rows)
        self._replace_input("epss_input", key)
        self.set_meta("epss_loaded", "1")
        self._set_or_clear("epss_date", score_date)
        self._set_or_clear("epss_model", model)

    def _replace_input(self, meta_key: str, key: str) -> None:
        # The data set an earlier input brought is gone: importing that input again must not be skipped.
        previous = self.meta(meta_key)
        if previous is not None and previous != key:
            self.conn.execute("DELETE FROM import_files WHERE key = ?", (previous,))
        self.set_meta(meta_key, key)

    def _set_or_clear(self, key: str, value: str | None) -> None:
        if value is None:
            self.conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self.set_meta(key, value)

    def kev_entries(self, cves: Iterable[str]) -> dict[str, KevRow]:
        rows = self._select_in(
            "SELECT cve, date_added, due_date, ransomware, name FROM kev WHERE cve IN ({})", (c.upper() for c in cves)
        )
        return {cve: KevRow(cve, added, due, bool(ransomware), name) for cve, added, due, ransomware, name in rows}

    def epss_scores(self, cves: Iterable[str]) -> dict[str, tuple[float, float]]:
        """(score, percentile) of every CVE among `cves` that has one."""
        rows = self._select_in("SELECT cve, score, percentile FROM epss WHERE cve IN ({})", (c.upper() for c in cves))
        return {cve: (float(score), float(pct)) for cve, score, pct in rows}

    def exploit_facts(self, ids: Iterable[str]) -> ExploitFacts:
        """Exploit facts of the CVE ids among `ids` (GHSA-, PYSEC-… ids are ignored); see `ExploitFacts`."""
        cves = [i.upper() for i in ids if i.upper().startswith("CVE-")]
        kev = frozenset(self._select_in("SELECT cve FROM kev WHERE cve IN ({})", cves))
        epss = {cve: score for cve, (score, _) in self.epss_scores(cves).items()}
        return ExploitFacts(
            kev_loaded=self.meta("kev_version") is not None,
            epss_loaded=self.meta("epss_loaded") is not None,
            kev=frozenset(row[0] for row in kev),
            epss=epss,
        )

    def exploit_status(self) -> ExploitStatus:
        loaded = self.meta("epss_loaded") is not None
        return ExploitStatus(
            kev_loaded=self.meta("kev_version") is not None,
            epss_loaded=loaded,
            kev_version=self.meta("kev_version"),
            kev_released=self.meta("kev_released"),
            kev_count=int(self.conn.execute("SELECT COUNT(*) FROM kev").fetchone()[0]),
            epss_date=self.meta("epss_date") if loaded else None,
            epss_model=self.meta("epss_model") if loaded else None,
            epss_count=int(self.conn.execute("SELECT COUNT(*) FROM epss").fetchone()[0]),
        )
