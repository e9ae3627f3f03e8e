"""Runs a scan end to end: target → inventory → scanners → one `Report`.

The CLI calls these functions and only formats and prints what they return.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from shiftsec import __version__
from shiftsec.model import DatabaseInfo, Report
from shiftsec.scanners import vulns
from shiftsec.targets.sbom import read_sbom
from shiftsec.vulndb.store import SCHEMA_VERSION, Store


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scan_sbom(path: Path, db_path: Path) -> Report:
    """Read the SBOM at `path` and match its components against the database at `db_path`."""
    inventory = read_sbom(path)
    with Store.open(db_path) as store:
        result = vulns.scan(inventory.packages, store)
        database = DatabaseInfo(str(db_path), SCHEMA_VERSION, store.count(), store.meta("updated_at"))
    return Report(
        target=str(path),
        target_type="sbom",
        created_at=_now(),
        tool_version=__version__,
        packages=inventory.packages,
        findings=result.findings,
        errors=inventory.errors + result.errors,
        database=database,
    )
