"""`--format html`: one self-contained HTML page to archive as a CI artifact or open in a browser.

The page needs nothing outside itself: the CSS is inline, the chart an inline SVG, there is no script, and
a Content-Security-Policy meta tag forbids loading anything (so even text that slipped through as markup
could fetch or run nothing). Links to advisories are plain `<a href>` links, for the reader to follow.

Layout, top to bottom:

* a banner with the verdict: "Policy passed" (green) or "Policy failed" (red) with the policy's source,
  the baseline and whether only new findings could fail; without a verdict a neutral (blue) "Scan report";
* a summary: target, time, database, counts, and an SVG bar chart of findings by type and severity;
* with a verdict, the policy's rules (each failing rule with links to its findings) and the exceptions that
  expired or went stale;
* the findings, grouped by type then severity in collapsible `<details>` blocks (CRITICAL and HIGH open
  unless they are long), each with its title, location, package, `new`/`existing` badge, suppression
  badge (kind, reason, owner, expiry), KEV/EPSS when known, the fix, the description and the references;
* the inputs that could not be fully read.

Every text from a report goes through `html.escape` after control characters are removed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

from shiftsec.model import ExceptionNote, Finding, FindingType, Report, RuleOutcome, Severity, Verdict
from shiftsec.reporters._common import (
    SEVERITIES_WORST_FIRST,
    clip,
    finding_location,
    fix_text,
    one_line,
    plural,
    sorted_findings,
    utf8_safe,
)

# Banner colours; the screenshot test reads them back from the rendered page.
PASSED_COLOUR = "#1a7f37"
FAILED_COLOUR = "#cf222e"
NEUTRAL_COLOUR = "#0b5394"
SEVERITY_COLOURS: dict[Severity, str] = {
    Severity.CRITICAL: "#8b0000",
    Severity.HIGH: "#d1242f",
    Severity.MEDIUM: "#bf8700",
    Severity.LOW: "#0969da",
    Severity.UNKNOWN: "#6e7781",
}
TYPE_TITLES: dict[FindingType, str] = {
    FindingType.VULNERABILITY: "Vulnerabilities",
    FindingType.SECRET: "Secrets",
    FindingType.MISCONFIG: "Misconfigurations",
    FindingType.SAST: "Code issues (SAST)",
}
OPEN_LIMIT = 50  # a CRITICAL or HIGH group longer than this starts folded
RULE_LIST_LIMIT = 20  # findings linked under a failing rule; the rest are counted
TEXT_LIMIT = 4000
REFERENCE_LIMIT = 10

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;
background:#f6f8fa}
.banner{margin:0;padding:18px 28px;min-height:96px;color:#fff}
.banner h1{margin:0 0 4px;font-size:26px}
.banner p{margin:0;opacity:.95}
.passed{background:#1a7f37}.failed{background:#cf222e}.neutral{background:#0b5394}
main{padding:8px 28px 40px;max-width:1200px}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 18px;margin:16px 0}
h2{font-size:18px;margin:4px 0 10px}
h3{font-size:15px;margin:0 0 6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;border-bottom:1px solid #d0d7de;padding:4px 8px;vertical-align:top}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:#eff1f3;
padding:1px 4px;border-radius:4px;word-break:break-all}
details{border:1px solid #d0d7de;border-radius:6px;margin:8px 0;padding:0 12px}
summary{cursor:pointer;padding:8px 0;font-weight:600}
.finding{border-top:1px solid #d0d7de;padding:10px 0}
.finding dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
.finding dt{color:#57606a}.finding dd{margin:0}
.sev{display:inline-block;color:#fff;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600}
.badge{display:inline-block;border:1px solid #d0d7de;border-radius:10px;padding:0 8px;margin:0 4px 2px 0;
font-size:12px;background:#f6f8fa}
.badge.new{background:#fff8c5;border-color:#d4a72c}.badge.existing{background:#eaeef2}
.badge.suppressed{background:#ddf4ff;border-color:#54aeff}.badge.kev{background:#ffebe9;border-color:#ff8182}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
.muted{color:#57606a}
.desc{white-space:pre-wrap;margin:6px 0}
"""


def _e(text: str | None, limit: int = TEXT_LIMIT) -> str:
    """Report text made safe for HTML: control characters out, cut to `limit`, escaped (quotes too)."""
    return html.escape(clip(utf8_safe(text or ""), limit), quote=True)


