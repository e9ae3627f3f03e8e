"""The `shiftsec` command line: the only module that prints and exits.

Exit codes: 0 = scan done and the gate (if asked with --fail-on) passed; 1 = findings at or above --fail-on;
2 = could not do what was asked (bad usage, unreadable input, missing database). Every `ShiftsecError`
becomes one line on stderr (plus a hint line when there is one), never a traceback.
Heavy modules (rich, the reporters, the importers) are imported inside the commands that need them so that
`shiftsec --version` and `--help` start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from shiftsec import __version__
from shiftsec.errors import ShiftsecError, UsageError

# The default of --secret-fixture-dirs; equal to shiftsec.scanners.secrets.DEFAULT_FIXTURE_DIRS (a test checks), not
# imported from there so that `shiftsec --version` loads no scanner.
FIXTURE_DIRS = "testdata,test_data,fixtures,__fixtures__,__snapshots__"

F = TypeVar("F", bound=Callable[..., Any])
SEVERITIES = ("low", "medium", "high", "critical")
FORMATS = ("table", "json", "sarif", "markdown", "cyclonedx", "spdx", "junit", "html", "openvex")
SCANNERS = ("vuln", "secret", "misconfig", "none")
_MAX_LISTED_ERRORS = 50


def _report_options(func: F) -> F:
    """--format, --output and --fail-on, as every scan command takes them."""
    for option in reversed((
        click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report here."),
        click.option("--fail-on", type=click.Choice(SEVERITIES, case_sensitive=False),
                     help="Exit 1 when a finding has at least this severity."),
    )):
        func = option(func)
    return func


def _misconfig_options(func: F) -> F:
    """The misconfiguration options `fs` and `config` share."""
    func = click.option("--no-render", is_flag=True,
                        help="Do not render Helm charts (helm template) and kustomizations (kustomize build).")(func)
    func = click.option("--checks", "checks", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
                        help="A folder (or file) of custom checks in Rego, run beside the built-in ones "
                             "(repeatable).")(func)
    return click.option("--standard", type=click.Choice(["pss-baseline", "pss-restricted"]),
                        help="Only the controls of this Pod Security Standards level (default: every check, the "
                             "restricted level included).")(func)


def _secret_options(func: F) -> F:
    """The secret scanner's options, shared by `fs` and `repo`."""
    for option in reversed((
        click.option("--secret-config", type=click.Path(dir_okay=False, path_type=Path),
                     help="A gitleaks-format TOML rule file to use instead of shiftsec's rules."),
        click.option("--secret-max-mb", type=click.FloatRange(min=0), default=10, show_default=True, metavar="MB",
                     help="Search at most this much of a file (in history: of what one commit adds to one file); "
                          "larger ones are listed in errors; 0 = no limit."),
        click.option("--secret-include-generated", is_flag=True,
                     help="Also search lockfiles, minified bundles and source maps for secrets."),
        click.option("--secret-fixture-dirs", default=FIXTURE_DIRS, show_default=True, metavar="NAMES",
                     help="Comma-separated folder names whose files hold test data and are not searched for "
                          "secrets; '' searches them too."),
    )):
        func = option(func)
    return func


def _db_option(func: F) -> F:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="SHIFTSEC_DB",
        help="Advisory database file (default: $XDG_CACHE_HOME/shiftsec/db.sqlite; env SHIFTSEC_DB).",
    )(func)


def _resolve_db(db_path: Path | None) -> Path:
    from shiftsec.vulndb.store import default_path

    return db_path or default_path()


def _err(message: str) -> None:
    click.echo(message, err=True)


def _freeze_imports() -> None:
    """Keep what is loaded so far (modules, rules, check tables) out of every later garbage collection: a scan
    allocates many objects, and each collection would otherwise walk the imports again (2.6% of the
    instructions of `config` on Checkov's Kubernetes examples, callgrind). The process is short-lived."""
    import gc

    gc.freeze()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="shiftsec", message="%(prog)s %(version)s")
def main() -> None:
    """shiftsec: the security team's checks in every pipeline run."""


# --- db ------------------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Manage the local advisory database (OSV, SQLite)."""


