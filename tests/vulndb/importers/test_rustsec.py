"""RustSec Markdown → OSV: hand-checked real advisories, requirement reading, broken input."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import _requirements as req
from shiftsec.vulndb.importers import rustsec
from tests.conftest import shared


def _convert(*parts: str) -> dict[str, Any]:
    path = shared("advisories", "rustsec", *parts)
    [record] = rustsec.convert(str(path), path.read_bytes())
    return record


NO_AFFECTS: dict[str, Any] = {"affects": {"arch": [], "os": [], "functions": []}}


def test_unmaintained_advisory_is_kept() -> None:
    # crates/adler/RUSTSEC-2025-0056.md: informational = "unmaintained", patched = [] (no fix: all affected)
    assert _convert("crates", "adler", "RUSTSEC-2025-0056.md") == {
        "id": "RUSTSEC-2025-0056",
        "modified": "2025-09-05T00:00:00Z",
        "published": "2025-09-05T00:00:00Z",
        "aliases": [],
        "related": [],
        "summary": "adler crate is unmaintained, use adler2 instead",
        "details": "The `adler` crate is no longer actively maintained. If you rely on this crate, consider "
        "switching to a maintained alternative.\n\n## Recommended alternatives\n\n"
        "- [`adler2`](https://crates.io/crates/adler2)",
        "affected": [
            {
                "package": {"ecosystem": "crates.io", "name": "adler", "purl": "pkg:cargo/adler"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}]}],
                "ecosystem_specific": NO_AFFECTS,
                "database_specific": {"categories": [], "cvss": None, "informational": "unmaintained"},
            }
        ],
        "references": [
            {"type": "PACKAGE", "url": "https://crates.io/crates/adler"},
            {"type": "ADVISORY", "url": "https://rustsec.org/advisories/RUSTSEC-2025-0056.html"},
            {"type": "WEB", "url": "https://github.com/jonas-schievink/adler"},
        ],
        "database_specific": {"source": "rustsec", "license": "CC0-1.0", "informational": "unmaintained"},
    }


def test_os_functions_cvss_and_aliases() -> None:
    # crates/grep-cli/RUSTSEC-2021-0071.md: patched >= 0.1.6, os windows, one function, a CVSS 3.1 vector
    record = _convert("crates", "grep-cli", "RUSTSEC-2021-0071.md")
    details = record.pop("details")
    assert details.startswith("On Windows in versions of `grep-cli` prior to `0.1.6`, it's possible")
    assert details.endswith("The more\nfundamental issue is that `std::process::Command` is itself vulnerable to this.")
    vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert record == {
        "id": "RUSTSEC-2021-0071",
        "modified": "2021-06-12T00:00:00Z",
        "published": "2021-06-12T00:00:00Z",
        "aliases": ["CVE-2021-3013", "GHSA-g4xg-fxmg-vcg5"],
        "related": [],
        "summary": "`grep-cli` may run arbitrary executables on Windows",
        "severity": [{"type": "CVSS_V3", "score": vector}],
        "affected": [
            {
                "package": {"ecosystem": "crates.io", "name": "grep-cli", "purl": "pkg:cargo/grep-cli"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}, {"fixed": "0.1.6"}]}],
                "ecosystem_specific": {
                    "affects": {
                        "arch": [],
                        "os": ["windows"],
                        "functions": ["grep_cli::DecompressionReader::new"],
                    }
                },
                "database_specific": {
                    "categories": ["code-execution"],
                    "cvss": vector,
                    "informational": None,
                },
            }
        ],
        "references": [
            {"type": "PACKAGE", "url": "https://crates.io/crates/grep-cli"},
            {"type": "ADVISORY", "url": "https://rustsec.org/advisories/RUSTSEC-2021-0071.html"},
            {"type": "REPORT", "url": "https://github.com/BurntSushi/ripgrep/issues/1773"},
        ],
        "database_specific": {"source": "rustsec", "license": "CC0-1.0"},
    }


def test_caret_and_prerelease_patched() -> None:
    # crates/actix-http/RUSTSEC-2021-0081.md: patched = ["^ 2.2.1", ">= 3.0.0-beta.9"]
    # ^2.2.1 is [2.2.1, 3.0.0-0): 3.0.0 pre-releases below beta.9 are affected again.
    record = _convert("crates", "actix-http", "RUSTSEC-2021-0081.md")
    assert record["affected"][0]["ranges"] == [
        {
            "type": "SEMVER",
            "events": [
                {"introduced": "0.0.0-0"},
                {"fixed": "2.2.1"},
                {"introduced": "3.0.0-0"},
                {"fixed": "3.0.0-beta.9"},
            ],
        }
    ]
    assert record["aliases"] == ["CVE-2021-38512", "GHSA-8928-2fgm-6x9x"]
    assert record["severity"] == [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]
    assert record["summary"] == "Potential request smuggling capabilities due to lack of input validation"
    assert record["references"] == [  # no `url` field: only the two generated links
        {"type": "PACKAGE", "url": "https://crates.io/crates/actix-http"},
        {"type": "ADVISORY", "url": "https://rustsec.org/advisories/RUSTSEC-2021-0081.html"},
    ]


def test_withdrawn_advisory() -> None:
    # crates/libpulse-binding/RUSTSEC-2020-0055.md: withdrawn the day after, unaffected = ["> 0"]
    record = _convert("crates", "libpulse-binding", "RUSTSEC-2020-0055.md")
    assert record["withdrawn"] == "2020-10-22T00:00:00Z"
    assert record["modified"] == "2020-10-22T00:00:00Z"
    assert record["published"] == "2020-10-21T00:00:00Z"
    # "> 0" is "> 0.0.0" (zero-filled, as RustSec's export reads it): only 0.0.0 and its pre-releases
    assert record["affected"][0]["ranges"] == [
        {
            "type": "SEMVER",
            "events": [
                {"introduced": "0.0.0-0"},
                {"fixed": "0.0.1-0"},
            ],
        }
    ]


def test_toolchain_advisory_is_not_a_crate() -> None:
    # rust/cargo/CVE-2019-16760.md: about the cargo tool (1.x), not the cargo crate (0.x)
    record = _convert("rust", "cargo", "CVE-2019-16760.md")
    details = record.pop("details")
    assert details.startswith("The Rust team was recently notified of a security concern")
    assert details.endswith(
        "[4]: https://gist.github.com/emilyalbini/0d293b24a44babbeb6187e06eebd4992\n"
        "[5]: https://www.rust-lang.org/policies/security"
    )
    assert record == {
        "id": "CVE-2019-16760",
        "modified": "2019-09-30T00:00:00Z",
        "published": "2019-09-30T00:00:00Z",
        "aliases": ["GHSA-phjm-8x66-qw4r"],
        "related": [],
        "summary": "Cargo prior to Rust 1.26.0 may download the wrong dependency",
        "affected": [
            {
                "package": {"ecosystem": "Rust", "name": "cargo"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}, {"fixed": "1.26.0"}]}],
                "ecosystem_specific": NO_AFFECTS,
                "database_specific": {"categories": [], "cvss": None, "informational": None},
            }
        ],
        "references": [
            {
                "type": "WEB",
                "url": "https://groups.google.com/forum/#!topic/rustlang-security-announcements/rVQ5e3TDnpQ",
            }
        ],
        "database_specific": {"source": "rustsec", "license": "CC0-1.0"},
    }


def _iv(lower: str | None, lower_inc: bool, upper: str | None, upper_inc: bool) -> req.Interval:
    return req.Interval(req.Bound(lower, lower_inc) if lower else None, req.Bound(upper, upper_inc) if upper else None)


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        pytest.param(">= 1.2.3", [_iv("1.2.3", True, None, False)], id="ge"),
        pytest.param(">=1.2", [_iv("1.2.0", True, None, False)], id="ge-partial-zero-filled"),
        pytest.param("> 0.7.19", [_iv("0.7.19", False, None, False)], id="gt"),
        pytest.param("< 0.3", [_iv(None, False, "0.3.0", False)], id="lt-partial"),
        pytest.param("<= 1.0.0-rc.1", [_iv(None, False, "1.0.0-rc.1", True)], id="le-prerelease"),
        pytest.param("=1.2.3", [_iv("1.2.3", True, "1.2.3", True)], id="exact"),
        pytest.param("1.2.3", [_iv("1.2.3", True, "2.0.0-0", False)], id="bare-is-caret"),
        pytest.param("^ 0.2.3", [_iv("0.2.3", True, "0.3.0-0", False)], id="caret-zero-major"),
        pytest.param("^0.0.3", [_iv("0.0.3", True, "0.0.4-0", False)], id="caret-zero-minor"),
        pytest.param("^0", [_iv("0.0.0", True, "1.0.0-0", False)], id="caret-major-only"),
        pytest.param("~1.2.3", [_iv("1.2.3", True, "1.3.0-0", False)], id="tilde"),
        pytest.param("~1", [_iv("1.0.0", True, "2.0.0-0", False)], id="tilde-major-only"),
        pytest.param("1.2.*", [_iv("1.2.0", True, "1.3.0-0", False)], id="wildcard-patch"),
        pytest.param("*", [req.EVERYTHING], id="wildcard-all"),
        pytest.param(">= 1.2.0, < 1.3.4", [_iv("1.2.0", True, "1.3.4", False)], id="and"),
        pytest.param("< 1.0.0, >= 2.0.0", [], id="empty-intersection"),
    ],
)
def test_requirement_intervals(requirement: str, expected: list[req.Interval]) -> None:
    assert rustsec.requirement_intervals(req.Ordering("SEMVER"), requirement, "test") == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2.3", "1.2.4-0"),
        ("0.0.0", "0.0.1-0"),
        ("1.2.3-9", "1.2.3-9.0"),
        ("1.0.0-alpha.1", "1.0.0-alpha.1.0"),
    ],
)
def test_successor(version: str, expected: str) -> None:
    assert rustsec.successor(version) == expected
    assert req.Ordering("SEMVER").cmp(version, expected) < 0


GOOD = """```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "demo"
date = "2099-01-02"

[versions]
patched = [">= 1.0.0"]
```

