"""Runs a scan end to end: target → inventory → scanners → one `Report`.

The CLI calls these functions and only formats and prints what they return.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from shiftsec import __version__
from shiftsec.errors import InputError
from shiftsec.model import DatabaseInfo, Finding, Report, ScanError
from shiftsec.scanners import advice, vulns
from shiftsec.scanners.secrets import SecretScan
from shiftsec.secrets.api import Allowlist, Rule
from shiftsec.targets.directory import WalkOptions
from shiftsec.targets.sbom import read_sbom
from shiftsec.targets.tree import inventory
from shiftsec.vulndb.store import SCHEMA_VERSION, Store


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def scan_sbom(path: Path, db_path: Path, *, include_dev: bool = False) -> Report:
    """Read the SBOM at `path` and match its components against the database at `db_path`.

    Components marked as development-only (CycloneDX `scope: excluded`, shiftsec's own SBOMs) are listed but
    matched only with `include_dev`, as in a tree scan.
    """
    inventory = read_sbom(path)
    with Store.open(db_path) as store:
        result = vulns.scan([p for p in inventory.packages if include_dev or not p.dev], store)
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


def scan_directory(
    path: Path,
    db_path: Path,
    *,
    walk_options: WalkOptions,
    include_dev: bool = False,
    match: bool = True,
    secrets: bool = False,
    secret_config: Path | None = None,
) -> Report:
    """Inventory the lockfiles and manifests under `path` and, when `match`, match them against the database;
    with `secrets`, also search every text file for secrets (shiftsec's rules, or a gitleaks-format config).

    Development dependencies are listed in the inventory either way; they are matched only with
    `include_dev`.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if not (path.is_dir() or path.is_file()):
        raise InputError(f"{path}: not a folder or a regular file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    from shiftsec.scanners import secrets as secret_scanner
    from shiftsec.targets import tree as tree_target
    from shiftsec.targets.directory import walk

    # One walk serves both scanners (so an unreadable folder is reported once).
    walk_errors: list[ScanError] = []
    candidates = list(walk(path, lambda rel: tree_target.wanted(rel) or (secrets and secret_scanner.wanted(rel)),
                           walk_options, walk_errors))
    tree = inventory(path, walk_options, files=[rel for rel in candidates if tree_target.wanted(rel)])
    findings: tuple[Finding, ...] = ()
    errors = tuple(walk_errors) + tree.errors
    database = None
    advised: tuple[advice.Advice, ...] = ()
    if match:
        matchable = [p for p in tree.packages if include_dev or not p.dev]
        with Store.open(db_path) as store:
            result = vulns.scan(matchable, store)
            database = DatabaseInfo(str(db_path), SCHEMA_VERSION, store.count(), store.meta("updated_at"))
        paths = advice.dependency_paths(tree.packages)
        findings = advice.annotate(result.findings, paths)
        advised = advice.advise(findings, paths)
        errors = errors + result.errors
    if secrets:
        found = _secret_scan(path, [rel for rel in candidates if secret_scanner.wanted(rel)], secret_config)
        findings = findings + found.findings
        errors = errors + found.errors
    return Report(
        target=str(path),
        target_type="directory" if path.is_dir() else "file",
        created_at=_now(),
        tool_version=__version__,
        packages=tree.packages,
        findings=findings,
        errors=errors,
        database=database,
        advice=advised,
    )


def _secret_scan(path: Path, rels: list[str], config: Path | None) -> SecretScan:
    from shiftsec.scanners import secrets as secret_scanner
    from shiftsec.secrets.engine import Engine
    from shiftsec.vulndb.store import default_path

    rules, allowlist = load_secret_rules(config)
    # Compiling the rules into Hyperscan databases takes seconds; they are cached beside the advisory database.
    cache = default_path().parent / "hyperscan"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        cache_dir: str | None = str(cache)
    except OSError:
        cache_dir = None  # an unwritable cache only costs time
    return secret_scanner.scan_files(path, rels, Engine(rules, allowlist, cache_dir=cache_dir), rules)


def load_secret_rules(config: Path | None) -> tuple[tuple[Rule, ...], Allowlist | None]:
    """shiftsec's default rules, or the rules of a gitleaks-format TOML file used unchanged."""
    if config is None:
        from shiftsec.secrets.rules import default_rules

        return default_rules(), None
    from shiftsec.secrets.gitleaks import load_gitleaks

    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{config}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return load_gitleaks(text)
