"""The HTML report: golden file, structure, escaping, self-containment, and a real browser's rendering.

The browser test opens the page in headless Chromium, takes a screenshot and decodes the PNG here (zlib and
struct only) to check that the verdict banner is drawn in its colour. It skips with a reason where no
Chromium is installed; CI installs Debian's (`.ci/run`), so there it runs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from shiftsec.model import Report, ScanError
from shiftsec.reporters import html


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of the document (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.void = {"meta", "br", "link", "img", "input", "hr"}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.void:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> Tags:
    parser = Tags()
    parser.feed(text)
    parser.close()
    assert parser.open == [], f"unclosed: {parser.open}"
    return parser


def test_golden_policy(policy_report: Report, golden: Callable[[str, str], None]) -> None:
    golden("policy.html", html.render(policy_report))


@pytest.mark.parametrize("name", ["policy_report", "passed_report", "sample_report", "empty_report",
                                  "large_report"])
def test_well_formed_and_self_contained(name: str, request: pytest.FixtureRequest) -> None:
    text = html.render(request.getfixturevalue(name))
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    tags = parse(text)
    for tag, attrs in tags.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
        assert not any(key.startswith("on") for key in attrs), (tag, attrs)  # no event handlers
        if "href" in attrs:
            assert tag == "a", tag
            href = attrs["href"] or ""
            assert href.startswith(("#", "https://", "http://")), href
    # No asset fetched from anywhere: no url(), no @import; links only in <a href>.
    assert "url(" not in text and "@import" not in text
    without_links = re.sub(r'<a href="[^"]*"', "", text)
    without_links = without_links.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in re.sub(r">[^<]*<", "><", without_links)  # only as link text
    assert "default-src 'none'" in text  # the CSP forbids loading anything


def test_banner(policy_report: Report, passed_report: Report, sample_report: Report) -> None:
    failed = html.render(policy_report)
    assert '<header class="banner failed" id="verdict"><h1>Policy failed</h1>' in failed
    assert "3 rules of 4 failed · policy: shiftsec.yaml · baseline: origin/main" in failed
    passed = html.render(passed_report)
    assert '<header class="banner passed" id="verdict"><h1>Policy passed</h1>' in passed
    assert "only new findings can fail" in passed
    assert '<header class="banner neutral" id="verdict"><h1>Scan report</h1>' in html.render(sample_report)


def test_groups_and_badges(policy_report: Report) -> None:
    text = html.render(policy_report)
    sections = re.findall(r'<section id="(\w+)"><h2>([^<]*)</h2>', text)
    assert sections == [("summary", "Summary"), ("policy", "Policy rules"),
                        ("vulnerability", "Vulnerabilities (8)"), ("secret", "Secrets (1)"),
                        ("misconfig", "Misconfigurations (1)"), ("sast", "Code issues (SAST) (1)"),
                        ("errors", "2 inputs not fully read")]
    summaries = re.findall(r"<details( open)?><summary><span[^>]*>(\w+)</span> ([^<]*)</summary>", text)
    assert summaries[:5] == [(" open", "CRITICAL", "2, 1 suppressed"), (" open", "HIGH", "2, 1 suppressed"),
                             ("", "MEDIUM", "2"), ("", "LOW", "1"), ("", "UNKNOWN", "1")]
    article = re.search(r'<article class="finding" id="f\d+"><h3>[^\n]*?GHSA-xvch-5gv4-984h.*?</article>', text)
    assert article is not None
    minimist = article.group()
    assert '<span class="badge existing">existing</span>' in minimist
    assert ("suppressed (exception): dev-only build tool, never shipped · owner team-web · expires 2026-12-31 · "
            "in shiftsec.yaml") in minimist
    assert "<dt>Fix</dt><dd>Upgrade minimist to 1.2.6 or later.</dd>" in minimist
    assert '<a href="https://nvd.nist.gov/vuln/detail/CVE-2021-44906" rel="noopener noreferrer">' in minimist
    log4j = re.search(r'<article class="finding" id="f\d+"><h3>[^\n]*?GHSA-jfh8-c2jp-5v3q.*?</article>', text)
    assert log4j is not None
    assert '<span class="badge new">new</span>' in log4j.group()
    assert "known exploited (CISA KEV)" in log4j.group() and "EPSS 97.6%" in log4j.group()
    sast = re.search(r'<section id="sast">.*?</section>', text, re.S)
    assert sast is not None
    assert "suppressed (inline): constant table name, reviewed" in sast.group()
    assert "<dt>CWE</dt><dd>CWE-89</dd>" in sast.group() and "also: bandit" in sast.group()
    assert "vulnerable_code_not_in_execute_path" in text


def test_policy_rules_link_to_findings(policy_report: Report) -> None:
    text = html.render(policy_report)
    anchors = set(re.findall(r'<article class="finding" id="(f\d+)">', text))
    assert len(anchors) == len(policy_report.findings)
    links = re.findall(r'<a href="#(f\d+)">', text)
    assert len(links) == 4 and set(links) <= anchors
    assert '<td class="ok">passed</td><td>misconfig-high</td>' in text
    assert '<td class="bad">expired</td><td>GHSA-29mw-wpgm-hmr9 in lodash</td>' in text
    assert "renew it or fix what it covered" in text and "remove it" in text


def test_chart(policy_report: Report, empty_report: Report) -> None:
    text = html.render(policy_report)
    svg = re.search(r"<svg .*?</svg>", text)
    assert svg is not None
    titles = re.findall(r"<title>([^<]*)</title></rect>", svg.group())
    assert titles == ["Vulnerabilities: 2 CRITICAL", "Vulnerabilities: 2 HIGH", "Vulnerabilities: 2 MEDIUM",
                      "Vulnerabilities: 1 LOW", "Vulnerabilities: 1 UNKNOWN", "Secrets: 1 HIGH",
                      "Misconfigurations: 1 MEDIUM", "Code issues (SAST): 1 MEDIUM"]
    assert "<svg" not in html.render(empty_report) and "No findings." in html.render(empty_report)


def test_script_in_a_title_is_inert(policy_report: Report) -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&\x1b[31m"
    finding = dataclasses.replace(policy_report.findings[0], title=evil, message=evil, rule_id=evil,
                                  references=("javascript:alert(3)", 'https://x.example/"><script>'))
    report = dataclasses.replace(policy_report, findings=(finding,), target=evil,
                                 errors=(ScanError(evil, evil, evil),))
    text = html.render(report)
    assert "<script" not in text and "<img" not in text and "\x1b" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    tags = parse(text)
    assert evil.replace("\x1b", " ") in "".join(tags.text)  # shown as text, whole
    hrefs = [attrs["href"] for tag, attrs in tags.tags if tag == "a"]
    assert "javascript:alert(3)" not in hrefs
    assert 'https://x.example/"><script>' in hrefs  # an attribute value, escaped: harmless


def test_large_report_folds(large_report: Report) -> None:
    text = html.render(large_report)
    assert text.count('<article class="finding"') == 2000
    assert "<details open>" not in text  # 400 per severity: all folded


def test_input_order_does_not_matter(policy_report: Report) -> None:
    shuffled = dataclasses.replace(policy_report, findings=policy_report.findings[::-1],
                                   errors=policy_report.errors[::-1])
    assert html.render(shuffled) == html.render(policy_report)


# --- a real browser ---------------------------------------------------------------------------------------


def read_png(path: Path) -> tuple[int, int, list[bytes], int]:
    """(width, height, rows of pixel bytes, bytes per pixel) of an 8-bit RGB/RGBA, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, bpp


