"""The short verdict `shiftsec ci` prints: passed or failed, each rule that failed with its findings and how to
fix each, the exceptions that need attention, and one line of counts. Plain text, at most `limit` findings
per rule (the full list is in the reports written with `--output`)."""

from __future__ import annotations

from shiftsec.model import Finding, Report
from shiftsec.reporters._common import fix_text

__all__ = ["render"]


def _where(finding: Finding) -> str:
    if finding.package is not None:
        place = finding.location or finding.package.location
        return f"{finding.package.name} {finding.package.version}" + (f" ({place})" if place else "")
    return str(finding.location) if finding.location else ""


def _lines(report: Report, failing: tuple[Finding, ...], limit: int) -> list[str]:
    """Two lines per failing finding; vulnerabilities grouped per package, with the one upgrade fixing them all
    (the report's advice) when there is one."""
    advice = {(a.package.name, a.package.version, a.package.ecosystem): a for a in report.advice}
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    singles: list[Finding] = []
    for finding in failing:
        if finding.package is not None and finding.type.value == "vulnerability":
            key = (finding.package.name, finding.package.version, finding.package.ecosystem)
            groups.setdefault(key, []).append(finding)
        else:
            singles.append(finding)
    out: list[str] = []
    for key, members in groups.items():
        first = members[0]
        worst = max(f.severity for f in members)
        ids = list(dict.fromkeys(f.rule_id for f in members))
        files = {str(f.location or (f.package.location if f.package else "")) for f in members}
        named = ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
        where = _where(first) if len(files) == 1 else f"{key[0]} {key[1]} (in {len(files)} files)"
        out.append(f"      {worst.name:<8} {where}: {len(ids)} advisor{'ies' if len(ids) != 1 else 'y'} ({named})")
        known = advice.get(key)
        if known is not None and known.fixed_in:
            target = f"upgrade {first.package.name if first.package else key[0]} to {known.fixed_in}"
            if known.via is not None:
                target += f" (it comes with {known.via.name} {known.via.version}: upgrade that)"
            if known.unfixed:
                target += f"; no fix yet for {', '.join(known.unfixed)}"
            out.append(f"               fix: {target}")
        else:
            out.append(f"               fix: {fix_text(first)}")
    for finding in singles:
        where = _where(finding)
        # a source-code finding's message says what its title cannot ("`dispatch` has cyclomatic complexity 17",
        # "lines 2-12 duplicate app/a.py:2-12")
        said = finding.message if finding.type.value == "sast" and finding.message else finding.title
        out.append(f"      {finding.severity.name:<8} {finding.rule_id}  {said}" + (f"  at {where}" if where else ""))
        out.append(f"               fix: {fix_text(finding)}")
    if len(out) > 2 * limit:
        hidden = (len(out) - 2 * limit) // 2
        out = [*out[:2 * limit], f"      … and {hidden} more (see the full report)"]
    return out


def render(report: Report, *, limit: int = 20) -> str:
    verdict = report.verdict
    if verdict is None:
        return "no policy was applied\n"
    failing = sum(len(rule.failing) for rule in verdict.rules)
    lines = []
    if verdict.passed:
        lines.append(f"PASSED: no finding breaks the policy ({verdict.policy})")
    else:
        lines.append(f"FAILED: {failing} finding{'s' if failing != 1 else ''} break{'s' if failing == 1 else ''} "
                     f"the policy ({verdict.policy})")
    for rule in verdict.rules:
        mark = "x" if rule.failing else "ok"
        lines.append(f"  [{mark}] {rule.name}: {rule.condition}" + (f" — {len(rule.failing)}" if rule.failing else ""))
        lines.extend(_lines(report, rule.failing, limit))
    for note in verdict.exceptions:
        if note.state == "expired":
            lines.append(f"  expired exception ({note.source}): {note.covers} — {note.owner}, expired {note.expires};"
                         " it no longer applies: renew it or fix the finding")
        else:
            lines.append(f"  stale exception ({note.source}): {note.covers} — matched nothing; remove it")
    suppressed = sum(1 for f in report.findings if f.suppression is not None)
    existing = sum(1 for f in report.findings if f.change == "existing" and f.suppression is None)
    summary = [f"{len(report.findings)} findings", f"{failing} failing", f"{suppressed} suppressed"]
    if verdict.baseline is not None:
        summary.append(f"{existing} already in {verdict.baseline}")
    if report.errors:
        summary.append(f"{len(report.errors)} inputs not fully read")
    lines.append("  " + ", ".join(summary))
    return "\n".join(lines) + "\n"
