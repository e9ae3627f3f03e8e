"""Runs a scan end to end: target → inventory → scanners → one `Report`.

The CLI calls these functions and only formats and prints what they return. Each scan imports what it needs
when it runs: a secrets-only scan never loads the advisory database code, nor a dependency scan the secret
engine (start-up time is part of every pre-commit hook and CI step).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from shiftsec import __version__
from shiftsec.errors import InputError
from shiftsec.model import DatabaseInfo, Finding, Package, Report, ScanError

if TYPE_CHECKING:
    from shiftsec.model import Advice
    from shiftsec.sast.engine import SastEngine
    from shiftsec.scanners.misconfig import Options as MisconfigOptions
    from shiftsec.scanners.secrets import FileFilter, SecretScan
    from shiftsec.secrets.api import Allowlist, Rule
    from shiftsec.secrets.engine import Engine
    from shiftsec.targets.directory import WalkOptions
    from shiftsec.targets.git import Selection


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_tree(path: Path) -> None:
    """A one-line InputError unless `path` is a readable folder or regular file."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if not (path.is_dir() or path.is_file()):
        raise InputError(f"{path}: not a folder or a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")


def scan_sbom(path: Path, db_path: Path, *, include_dev: bool = False) -> Report:
    """Read the SBOM at `path` and match its components against the database at `db_path`.

    Components marked as development-only (CycloneDX `scope: excluded`, shiftsec's own SBOMs) are listed but
    matched only with `include_dev`, as in a tree scan.
    """
    from shiftsec.scanners import vulns
    from shiftsec.targets.sbom import read_sbom
    from shiftsec.vulndb.store import SCHEMA_VERSION, Store

    inventory = read_sbom(path)
    with Store.open(db_path) as store:
        result = vulns.scan([p for p in inventory.packages if include_dev or not p.dev], store)
        database = DatabaseInfo(str(db_path), SCHEMA_VERSION, store.count(), store.meta("updated_at"))
    return Report(
        target=str(path),
        target_type="sbom",
        created_at=now(),
        tool_version=__version__,
        packages=inventory.packages,
        findings=result.findings,
        errors=inventory.errors + result.errors,
        database=database,
    )


def scan_directory(
    path: Path,
    db_path: Path,
    *,
    walk_options: WalkOptions,
    include_dev: bool = False,
    match: bool = True,
    secrets: bool = False,
    secret_config: Path | None = None,
    packages: bool = True,
    secret_max_bytes: int | None = None,
    secret_filter: FileFilter | None = None,
    misconfig: bool = False,
    standard: str | None = None,
    checks: Sequence[Path] = (),
    render: bool = True,
) -> Report:
    """Inventory the lockfiles and manifests under `path` and, when `match`, match them against the database;
    with `secrets`, also search every text file for secrets (shiftsec's rules, or a gitleaks-format config).

    Development dependencies are listed in the inventory either way; they are matched only with
    `include_dev`. `packages=False` (a secrets-only scan) skips the inventory: no lockfile is parsed.
    `secret_max_bytes` caps the size of a file searched for secrets (None: 10 MiB; 0: no cap); `secret_filter`
    says which files are searched (None: the default `FileFilter`). With `misconfig`, Kubernetes manifests,
    Dockerfiles and compose files are checked too (see `scan_config`).
    """
    check_tree(path)
    settings = misconfig_options(standard, checks, render, secret_config) if misconfig else None
    from shiftsec.scanners import secrets as secret_scanner
    from shiftsec.targets.directory import walk

    wanted_text = (secret_filter or secret_scanner.DEFAULT_FILTER).wanted
    packages = packages or match
    if packages:
        from shiftsec.targets.tree import inventory
        from shiftsec.targets.tree import wanted as is_lockfile
    # One walk serves both scanners (so an unreadable folder is reported once).
    walk_errors: list[ScanError] = []
    lockfiles: set[str] = set()

    configs: set[str] = set()
    if misconfig:
        from shiftsec.scanners import misconfig as misconfig_scanner

    def take(rel: str) -> bool:
        if misconfig and misconfig_scanner.wanted(rel):
            configs.add(rel)
            return True
        if packages and is_lockfile(rel):
            lockfiles.add(rel)
            return True
        return secrets and wanted_text(rel)

    walked = walk(path, take, walk_options, walk_errors)
    candidates = list(walked) if packages or misconfig else []
    findings: tuple[Finding, ...] = ()
    errors: tuple[ScanError, ...] = ()
    found_packages: tuple[Package, ...] = ()
    if packages:
        # (the walk asks `take` before it applies --skip-files and .gitignore)
        tree = inventory(path, walk_options, files=[rel for rel in candidates if rel in lockfiles])
        found_packages = tree.packages
        errors += tree.errors
    database = None
    advised: tuple[Advice, ...] = ()
    searched: int | None = None
    if match:
        from shiftsec.scanners import advice, vulns
        from shiftsec.vulndb.store import SCHEMA_VERSION, Store

        matchable = [p for p in found_packages if include_dev or not p.dev]
        with Store.open(db_path) as store:
            result = vulns.scan(matchable, store)
            database = DatabaseInfo(str(db_path), SCHEMA_VERSION, store.count(), store.meta("updated_at"))
        paths = advice.dependency_paths(found_packages)
        findings = advice.annotate(result.findings, paths)
        advised = advice.advise(findings, paths)
        errors += result.errors
    if secrets:
        # Without an inventory the walk is still running: files are scanned as it finds them.
        texts: Iterable[str] = walked
        if packages or misconfig:
            texts = [rel for rel in candidates if wanted_text(rel)]
        found = _secret_scan(path, texts, secret_config, secret_max_bytes)
        findings += found.findings
        errors += found.errors
        searched = found.files
    if misconfig:
        checked = misconfig_scanner.scan_files(path, [rel for rel in candidates if rel in configs],
                                               options=settings)
        findings += checked.findings
        errors += checked.errors
    errors = tuple(walk_errors) + errors
    return Report(
        target=str(path),
        target_type="directory" if path.is_dir() else "file",
        created_at=now(),
        tool_version=__version__,
        packages=found_packages,
        findings=findings,
        errors=errors,
        database=database,
        advice=advised,
        scanners=tuple(name for name, on in (("vuln", match), ("secret", secrets), ("misconfig", misconfig)) if on),
        secrets_searched=searched,
    )