def _e1(text: str | None, limit: int = 300) -> str:
    """Like `_e`, on one line."""
    return html.escape(one_line(utf8_safe(text or ""), limit), quote=True)


def render(report: Report) -> str:
    """The report as one HTML5 document (UTF-8 text, trailing newline)."""
    findings = sorted_findings(report.findings)
    ids = {id(finding): f"f{index}" for index, finding in enumerate(findings)}  # each finding's anchor
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">',
        f"<title>shiftsec: {_e1(report.target, 120)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _banner(report.verdict, findings),
        "<main>",
        _summary(report, findings),
    ]
    if report.verdict is not None:
        links: dict[str, str] = {}  # a rule's failing finding → the first finding with its fingerprint
        for finding in findings:
            links.setdefault(finding.fingerprint, ids[id(finding)])
        parts.append(_policy(report.verdict, links))
    parts += _findings(findings, ids)
    if report.errors:
        parts.append(_errors(report))
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


# --- banner and summary -----------------------------------------------------------------------------------


def _banner(verdict: Verdict | None, findings: list[Finding]) -> str:
    if verdict is None:
        open_count = sum(1 for f in findings if f.suppression is None)
        return ('<header class="banner neutral" id="verdict"><h1>Scan report</h1>'
                f"<p>{plural(open_count, 'open finding')}; no policy was applied.</p></header>")
    state = "passed" if verdict.passed else "failed"
    failing = sum(1 for rule in verdict.rules if rule.failing)
    details = [f"policy: {_e1(verdict.policy)}"]
    if not verdict.passed:
        details.insert(0, f"{plural(failing, 'rule')} of {len(verdict.rules)} failed")
    if verdict.baseline:
        details.append(f"baseline: {_e1(verdict.baseline)}")
    if verdict.new_only:
        details.append("only new findings can fail")
    return (f'<header class="banner {state}" id="verdict"><h1>Policy {state}</h1>'
            f"<p>{' · '.join(details)}</p></header>")


def _summary(report: Report, findings: list[Finding]) -> str:
    rows = [("Target", f"<code>{_e1(report.target)}</code> ({_e1(report.target_type, 60)})"),
            ("Scanned", _e1(report.created_at, 60)),
            ("shiftsec", _e1(report.tool_version, 60))]
    if report.database is not None:
        db = report.database
        rows.append(("Advisories", f"{db.advisories:,} (updated {_e1(db.updated_at or 'unknown', 60)})"))
    suppressed = sum(1 for f in findings if f.suppression is not None)
    counted = f"{len(findings)} ({suppressed} suppressed)" if suppressed else str(len(findings))
    rows += [("Packages", str(len(report.packages))), ("Findings", counted)]
    if report.errors:
        rows.append(("Not fully read", f'<a href="#errors">{plural(len(report.errors), "input")}</a>'))
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<section id="summary"><h2>Summary</h2><table>{table}</table>{_chart(findings)}</section>'


def _chart(findings: list[Finding]) -> str:
    """Horizontal stacked bars: one per finding type present, one segment per severity, and a legend."""
    counts: dict[FindingType, dict[Severity, int]] = {}
    for finding in findings:
        by_severity = counts.setdefault(finding.type, dict.fromkeys(SEVERITIES_WORST_FIRST, 0))
        by_severity[finding.severity] += 1
    if not counts:
        return '<p class="muted">No findings.</p>'
    kinds = [kind for kind in FindingType if kind in counts]
    biggest = max(sum(c.values()) for c in counts.values())
    label_width, bar_width, row_height = 170, 560, 28
    height = row_height * len(kinds) + 34
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_width + bar_width + 60}" '
             f'height="{height}" aria-label="Findings by type and severity" font-size="12" '
             'font-family="sans-serif">']
    for row, kind in enumerate(kinds):
        y = row * row_height + 4
        total = sum(counts[kind].values())
        parts.append(f'<text x="0" y="{y + 15}">{TYPE_TITLES[kind]}</text>')
        x = float(label_width)
        for severity in SEVERITIES_WORST_FIRST:
            count = counts[kind][severity]
            if not count:
                continue
            width = max(bar_width * count / biggest, 2.0)
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="20" '
                         f'fill="{SEVERITY_COLOURS[severity]}"><title>{TYPE_TITLES[kind]}: {count} '
                         f"{severity.name}</title></rect>")
            x += width
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{total}</text>')
    legend_y = row_height * len(kinds) + 14
    for index, severity in enumerate(SEVERITIES_WORST_FIRST):
        x = label_width + index * 100
        parts.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{SEVERITY_COLOURS[severity]}"/>'
                     f'<text x="{x + 16}" y="{legend_y + 11}">{severity.name}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- policy -----------------------------------------------------------------------------------------------


