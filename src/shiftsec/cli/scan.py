"""The scan commands: `sbom`, `fs`, `repo`, `image` and `config`; each builds one report, prints or writes it
and applies `--fail-on`."""

from __future__ import annotations

from pathlib import Path

import click

from shiftsec.cli.common import (
    SCANNERS,
    db_option,
    emit,
    err,
    fail_on_gate,
    freeze_imports,
    main,
    misconfig_options,
    report_options,
    resolve_db,
    secret_filter,
    secret_options,
)
from shiftsec.errors import UsageError


@main.command("sbom")
@click.argument("file", type=click.Path(path_type=Path))
@db_option
@report_options
@click.option("--include-dev", is_flag=True, help="Also match development-only components (always listed).")
def sbom_command(
    file: Path, db_path: Path | None, fmt: str, output: Path | None, fail_on: str | None, include_dev: bool
) -> None:
    """Match the components of a CycloneDX or SPDX SBOM against the advisory database."""
    from shiftsec.engine import scan_sbom

    report = scan_sbom(file, resolve_db(db_path), include_dev=include_dev)
    emit(report, fmt, output)
    fail_on_gate(report, fail_on)


@main.command("fs")
@click.argument("path", type=click.Path(path_type=Path))
@db_option
@report_options
@click.option("--scanners", default="vuln", show_default=True, metavar="LIST",
              help="Comma-separated: vuln (dependencies), secret (exposed keys and tokens), misconfig (Kubernetes, "
                   "Helm, Dockerfiles, compose), sast (source code: Python's security and bug-prone patterns, "
                   "complexity, duplicated blocks); 'none' only lists the packages (e.g. for an SBOM) and needs no "
                   "database.")
@secret_options
@misconfig_options
@click.option("--sast-engine", "sast_engines", multiple=True, metavar="NAME",
              help="sast: engines to run instead of the built-in ones (ruff, quality): ruff, quality, bandit, "
                   "semgrep (repeatable; bandit and semgrep need `shiftsec engines install NAME`).")
@click.option("--semgrep-rules", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="sast: local Semgrep rule file or folder (repeatable; never the Semgrep registry).")
@click.option("--complexity", type=click.IntRange(min=1), default=None, metavar="N",
              help="sast: report functions with a cyclomatic complexity above N (default 15).")
@click.option("--duplicate-lines", type=click.IntRange(min=1), default=None, metavar="N",
              help="sast: report duplicated runs of at least N logical lines (default 10).")
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
    sast_engines: tuple[str, ...],
    semgrep_rules: tuple[Path, ...],
    complexity: int | None,
    duplicate_lines: int | None,
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
    sast_flags = sast_engines or semgrep_rules or complexity is not None or duplicate_lines is not None
    if sast_flags and "sast" not in chosen:
        raise UsageError("--sast-engine, --semgrep-rules, --complexity and --duplicate-lines apply to the sast "
                         "scanner: add it to --scanners")
    if semgrep_rules and "semgrep" not in sast_engines:
        raise UsageError("--semgrep-rules needs --sast-engine semgrep")
    options = WalkOptions(skip_dirs, skip_files, include_vendored, not no_gitignore)
    freeze_imports()
    report = None
    if chosen - {"sast"}:
        report = scan_directory(
            path, resolve_db(db_path), walk_options=options, include_dev=include_dev, match="vuln" in chosen,
            secrets="secret" in chosen, secret_config=secret_config, packages=bool(chosen & {"vuln", "none"}),
            secret_max_bytes=int(secret_max_mb * 2**20),
            secret_filter=secret_filter(secret_include_generated, secret_fixture_dirs),
            misconfig="misconfig" in chosen, standard=standard, checks=checks, render=not no_render,
        )
    if "sast" in chosen:
        from dataclasses import replace

        from shiftsec.engine import scan_code
        from shiftsec.sast.scan import engines_from_names

        engines = engines_from_names(sast_engines, semgrep_rules=semgrep_rules, complexity=complexity,
                                     duplicate_lines=duplicate_lines) if sast_flags else None
        code = scan_code(path, walk_options=options, engines=engines)
        report = code if report is None else replace(
            report, findings=report.findings + code.findings, errors=report.errors + code.errors,
            scanners=(*report.scanners, "sast"))
    assert report is not None  # `chosen` is never empty
    if chosen & {"vuln", "none"} and not report.packages and not report.errors:
        err(f"note: no lockfile or manifest found under {path}")
    emit(report, fmt, output)
    fail_on_gate(report, fail_on)


@main.command("repo")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option("--history", is_flag=True, help="Every commit reachable from any branch or tag (the default).")
@click.option("--since", metavar="REF", help="Only the commits after REF up to HEAD (a pull request: the base branch).")
@click.option("--range", "revision_range", metavar="A..B", help="Only the commits in A..B (or A...B).")
@click.option("--staged", is_flag=True, help="Only the staged changes (for a pre-commit hook).")
@report_options
@secret_options
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
                             secret_filter=secret_filter(secret_include_generated, secret_fixture_dirs))
    emit(report, fmt, output)
    fail_on_gate(report, fail_on)


@main.command("image")
@click.argument("ref", metavar="IMAGE")
@db_option
@report_options
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
    freeze_imports()
    database = resolve_db(db_path)
    report = scan_image(ref, database, scanners=chosen, platform=platform, insecure=insecure,
                        cache_dir=None if no_cache else image_cache_dir(database), secret_config=secret_config)
    emit(report, fmt, output)
    fail_on_gate(report, fail_on)


@main.command("config")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@misconfig_options
@report_options
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

    freeze_imports()
    report = scan_config(path, walk_options=WalkOptions(skip_dirs, skip_files), standard=standard, checks=checks,
                         render=not no_render)
    emit(report, fmt, output)
    fail_on_gate(report, fail_on)
