"""`--format markdown`: a summary fit for a pull-request comment (GitHub/GitLab flavoured Markdown).

Leads with what to do: one line per vulnerable package with the version that fixes all of its findings
(marked when it is a major bump) and, for a transitive package, the direct dependency to bump. The
findings themselves follow in a collapsed `<details>` block; then secrets, one row each (file, line, the
commit that added it, the redacted value: never the value); then the inputs that could not be read.
Text from advisories and files is escaped so it cannot break the table or inject markup.
"""

from __future__ import annotations

import re

from shiftsec.model import Advice, Finding, FindingType, Report, Severity
from shiftsec.reporters._common import (
    one_line,
    plural,
    secrets_summary,
    severity_counts,
    sorted_findings,
    vulnerable_package_count,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~])")
_LIMIT = 120
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
    lines: list[str] = []
    misconfigs = [f for f in everything if f.type is FindingType.MISCONFIG]
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
    for f in sorted(secrets, key=lambda f: (-int(f.severity), f.location.path if f.location else "")):
        where = str(f.location) if f.location else ""
        commit = f.location.commit if f.location else None
        added = f"{_code(commit.sha[:12])} {_md(commit.author, 60)} {_md(commit.date[:10])}" if commit else ""
        lines.append(f"| {_ICONS[f.severity]} | {_md(f.title, 80)} | {_code(where) if where else ''} | {added} | "
                     f"{_code(f.evidence or '')} |")
    return lines


def _misconfigs(misconfigs: list[Finding]) -> list[str]:
    lines = ["| Severity | Check | File | Problem |", "|---|---|---|---|"]
    for f in sorted(misconfigs, key=lambda f: (-int(f.severity), f.location.path if f.location else "")):
        where = str(f.location) if f.location else ""
        lines.append(f"| {_ICONS[f.severity]} | {_md(f.title, 80)} | {_code(where) if where else ''} | "
                     f"{_md(f.message, 200)} |")
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
    for f in findings:
        package = f"{_md(f.package.name)} {_md(f.package.version)}" if f.package else ""
        link = f.references[0] if f.references else ""
        ident = f"[{_md(f.rule_id)}]({link})" if link.startswith("https://") else _md(f.rule_id)
        lines.append(
            f"| {f.severity.name} | {ident} | {package} | {_md(f.fixed_in) or 'no fix'} | {_md(f.title, 100)} |"
        )
    lines += ["", "</details>"]
    return lines