@db.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_db_option
def db_import(paths: tuple[Path, ...], db_path: Path | None) -> None:
    """Import advisories from files, directories and OSV all.zip dumps.

    Reads OSV JSON/YAML, OSV zip dumps, RustSec, rubysec, FriendsOfPHP, Alpine secdb and GitHub advisory JSON,
    and the exploit facts: the CISA KEV catalogue (JSON) and FIRST's EPSS scores (CSV or .csv.gz), each of
    which replaces the previous one. Unchanged files are skipped; invalid records are listed and skipped.
    """
    from shiftsec.vulndb.importing import import_paths
    from shiftsec.vulndb.store import Store

    with Store.open(_resolve_db(db_path), create=True) as store, _Progress("Importing") as bar:
        result = import_paths(store, list(paths), progress=bar.update)
        total = store.count()
    for error in result.errors[:_MAX_LISTED_ERRORS]:
        _err(f"skipped {error.path}: {error.message}")
    if len(result.errors) > _MAX_LISTED_ERRORS:
        _err(f"… and {len(result.errors) - _MAX_LISTED_ERRORS} more skipped inputs")
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
@_db_option
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
    with _Progress("Downloading", unit="bytes") as bar:
        result = upd.update(
            _resolve_db(db_path),
            base_url=base_url or upd.DEFAULT_BASE_URL,
            ecosystems=ecosystems or upd.DEFAULT_ECOSYSTEMS,
            timeout=timeout,
            progress=bar.download,
            kev_url=kev_url,
            epss_url=epss_url,
        )
    for error in result.imported.errors[:_MAX_LISTED_ERRORS]:
        _err(f"skipped {error.path}: {error.message}")
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
@_db_option
@click.option("--max-age", type=click.IntRange(min=0), default=7, show_default=True,
              help="Warn when the last update is older than this many days.")
def db_status(db_path: Path | None, max_age: int) -> None:
    """Show what the advisory database holds and how old it is."""
    from shiftsec.vulndb.store import SCHEMA_VERSION, Store

    path = _resolve_db(db_path)
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
        _err(f"warning: the advisory database is {age.days} days old (more than {max_age}); "
             "run `shiftsec db update` or import fresh dumps")


# --- scans ---------------------------------------------------------------------------------------------


@main.command("sbom")
@click.argument("file", type=click.Path(path_type=Path))
@_db_option
@_report_options
@click.option("--include-dev", is_flag=True, help="Also match development-only components (always listed).")
def sbom_command(
    file: Path, db_path: Path | None, fmt: str, output: Path | None, fail_on: str | None, include_dev: bool
) -> None:
    """Match the components of a CycloneDX or SPDX SBOM against the advisory database."""
    from shiftsec.engine import scan_sbom

    report = scan_sbom(file, _resolve_db(db_path), include_dev=include_dev)
    _emit(report, fmt, output)
    _gate(report, fail_on)


@main.command("fs")
@click.argument("path", type=click.Path(path_type=Path))
@_db_option
@_report_options
@click.option("--scanners", default="vuln", show_default=True, metavar="LIST",
              help="Comma-separated: vuln (dependencies), secret (exposed keys and tokens), misconfig (Kubernetes "
                   "manifests against the Pod Security Standards); 'none' only lists the packages (e.g. for an "
                   "SBOM) and needs no database.")
@_secret_options
@_misconfig_options
@click.option("--skip-dirs", multiple=True, metavar="GLOB", help="Folders to leave out (glob; repeatable).")
@click.option("--skip-files", multiple=True, metavar="GLOB", help="Files to leave out (path or name glob; repeatable).")
@click.option("--include-dev", is_flag=True, help="Also match development dependencies (always listed).")
@click.option("--include-vendored", is_flag=True, help="Also enter node_modules, virtualenvs and the like.")
@click.option("--no-gitignore", is_flag=True, help="Scan files .gitignore excludes too.")
def fs_command(
    path: Path,
    db_path: Path | None,
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    scanners: str,
    secret_config: Path | None,
    secret_max_mb: float,
    secret_include_generated: bool,
    secret_fixture_dirs: str,
    standard: str | None,
    checks: tuple[Path, ...],
    no_render: bool,
    skip_dirs: tuple[str, ...],
    skip_files: tuple[str, ...],
    include_dev: bool,
    include_vendored: bool,
    no_gitignore: bool,
) -> None:
    """Find the lockfiles and manifests under PATH and report their known vulnerabilities (and, with
    --scanners secret, the passwords, keys and tokens in its files)."""
    from shiftsec.engine import scan_directory
    from shiftsec.targets.directory import WalkOptions

    chosen = {s.strip() for s in scanners.split(",") if s.strip()}
    unknown = chosen - set(SCANNERS)
    if unknown or not chosen or ("none" in chosen and len(chosen) > 1):
        raise UsageError(f"--scanners {scanners!r}: choose from {', '.join(SCANNERS)} (comma-separated; 'none' alone)")
    if (standard or checks) and "misconfig" not in chosen:
        raise UsageError("--standard and --checks apply to the misconfig scanner: add it to --scanners")
    options = WalkOptions(skip_dirs, skip_files, include_vendored, not no_gitignore)
    _freeze_imports()
    report = scan_directory(
        path, _resolve_db(db_path), walk_options=options, include_dev=include_dev, match="vuln" in chosen,
        secrets="secret" in chosen, secret_config=secret_config, packages=bool(chosen & {"vuln", "none"}),
        secret_max_bytes=int(secret_max_mb * 2**20),
        secret_filter=_secret_filter(secret_include_generated, secret_fixture_dirs),
        misconfig="misconfig" in chosen, standard=standard, checks=checks, render=not no_render,
    )
    if chosen & {"vuln", "none"} and not report.packages and not report.errors:
        _err(f"note: no lockfile or manifest found under {path}")
    _emit(report, fmt, output)
    _gate(report, fail_on)


