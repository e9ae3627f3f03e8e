"""Bandit as an engine: `bandit_engine(executable)` runs `bandit -f json -q -o REPORT -- FILES…` in batches, in
the scan root (exit 1 only means issues were found). Bandit's defaults otherwise: every severity and
confidence, `# nosec` honoured, no configuration file read (files are named, not walked). Its JSON is read by
`shiftsec.imports.bandit` (the same mapping as `--import`).

Each finding's identity is then aligned with the built-in engine's (`align`): the fingerprint is the one the
Ruff engine gives the same issue (`sast`, Ruff's code for the Bandit test when Ruff ports it, else Bandit's id,
path, hash of the flagged line), and Ruff's code becomes an alias. So when both engines run, Bandit's B602 and
Ruff's S602 on the same line are one finding (`merge`), listed with `sources == ("bandit",)` (shiftsec itself
is implicit), and a baseline keeps its meaning whichever engine reports the issue. Bandit's line range covers
the whole statement where Ruff flags a part of it, so the fingerprint hashes Bandit's first line only: it
equals Ruff's when Ruff flags one line (the usual case). When the two name different lines of one statement,
`join_statements` (run by `scan_sast` before merging) gives the Bandit finding the fingerprint of the Ruff
finding of the same test in that statement. The files Bandit could not parse are `ScanError`s of kind "parse"
(Ruff reports them too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from shiftsec.imports._common import Occurrences, snippet_key
from shiftsec.model import Finding, fingerprint
from shiftsec.sast import rules
from shiftsec.sast.engine import EngineResult, SastEngine
from shiftsec.sast.external.install import BANDIT, runnable
from shiftsec.sast.external.tool import file_lines, run_tool

_RUFF_CODE = {rule.bandit_id: rule.rule_id for rule in rules.RULES if rule.bandit_id}


def bandit_command(executable: Path, output: Path, files: Sequence[str]) -> list[str]:
    return [str(executable), "-f", "json", "-q", "-o", str(output), "--", *files]


def bandit_engine(executable: Path) -> SastEngine:
    executable = executable.absolute()  # it runs in the scan root

    def run(root: Path, files: Sequence[str]) -> EngineResult:
        from shiftsec.imports.bandit import from_document

        def command(names: Sequence[str], report: Path) -> list[str]:
            return bandit_command(executable, report, names)

        base = root.resolve()
        found = run_tool(BANDIT, executable, base, files, command, from_document, ok=(0, 1),  # 1: issues found
                         to_file=True)
        return EngineResult(align(base, found.findings), found.errors)

    return SastEngine(name=BANDIT, languages=("python",), available=lambda: runnable(executable), run=run)


def align(root: Path, findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Bandit's findings with the identity the built-in engine gives the same issue: the fingerprint of Ruff's
    code for the test (Bandit's id when Ruff has no port), and Ruff's code as an alias."""
    occurrences = Occurrences()
    lines: dict[str, list[str]] = {}

    def order(f: Finding) -> tuple[str, int, str]:
        return (f.location.path if f.location else "", (f.location.line or 0) if f.location else 0,
                _RUFF_CODE.get(f.rule_id, f.rule_id))

    aligned = []
    for finding in sorted(findings, key=order):
        path, start = (finding.location.path, finding.location.line) if finding.location else ("", None)
        code = ""
        if start is not None and path:
            if path not in lines:
                lines[path] = file_lines(root / path)
            code = "\n".join(lines[path][start - 1:start])
        rule_id = _RUFF_CODE.get(finding.rule_id, finding.rule_id)
        key = "snippet:" + snippet_key(code) if code.strip() else "no-snippet"
        key += occurrences(rule_id, path, key)
        aliases = tuple(dict.fromkeys([*finding.aliases, *([rule_id] if rule_id != finding.rule_id else [])]))
        aligned.append(replace(finding, fingerprint=fingerprint("sast", rule_id, path, key), aliases=aliases))
    return tuple(aligned)


def join_statements(root: Path, findings: Sequence[Finding]) -> list[Finding]:
    """`findings` of several engines, each Bandit finding that shares its fingerprint with no other finding
    given the fingerprint of the built-in engine's finding of the same test in the same statement (a logical
    line, `quality.source.logical_lines`), when that one is alone too: the two tools name different lines of one
    statement (Bandit the line of `shell=True`, Ruff the call's first line; Ruff a whole multi-line string,
    Bandit its first line), and `merge` then makes them one finding. Each Ruff finding takes one Bandit finding
    at most, the first in file order."""
    from bisect import bisect_right
    from collections import Counter

    from shiftsec.sast.quality.source import LogicalLine, logical_lines

    prints = Counter(f.fingerprint for f in findings)
    ported = set(_RUFF_CODE.values())
    alone: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.location is not None and f.location.line is not None and f.rule_id in ported \
                and prints[f.fingerprint] == 1:
            alone.setdefault((f.location.path, f.rule_id), []).append(f)
    statements: dict[str, tuple[list[int], list[LogicalLine]]] = {}

    def statement(path: str, line: int) -> tuple[int, int]:
        if path not in statements:
            parsed = logical_lines("\n".join(file_lines(root / path)))
            statements[path] = ([x[0] for x in parsed], parsed)
        starts, parsed = statements[path]
        i = bisect_right(starts, line) - 1
        return (parsed[i][0], parsed[i][1]) if i >= 0 and parsed[i][1] >= line else (line, line)

    out = []
    for f in findings:
        code = _RUFF_CODE.get(f.rule_id)
        if code is None or f.location is None or f.location.line is None or prints[f.fingerprint] > 1 \
                or not alone.get((f.location.path, code)):
            out.append(f)
            continue
        first, last = statement(f.location.path, f.location.line)
        candidates = alone[f.location.path, code]
        match = next((r for r in candidates if r.location is not None and r.location.line is not None
                      and first <= r.location.line <= last), None)
        if match is not None:
            candidates.remove(match)
        out.append(f if match is None else replace(f, fingerprint=match.fingerprint))
    return out
