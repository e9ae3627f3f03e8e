"""The default terminal output: vulnerable packages in tables, a summary line, then unreadable inputs.

This module owns what a person sees after `shiftsec scan` without `--format`. Findings are grouped by the
file their package was found in (one table per file, rows grouped by package), followed by one summary
line ("12 vulnerabilities in 5 of 230 packages: 2 CRITICAL, 4 HIGH, ...") or, when nothing was found,
"No known vulnerabilities in N packages", and last the inputs that could not be fully read.

Text is rendered into a string; nothing is printed here. Every string that comes from an advisory or an
input file is shown as plain text (never as rich markup), on one line, without control characters, and cut
to a bounded length: titles are cut further to fit the table's width.

The tables are drawn here from the computed column widths (`_grid`), in rich's rounded style and with
rich's word wrapping, because rich's general table layout costs about a millisecond per row: 3.5 s for a
5,000-package SBOM with 3,000 findings. rich still lays out a table when the terminal is too narrow for
the fixed widths, and prints the free-text lines around the tables.

When a policy judged the findings (`shiftsec ci`), the verdict comes first: PASSED or FAILED, each rule,
each failing rule's findings (at most `RULE_LIMIT`, then "… and N more") with how to fix each, and the
exceptions that expired or went stale. Wherever findings are listed, one the baseline did not have is marked
`[new]` and a suppressed one `[suppressed: kind]` (the reason is in the verdict's lists and the JSON report).
SAST findings are listed like misconfigurations, under "Code issues".
"""

from __future__ import annotations

import io
from collections import defaultdict

from rich import box
from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import Console
from rich.table import Table
from rich.text import Text

from shiftsec.model import ExceptionNote, Finding, FindingType, Report, RuleOutcome, ScanError, Severity, Verdict
from shiftsec.reporters._common import (
    finding_location,
    one_line,
    plural,
    secrets_summary,
    severity_counts,
    sorted_findings,
    utf8_safe,
    vulnerable_package_count,
)

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "dim",
}

NO_SOURCE = "(no source file)"
CELL_LIMIT = 200  # no cell ever holds more than this many characters
ERROR_LIMIT = 300
NO_FIX = "no fix"
RULE_LIMIT = 10  # findings listed under one failing rule of the verdict