@main.command("repo")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--history", is_flag=True, help="Every commit reachable from any branch or tag (the default).")
@click.option("--since", metavar="REF", help="Only the commits after REF up to HEAD (a pull request: the base branch).")
@click.option("--range", "revision_range", metavar="A..B", help="Only the commits in A..B (or A...B).")
@click.option("--staged", is_flag=True, help="Only the staged changes (for a pre-commit hook).")
@_report_options
@_secret_options
def repo_command(
    path: Path,
    history: bool,
    since: str | None,
    revision_range: str | None,
    staged: bool,
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    secret_config: Path | None,
    secret_max_mb: float,
    secret_include_generated: bool,
    secret_fixture_dirs: str,
) -> None:
    """Search a git repository's history (every added line of every commit), a range of commits, or the staged
    changes for secrets. Each finding names the commit, author, date, file and line."""
    from shiftsec.engine import scan_repository
    from shiftsec.targets.git import Selection

    chosen = [name for name, on in (("--history", history), ("--since", since), ("--range", revision_range),
                                     ("--staged", staged)) if on]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)}: choose one")
    selection = Selection(since=since, range=revision_range, staged=staged)
    report = scan_repository(path, selection, secret_config=secret_config,
                             secret_max_bytes=int(secret_max_mb * 2**20),
                             secret_filter=_secret_filter(secret_include_generated, secret_fixture_dirs))
    _emit(report, fmt, output)
    _gate(report, fail_on)


@main.command("image")
@click.argument("ref", metavar="IMAGE")
@_db_option
@_report_options
@click.option("--scanners", default="vuln,secret,misconfig", show_default=True, metavar="LIST",
              help="Comma-separated: vuln (OS and language packages), secret (files, ENV, labels, history), "
                   "misconfig (the config's recorded Dockerfile instructions).")
@click.option("--platform", metavar="OS/ARCH[/VARIANT]", help="Which image of a multi-platform index (default "
                                                               "linux/amd64 when there are several).")
@click.option("--insecure", is_flag=True, help="Allow a registry over plain HTTP.")
@click.option("--no-cache", is_flag=True, help="Analyse every layer again instead of reusing cached layers.")
@click.option("--secret-config", type=click.Path(dir_okay=False, path_type=Path),
              help="A gitleaks-format TOML rule file to use instead of shiftsec's rules.")
def image_command(ref: str, db_path: Path | None, fmt: str, output: Path | None, fail_on: str | None,
                  scanners: str, platform: str | None, insecure: bool, no_cache: bool,
                  secret_config: Path | None) -> None:
    """Scan a container image: a `docker save` tarball, an OCI image layout (folder or tar) or a registry
    reference (host[:port]/repo[:tag|@digest]). OS packages (dpkg, apk, rpm) and language packages installed
    in it are matched against the database; its files, ENV, labels and history are searched for secrets; its
    recorded build steps are checked like a Dockerfile. Every finding names the layer that holds it."""
    from shiftsec.engine import image_cache_dir, scan_image

    chosen = [s.strip() for s in scanners.split(",") if s.strip()]
    if not chosen or set(chosen) - {"vuln", "secret", "misconfig"}:
        raise UsageError(f"--scanners {scanners!r}: choose from vuln, secret, misconfig (comma-separated)")
    _freeze_imports()
    database = _resolve_db(db_path)
    report = scan_image(ref, database, scanners=chosen, platform=platform, insecure=insecure,
                        cache_dir=None if no_cache else image_cache_dir(database), secret_config=secret_config)
    _emit(report, fmt, output)
    _gate(report, fail_on)


