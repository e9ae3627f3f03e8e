"""`--format markdown`: a summary fit for a pull-request comment (GitHub/GitLab flavoured Markdown).

Leads with what to do: one line per vulnerable package with the version that fixes all of its findings
(marked when it is a major bump) and, for a transitive package, the direct dependency to bump. The
findings themselves follow in a collapsed `<details>` block; then secrets, one row each (file, line, the
commit that added it, the redacted value: never the value); then the inputs that could not be read.
Text from advisories and files is escaped so it cannot break the table or inject markup.

When a policy judged the findings (`shiftsec ci`; this is what goes into `$GITHUB_STEP_SUMMARY`), a verdict
section comes first: passed or failed, each rule, each failing rule's findings with how to fix each, and the
exceptions that expired or went stale. Findings are marked **new** (against the baseline) and
*suppressed* (with the kind and reason) wherever they are listed. Lists are capped (`… and N more`) to keep
the text short; the JSON, SARIF or HTML report has everything.
"""

from __future__ import annotations

import dataclasses
import re

from shiftsec.model import Advice, ExceptionNote, Finding, FindingType, Report, RuleOutcome, Severity, Verdict
from shiftsec.reporters._common import (
    finding_location,
    one_line,
    plural,
    secrets_summary,
    severity_counts,
    sorted_findings,
    vulnerable_package_count,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~])")
_LIMIT = 120
RULE_LIMIT = 10  # findings listed under one failing rule
ROW_LIMIT = 100  # rows of one findings table
_ICONS = {
    Severity.CRITICAL: "🟥 CRITICAL",
    Severity.HIGH: "🟧 HIGH",
    Severity.MEDIUM: "🟨 MEDIUM",
    Severity.LOW: "🟦 LOW",
    Severity.UNKNOWN: "⬜ UNKNOWN",
}


def _md(text: str | None, limit: int = _LIMIT) -> str:
    return _SPECIAL.sub(r"\\\1", one_line(text or "", limit))


def _code(text: str) -> str:
    return "`" + one_line(text, _LIMIT).replace("`", "'") + "`"


def render(report: Report) -> str:
    everything = sorted_findings(report.findings)
    findings = [f for f in everything if f.type is FindingType.VULNERABILITY]
    secrets = [f for f in everything if f.type is FindingType.SECRET]
    lines: list[str] = _verdict(report.verdict) if report.verdict is not None else []
    misconfigs = [f for f in everything if f.type is FindingType.MISCONFIG]
    sast = [f for f in everything if f.type is FindingType.SAST]
    if findings or "vuln" in report.scanners or not report.scanners:
        lines += ["## shiftsec: dependency vulnerabilities", ""]
        if not findings:
            lines.append(f"No known vulnerabilities in {plural(len(report.packages), 'package')}.")
        else:
            counts = ", ".join(f"{n} {s.name}" for s, n in severity_counts(findings).items() if n)
            lines.append(
                f"**{plural(len(findings), 'vulnerability', 'vulnerabilities')}** in "
                f"{vulnerable_package_count(findings)} of {plural(len(report.packages), 'package')}: {counts}."
            )
            lines += ["", *_advice_table(report.advice, findings), "", *_details(findings)]
    if secrets or "secret" in report.scanners:
        lines += [*([""] if lines else []), "## shiftsec: secrets", ""]
        lines += _secrets(secrets) if secrets else [f"{secrets_summary(report, secrets)}."]
    if misconfigs or "misconfig" in report.scanners:
        lines += [*([""] if lines else []), "## shiftsec: misconfigurations", ""]
        lines += _misconfigs(misconfigs) if misconfigs else ["No misconfigurations found."]
    if sast or "sast" in report.scanners:
        lines += [*([""] if lines else []), "## shiftsec: code issues", ""]
        lines += _sast(sast) if sast else ["No code issues found."]
    if report.errors:
        lines += ["", f"<details><summary>{plural(len(report.errors), 'input')} not fully read</summary>", ""]
        lines += [f"- {_code(e.path)}: {_md(e.message, 300)}" for e in sorted(report.errors, key=lambda e: e.path)]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _secrets(secrets: list[Finding]) -> list[str]:
    """One row per secret: where (and for history, which commit), the rule, and the redacted value only."""
    files = len({f.location.path for f in secrets if f.location})
    lines = [f"**{plural(len(secrets), 'secret')}** in {plural(files, 'file')}: revoke each one where it was "
             "issued, then remove it from the code (and its history).", "",
             "| Severity | Rule | File | Commit | Value |", "|---|---|---|---|---|"]
    ordered = sorted(secrets, key=lambda f: (-int(f.severity), f.location.path if f.location else ""))
    for f in ordered[:ROW_LIMIT]:
        where = str(f.location) if f.location else ""
        commit = f.location.commit if f.location else None
        added = f"{_code(commit.sha[:12])} {_md(commit.author, 60)} {_md(commit.date[:10])}" if commit else ""
        lines.append(f"| {_ICONS[f.severity]} | {_md(f.title, 80)}{_marks(f)} | {_code(where) if where else ''} | "
                     f"{added} | {_code(f.evidence or '')} |")
    return lines + _more(len(ordered), 5)


