"""The terminal table: golden output, summary wording, width, colour and hostile text."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from rich.cells import cell_len

from shiftsec.model import Report, ScanError
from shiftsec.reporters import table

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_golden(sample_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("report.txt", table.render(sample_report, color=False, width=120))


def test_empty_golden(empty_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("empty.txt", table.render(empty_report))


def test_empty_report(empty_report: Report) -> None:
    assert table.render(empty_report) == "No known vulnerabilities in 0 packages.\n"


def test_no_findings(sample_report: Report) -> None:
    clean = dataclasses.replace(sample_report, findings=(), errors=())
    assert table.render(clean) == "No known vulnerabilities in 8 packages.\n"
    one = dataclasses.replace(clean, packages=clean.packages[:1])
    assert table.render(one) == "No known vulnerabilities in 1 package.\n"


def test_summary_line(sample_report: Report) -> None:
    text = table.render(sample_report)
    assert "8 vulnerabilities in 7 of 8 packages: 2 CRITICAL, 2 HIGH, 2 MEDIUM, 1 LOW, 1 UNKNOWN\n" in text
    single = dataclasses.replace(sample_report, findings=sample_report.findings[:1])
    assert "1 vulnerability in 1 of 8 packages: 1 MEDIUM\n" in table.render(single)


def test_grouped_by_source_file(sample_report: Report) -> None:
    text = table.render(sample_report)
    headings = [line for line in text.splitlines() if line and line[0] not in "╭│├╰ "]
    assert headings[:5] == [
        "go.mod (Go)",
        "requirements.txt (PyPI)",
        "var/lib/dpkg/status (Debian:12)",
        "web/package-lock.json (npm)",
        "Packages without a source file (Maven)",
    ]
    # Both lodash advisories sit under one lodash entry: the name is shown once.
    assert len(re.findall(r"│ lodash ", text)) == 1
    assert "GHSA-35jh-r3h4-6jhm" in text and "GHSA-29mw-wpgm-hmr9" in text
    assert "flask" not in text  # not vulnerable: counted, not listed


def test_columns(sample_report: Report) -> None:
    text = table.render(sample_report)
    header = next(line for line in text.splitlines() if "Package" in line)
    assert [cell.strip() for cell in header.strip("│").split("│")] == [
        "Package",
        "Installed",
        "Vulnerability",
        "Severity",
        "Fixed in",
        "Title",
    ]
    assert "no fix" in text  # the openssl finding has no fixed version
    assert "(CVE-2021-44228)" in text  # rule id with its first alias


def test_errors_listed_last(sample_report: Report) -> None:
    text = table.render(sample_report)
    assert text.endswith(
        "2 inputs could not be fully read:\n"
        "  sbom/app.cdx.json: component 'left-pad' has no version; skipped\n"
        "  services/api/Pipfile.lock: invalid JSON at line 14, column 3: expecting ',' delimiter\n"
    )
    one = dataclasses.replace(sample_report, errors=(ScanError("a.lock", "broken"),))
    assert table.render(one).endswith("1 input could not be fully read:\n  a.lock: broken\n")
    nothing = dataclasses.replace(sample_report, findings=(), errors=(ScanError("a.lock", "broken"),))
    assert table.render(nothing) == (
        "No known vulnerabilities in 8 packages.\n\n1 input could not be fully read:\n  a.lock: broken\n"
    )


@pytest.mark.parametrize("width", [120, 100, 80, 60])
def test_fits_the_width(sample_report: Report, width: int) -> None:
    long_title = dataclasses.replace(sample_report.findings[0], title="very long title " * 40)
    report = dataclasses.replace(sample_report, findings=(*sample_report.findings, long_title))
    for line in table.render(report, width=width).splitlines():
        assert cell_len(line) <= width, line
    assert "very long title very long title" in table.render(report, width=120)
    assert "…" in table.render(report, width=120)


def test_no_color_has_no_escapes(sample_report: Report) -> None:
    assert "\x1b" not in table.render(sample_report, color=False)


def test_color(sample_report: Report) -> None:
    text = table.render(sample_report, color=True)
    assert ANSI.search(text)
    assert "\x1b[1;31mCRITICAL" in text  # bold red
    assert ANSI.sub("", text) == table.render(sample_report, color=False)


def test_hostile_text_is_shown_plainly(sample_report: Report) -> None:
    finding = dataclasses.replace(
        sample_report.findings[0], title="\x1b[2J\x1b[31m[/] [link=x]click[/link]\nline 2"
    )
    report = dataclasses.replace(
        sample_report, findings=(finding,), errors=(ScanError("x\x1b]0;t\x07", "m\rn"),)
    )
    text = table.render(report, color=True)
    assert "\x1b[2J" not in text and "\x07" not in text and "\r" not in text
    plain = table.render(report)
    assert "[2J [31m[/] [link=x]click[/link] line 2" in plain  # markup not interpreted, one line
    assert "\x1b" not in plain


def test_input_order_does_not_matter(sample_report: Report) -> None:
    shuffled = dataclasses.replace(sample_report, findings=sample_report.findings[::-1])
    assert table.render(shuffled) == table.render(sample_report)


def test_large_report(large_report: Report) -> None:
    text = table.render(large_report)
    assert "2000 vulnerabilities in 500 of 500 packages: 400 CRITICAL, 400 HIGH, 400 MEDIUM, 400 LOW" in text
    assert text.count("GHSA-test-") == 2000


def test_cell_wrapping_matches_rich() -> None:
    """The grid wraps cells itself; rich's own folding of a cell is the reference it must agree with."""
    import io
    import random

    from rich.cells import cell_len
    from rich.console import Console
    from rich.text import Text

    from shiftsec.reporters.table import _wrap

    console = Console(file=io.StringIO(), width=200)
    rng = random.Random(3)
    words = ["a", "CVE-2024-12345", "(GHSA-gww7-p5w4-wrfv)", "com.fasterxml.jackson.core:jackson-databind",
             "é", "日本語", "x" * 30, "to", "the"]
    checked = 0
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        width = rng.randint(2, 40)
        if max(cell_len(word) for word in text.split(" ")) > width:
            continue  # folding: see below
        expected = [line.plain.rstrip() for line in Text(text).wrap(console, width, overflow="fold")]
        assert _wrap(text, width) == expected, (text, width)
        checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        # A word longer than the cell is cut into pieces, each starting a line. (rich carries the word's
        # trailing space on after folding, as a blank line or a leading space; the grid drops it.)
        ("com.fasterxml.jackson.core:jackson-databind", 20,
         ["com.fasterxml.jackso", "n.core:jackson-datab", "ind"]),
        ("a xxxxxxxxxx b", 5, ["a", "xxxxx", "xxxxx", "b"]),
        ("xxxxxxx a the", 7, ["xxxxxxx", "a the"]),
        ("日本語日本語", 4, ["日本", "語日", "本語"]),  # two cells per character
    ],
)
def test_cell_folding(text: str, width: int, lines: list[str]) -> None:
    from shiftsec.reporters.table import _wrap

    assert _wrap(text, width) == lines