@main.command("config")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_misconfig_options
@_report_options
@click.option("--skip-dirs", multiple=True, metavar="GLOB", help="Folders to leave out (glob; repeatable).")
@click.option("--skip-files", multiple=True, metavar="GLOB", help="Files to leave out (path or name glob; repeatable).")
def config_command(
    path: Path,
    standard: str | None,
    checks: tuple[Path, ...],
    no_render: bool,
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    skip_dirs: tuple[str, ...],
    skip_files: tuple[str, ...],
) -> None:
    """Check the Kubernetes manifests (Helm charts and kustomizations rendered), Dockerfiles and compose files
    under PATH for misconfigurations: every workload's pod against the Pod Security Standards, hardening beyond
    them (resources, probes, images, RBAC, network policies...) and your own Rego checks, each finding at the
    line of the offending field."""
    from shiftsec.engine import scan_config
    from shiftsec.targets.directory import WalkOptions

    _freeze_imports()
    report = scan_config(path, walk_options=WalkOptions(skip_dirs, skip_files), standard=standard, checks=checks,
                         render=not no_render)
    _emit(report, fmt, output)
    _gate(report, fail_on)


@main.command("ci")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@_db_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The configuration file (default: shiftsec.yaml at PATH, if there is one).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False, path_type=Path),
              help="A policy file the security team owns; it replaces the configuration's policy section.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), metavar="REPORT",
              help="A JSON report of an earlier scan: its findings are marked existing, the others new.")
@click.option("--diff-base", metavar="REF",
              help="Also scan git revision REF (in a temporary worktree): its findings are marked existing.")
@click.option("--vex", "vex_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="An OpenVEX or CycloneDX VEX document: not_affected and fixed statements suppress findings "
                   "(repeatable).")
@click.option("--import", "import_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Another tool's results (SARIF 2.1.0, gitleaks, Trivy, Bandit or Semgrep JSON), "
                                   "judged with shiftsec's own (repeatable).")
@click.option("-o", "--output", "outputs", multiple=True, metavar="FORMAT=FILE",
              help=f"Also write the report in FORMAT ({', '.join(FORMATS)}) to FILE (repeatable).")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS),
              help="Print the whole report in this format on stdout (the verdict then goes to stderr).")
def ci_command(
    path: Path,
    db_path: Path | None,
    config_path: Path | None,
    policy_path: Path | None,
    baseline: Path | None,
    diff_base: str | None,
    vex_paths: tuple[Path, ...],
    import_paths: tuple[Path, ...],
    outputs: tuple[str, ...],
    fmt: str | None,
) -> None:
    """The pipeline gate: detect what PATH holds, run every scanner it needs in parallel, apply the policy
    (shiftsec.yaml or --policy; exceptions, inline ignores, VEX) and exit 0 when it passes, 1 when it fails.
    With --diff-base or --baseline, a policy with new_only (the default) fails only on what the change
    introduced."""
    import os

    from shiftsec.ci import CiOptions, run_ci
    from shiftsec.policy.config import find_config, load_config
    from shiftsec.reporters import verdict as verdict_text

    if baseline is not None and diff_base is not None:
        raise UsageError("--baseline and --diff-base: choose one")
    targets = []
    for item in outputs:
        fmt_name, sep, where = item.partition("=")
        if not sep or not where or fmt_name not in FORMATS:
            raise UsageError(f"--output {item!r}: expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}")
        targets.append((fmt_name, Path(where)))
    config = load_config(config_path or find_config(path), policy_file=policy_path)
    _freeze_imports()
    report = run_ci(path, config, CiOptions(db_path=_resolve_db(db_path), baseline=baseline, diff_base=diff_base,
                                            vex=vex_paths, imports=import_paths))
    for fmt_name, target in targets:
        _write(target, _render(report, fmt_name))
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(_render(report, "markdown") + "\n")
        except OSError as exc:
            _err(f"warning: cannot append to $GITHUB_STEP_SUMMARY ({summary_file}): {exc.strerror or exc}")
    text = verdict_text.render(report)
    if fmt is not None:
        _emit(report, fmt, None)
        click.echo(text, nl=False, err=True)
    else:
        click.echo(text, nl=False)
    if report.verdict is not None and not report.verdict.passed:
        raise SystemExit(1)


