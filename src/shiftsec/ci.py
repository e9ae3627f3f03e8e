"""What `shiftsec ci` runs: find what the repository holds, run every scanner it needs in parallel (and the
same scans of the base revision for `--diff-base`), add imported results and VEX, and judge it all against
the policy.

Detection (one walk, honouring .gitignore and the configured skips): lockfiles and manifests → the dependency
scanner; Kubernetes manifests, Dockerfiles and compose files → the misconfiguration scanner; CycloneDX/SPDX
documents (`*.cdx.json`, `bom.json`, `*.spdx.json`, …) → matched like `shiftsec sbom`; Python files → the
source-code scanner (`sast`); the secret scanner always runs. A scanner the configuration enables or
disables explicitly is run or skipped as told.

Each scan runs in its own forked process (they are CPU-bound Python; a thread pool would serialise them);
with one job, or where fork is unavailable, they run in this process one after another.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shiftsec.errors import DatabaseError, ShiftsecError
from shiftsec.model import Finding, Report, ScanError
from shiftsec.policy.baseline import Baseline, git_root, read_baseline, worktree
from shiftsec.policy.config import Config
from shiftsec.policy.gate import judge

__all__ = ["CiOptions", "Detected", "detect", "run_ci"]

_SBOM_SUFFIXES = (".cdx.json", ".cyclonedx.json", ".spdx.json", ".bom.json")
_SBOM_NAMES = ("bom.json", "sbom.json", "sbom.cdx.json")


@dataclass(frozen=True, slots=True)
class Detected:
    """What the tree holds, by scanner."""

    lockfiles: tuple[str, ...] = ()
    configs: tuple[str, ...] = ()
    sboms: tuple[str, ...] = ()
    python: int = 0  # .py files (for the source-code scanner)


@dataclass(frozen=True, slots=True)
class CiOptions:
    db_path: Path
    baseline: Path | None = None
    diff_base: str | None = None
    vex: tuple[Path, ...] = ()
    imports: tuple[Path, ...] = ()
    today: datetime.date = field(default_factory=datetime.date.today)
    workers: int | None = None  # None: one per scan, at most the CPU count


def is_sbom(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1].lower()
    return name in _SBOM_NAMES or name.endswith(_SBOM_SUFFIXES) or name.endswith(".spdx")


def _walk_options(config: Config, scanner: str | None) -> Any:
    from shiftsec.targets.directory import WalkOptions

    skips = config.skip + (config.scanner(scanner).skip if scanner else ())
    return WalkOptions(skip_dirs=skips, skip_files=skips)


def detect(path: Path, config: Config) -> tuple[Detected, list[ScanError]]:
    """What the tree at `path` holds (one walk)."""
    from shiftsec.scanners.misconfig import wanted as is_config
    from shiftsec.targets.directory import walk
    from shiftsec.targets.tree import wanted as is_lockfile

    lockfiles, configs, sboms = [], [], []
    python = 0

    def take(rel: str) -> bool:
        nonlocal python
        if rel.endswith(".py"):
            python += 1
        return is_sbom(rel) or is_lockfile(rel) or is_config(rel)

    errors: list[ScanError] = []
    for rel in walk(path, take, _walk_options(config, None), errors):
        if is_sbom(rel):
            sboms.append(rel)
        elif is_lockfile(rel):
            lockfiles.append(rel)
        if is_config(rel) and not is_sbom(rel):
            configs.append(rel)
    return Detected(tuple(lockfiles), tuple(configs), tuple(sboms), python), errors


def _plan(detected: Detected, config: Config) -> list[str]:
    """The scans to run: "vuln", "secret", "misconfig" and "sbom:REL" for each SBOM."""
    def on(name: str, found: bool) -> bool:
        enabled = config.scanner(name).enabled
        return found if enabled is None else enabled

    jobs = []
    if on("vuln", bool(detected.lockfiles)):
        jobs.append("vuln")
    if on("secret", True):
        jobs.append("secret")
    if on("misconfig", bool(detected.configs)):
        jobs.append("misconfig")
    if on("sast", bool(detected.python) or "semgrep" in config.scanner("sast").engines):
        jobs.append("sast")
    if on("vuln", bool(detected.sboms)):
        jobs.extend(f"sbom:{rel}" for rel in detected.sboms)
    return jobs


def _run_job(job: str, path: Path, config: Config, db_path: Path) -> Report:
    from shiftsec import engine

    if job == "vuln":
        settings = config.scanner("vuln")
        return engine.scan_directory(path, db_path, walk_options=_walk_options(config, "vuln"),
                                     include_dev=settings.include_dev, match=True)
    if job == "secret":
        return engine.scan_directory(path, db_path, walk_options=_walk_options(config, "secret"), match=False,
                                     packages=False, secrets=True, secret_config=config.scanner("secret").rules)
    if job == "sast":
        from shiftsec.sast.scan import engines_from_names

        settings = config.scanner("sast")
        engines = engines_from_names(settings.engines, semgrep_rules=settings.semgrep_rules,
                                     homes=dict(settings.engine_paths), complexity=settings.complexity,
                                     duplicate_lines=settings.duplicate_lines)
        return engine.scan_code(path, walk_options=_walk_options(config, "sast"), engines=engines)
    if job == "misconfig":
        settings = config.scanner("misconfig")
        return engine.scan_config(path, walk_options=_walk_options(config, "misconfig"), standard=settings.standard,
                                  checks=settings.checks, render=settings.render)
    rel = job.removeprefix("sbom:")
    report = engine.scan_sbom(path / rel, db_path, include_dev=config.scanner("vuln").include_dev)
    # The SBOM's own components have no file; say which document they came from.
    from shiftsec.model import Location

    return replace(report, findings=tuple(
        replace(f, location=f.location or Location(rel)) for f in report.findings))


def _job_in_child(job: str, path: Path, config: Config, db_path: Path) -> Report | tuple[str, str, str | None]:
    try:
        return _run_job(job, path, config, db_path)
    except ShiftsecError as exc:  # sent back as data: an exception's hint does not survive pickling
        return (type(exc).__name__, str(exc), exc.hint)


def _run_all(jobs: Sequence[tuple[str, Path]], config: Config, db_path: Path, workers: int | None) -> list[Report]:
    """Every (job, tree) pair's report, in order; in forked processes when there is more than one."""
    limit = workers or min(len(jobs), os.cpu_count() or 1)
    results: list[Report | tuple[str, str, str | None]]
    if limit <= 1 or len(jobs) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = [_job_in_child(job, tree, config, db_path) for job, tree in jobs]
    else:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=limit, mp_context=context) as pool:
            futures = [pool.submit(_job_in_child, job, tree, config, db_path) for job, tree in jobs]
            results = [future.result() for future in futures]
    reports = []
    for result in results:
        if isinstance(result, tuple):
            kind, message, hint = result
            raise (DatabaseError if kind in ("DatabaseError", "DownloadError") else ShiftsecError)(message, hint=hint)
        reports.append(result)
    return reports