def test_upgrade_advice_lines(sample_report: Report) -> None:
    from shiftsec.model import Advice, Location, Package

    rack = Package("rack", "2.2.3", "RubyGems", location=Location("web/Gemfile.lock"))
    sinatra = Package("sinatra", "2.0.8.1", "RubyGems", location=Location("web/Gemfile.lock"), direct=True)
    x = Package("x", "0.3.0", "crates.io", location=Location("Cargo.lock"))
    report = dataclasses.replace(sample_report, advice=(
        Advice(rack, "2.2.23", False, ("CVE-1", "CVE-2"), via=sinatra, unfixed=("CVE-3",)),
        Advice(x, "0.4.0", True, ("CVE-4",)),
        Advice(sinatra, None, False, ("CVE-5",), unfixed=("CVE-5",)),
    ))
    text = table.render(report, width=200)
    lines = text[text.index("Upgrade advice:"):].splitlines()
    assert lines[1:4] == [
        "  x 0.3.0 → 0.4.0 (major version: expect breaking changes)  [Cargo.lock]",
        "  rack 2.2.3 → 2.2.23; still unfixed: CVE-3; pulled in by sinatra 2.0.8.1 (bump it, or pin this one)"
        "  [web/Gemfile.lock]",
        "  sinatra 2.0.8.1: no fixed version known  [web/Gemfile.lock]",
    ]