def scan_repository(
    path: Path,
    selection: Selection,
    *,
    secret_config: Path | None = None,
    secret_max_bytes: int | None = None,
    secret_filter: FileFilter | None = None,
) -> Report:
    """Search the lines that the commits (or the staged changes) `selection` names added to the git repository
    at `path` for secrets, streaming `git log -p`."""
    from shiftsec.scanners import secrets as secret_scanner
    from shiftsec.targets.git import added_blocks, check_repository

    check_repository(path)
    engine, rules, _ = secret_engine(secret_config)
    limit = secret_scanner.MAX_FILE_BYTES if secret_max_bytes is None else secret_max_bytes
    found = secret_scanner.scan_blocks(added_blocks(path, selection, limit=limit), engine, rules, limit=limit,
                                       allowlist=engine.global_allowlist,
                                       file_filter=secret_filter or secret_scanner.DEFAULT_FILTER)
    return Report(
        target=str(path),
        target_type="git-staged" if selection.staged else "git-history",
        created_at=now(),
        tool_version=__version__,
        packages=(),
        findings=found.findings,
        errors=found.errors,
        scanners=("secret",),
        secrets_searched=found.files,
    )


def scan_config(path: Path, *, walk_options: WalkOptions, standard: str | None = None, checks: Sequence[Path] = (),
                render: bool = True) -> Report:
    """Check the Kubernetes manifests, Dockerfiles and compose files under `path` (a folder or one file): every
    check, or only the controls of `standard` (pss-baseline, pss-restricted); plus the custom Rego checks in
    the `checks` folders; Helm charts and kustomizations rendered unless `render` is False."""
    check_tree(path)
    from shiftsec.scanners import misconfig
    from shiftsec.targets.directory import walk

    settings = misconfig_options(standard, checks, render)
    walk_errors: list[ScanError] = []
    rels = list(walk(path, misconfig.wanted, walk_options, walk_errors))
    found = misconfig.scan_files(path, rels, options=settings)
    return _one_scanner_report(path, "misconfig", found.findings, tuple(walk_errors) + found.errors)


def scan_code(path: Path, *, walk_options: WalkOptions, engines: Sequence[SastEngine] | None = None) -> Report:
    """Source-code analysis of the files under `path`: by default the built-in engines (Ruff's security and
    bug-prone rules, complexity and duplication); `engines` chooses others (`shiftsec.sast.scan.engines_from_names`).
    Python files only, unless an engine scans any language (Semgrep)."""
    check_tree(path)
    from shiftsec.sast.scan import BUILT_IN, PYTHON_SUFFIXES, scan_sast
    from shiftsec.targets.directory import walk

    chosen = BUILT_IN if engines is None else tuple(engines)
    every = any("any" in engine.languages for engine in chosen)
    walk_errors: list[ScanError] = []
    rels = list(walk(path, (lambda rel: True) if every else (lambda rel: rel.lower().endswith(PYTHON_SUFFIXES)),
                     walk_options, walk_errors))
    found = scan_sast(path if path.is_dir() else path.parent, rels if path.is_dir() else [path.name], chosen)
    return _one_scanner_report(path, "sast", found.findings, tuple(walk_errors) + found.errors)


def _one_scanner_report(path: Path, scanner: str, findings: tuple[Finding, ...],
                        errors: tuple[ScanError, ...]) -> Report:
    """The report of one scanner run over the folder or file `path` (no packages, no database)."""
    return Report(
        target=str(path),
        target_type="directory" if path.is_dir() else "file",
        created_at=now(),
        tool_version=__version__,
        findings=findings,
        errors=errors,
        scanners=(scanner,),
    )