def _misconfigs(misconfigs: list[Finding], check: str = "Check") -> list[str]:
    lines = [f"| Severity | {check} | File | Problem |", "|---|---|---|---|"]
    ordered = sorted(misconfigs, key=lambda f: (-int(f.severity), f.location.path if f.location else ""))
    for f in ordered[:ROW_LIMIT]:
        where = str(f.location) if f.location else ""
        lines.append(f"| {_ICONS[f.severity]} | {_md(f.title, 80)}{_marks(f)} | {_code(where) if where else ''} | "
                     f"{_md(f.message, 200)} |")
    return lines + _more(len(ordered), 4)


def _sast(findings: list[Finding]) -> list[str]:
    """Like misconfigurations: where, which rule (with its CWEs), and what is wrong."""
    named = [dataclasses.replace(f, title=f"{f.rule_id} {f.title}" + (f" ({', '.join(f.cwes)})" if f.cwes else ""))
             for f in findings]
    return _misconfigs(named, "Rule")


def _more(total: int, columns: int) -> list[str]:
    """A last table row saying how many rows were left out, if any."""
    if total <= ROW_LIMIT:
        return []
    return [f"| … and {total - ROW_LIMIT} more |" + " |" * (columns - 1)]


def _marks(finding: Finding) -> str:
    """What the policy said about a finding, after its title: new, and suppressed (kind: reason)."""
    marks = []
    if finding.change == "new":
        marks.append("**new**")
    elif finding.change == "existing":
        marks.append("existing")
    if finding.suppression is not None:
        marks.append(f"*suppressed ({finding.suppression.kind.value}: {_md(finding.suppression.reason, 80)})*")
    return " · " + " · ".join(marks) if marks else ""


def _fix(finding: Finding) -> str:
    if finding.remediation:
        return _md(finding.remediation, 200)
    if finding.fixed_in:
        return f"upgrade to {_md(finding.fixed_in)}"
    return "no fix known" if finding.package is not None else "see the rule"


def _verdict(verdict: Verdict) -> list[str]:
    """Passed or failed, the rules, each failing rule's findings with their fix, and the exceptions to handle."""
    failed = [rule for rule in verdict.rules if rule.failing]
    title = "✅ passed" if verdict.passed else "❌ failed"
    lines = [f"## shiftsec: policy {title}", ""]
    where = f"Policy {_code(verdict.policy)}"
    if verdict.baseline:
        where += f", compared with {_code(verdict.baseline)}"
    if verdict.new_only:
        where += " (only new findings can fail)"
    summary = f"{len(failed)} of {plural(len(verdict.rules), 'rule')} failed" if failed else (
        f"all {plural(len(verdict.rules), 'rule')} passed")
    lines += [f"{where}: {summary}.", "", "| | Rule | Condition | Failing |", "|---|---|---|---|"]
    lines += [f"| {'❌' if rule.failing else '✅'} | {_md(rule.name, 80)} | {_md(rule.condition, 160)} | "
              f"{len(rule.failing)} |" for rule in verdict.rules]
    for rule in failed:
        lines += ["", *_failing(rule)]
    if verdict.exceptions:
        lines += ["", *_exception_notes(verdict.exceptions)]
    return [*lines, ""]