@main.command("explain")
@click.argument("identifier", metavar="ID")
@_db_option
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain_command(identifier: str, db_path: Path | None, fmt: str) -> None:
    """What a finding's ID means: an advisory id or alias (GHSA-…, CVE-…, PYSEC-…; from the database) or a rule id
    (secret, misconfiguration): what it is, why it matters, how to fix it, and references."""
    from shiftsec.explain import explain, render_text, to_dict

    found = explain(identifier, db_path)
    if fmt == "json":
        from shiftsec.reporters._common import dump_json

        click.echo(dump_json(to_dict(found)), nl=False)
        return
    import shutil

    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100
    click.echo(render_text(found, width=min(width, 120)), nl=False)


@main.command("init")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Replace files shiftsec wrote before (never .pre-commit-config.yaml).")
def init_command(path: Path, force: bool) -> None:
    """Write a starter shiftsec.yaml, a pre-commit hook, and CI definitions for GitHub Actions and GitLab CI: a
    diff-aware gate on pull requests, a full scan on the main branch kept as the next baseline, and a nightly
    check of what shipped against newly published advisories."""
    from shiftsec.init import plan, write

    planned = plan(path, force=force)
    write(path, planned)
    for item in planned:
        if item.action == "skip-exists":
            _err(f"skipped   {item.hint or item.path + ' exists: left as it is'}")
        else:
            click.echo(f"{'created' if item.action == 'create' else 'replaced'}   {item.path}")
    click.echo("Next: review shiftsec.yaml, run `pre-commit install`, and commit the CI files (docs/ci-setup.md).")


def _secret_filter(include_generated: bool, fixture_dirs: str) -> Any:
    """The secret scanner's FileFilter from the CLI options."""
    from shiftsec.scanners.secrets import FileFilter

    names = tuple(name.strip() for name in fixture_dirs.split(",") if name.strip())
    if any("/" in name for name in names):
        raise UsageError(f"--secret-fixture-dirs {fixture_dirs!r}: folder names, not paths (comma-separated)")
    return FileFilter(include_generated=include_generated, fixture_dirs=names)


def _render(report: Any, fmt: str, *, to_terminal: bool = False) -> str:
    """The report in one of FORMATS (each reporter imported only when used)."""
    if fmt == "table":
        import shutil

        from shiftsec.reporters import table

        width = shutil.get_terminal_size((120, 24)).columns if to_terminal else 120
        return str(table.render(report, color=to_terminal, width=width))
    import importlib

    name = "json" if fmt == "json" else fmt
    return str(importlib.import_module(f"shiftsec.reporters.{name}").render(report))


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _emit(report: Any, fmt: str, output: Path | None) -> None:
    to_terminal = output is None and sys.stdout.isatty()
    text = _render(report, fmt, to_terminal=to_terminal)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    _write(output, text)


def _gate(report: Any, fail_on: str | None) -> None:
    if not fail_on:
        return
    from shiftsec.model import Severity

    threshold = Severity.parse(fail_on)
    failing = [f for f in report.findings if f.severity >= threshold and f.suppression is None]
    if failing:
        _err(f"{len(failing)} findings at or above {threshold.name}: failing (--fail-on {fail_on})")
        raise SystemExit(1)


# --- plumbing ------------------------------------------------------------------------------------------


class _Progress:
    """A rich progress bar on stderr when it is a terminal; silent otherwise (CI logs stay clean)."""

    def __init__(self, label: str, unit: str = "files") -> None:
        self.label = label
        self.unit = unit
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            task = self._tasks.setdefault("", self._bar.add_task(self.label, total=total))
            self._bar.update(task, completed=done, total=total)

    def download(self, name: str, done: int, total: int | None) -> None:
        if self._bar is not None:
            if name not in self._tasks:
                self._tasks[name] = self._bar.add_task(f"{self.label} {name}", total=total)
            self._bar.update(self._tasks[name], completed=done, total=total)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (the console script and `python -m shiftsec` call this)."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s", stream=sys.stderr)
    try:
        code = main.main(args=argv, prog_name="shiftsec", standalone_mode=False)
    except ShiftsecError as exc:
        _err(f"shiftsec: error: {exc}")
        if exc.hint:
            _err(f"hint: {exc.hint}")
        return 2
    except click.exceptions.Abort:
        _err("shiftsec: aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        _err("shiftsec: interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # an input or output the OS refused, not caught closer to its source
        where = f" {exc.filename}" if exc.filename else ""
        _err(f"shiftsec: error:{where} {exc.strerror or exc}")
        return 2
    return code if isinstance(code, int) else 0