def _combine(path: Path, reports: Sequence[Report], extra_errors: Sequence[ScanError]) -> Report:
    from shiftsec import __version__
    from shiftsec.engine import now

    database = next((r.database for r in reports if r.database is not None), None)
    scanners: list[str] = []
    for report in reports:
        scanners.extend(name for name in report.scanners if name not in scanners)
    searched = [r.secrets_searched for r in reports if r.secrets_searched is not None]
    # An SBOM kept in the repository usually describes the same dependencies as its lockfiles: a package
    # advisory found through both is one finding (the lockfile's, which has a line to fix).
    findings: list[Finding] = []
    seen: set[tuple[str, str, str, str]] = set()
    for report in reports:
        from_sbom = report.target_type == "sbom"
        for finding in report.findings:
            package = finding.package
            key = (finding.rule_id, package.ecosystem, package.name, package.version) if package else None
            if key is not None and from_sbom and key in seen:
                continue
            if key is not None:
                seen.add(key)
            findings.append(finding)
    return Report(
        target=str(path),
        target_type="directory" if path.is_dir() else "file",
        created_at=now(),
        tool_version=__version__,
        packages=tuple(p for r in reports for p in r.packages),
        findings=tuple(findings),
        errors=tuple(extra_errors) + tuple(e for r in reports for e in r.errors),
        database=database,
        advice=tuple(a for r in reports for a in r.advice),
        scanners=tuple(scanners),
        secrets_searched=sum(searched) if searched else None,
    )


def _add_imports(findings: Sequence[Finding], paths: Sequence[Path],
                 errors: list[ScanError]) -> list[Finding]:
    if not paths:
        return list(findings)
    from shiftsec import imports

    imported: list[Finding] = list(findings)
    for path in paths:
        result = imports.read_results(str(path))
        imported.extend(result.findings)
        errors.extend(result.errors)
    return imports.merge(imported)


def _apply_vex(findings: Sequence[Finding], paths: Sequence[Path], errors: list[ScanError]) -> list[Finding]:
    if not paths:
        return list(findings)
    from shiftsec import vex

    statements: list[Any] = []
    for path in paths:
        document = vex.read_vex(path)
        statements.extend(document.statements)
        errors.extend(document.errors)
    return vex.apply_vex(findings, statements)


def run_ci(path: Path, config: Config, options: CiOptions,
           progress: Callable[[str], None] | None = None) -> Report:
    """Scan `path` as `shiftsec ci` does and return the judged report (see the module docstring)."""
    from shiftsec.engine import check_tree

    check_tree(path)
    detected, walk_errors = detect(path, config)
    jobs = _plan(detected, config)
    if progress is not None:
        progress(f"scanning with {', '.join(sorted({j.split(':')[0] for j in jobs}))}")
    baseline: Baseline | None = read_baseline(options.baseline) if options.baseline else None
    if options.diff_base is None:
        reports = _run_all([(job, path) for job in jobs], config, options.db_path, options.workers)
    else:
        root = git_root(path)
        rel = path.resolve().relative_to(root.resolve())
        with worktree(root, options.diff_base) as base_tree:
            base_path = base_tree / rel
            base_jobs = [(job, base_path) for job in jobs] if base_path.exists() else []
            everything = _run_all([(job, path) for job in jobs] + base_jobs, config, options.db_path,
                                  options.workers)
        reports = everything[:len(jobs)]
        base_findings = [f for report in everything[len(jobs):] for f in report.findings]
        baseline = Baseline.of(base_findings, f"git:{options.diff_base}")
    report = _combine(path, reports, walk_errors)
    errors = list(report.errors)
    findings = _add_imports(report.findings, options.imports, errors)
    findings = _apply_vex(findings, options.vex, errors)
    report = replace(report, findings=tuple(findings), errors=tuple(errors))
    return judge(report, config.policy, root=path, today=options.today, baseline=baseline)