def _policy(verdict: Verdict, links: dict[str, str]) -> str:
    rows = "".join(_rule_row(rule, links) for rule in verdict.rules)
    parts = ['<section id="policy"><h2>Policy rules</h2>',
             f"<table><tr><th></th><th>Rule</th><th>Condition</th><th>Failing findings</th></tr>{rows}</table>"]
    if verdict.exceptions:
        parts.append(_exceptions(verdict.exceptions))
    parts.append("</section>")
    return "".join(parts)


def _rule_row(rule: RuleOutcome, links: dict[str, str]) -> str:
    if not rule.failing:
        return f'<tr><td class="ok">passed</td><td>{_e1(rule.name)}</td><td>{_e1(rule.condition)}</td><td>0</td></tr>'
    failing = sorted_findings(rule.failing)
    items = []
    for finding in failing[:RULE_LIST_LIMIT]:
        anchor = links.get(finding.fingerprint)
        label = f"{finding.severity.name} {_e1(finding.rule_id, 120)}: {_e1(finding.title, 120)}"
        items.append(f'<li><a href="#{anchor}">{label}</a></li>' if anchor else f"<li>{label}</li>")
    if len(failing) > RULE_LIST_LIMIT:
        items.append(f"<li>… and {len(failing) - RULE_LIST_LIMIT} more</li>")
    return (f'<tr><td class="bad">failed</td><td>{_e1(rule.name)}</td><td>{_e1(rule.condition)}</td>'
            f"<td>{len(failing)}<ul>{''.join(items)}</ul></td></tr>")


def _exceptions(notes: Iterable[ExceptionNote]) -> str:
    rows = []
    for note in sorted(notes, key=lambda n: (n.state, n.source, n.covers)):
        advice = "renew it or fix what it covered" if note.state == "expired" else "remove it"
        css = "bad" if note.state == "expired" else "muted"
        rows.append(f'<tr><td class="{css}">{_e1(note.state, 20)}</td><td>{_e1(note.covers)}</td>'
                    f"<td>{_e1(note.reason)}</td><td>{_e1(note.owner, 100)}</td><td>{_e1(note.expires, 40)}</td>"
                    f"<td><code>{_e1(note.source)}</code></td><td>{advice}</td></tr>")
    return ('<h2>Exceptions that did not apply</h2><table><tr><th>State</th><th>Covers</th><th>Reason</th>'
            f"<th>Owner</th><th>Expires</th><th>Source</th><th>To do</th></tr>{''.join(rows)}</table>")


# --- findings ---------------------------------------------------------------------------------------------


def _findings(findings: list[Finding], ids: dict[int, str]) -> list[str]:
    parts = []
    for kind in FindingType:
        of_kind = [f for f in findings if f.type is kind]
        if not of_kind:
            continue
        parts.append(f'<section id="{kind.value}"><h2>{TYPE_TITLES[kind]} ({len(of_kind)})</h2>')
        for severity in SEVERITIES_WORST_FIRST:
            group = [f for f in of_kind if f.severity is severity]
            if not group:
                continue
            opened = " open" if severity >= Severity.HIGH and len(group) <= OPEN_LIMIT else ""
            suppressed = sum(1 for f in group if f.suppression is not None)
            note = f", {suppressed} suppressed" if suppressed else ""
            parts.append(f"<details{opened}><summary>{_severity(severity)} {len(group)}{note}</summary>")
            parts += [_finding(f, ids[id(f)]) for f in group]
            parts.append("</details>")
        parts.append("</section>")
    return parts


def _severity(severity: Severity) -> str:
    return f'<span class="sev" style="background:{SEVERITY_COLOURS[severity]}">{severity.name}</span>'


