"""The pipeline commands: `ci` (detect, scan in parallel, judge against the policy), `explain` (what an id
means) and `init` (the starter configuration and CI definitions)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shiftsec.cli.common import (
    FORMATS,
    db_option,
    emit,
    err,
    freeze_imports,
    main,
    render,
    resolve_db,
    write,
)
from shiftsec.errors import UsageError


@main.command("ci")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@db_option
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
    freeze_imports()
    report = run_ci(path, config, CiOptions(db_path=resolve_db(db_path), baseline=baseline, diff_base=diff_base,
                                            vex=vex_paths, imports=import_paths))
    for fmt_name, target in targets:
        write(target, render(report, fmt_name))
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(render(report, "markdown") + "\n")
        except OSError as exc:
            err(f"warning: cannot append to $GITHUB_STEP_SUMMARY ({summary_file}): {exc.strerror or exc}")
    text = verdict_text.render(report)
    if fmt is not None:
        emit(report, fmt, None)
        click.echo(text, nl=False, err=True)
    else:
        click.echo(text, nl=False)
    if report.verdict is not None and not report.verdict.passed:
        raise SystemExit(1)


@main.command("explain")
@click.argument("identifier", metavar="ID")
@db_option
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
            err(f"skipped   {item.hint or item.path + ' exists: left as it is'}")
        else:
            click.echo(f"{'created' if item.action == 'create' else 'replaced'}   {item.path}")
    click.echo("Next: review shiftsec.yaml, run `pre-commit install`, and commit the CI files (docs/ci-setup.md).")
