"""`shiftsec init`: the generated files parse, their shiftsec commands exist, and the plan never clobbers."""

from __future__ import annotations

import datetime
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from shiftsec import __version__
from shiftsec.cli import FORMATS, main
from shiftsec.init import FILES, PRECOMMIT_CONFIG, plan, render, write
from shiftsec.model import FindingType, Severity
from shiftsec.policy.config import load_config

WORKFLOW = ".github/workflows/shiftsec.yml"
GITLAB = ".gitlab/shiftsec.gitlab-ci.yml"
TODAY = datetime.date(2025, 1, 15)


def _contents(root: Path) -> dict[str, str]:
    return {p.path: p.content for p in plan(root, today=TODAY)}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    return _contents(tmp_path)


# --- every template ------------------------------------------------------------------------------------------


def test_every_template_is_yaml(files: dict[str, str]) -> None:
    assert set(files) == {rel for rel, _ in FILES}
    for rel, text in files.items():
        assert isinstance(yaml.safe_load(text), dict), rel
        assert "@" + "SHIFTSEC_VERSION@" not in text


def _strings(node: Any, keys: tuple[str, ...], inside: bool = False) -> list[str]:
    """Every text under one of `keys` (a step's `run`, a job's `script`, a hook's `entry`...)."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_strings(value, keys, inside or key in keys))
    elif isinstance(node, list):
        for item in node:
            out.extend(_strings(item, keys, inside))
    elif isinstance(node, str) and inside:
        out.append(node)
    return out


def _shiftsec_commands(script: str) -> list[list[str]]:
    """The `shiftsec …` command lines of a shell script (split on lines, `;`, `&&`, `||`, `then`/`else`)."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        for part in re.split(r"&&|\|\||;|\bthen\b|\belse\b", line):
            if part.split()[:1] != ["shiftsec"]:  # other commands (python -c "...; ...") are not split right
                continue
            commands.append(shlex.split(part, comments=True)[1:])
    return commands


def _parse(args: list[str]) -> click.Context:
    """Parse `shiftsec ARGS` with the real click commands (unknown options and bad values raise). Groups on the
    way (`shiftsec`, `db`) take no options here: only their subcommand is resolved."""
    ctx = click.Context(main, info_name="shiftsec")
    command: click.Command = main
    rest = list(args)
    while isinstance(command, click.Group):
        name, sub, rest = command.resolve_command(ctx, rest)
        assert sub is not None and name is not None
        if isinstance(sub, click.Group):
            ctx = click.Context(sub, info_name=name, parent=ctx)
        else:
            ctx = sub.make_context(name, rest, parent=ctx)
        command = sub
    return ctx


def _all_commands(files: dict[str, str]) -> dict[str, list[list[str]]]:
    keys = ("run", "script", "before_script", "entry")
    return {rel: [cmd for s in _strings(yaml.safe_load(text), keys) for cmd in _shiftsec_commands(s)]
            for rel, text in files.items()}


def test_every_shiftsec_command_parses_with_the_real_cli(files: dict[str, str]) -> None:
    commands = _all_commands(files)
    assert len(commands[PRECOMMIT_CONFIG]) == 1
    assert len(commands[WORKFLOW]) == 7  # db update x3, ci x4
    assert len(commands[GITLAB]) == 5  # db update, ci x4
    for rel, found in commands.items():
        for args in found:
            ctx = _parse(args)
            assert ctx.command.name in {"repo", "ci", "update"}, (rel, args)
            for value in ctx.params.get("outputs", ()):
                fmt, _, where = value.partition("=")
                assert fmt in FORMATS and where, (rel, args)


def test_the_command_parser_rejects_an_unknown_option() -> None:
    assert _parse(["ci", "--baseline", "r.json"]).params["baseline"] == Path("r.json")
    with pytest.raises(click.NoSuchOption):
        _parse(["ci", "--diff-bass", "origin/main"])
    with pytest.raises(click.BadParameter):
        _parse(["repo", "--staged", "--fail-on", "lowest"])
    assert _shiftsec_commands('if [ -f x ]; then\n  shiftsec ci --baseline "a b.json"\nfi') == [
        ["ci", "--baseline", "a b.json"]]


# --- shiftsec.yaml -------------------------------------------------------------------------------------------