def _badges(finding: Finding) -> str:
    badges = []
    if finding.change in ("new", "existing"):
        badges.append(f'<span class="badge {finding.change}">{finding.change}</span>')
    suppression = finding.suppression
    if suppression is not None:
        words = [f"suppressed ({suppression.kind.value}): {_e1(suppression.reason, 200)}"]
        if suppression.justification:
            words.append(_e1(suppression.justification, 80))
        if suppression.owner:
            words.append(f"owner {_e1(suppression.owner, 80)}")
        if suppression.expires:
            words.append(f"expires {_e1(suppression.expires, 40)}")
        if suppression.source:
            words.append(f"in {_e1(suppression.source, 120)}")
        badges.append(f'<span class="badge suppressed">{" · ".join(words)}</span>')
    if finding.kev:
        badges.append('<span class="badge kev">known exploited (CISA KEV)</span>')
    if finding.epss is not None and math.isfinite(finding.epss):
        badges.append(f'<span class="badge">EPSS {finding.epss * 100:.1f}%</span>')
    for source in finding.sources:
        badges.append(f'<span class="badge">also: {_e1(source, 40)}</span>')
    return f'<p>{"".join(badges)}</p>' if badges else ""


def _reference(url: str) -> str:
    text = one_line(utf8_safe(url), 500)
    if text.startswith(("https://", "http://")) and " " not in text:
        return f'<a href="{html.escape(text, quote=True)}" rel="noopener noreferrer">{html.escape(text)}</a>'
    return html.escape(text)


def _finding(finding: Finding, anchor: str) -> str:
    rows: list[tuple[str, str]] = []
    location = finding_location(finding)
    if location is not None:
        rows.append(("Location", f"<code>{_e1(str(location), 500)}</code>"))
        if location.commit is not None:
            commit = location.commit
            rows.append(("Commit", f"<code>{_e1(commit.sha[:12], 12)}</code> {_e1(commit.author, 80)} "
                                   f"{_e1(commit.date[:10], 10)}"))
    package = finding.package
    if package is not None:
        rows.append(("Package", f"{_e1(package.name)} <code>{_e1(package.version, 100)}</code> "
                                f"({_e1(package.ecosystem, 60)})"))
    if finding.dependency_path:
        rows.append(("Via", " → ".join(_e1(step, 120) for step in finding.dependency_path[:10])))
    aliases = [a for a in finding.aliases if a != finding.rule_id]
    if aliases:
        rows.append(("Aliases", _e1(", ".join(aliases), 300)))
    if finding.cwes:
        rows.append(("CWE", _e1(", ".join(finding.cwes), 200)))
    if finding.cvss_score is not None and math.isfinite(finding.cvss_score):
        rows.append(("CVSS", f"{finding.cvss_score:.1f} {_e1(finding.cvss_vector or '', 200)}".rstrip()))
    if finding.evidence:
        rows.append(("Evidence", f"<code>{_e1(finding.evidence, 200)}</code>"))
    fix = fix_text(finding)
    if finding.fixed_in and finding.remediation and finding.fixed_in not in finding.remediation:
        fix += f" (fixed in {one_line(finding.fixed_in, 100)})"
    rows.append(("Fix", html.escape(fix, quote=True)))
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    description = finding.description or finding.message
    references = "".join(f"<li>{_reference(r)}</li>" for r in finding.references[:REFERENCE_LIMIT])
    return (f'<article class="finding" id="{anchor}"><h3>{_severity(finding.severity)} '
            f"<code>{_e1(finding.rule_id, 200)}</code> {_e1(finding.title)}</h3>{_badges(finding)}"
            f"<dl>{details}</dl>"
            + (f'<p class="desc">{_e(description)}</p>' if description else "")
            + (f"<ul>{references}</ul>" if references else "")
            + "</article>")


def _errors(report: Report) -> str:
    errors = sorted(report.errors, key=lambda e: (e.path, e.kind, e.message))
    items = "".join(f"<li><code>{_e1(e.path, 500)}</code> ({_e1(e.kind, 40)}): {_e1(e.message, 500)}</li>"
                    for e in errors)
    return f'<section id="errors"><h2>{plural(len(errors), "input")} not fully read</h2><ul>{items}</ul></section>'