def render(report: Report, *, color: bool = False, width: int = 120) -> str:
    """The report as terminal text, `width` columns wide; ANSI styles only when `color` is true."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        no_color=not color,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
    )
    everything = sorted_findings(report.findings)
    findings = [f for f in everything if f.type is FindingType.VULNERABILITY]
    secrets = [f for f in everything if f.type is FindingType.SECRET]
    misconfigs = [f for f in everything if f.type is FindingType.MISCONFIG]
    sast = [f for f in everything if f.type is FindingType.SAST]
    if report.verdict is not None:
        _print_verdict(console, report.verdict, color=color)
        console.print()
    for source, group in _group_by_source(findings):
        rows = _rows(group)
        widths, title_room = _column_widths([cells for _, cells, _ in rows], width)
        console.print(_heading(source, group, color=color))
        if widths is None:
            console.print(_table(rows, widths, title_room, color=color))
        else:
            buffer.write("\n".join(_grid(rows, widths, title_room, color=color)) + "\n")
        console.print()
    if secrets:
        _print_secrets(console, secrets, color=color)
        console.print()
    if misconfigs:
        _print_misconfigs(console, misconfigs, color=color)
        console.print()
    if sast:
        _print_misconfigs(console, sast, color=color, heading="Code issues:")
        console.print()
    suppressed = [f for f in everything if f.suppression is not None]
    if suppressed:
        _print_suppressed(console, suppressed, color=color)
        console.print()
    if findings or "vuln" in report.scanners or not report.scanners:
        console.print(Text(_summary(report, findings)))
    if misconfigs or "misconfig" in report.scanners:
        files = len({f.location.path for f in misconfigs if f.location})
        console.print(Text(f"{plural(len(misconfigs), 'misconfiguration')} in {plural(files, 'file')}"
                           if misconfigs else "No misconfigurations found"))
    if sast or "sast" in report.scanners:
        files = len({f.location.path for f in sast if f.location})
        console.print(Text(f"{plural(len(sast), 'code issue')} in {plural(files, 'file')}" if sast
                           else "No code issues found"))
    if secrets or "secret" in report.scanners:
        console.print(Text(secrets_summary(report, secrets)))
    if report.advice:
        console.print()
        _print_advice(console, report, color=color)
    if report.errors:
        console.print()
        _print_errors(console, report.errors, color=color)
    return utf8_safe(buffer.getvalue())


def _heading(source: str, group: list[Finding], *, color: bool) -> Text:
    ecosystems = one_line(
        ", ".join(sorted({f.package.ecosystem for f in group if f.package is not None})), 100
    )
    if source == NO_SOURCE:
        text = (
            f"Packages without a source file ({ecosystems})"
            if ecosystems
            else "Findings without a source file"
        )
    else:
        text = one_line(source, CELL_LIMIT) + (f" ({ecosystems})" if ecosystems else "")
    return Text(text, style="bold" if color else "")


def _source_of(finding: Finding) -> str:
    if finding.package is not None and finding.package.location is not None:
        return finding.package.location.path
    location = finding_location(finding)
    return location.path if location is not None else NO_SOURCE


def _group_by_source(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings per source file, files in path order (no source last), rows by package then severity."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[_source_of(finding)].append(finding)

    def row_key(finding: Finding) -> tuple[str, str, str, int, str]:
        package = finding.package
        return (
            package.name if package else "",
            package.version if package else "",
            package.ecosystem if package else "",
            -int(finding.severity),
            finding.rule_id,
        )

    order = sorted(groups, key=lambda source: (source == NO_SOURCE, source))
    # `findings` is already in the canonical order and sort() is stable, so ties keep it.
    return [(source, sorted(groups[source], key=row_key)) for source in order]


def _vulnerability(finding: Finding) -> str:
    alias = next((alias for alias in finding.aliases if alias != finding.rule_id), None)
    return f"{finding.rule_id} ({alias})" if alias else finding.rule_id


# (header, widest a cell may be, narrowest it is squeezed to before rich takes over); the Title column
# takes what is left of the width.
_COLUMNS: tuple[tuple[str, int, int], ...] = (
    ("Package", 40, 20),
    ("Installed", 24, 12),
    ("Vulnerability", 44, 22),  # 22: "(GHSA-xxxx-xxxx-xxxx)" stays on one line
    ("Severity", 8, 8),
    ("Fixed in", 24, 8),
)
# A rounded box draws one border per column plus one, and each cell has one space of padding each side.
_TABLE_OVERHEAD = (len(_COLUMNS) + 2) + 2 * (len(_COLUMNS) + 1)
_MIN_TITLE = 10
_WANTED_TITLE = 40  # squeeze the other columns (down to their floors) until titles get this much room


# One table row: the finding, the text of its six cells, and whether it is the first row of its package.
_Row = tuple[Finding, tuple[str, ...], bool]


def _rows(findings: list[Finding]) -> list[_Row]:
    """Cell texts of each row, and whether the row starts a new package."""
    rows: list[_Row] = []
    previous: tuple[str, str, str] | None = None
    for finding in findings:
        package = finding.package
        identity = (package.name, package.version, package.ecosystem) if package else ("", "", "")
        first_row = identity != previous
        previous = identity
        name = one_line(package.name, CELL_LIMIT) if package else "-"
        version = one_line(package.version, CELL_LIMIT) if package else "-"
        cells = (
            name if first_row else "",
            version if first_row else "",
            one_line(_vulnerability(finding), CELL_LIMIT),
            finding.severity.name,
            one_line(finding.fixed_in, CELL_LIMIT) if finding.fixed_in else NO_FIX,
            marks(finding) + (one_line(finding.title, CELL_LIMIT) or "-"),
        )
        rows.append((finding, cells, first_row))
    return rows


def _column_widths(all_cells: list[tuple[str, ...]], width: int) -> tuple[list[int] | None, int]:
    """Widths of the first five columns of one table, and the room left for its titles.

    Columns start at their natural width (capped). Until the titles get `_WANTED_TITLE` cells (or all of
    theirs, if less), columns are narrowed: first down to their longest word (so cells wrap between words,
    e.g. before a rule id's alias), then, widest first, down to their floors. None for the widths when even
    the floors leave titles less than `_MIN_TITLE`: rich then shares the space itself.
    """
    widths: list[int] = []
    word_floors: list[int] = []
    floors: list[int] = []
    for i, (header, cap, floor) in enumerate(_COLUMNS):
        cells = [header, *(cells[i] for cells in all_cells)]
        natural = min(cap, max(cell_len(cell) for cell in cells))
        longest_word = max(cell_len(word) for cell in cells for word in [*cell.split(), ""])
        widths.append(natural)
        floors.append(min(floor, natural))
        word_floors.append(min(natural, max(floor, longest_word)))
    titles = max([cell_len("Title"), *(cell_len(cells[-1]) for cells in all_cells)])
    available = width - _TABLE_OVERHEAD
    wanted = min(titles, _WANTED_TITLE)
    # A column narrower than its longest cell wraps that cell anyway, so the first pass takes a column
    # straight down to its longest word; the second narrows the widest one cell at a time.
    while sum(widths) + wanted > available:
        most, index = max((widths[i] - word_floors[i], i) for i in range(len(widths)))
        if most <= 0:
            break
        widths[index] = word_floors[index]
    while sum(widths) + wanted > available:
        most, index = max((widths[i] - floors[i], i) for i in range(len(widths)))
        if most <= 0:
            break
        widths[index] -= 1
    room = available - sum(widths)
    if room < _MIN_TITLE:
        return None, _MIN_TITLE
    return widths, room


_ANSI = {"bold": "\x1b[1m", "bold red": "\x1b[1;31m", "red": "\x1b[31m", "yellow": "\x1b[33m", "cyan": "\x1b[36m",
         "dim": "\x1b[2m"}
_RESET = "\x1b[0m"


def _wrap(text: str, width: int) -> list[str]:
    """`text` broken into lines of at most `width` cells the way rich folds a cell: at spaces, greedily;
    a word longer than a line is cut into pieces that each start a line."""
    if cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    line, used = "", 0
    for word in text.split(" "):
        word_length = cell_len(word)
        if line and used + 1 + word_length <= width:
            line, used = f"{line} {word}", used + 1 + word_length
            continue
        if line or lines:
            lines.append(line)
        if word_length > width:
            *full, line = chop_cells(word, width)
            lines.extend(full)
            used = cell_len(line)
        else:
            line, used = word, word_length
    lines.append(line)
    return lines


def _grid(rows: list[_Row], widths: list[int], title_room: int, *, color: bool) -> list[str]:
    """The table's lines: rounded box, a header, one section per package, titles cut with an ellipsis."""
    titles = [cells[-1] for _, cells, _ in rows]
    title_width = min(title_room, max(cell_len(t) for t in ["Title", *titles]))
    all_widths = [*widths, title_width]

    def rule(left: str, middle: str, right: str) -> str:
        return left + middle.join("─" * (w + 2) for w in all_widths) + right

    def cell(text: str, width: int, style: str) -> str:
        padded = set_cell_size(text, width)
        return f"{_ANSI[style]}{padded}{_RESET}" if style else padded

    def row_lines(cells: tuple[str, ...], styles: list[str]) -> list[str]:
        *wrapped_cells, title = cells
        columns = [_wrap(text, w) for text, w in zip(wrapped_cells, widths, strict=True)]
        if cell_len(title) > title_width:
            title = set_cell_size(title, title_width - 1) + "…"
        columns.append([title])
        height = max(len(c) for c in columns)
        return [
            "│ " + " │ ".join(
                cell(c[i] if i < len(c) else "", w, styles[k] if i < len(c) else "")
                for k, (c, w) in enumerate(zip(columns, all_widths, strict=True))
            ) + " │"
            for i in range(height)
        ]

    bold = "bold" if color else ""
    lines = [rule("╭", "┬", "╮"), *row_lines((*(h for h, _, _ in _COLUMNS), "Title"), [bold] * 6)]
    for finding, cells, first_row in rows:
        if first_row:
            lines.append(rule("├", "┼", "┤"))
        severity = SEVERITY_STYLES[finding.severity] if color else ""
        lines.extend(row_lines(cells, ["", "", "", severity, "", ""]))
    lines.append(rule("╰", "┴", "╯"))
    return lines


def _table(
    rows: list[_Row],
    widths: list[int] | None,
    title_room: int,
    *,
    color: bool,
) -> Table:
    table = Table(box=box.ROUNDED, header_style="bold" if color else "", expand=False)
    for i, (header, cap, _) in enumerate(_COLUMNS):
        fixed = widths[i] if widths is not None else None
        table.add_column(header, overflow="fold", min_width=fixed, max_width=fixed or cap)
    table.add_column("Title", overflow="ellipsis", no_wrap=True, max_width=title_room)
    for index, (finding, cells, first_row) in enumerate(rows):
        if first_row and index > 0:
            table.add_section()
        styles = ["", "", "", SEVERITY_STYLES[finding.severity] if color else "", "", ""]
        table.add_row(*(Text(cell, style=style) for cell, style in zip(cells, styles, strict=True)))
    return table


def _summary(report: Report, findings: list[Finding]) -> str:
    if not findings:
        return f"No known vulnerabilities in {plural(len(report.packages), 'package')}."
    counts = severity_counts(findings)
    by_severity = ", ".join(f"{count} {severity.name}" for severity, count in counts.items() if count)
    vulnerable = vulnerable_package_count(findings)
    packages = f"{vulnerable} of {plural(len(report.packages), 'package')}"
    return f"{plural(len(findings), 'vulnerability', 'vulnerabilities')} in {packages}: {by_severity}"


def _by_place(finding: Finding) -> tuple[str, int]:
    return (finding.location.path, finding.location.line or 0) if finding.location else ("", 0)


def _located(finding: Finding, detail: str, *, color: bool) -> Text:
    """A finding's line: where (file:line), how bad, then `detail`."""
    line = Text("  ")
    line.append(one_line(str(finding.location) if finding.location else "-", CELL_LIMIT), style="bold" if color else "")
    line.append("  ")
    line.append(finding.severity.name, style=SEVERITY_STYLES[finding.severity] if color else "")
    line.append(f"  {detail}")
    return line


def marks(finding: Finding) -> str:
    """What the policy said about a finding, before its title: `[new] `, `[suppressed: vex] `, or nothing."""
    text = "[new] " if finding.change == "new" else ""
    if finding.suppression is not None:
        text += f"[suppressed: {finding.suppression.kind.value}] "
    return text


def _fix(finding: Finding) -> str:
    if finding.remediation:
        return one_line(finding.remediation, ERROR_LIMIT)
    if finding.fixed_in:
        return f"upgrade to {one_line(finding.fixed_in, CELL_LIMIT)}"
    return "no fixed version known" if finding.package is not None else "see the rule's documentation"


def _print_verdict(console: Console, verdict: Verdict, *, color: bool) -> None:
    """PASSED or FAILED with the policy's source, one line per rule, failing findings, exception notes."""
    failed = [rule for rule in verdict.rules if rule.failing]
    head = Text("Policy ")
    head.append("PASSED" if verdict.passed else "FAILED",
                style=("bold green" if verdict.passed else "bold red") if color else "")
    details = [one_line(verdict.policy, CELL_LIMIT)]
    if verdict.baseline:
        details.append(f"baseline {one_line(verdict.baseline, CELL_LIMIT)}")
    if verdict.new_only:
        details.append("only new findings can fail")
    head.append(f" ({', '.join(details)}): ")
    head.append(f"{len(failed)} of {plural(len(verdict.rules), 'rule')} failed" if failed
                else f"all {plural(len(verdict.rules), 'rule')} passed")
    console.print(head, soft_wrap=True)
    for rule in verdict.rules:
        _print_rule(console, rule, color=color)
    if verdict.exceptions:
        _print_exception_notes(console, verdict.exceptions, color=color)


def _print_rule(console: Console, rule: RuleOutcome, *, color: bool) -> None:
    line = Text("  ")
    line.append("✗ " if rule.failing else "✓ ", style=("red" if rule.failing else "green") if color else "")
    line.append(one_line(rule.name, 80), style="bold" if color else "")
    line.append(f"  {one_line(rule.condition, CELL_LIMIT)}")
    if rule.failing:
        line.append(f"  ({plural(len(rule.failing), 'finding')})")
    console.print(line, soft_wrap=True)
    findings = sorted_findings(rule.failing)
    for finding in findings[:RULE_LIMIT]:
        item = Text("      ")
        item.append(finding.severity.name, style=SEVERITY_STYLES[finding.severity] if color else "")
        item.append(f" {one_line(finding.rule_id, 80)}  {marks(finding)}{one_line(finding.title, 100)}")
        location = finding_location(finding)
        if finding.package is not None:
            item.append(f"  {one_line(finding.package.name, 80)} {one_line(finding.package.version, 40)}")
        if location is not None:
            item.append(f"  [{one_line(str(location), CELL_LIMIT)}]")
        item.append(f"  → {_fix(finding)}")
        console.print(item, soft_wrap=True)
    if len(findings) > RULE_LIMIT:
        console.print(Text(f"      … and {len(findings) - RULE_LIMIT} more"))


def _print_suppressed(console: Console, findings: list[Finding], *, color: bool) -> None:
    """One line per suppressed finding: which, and why it does not count (kind, reason, owner, expiry)."""
    console.print(Text("Suppressed (reported, not counted by the policy):", style="bold" if color else ""))
    for finding in findings:
        suppression = finding.suppression
        if suppression is None:
            continue
        line = Text("  ")
        line.append(finding.severity.name, style=SEVERITY_STYLES[finding.severity] if color else "")
        line.append(f" {one_line(finding.rule_id, 80)}")
        if finding.package is not None:
            line.append(f"  {one_line(finding.package.name, 80)} {one_line(finding.package.version, 40)}")
        line.append(f"  {suppression.kind.value}: {one_line(suppression.reason, ERROR_LIMIT)}")
        extra = [f"{label} {one_line(value, 80)}" for label, value in (
            ("owner", suppression.owner), ("expires", suppression.expires), ("VEX", suppression.justification))
            if value]
        if extra:
            line.append(f" ({', '.join(extra)})", style="dim" if color else "")
        console.print(line, soft_wrap=True)


def _print_exception_notes(console: Console, notes: tuple[ExceptionNote, ...], *, color: bool) -> None:
    console.print(Text("  Exceptions that did not apply:"))
    ordered = sorted(notes, key=lambda n: (n.state, n.source, n.covers))
    for note in ordered[:RULE_LIMIT]:
        line = Text("    ")
        line.append(one_line(note.state, 20), style=("red" if note.state == "expired" else "yellow") if color else "")
        line.append(f"  {one_line(note.covers, 100)}  ({one_line(note.source, CELL_LIMIT)}, owner "
                    f"{one_line(note.owner, 60)}, expires {one_line(note.expires, 20)}): ")
        line.append("renew it or fix what it covered" if note.state == "expired" else "matched no finding: remove it")
        console.print(line, soft_wrap=True)
    if len(ordered) > RULE_LIMIT:
        console.print(Text(f"    … and {len(ordered) - RULE_LIMIT} more"))


def _print_secrets(console: Console, secrets: list[Finding], *, color: bool) -> None:
    """One line per secret: where, which rule, how bad, and the redacted value (never the value)."""
    console.print(Text("Secrets:", style="bold" if color else ""))
    for finding in sorted(secrets, key=_by_place):
        line = _located(finding, f"{one_line(finding.rule_id, 80)}  {one_line(finding.evidence or '', 80)}"
                                 f"  {marks(finding)}{one_line(finding.title, 100)}", color=color)
        commit = finding.location.commit if finding.location else None
        if commit is not None:
            line.append(f"  (commit {commit.sha[:12]}, {one_line(commit.author, 60)}, {commit.date[:10]})",
                        style="dim" if color else "")
        console.print(line, soft_wrap=True)


def _print_misconfigs(
    console: Console, misconfigs: list[Finding], *, color: bool, heading: str = "Misconfigurations:"
) -> None:
    """One line per misconfiguration (or SAST finding): where, which check, how bad, and what is wrong."""
    console.print(Text(heading, style="bold" if color else ""))
    for finding in sorted(misconfigs, key=_by_place):
        cwes = f" ({one_line(', '.join(finding.cwes), 80)})" if finding.cwes else ""
        console.print(_located(finding, f"{one_line(finding.rule_id, 80)}{cwes}  {marks(finding)}"
                                        f"{one_line(finding.message, 200)}", color=color), soft_wrap=True)


def _print_advice(console: Console, report: Report, *, color: bool) -> None:
    """One line per vulnerable package: what to upgrade to, and through which direct dependency."""
    console.print(Text("Upgrade advice:", style="bold" if color else ""))
    for advice in sorted(report.advice, key=lambda a: (a.package.location.path if a.package.location else "",
                                                       a.package.name, a.package.version)):
        package = advice.package
        line = Text("  ")
        line.append(f"{one_line(package.name, CELL_LIMIT)} {one_line(package.version, CELL_LIMIT)}",
                    style="bold" if color else "")
        if advice.fixed_in:
            line.append(f" → {one_line(advice.fixed_in, CELL_LIMIT)}")
            if advice.major_bump:
                line.append(" (major version: expect breaking changes)", style="yellow" if color else "")
        else:
            line.append(": no fixed version known")
        if advice.fixed_in and advice.unfixed:
            line.append(f"; still unfixed: {', '.join(advice.unfixed[:5])}")
        if advice.via is not None:
            line.append(f"; pulled in by {one_line(advice.via.name, CELL_LIMIT)} {one_line(advice.via.version, 60)}"
                        " (bump it, or pin this one)")
        if package.location is not None:
            line.append(f"  [{one_line(package.location.path, CELL_LIMIT)}]")
        console.print(line, soft_wrap=True)  # one line per package: the terminal wraps it, copies stay whole


def _print_errors(console: Console, errors: tuple[ScanError, ...], *, color: bool) -> None:
    count = len(errors)
    console.print(Text(f"{plural(count, 'input')} could not be fully read:"))
    for error in sorted(errors, key=lambda e: (e.path, e.kind, e.message)):
        line = Text("  ")
        line.append(one_line(error.path, CELL_LIMIT), style="bold" if color else "")
        line.append(": " + one_line(error.message, ERROR_LIMIT))
        console.print(line)
