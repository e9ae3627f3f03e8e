"""`--format markdown`: a summary fit for a pull-request comment (GitHub/GitLab flavoured Markdown).

Leads with what to do: one line per vulnerable package with the version that fixes all of its findings
(marked when it is a major bump) and, for a transitive package, the direct dependency to bump. The
findings themselves follow in a collapsed `<details>` block, then the inputs that could not be read.
Text from advisories and files is escaped so it cannot break the table or inject markup.
"""

from __future__ import annotations

import re

from shiftsec.model import Advice, Finding, Report, Severity
from shiftsec.reporters._common import one_line, plural, severity_counts, sorted_findings, vulnerable_package_count

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
    findings = sorted_findings(report.findings)
    lines = ["## shiftsec: dependency vulnerabilities", ""]
    if not findings:
        lines.append(f"No known vulnerabilities in {plural(len(report.packages), 'package')}.")
    else:
        counts = ", ".join(f"{n} {s.name}" for s, n in severity_counts(findings).items() if n)
        lines.append(
            f"**{plural(len(findings), 'vulnerability', 'vulnerabilities')}** in "
            f"{vulnerable_package_count(findings)} of {plural(len(report.packages), 'package')}: {counts}."
        )
        lines += ["", *_advice_table(report.advice, findings), "", *_details(findings)]
    if report.errors:
        lines += ["", f"<details><summary>{plural(len(report.errors), 'input')} not fully read</summary>", ""]
        lines += [f"- {_code(e.path)}: {_md(e.message, 300)}" for e in sorted(report.errors, key=lambda e: e.path)]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


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
