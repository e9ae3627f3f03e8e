"""Semgrep as an engine: `semgrep_engine(executable, rules)` runs `semgrep scan --config RULE… --json
--metrics=off --disable-version-check --no-git-ignore --no-rewrite-rule-ids --quiet -- FILES…`
(`semgrep_command`).

Only local rule files or folders (`local_rules`): a URL, and any `--config` that is not an existing local path
(a registry name such as `p/python`, `auto`) is refused, and rule paths are passed absolute so Semgrep can
never read one as a registry id. `--no-git-ignore`: the target's walker already chose the files (honouring
`.gitignore`); Semgrep must not drop some of them again. `--no-rewrite-rule-ids`: rule ids stay as written, not
prefixed with the rule file's folder (which would change with the checkout's location). The environment adds
`SEMGREP_SEND_METRICS=off`, `SEMGREP_ENABLE_VERSION_CHECK=0` and proxies pointing at a closed local port (the
misconfiguration renderer's setting), so a run can never wait on the network.

Its JSON is read by `shiftsec.imports.semgrep`; as Semgrep without a login reports neither its fingerprint nor
the matched lines ("requires login"), the fingerprint is rebuilt from the flagged lines read from the file
(`relocate`: `sast`, rule id, path, hash of the lines, "#2"… for identical ones), so it survives line moves
like the built-in engine's. Semgrep gets every file of the scan (it picks by its rules' languages); its errors
about a scanned file are kind "parse", the others (a rule it cannot read) kind "engine".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from shiftsec.errors import InputError
from shiftsec.imports._common import Occurrences, snippet_key
from shiftsec.model import Finding, fingerprint
from shiftsec.sast.engine import EngineResult, SastEngine
from shiftsec.sast.external.install import SEMGREP, runnable
from shiftsec.sast.external.tool import file_lines, run_tool


def relocate(root: Path, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Semgrep's findings with a fingerprint built from the flagged lines read from the file (the CLI without a
    login reports neither its fingerprint nor the lines); findings without a readable line keep theirs."""
    occurrences = Occurrences()
    lines: dict[str, list[str]] = {}

    def order(f: Finding) -> tuple[str, int, str]:
        return (f.location.path if f.location else "", (f.location.line or 0) if f.location else 0, f.rule_id)

    relocated = []
    for finding in sorted(findings, key=order):
        location = finding.location
        if location is None or location.line is None or not location.path:
            relocated.append(finding)
            continue
        if location.path not in lines:
            lines[location.path] = file_lines(root / location.path)
        code = "\n".join(lines[location.path][location.line - 1:location.end_line or location.line])
        if not code.strip():
            relocated.append(finding)
            continue
        key = "snippet:" + snippet_key(code)
        key += occurrences(finding.rule_id, location.path, key)
        relocated.append(replace(finding, fingerprint=fingerprint("sast", finding.rule_id, location.path, key)))
    return tuple(relocated)



def local_rules(rules_paths: Sequence[Path]) -> list[Path]:
    """`rules_paths` made absolute, after checking each is an existing local file or folder; anything else (a
    registry name, `auto`, a URL) is an `InputError`: shiftsec never fetches Semgrep rules."""
    if not rules_paths:
        raise InputError("semgrep needs local rule files: none were given",
                         hint="pass the security team's Semgrep rule files (YAML) or a folder of them")
    checked = []
    for value in rules_paths:
        text = str(value)
        if "://" in text or not text.strip() or not Path(text).exists():
            raise InputError(f"semgrep rules {text!r}: not an existing local file or folder (shiftsec never uses "
                             "the Semgrep registry or URLs)", hint="download the rules once and pass their path")
        checked.append(Path(text).resolve())
    return checked


def semgrep_command(executable: Path, rules_paths: Sequence[Path], files: Sequence[str]) -> list[str]:
    """The command line a Semgrep batch runs (refuses non-local rules, see `local_rules`)."""
    configs = [arg for path in local_rules(rules_paths) for arg in ("--config", str(path))]
    return [str(executable), "scan", *configs, "--json", "--metrics=off", "--disable-version-check",
            "--no-git-ignore", "--no-rewrite-rule-ids", "--quiet", "--", *files]


def semgrep_engine(executable: Path, rules_paths: Sequence[Path]) -> SastEngine:
    checked = local_rules(rules_paths)
    executable = executable.absolute()  # it runs in the scan root

    def run(root: Path, files: Sequence[str]) -> EngineResult:
        from shiftsec.imports.semgrep import from_document

        def command(names: Sequence[str], _report: Path) -> list[str]:
            return semgrep_command(executable, checked, names)  # the report comes on stdout

        base = root.resolve()
        # exit 0: done; 1: findings with --error; 2 and up: Semgrep's errors, listed in its JSON when it wrote it
        found = run_tool(SEMGREP, executable, base, files, command, from_document, ok=(0, 1), keep_report=True)
        return EngineResult(relocate(base, found.findings), found.errors)

    return SastEngine(name=SEMGREP, languages=("any",), available=lambda: runnable(executable), run=run)