# Demo title

Body.
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(GOOD[:60], "no ```toml front matter", id="truncated-front-matter"),
        pytest.param(GOOD.replace('package = "demo"', 'package = "demo'), "not valid TOML", id="bad-toml"),
        pytest.param("# Just markdown\n", "no ```toml front matter", id="no-front-matter"),
        pytest.param(GOOD.replace('id = "RUSTSEC-2099-0001"\n', ""), "missing required field 'id'", id="no-id"),
        pytest.param(GOOD.replace('package = "demo"\n', ""), "missing required field 'package'", id="no-package"),
        pytest.param(GOOD.replace('date = "2099-01-02"\n', ""), "'date' is not a date", id="no-date"),
        pytest.param(GOOD.replace("2099-01-02", "next week"), "'date' is not a date", id="bad-date"),
        pytest.param(GOOD.replace('[versions]\npatched = [">= 1.0.0"]\n', ""), "missing [versions]", id="no-versions"),
        pytest.param(
            GOOD.replace('[">= 1.0.0"]', '">= 1.0.0"').replace("patched", "unaffected = 3\npatched"),
            "'unaffected' must be a list",
            id="wrong-type",
        ),
        pytest.param(
            GOOD.replace(">= 1.0.0", ">> 1.0"),
            "cannot read version requirement '>> 1.0'",
            id="bad-requirement",
        ),
        pytest.param(GOOD.replace("# Demo title\n", ""), "no '# Title' line", id="no-title"),
        pytest.param(
            GOOD.replace('date = "2099-01-02"', 'date = "2099-01-02"\ncvss = "7.5"'),
            "not a CVSS v3 or v4 vector",
            id="cvss-score-not-vector",
        ),
        pytest.param(
            GOOD.replace("[advisory]", "advisory = 3\n[x]"),
            "[advisory] must be a mapping",
            id="advisory-not-table",
        ),
    ],
)
def test_broken_input(text: str, message: str) -> None:
    with pytest.raises(InvalidRecord, match=re.escape(message)):
        rustsec.convert("crates/demo/RUSTSEC-2099-0001.md", text.encode())


def test_good_minimal_input() -> None:
    [record] = rustsec.convert("crates/demo/RUSTSEC-2099-0001.md", GOOD.encode())
    assert record["summary"] == "Demo title"
    assert record["details"] == "Body."
    assert record["affected"][0]["ranges"] == [
        {"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}, {"fixed": "1.0.0"}]}
    ]


def test_template_is_not_an_advisory() -> None:
    path = shared("advisories", "rustsec", "EXAMPLE_ADVISORY.md")
    with pytest.raises(InvalidRecord, match="placeholder id"):
        rustsec.convert(str(path), path.read_bytes())