def image_cache_dir(db_path: Path) -> Path:
    """Where per-layer analyses are cached: beside the advisory database."""
    return db_path.parent / "image-cache"


def scan_image(
    ref: str,
    db_path: Path,
    *,
    scanners: Sequence[str] = ("vuln", "secret", "misconfig"),
    platform: str | None = None,
    insecure: bool = False,
    cache_dir: Path | None = None,
    secret_config: Path | None = None,
) -> Report:
    """Scan a container image (a docker-archive tar, an OCI layout, or a registry reference): its OS and
    language packages matched against the database at `db_path`, secrets in its files and config, and its
    config checked like a Dockerfile (see `shiftsec.image.scan`). `cache_dir` holds per-layer analyses (None:
    no cache)."""
    from shiftsec.image.scan import scan_layers

    result = scan_layers(ref, platform=platform, insecure=insecure, secrets="secret" in scanners,
                         cache_dir=cache_dir, secret_config=secret_config)
    findings: tuple[Finding, ...] = tuple(
        f for f in result.findings
        if (f.type.value == "secret" and "secret" in scanners) or (f.type.value == "misconfig" and "misconfig" in
                                                                     scanners))
    errors = result.errors
    database = None
    advised: tuple[Advice, ...] = ()
    if "vuln" in scanners:
        from shiftsec.scanners import advice, vulns
        from shiftsec.vulndb.store import SCHEMA_VERSION, Store

        with Store.open(db_path) as store:
            matched = vulns.scan(list(result.packages), store)
            database = DatabaseInfo(str(db_path), SCHEMA_VERSION, store.count(), store.meta("updated_at"))
        findings = tuple(matched.findings) + findings
        advised = advice.advise(matched.findings, {})
        errors += matched.errors
    return Report(
        target=ref,
        target_type="image",
        created_at=now(),
        tool_version=__version__,
        packages=result.packages,
        findings=findings,
        errors=errors,
        database=database,
        advice=advised,
        scanners=tuple(name for name in ("vuln", "secret", "misconfig") if name in scanners),
        secrets_searched=result.secrets_searched if "secret" in scanners else None,
    )


def _secret_scan(path: Path, rels: Iterable[str], config: Path | None, max_bytes: int | None) -> SecretScan:
    from shiftsec.scanners import secrets as secret_scanner

    engine, rules, factory = secret_engine(config)
    limit = secret_scanner.MAX_FILE_BYTES if max_bytes is None else max_bytes
    return secret_scanner.scan_files(path, rels, engine, rules, factory=factory, max_bytes=limit)


def misconfig_options(standard: str | None, checks: Sequence[Path], render: bool,
                      secret_config: Path | None = None) -> MisconfigOptions:
    """The misconfiguration scan's settings; the custom checks are compiled here, so a broken one stops the run
    before any file is read (InputError naming its file and line)."""
    from shiftsec.scanners.misconfig import STANDARDS, Options, SecretValues

    custom = None
    if checks:
        from shiftsec.misconfig.rego import load_checks

        custom = load_checks(checks)
    return Options(level=STANDARDS[standard or "pss-restricted"], hardened=standard is None, custom=custom,
                   secret=SecretValues(functools.partial(_engine_only, secret_config)), render=render)


def _engine_only(config: Path | None) -> Engine:
    return secret_engine(config)[0]


def secret_engine(config: Path | None) -> tuple[Engine, tuple[Rule, ...], Callable[[], Engine]]:
    """The compiled engine for shiftsec's rules (or a gitleaks config), its rules, and a picklable factory that
    builds the same engine in another process."""
    from shiftsec.secrets.engine import Engine
    from shiftsec.vulndb.store import default_path

    # Compiling the rules into Hyperscan databases takes seconds; they are cached beside the advisory database.
    cache = default_path().parent / "hyperscan"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        cache_dir: str | None = str(cache)
    except OSError:
        cache_dir = None  # an unwritable cache only costs time
    rules, allowlist = load_secret_rules(config, cache_dir)
    engine = Engine(rules, allowlist, cache_dir=cache_dir, one_per_secret=config is None)
    return engine, rules, functools.partial(_secret_engine, config, cache_dir)


def _secret_engine(config: Path | None, cache_dir: str | None) -> Engine:
    """The secret engine a worker process builds for itself (the Hyperscan database comes from the cache)."""
    from shiftsec.secrets.engine import Engine

    rules, allowlist = load_secret_rules(config, cache_dir)
    return Engine(rules, allowlist, cache_dir=cache_dir, one_per_secret=config is None)


def load_secret_rules(
    config: Path | None, cache_dir: str | None = None
) -> tuple[tuple[Rule, ...], Allowlist | None]:
    """shiftsec's default rules (parsed once into `cache_dir`), or the rules of a gitleaks-format TOML file used
    unchanged."""
    if config is None:
        from shiftsec.secrets.rules import cached_default_rule_file

        return cached_default_rule_file(cache_dir)
    from shiftsec.secrets.gitleaks import load_gitleaks

    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{config}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return load_gitleaks(text)