def _failing(rule: RuleOutcome) -> list[str]:
    findings = sorted_findings(rule.failing)
    lines = [f"**{_md(rule.name, 80)}**: {plural(len(findings), 'finding')}", ""]
    for f in findings[:RULE_LIMIT]:
        where = finding_location(f)
        parts = [f"{_ICONS[f.severity]} {_code(f.rule_id)} {_md(f.title, 100)}{_marks(f)}"]
        if f.package is not None:
            parts.append(f"{_md(f.package.name, 80)} {_md(f.package.version, 40)}")
        if where is not None:
            parts.append(_code(str(where)))
        parts.append(f"fix: {_fix(f)}")
        lines.append("- " + " — ".join(parts))
    if len(findings) > RULE_LIMIT:
        lines.append(f"- … and {len(findings) - RULE_LIMIT} more")
    return lines


def _exception_notes(notes: tuple[ExceptionNote, ...]) -> list[str]:
    ordered = sorted(notes, key=lambda n: (n.state, n.source, n.covers))
    lines = ["**Exceptions that did not apply**", ""]
    for note in ordered[:RULE_LIMIT]:
        if note.state == "expired":
            todo = f"expired {_md(note.expires, 20)}: renew it or fix what it covered"
        else:
            todo = "matched no finding: remove it"
        lines.append(f"- {_md(note.state, 20)}: {_md(note.covers, 100)} ({_code(note.source)}, owner "
                     f"{_md(note.owner, 60)}, reason: {_md(note.reason, 100)}): {todo}")
    if len(ordered) > RULE_LIMIT:
        lines.append(f"- … and {len(ordered) - RULE_LIMIT} more")
    return lines


def _advice_table(advice: tuple[Advice, ...], findings: list[Finding]) -> list[str]:
    worst: dict[tuple[str, str, str], Severity] = {}
    for f in findings:
        if f.package is not None:
            key = (f.package.name, f.package.version, f.package.location.path if f.package.location else "")
            worst[key] = max(worst.get(key, Severity.UNKNOWN), f.severity)
    rows = ["| | Package | Installed | Upgrade to | Via | Findings | File |", "|---|---|---|---|---|---|---|"]

    def order(a: Advice) -> tuple[int, str]:
        loc = a.package.location.path if a.package.location else ""
        return (-int(worst.get((a.package.name, a.package.version, loc), Severity.UNKNOWN)), a.package.name)

    for a in sorted(advice, key=order):
        path = a.package.location.path if a.package.location else ""
        severity = worst.get((a.package.name, a.package.version, path), Severity.UNKNOWN)
        if a.fixed_in:
            target = f"**{_md(a.fixed_in)}**" + (" (major)" if a.major_bump else "")
            if a.unfixed:
                target += f"; no fix for {', '.join(_md(r) for r in a.unfixed)}"
        else:
            target = "no fix known"
        via = f"{_md(a.via.name)} {_md(a.via.version)}" if a.via else ""
        rows.append(
            f"| {_ICONS[severity]} | {_md(a.package.name)} | {_md(a.package.version)} | {target} | {via} | "
            f"{len(a.rule_ids)} | {_code(path) if path else ''} |"
        )
    return rows


def _details(findings: list[Finding]) -> list[str]:
    lines = ["<details><summary>All findings</summary>", "",
             "| Severity | Vulnerability | Package | Fixed in | Title |", "|---|---|---|---|---|"]
    for f in findings[:ROW_LIMIT]:
        package = f"{_md(f.package.name)} {_md(f.package.version)}" if f.package else ""
        link = f.references[0] if f.references else ""
        ident = f"[{_md(f.rule_id)}]({link})" if link.startswith("https://") else _md(f.rule_id)
        lines.append(
            f"| {f.severity.name} | {ident} | {package} | {_md(f.fixed_in) or 'no fix'} | {_md(f.title, 100)}"
            f"{_marks(f)} |"
        )
    lines += [*_more(len(findings), 5), "", "</details>"]
    return lines