def test_starter_config_loads(tmp_path: Path, files: dict[str, str]) -> None:
    path = tmp_path / "shiftsec.yaml"
    path.write_text(files["shiftsec.yaml"], encoding="utf-8")
    config = load_config(path)
    policy = config.policy
    assert policy.new_only is True and policy.allow_inline_ignores is True
    assert policy.exceptions == ()
    rules = {rule.name: rule for rule in policy.fail}
    vulns = rules["fixable-vulnerabilities"]
    assert vulns.types == (FindingType.VULNERABILITY,) and vulns.fix_available is True
    assert vulns.severities == frozenset({Severity.HIGH, Severity.CRITICAL})
    assert rules["known-exploited"].kev is True and rules["known-exploited"].severities is None
    assert rules["secrets"].types == (FindingType.SECRET,) and rules["secrets"].severities is None
    assert rules["misconfigurations"].severities == frozenset({Severity.HIGH, Severity.CRITICAL})
    for name in ("vuln", "secret", "misconfig"):  # auto: run when the repository holds what they scan
        assert config.scanner(name).enabled is None


def test_starter_config_example_exception_is_valid_once_uncommented(tmp_path: Path, files: dict[str, str]) -> None:
    lines = files["shiftsec.yaml"].splitlines()
    start = lines.index("  # exceptions:")
    uncommented = [line for line in lines[:start] if line != "  exceptions: []"]
    uncommented += [line.replace("# ", "", 1) for line in lines[start:] if line.strip()]
    path = tmp_path / "shiftsec.yaml"
    path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    (exception,) = load_config(path).policy.exceptions
    assert exception.ids == ("CVE-2023-32681",) and exception.packages == ("pkg:pypi/requests",)
    assert exception.owner and exception.reason
    assert exception.expires == TODAY + datetime.timedelta(days=90)


# --- pre-commit ----------------------------------------------------------------------------------------------


