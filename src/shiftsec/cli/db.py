"""`shiftsec db`: import, update and inspect the local advisory database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from shiftsec.cli.common import (
    MAX_LISTED_ERRORS,
    Progress,
    db_option,
    err,
    main,
    resolve_db,
)


@main.group()
def db() -> None:
    """Manage the local advisory database (OSV, SQLite)."""


@db.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def db_import(paths: tuple[Path, ...], db_path: Path | None) -> None:
    """Import advisories from files, directories and OSV all.zip dumps.

    Reads OSV JSON/YAML, OSV zip dumps, RustSec, rubysec, FriendsOfPHP, Alpine secdb and GitHub advisory JSON,
    and the exploit facts: the CISA KEV catalogue (JSON) and FIRST's EPSS scores (CSV or .csv.gz), each of
    which replaces the previous one. Unchanged files are skipped; invalid records are listed and skipped.
    """
    from shiftsec.vulndb.importing import import_paths
    from shiftsec.vulndb.store import Store

    with Store.open(resolve_db(db_path), create=True) as store, Progress("Importing") as bar:
        result = import_paths(store, list(paths), progress=bar.update)
        total = store.count()
    for error in result.errors[:MAX_LISTED_ERRORS]:
        err(f"skipped {error.path}: {error.message}")
    if len(result.errors) > MAX_LISTED_ERRORS:
        err(f"… and {len(result.errors) - MAX_LISTED_ERRORS} more skipped inputs")
    read = result.added + result.updated + result.unchanged
    click.echo(
        f"Imported {read:,} records from {result.files_seen:,} files ({result.files_unchanged:,} unchanged files "
        f"skipped): {result.added:,} added, {result.updated:,} updated, {result.unchanged:,} unchanged, "
        f"{result.withdrawn:,} withdrawn; {len(result.errors):,} invalid or unreadable inputs. "
        f"The database now holds {total:,} advisories."
    )
    if result.kev or result.epss:
        click.echo(f"Exploit facts: {result.kev:,} known exploited CVEs (CISA KEV), {result.epss:,} EPSS scores.")
    if result.errors and read == 0 and result.files_unchanged == 0 and not (result.kev or result.epss):
        raise SystemExit(2)


@db.command("update")
@db_option
@click.option("--base-url", envvar="SHIFTSEC_DB_URL", default=None, help="Mirror of the OSV dumps bucket.")
@click.option("--ecosystem", "ecosystems", multiple=True, help="Ecosystem to fetch (repeatable; default: all).")
@click.option("--kev-url", envvar="SHIFTSEC_KEV_URL", default=None,
              help="Where to fetch CISA's KEV catalogue (JSON) from (default: CISA's feed; '' skips it).")
@click.option("--epss-url", envvar="SHIFTSEC_EPSS_URL", default=None,
              help="Where to fetch FIRST's EPSS scores (CSV, gzip) from (default: the daily file; '' skips it).")
@click.option("--no-exploit-feeds", is_flag=True, help="Fetch only the OSV dumps, not the KEV and EPSS feeds.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Network timeout in seconds.")
def db_update(db_path: Path | None, base_url: str | None, ecosystems: tuple[str, ...], kev_url: str | None,
              epss_url: str | None, no_exploit_feeds: bool, timeout: float) -> None:
    """Download the OSV advisory dumps, CISA's Known Exploited Vulnerabilities catalogue and the EPSS scores,
    and import them (only what changed since the last update)."""
    from shiftsec.vulndb import update as upd

    if no_exploit_feeds:
        kev_url = epss_url = ""
    with Progress("Downloading", unit="bytes") as bar:
        result = upd.update(
            resolve_db(db_path),
            base_url=base_url or upd.DEFAULT_BASE_URL,
            ecosystems=ecosystems or upd.DEFAULT_ECOSYSTEMS,
            timeout=timeout,
            progress=bar.download,
            kev_url=kev_url,
            epss_url=epss_url,
        )
    for error in result.imported.errors[:MAX_LISTED_ERRORS]:
        err(f"skipped {error.path}: {error.message}")
    feeds = ""
    if result.feeds_downloaded or result.feeds_not_modified:
        feeds = (f" Exploit feeds: {', '.join(result.feeds_downloaded) or 'none'} updated"
                 f"{', ' + ', '.join(result.feeds_not_modified) + ' unchanged' if result.feeds_not_modified else ''}"
                 f" ({result.imported.kev:,} KEV entries, {result.imported.epss:,} EPSS scores read).")
    click.echo(
        f"Updated {len(result.downloaded)} ecosystems ({', '.join(result.downloaded) or 'none'}); "
        f"{len(result.not_modified)} unchanged since the last update. "
        f"{result.imported.added:,} advisories added, {result.imported.updated:,} updated.{feeds}"
    )


@db.command("status")
@db_option
@click.option("--max-age", type=click.IntRange(min=0), default=7, show_default=True,
              help="Warn when the last update is older than this many days.")
def db_status(db_path: Path | None, max_age: int) -> None:
    """Show what the advisory database holds and how old it is."""
    from shiftsec.vulndb.store import SCHEMA_VERSION, Store

    path = resolve_db(db_path)
    with Store.open(path) as store:
        counts = store.counts_by_ecosystem()
        sources = store.sources()
        updated = store.meta("updated_at")
        total = store.count()
        facts = store.exploit_status()
    click.echo(f"Advisory database: {path} (schema {SCHEMA_VERSION}, {total:,} advisories)")
    width = max((len(base) for base, _, _ in counts), default=9)
    click.echo(f"  {'Ecosystem':<{width}}  {'Advisories':>10}  {'Withdrawn':>9}")
    for base, n, withdrawn in counts:
        click.echo(f"  {base:<{width}}  {n:>10,}  {withdrawn:>9,}")
    click.echo("Sources:")
    for src in sources:
        click.echo(f"  {src.kind:<8} {src.location}  ({src.records:,} records, {src.updated_at})")
    if facts.kev_loaded:
        released = f", released {facts.kev_released}" if facts.kev_released else ""
        click.echo(f"Known exploited (CISA KEV): catalogue {facts.kev_version}{released}, {facts.kev_count:,} CVEs")
    else:
        click.echo("Known exploited (CISA KEV): not imported")
    if facts.epss_loaded:
        model = f", model {facts.epss_model}" if facts.epss_model else ""
        click.echo(f"EPSS scores: of {facts.epss_date or 'an unknown date'}{model}, {facts.epss_count:,} CVEs")
    else:
        click.echo("EPSS scores: not imported")
    if updated is None:
        click.echo("Last update: never")
        return
    age = datetime.now(UTC) - datetime.fromisoformat(updated.replace("Z", "+00:00"))
    click.echo(f"Last update: {updated} ({age.days} days ago)")
    if age.days > max_age:
        err(f"warning: the advisory database is {age.days} days old (more than {max_age}); "
             "run `shiftsec db update` or import fresh dumps")