def pixel(rows: list[bytes], bpp: int, x: int, y: int) -> tuple[int, int, int]:
    r, g, b = rows[y][x * bpp:x * bpp + 3]
    return r, g, b


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def close(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 6 for x, y in zip(a, b, strict=True))


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("no Chromium on CI: .ci/run should have installed Debian's chromium")
    pytest.skip("no Chromium on this machine (CI installs Debian's chromium: see .ci/run)")


@pytest.mark.parametrize(("name", "colour"), [("policy_report", html.FAILED_COLOUR),
                                              ("passed_report", html.PASSED_COLOUR),
                                              ("sample_report", html.NEUTRAL_COLOUR)])
def test_screenshot_in_chromium(name: str, colour: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    browser = chromium()
    page = tmp_path / "report.html"
    page.write_text(html.render(request.getfixturevalue(name)), encoding="utf-8")
    shot = tmp_path / "shot.png"
    completed = subprocess.run(
        [browser, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,900",
         page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert completed.returncode == 0 and shot.exists(), completed.stderr[-2000:]
    width, height, rows, bpp = read_png(shot)
    assert (width, height) == (1280, 900)
    banner = rgb(colour)
    # The banner spans the page's width at the top (96 px high): sample its corners and middle, away from text.
    for x, y in [(4, 4), (640, 6), (1270, 4), (4, 90), (1200, 90)]:
        assert close(pixel(rows, bpp, x, y), banner), (x, y, pixel(rows, bpp, x, y), banner)
    # Below it the page is drawn (the summary's white box on the grey page), not left blank.
    below = {pixel(rows, bpp, x, y) for x in range(0, 1280, 16) for y in range(110, 600, 16)}
    assert (255, 255, 255) in below and len(below) > 3
    assert not close(pixel(rows, bpp, 640, 300), banner)