def test_precommit_hook(files: dict[str, str]) -> None:
    (repo,) = yaml.safe_load(files[PRECOMMIT_CONFIG])["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "local"
    assert hook["entry"] == "shiftsec repo --staged --fail-on low"
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    assert hook["additional_dependencies"] == [f"shiftsec=={__version__}"]


# --- GitHub Actions ------------------------------------------------------------------------------------------

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+(\S+)@(\S+)(.*)$")


def _workflow(files: dict[str, str]) -> dict[Any, Any]:
    data = yaml.safe_load(files[WORKFLOW])
    assert isinstance(data, dict)
    return data


def test_workflow_triggers_and_jobs(files: dict[str, str]) -> None:
    data = _workflow(files)
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert triggers["push"]["branches"] == ["main"]
    assert re.fullmatch(r"\S+ \S+ \S+ \S+ \S+", triggers["schedule"][0]["cron"])
    assert data["permissions"] == {}
    jobs = data["jobs"]
    assert jobs["pull-request"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["main"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert jobs["nightly"]["if"] == "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"
    assert jobs["pull-request"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert jobs["main"]["permissions"]["contents"] == "read"
    assert jobs["nightly"]["permissions"]["actions"] == "read"
    for job in jobs.values():
        assert set(job["permissions"].values()) <= {"read", "write"}
        assert "id-token" not in job["permissions"] and "contents" in job["permissions"]
    assert "secrets." not in files[WORKFLOW]


def _step(job: dict[str, Any], uses_prefix: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(uses_prefix)]


def _script(job: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for s in job["steps"])


def test_pull_request_job(files: dict[str, str]) -> None:
    job = _workflow(files)["jobs"]["pull-request"]
    (checkout,) = _step(job, "actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    (cache,) = _step(job, "actions/cache@")
    assert "steps.today.outputs.date" in cache["with"]["key"]
    script = _script(job)
    assert "pip install \"shiftsec==" in script and "shiftsec db update" in script
    (ci,) = [cmd for cmd in _shiftsec_commands(script) if cmd[0] == "ci"]
    params = _parse(ci).params
    assert params["diff_base"] == "origin/${BASE_REF}"
    assert sorted(params["outputs"]) == ["junit=shiftsec-junit.xml", "markdown=shiftsec.md", "sarif=shiftsec.sarif"]
    (ci_step,) = [s for s in job["steps"] if "shiftsec ci" in str(s.get("run", ""))]
    assert ci_step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    (sarif,) = _step(job, "github/codeql-action/upload-sarif@")
    assert sarif["if"].startswith("always()") and sarif["with"]["sarif_file"] == "shiftsec.sarif"
    # order: the database is updated before the scan, the scan before the upload
    names = [str(s.get("uses") or s.get("run")) for s in job["steps"]]
    order = [next(i for i, n in enumerate(names) if key in n)
             for key in ("actions/cache@", "shiftsec db update", "shiftsec ci", "upload-sarif@")]
    assert order == sorted(order)


def test_main_job_keeps_the_baseline(files: dict[str, str]) -> None:
    job = _workflow(files)["jobs"]["main"]
    (ci,) = [cmd for cmd in _shiftsec_commands(_script(job)) if cmd[0] == "ci"]
    outputs = _parse(ci).params["outputs"]
    assert "json=shiftsec-report.json" in outputs and "cyclonedx=sbom.cdx.json" in outputs
    kept = [s for s in _step(job, "actions/upload-artifact@") if s["with"]["name"] == "shiftsec-main-report"]
    assert len(kept) == 1 and "always()" in kept[0]["if"]
    assert kept[0]["with"]["path"].split() == ["shiftsec-report.json", "sbom.cdx.json"]


def test_nightly_job_scans_against_the_last_main_report(files: dict[str, str]) -> None:
    job = _workflow(files)["jobs"]["nightly"]
    script = _script(job)
    assert "shiftsec db update" in script
    assert "name=shiftsec-main-report" in script and "GH_TOKEN" in str(job["steps"])
    (download,) = _step(job, "actions/download-artifact@")
    assert download["with"]["name"] == "shiftsec-main-report"
    assert download["with"]["run-id"] == "${{ steps.last.outputs.run-id }}"
    assert download["with"]["github-token"] == "${{ github.token }}"
    assert download["with"]["path"].startswith("${{ runner.temp }}")  # its SBOM must not be scanned
    baselines = [_parse(cmd).params["baseline"] for cmd in _shiftsec_commands(script) if cmd[0] == "ci"]
    assert Path("${RUNNER_TEMP}/baseline/shiftsec-report.json") in baselines


def test_every_action_is_pinned_by_sha_with_its_version(files: dict[str, str]) -> None:
    uses = [m for line in files[WORKFLOW].splitlines() if (m := _USES.match(line))]
    assert len(uses) >= 10
    for match in uses:
        action, ref, rest = match.groups()
        assert re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?", action), action
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref}"
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", rest), f"{action}: version comment {rest!r}"
    # one release per action everywhere
    pins: dict[str, set[str]] = {}
    for match in uses:
        pins.setdefault(match.group(1), set()).add(match.group(2) + match.group(3).strip())
    assert all(len(refs) == 1 for refs in pins.values()), pins
    assert set(pins) == {"actions/checkout", "actions/setup-python", "actions/cache", "actions/upload-artifact",
                         "actions/download-artifact", "github/codeql-action/upload-sarif"}


# --- GitLab --------------------------------------------------------------------------------------------------


def test_gitlab_jobs(files: dict[str, str]) -> None:
    data = yaml.safe_load(files[GITLAB])
    mr, main_job, scheduled = (data[n] for n in ("shiftsec-merge-request", "shiftsec-default-branch",
                                                  "shiftsec-scheduled"))
    assert data[".shiftsec"]["image"] == "python:3.12-slim"
    assert "merge_request_event" in mr["rules"][0]["if"]
    assert "push" in main_job["rules"][0]["if"] and "schedule" in scheduled["rules"][0]["if"]

    def ci_params(job: dict[str, Any]) -> list[dict[str, Any]]:
        return [_parse(cmd).params for s in job["script"] for cmd in _shiftsec_commands(s) if cmd[0] == "ci"]

    (mr_ci,) = ci_params(mr)
    assert mr_ci["diff_base"] == "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    assert "junit=shiftsec-junit.xml" in mr_ci["outputs"] and "sarif=shiftsec.sarif" in mr_ci["outputs"]
    assert mr["artifacts"]["reports"]["junit"] == "shiftsec-junit.xml"
    (main_ci,) = ci_params(main_job)
    assert set(main_ci["outputs"]) == {"json=shiftsec-report.json", "cyclonedx=sbom.cdx.json"}
    assert set(main_job["artifacts"]["paths"]) == {"shiftsec-report.json", "sbom.cdx.json"}
    assert any(p["baseline"] is not None for p in ci_params(scheduled))
    assert "GitLab security report format" in files[GITLAB]


# --- plan and write ------------------------------------------------------------------------------------------


def test_plan_on_an_empty_folder_creates_everything(tmp_path: Path) -> None:
    planned = plan(tmp_path, today=TODAY)
    assert [p.action for p in planned] == ["create"] * len(FILES)
    assert write(tmp_path, planned) == [rel for rel, _ in FILES]
    for item in planned:
        assert (tmp_path / item.path).read_text(encoding="utf-8") == item.content
    assert load_config(tmp_path / "shiftsec.yaml").source


def test_second_run_skips_and_force_overwrites(tmp_path: Path) -> None:
    write(tmp_path, plan(tmp_path))
    (tmp_path / "shiftsec.yaml").write_text("version: 1\n", encoding="utf-8")
    again = plan(tmp_path)
    assert [p.action for p in again] == ["skip-exists"] * len(FILES)
    assert write(tmp_path, again) == []
    assert (tmp_path / "shiftsec.yaml").read_text(encoding="utf-8") == "version: 1\n"
    assert "--force" in again[0].hint

    forced = {p.path: p for p in plan(tmp_path, force=True)}
    assert forced["shiftsec.yaml"].action == "overwrite"
    assert forced[WORKFLOW].action == forced[GITLAB].action == "overwrite"
    assert forced[PRECOMMIT_CONFIG].action == "skip-exists"  # never replaced: it holds other tools' hooks
    assert "already runs shiftsec" in forced[PRECOMMIT_CONFIG].hint
    assert write(tmp_path, list(forced.values())) == ["shiftsec.yaml", WORKFLOW, GITLAB]
    assert (tmp_path / "shiftsec.yaml").read_text(encoding="utf-8") == forced["shiftsec.yaml"].content


def test_existing_precommit_config_is_left_untouched(tmp_path: Path) -> None:
    original = "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n"
    (tmp_path / PRECOMMIT_CONFIG).write_text(original, encoding="utf-8")
    for force in (False, True):
        planned = {p.path: p for p in plan(tmp_path, force=force)}
        item = planned[PRECOMMIT_CONFIG]
        assert item.action == "skip-exists"
        assert "Add this entry under its `repos:`" in item.hint
        assert "entry: shiftsec repo --staged --fail-on low" in item.hint
        # the snippet to print is the list item itself: it fits under the existing `repos:`
        merged = yaml.safe_load(original + item.hint.split("`repos:`\n", 1)[1])
        assert [r["repo"] for r in merged["repos"]] == ["https://github.com/psf/black", "local"]
        written = write(tmp_path, list(planned.values()))
        assert PRECOMMIT_CONFIG not in written
        assert (tmp_path / PRECOMMIT_CONFIG).read_text(encoding="utf-8") == original


def test_default_branch_from_the_clone(tmp_path: Path) -> None:
    refs = tmp_path / ".git" / "refs" / "remotes" / "origin"
    refs.mkdir(parents=True)
    (refs / "HEAD").write_text("ref: refs/remotes/origin/master\n", encoding="utf-8")
    files = _contents(tmp_path)
    data = yaml.safe_load(files[WORKFLOW])
    assert data[True]["push"]["branches"] == ["master"]
    assert data["jobs"]["main"]["if"].endswith("'refs/heads/master'")
    assert "main" not in re.findall(r"head_branch == \"(\w+)\"", files[WORKFLOW])


def test_plan_refuses_a_missing_folder(tmp_path: Path) -> None:
    from shiftsec.errors import InputError

    with pytest.raises(InputError):
        plan(tmp_path / "missing")
    with pytest.raises(ValueError, match="branch"):
        render("github-workflow.yml", branch="main; rm -rf /")


def test_the_cli_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from shiftsec.cli import run

    assert run(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()[:4]] == ["created"] * 4
    assert (tmp_path / ".github/workflows/shiftsec.yml").is_file()
    assert run(["init", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert err.count("skipped") == 4 and "Traceback" not in err
    assert run(["init", str(tmp_path / "missing")]) == 2
