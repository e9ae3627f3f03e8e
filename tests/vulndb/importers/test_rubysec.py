"""ruby-advisory-db YAML → OSV: hand-checked real advisories, requirement reading, broken input."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import _requirements as req
from shiftsec.vulndb.importers import rubysec
from tests.conftest import shared


def _convert(*parts: str) -> dict[str, Any]:
    path = shared("advisories", "ruby-advisory-db", *parts)
    [record] = rubysec.convert(str(path), path.read_bytes())
    return record


def test_pessimistic_and_unaffected() -> None:
    # gems/actionpack/CVE-2008-7248.yml: unaffected < 2.1.0; patched ~> 2.1.3 (>= 2.1.3, release < 2.2),
    # >= 2.2.2. Affected: [2.1.0, 2.1.3) and from the first 2.2 pre-release ("2.2.A") up to 2.2.2.
    assert _convert("gems", "actionpack", "CVE-2008-7248.yml") == {
        "id": "RUBYSEC-actionpack-CVE-2008-7248",
        "modified": "2017-10-24T00:00:00Z",
        "published": "2017-10-24T00:00:00Z",
        "aliases": ["CVE-2008-7248", "GHSA-8fqx-7pv4-3jwm"],
        "related": [],
        "summary": "Improper Input Validation in rails",
        "details": "Ruby on Rails 2.1 before 2.1.3 and 2.2.x before 2.2.2 does not verify\n"
        "tokens for requests with certain content types, which allows remote\n"
        "attackers to bypass cross-site request forgery (CSRF) protection\n"
        "for requests to applications that rely on this protection, as\n"
        "demonstrated using text/plain.",
        "affected": [
            {
                "package": {"ecosystem": "RubyGems", "name": "actionpack", "purl": "pkg:gem/actionpack"},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [
                            {"introduced": "2.1.0"},
                            {"fixed": "2.1.3"},
                            {"introduced": "2.2.A"},
                            {"fixed": "2.2.2"},
                        ],
                    }
                ],
                "database_specific": {
                    "patched_versions": ["~> 2.1.3", ">= 2.2.2"],
                    "unaffected_versions": ["< 2.1.0"],
                },
            }
        ],
        "references": [
            {
                "type": "WEB",
                "url": "https://weblog.rubyonrails.org/2008/11/18/potential-circumvention-of-csrf-protection-in-rails-2-1",
            },
            {"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2008-7248"},
            {
                "type": "WEB",
                "url": "https://groups.google.com/group/rubyonrails-security/browse_thread/thread/d741ee286e36e301?hl=en",
            },
            {
                "type": "WEB",
                "url": "https://www.rorsecurity.info/journal/2008/11/19/circumvent-rails-csrf-protection.html",
            },
            {"type": "ADVISORY", "url": "https://github.com/advisories/GHSA-8fqx-7pv4-3jwm"},
            {"type": "WEB", "url": "https://access.redhat.com/security/cve/CVE-2008-7248"},
            {"type": "WEB", "url": "https://bugzilla.redhat.com/show_bug.cgi?id=544329"},
            {
                "type": "WEB",
                "url": "https://pseudo-flaw.net/content/web-browsers/form-data-encoding-roundup/",
            },
            {
                "type": "WEB",
                "url": "https://lists.opensuse.org/opensuse-security-announce/2010-03/msg00004.html",
            },
            {"type": "WEB", "url": "https://www.openwall.com/lists/oss-security/2009/11/28/1"},
            {"type": "WEB", "url": "https://www.openwall.com/lists/oss-security/2009/12/02/2"},
            {
                "type": "FIX",
                "url": "http://github.com/rails/rails/commit/099a98e9b7108dae3e0f78b207e0a7dc5913bd1a",
            },
            {
                "type": "FIX",
                "url": "http://github.com/rails/rails/commit/f1ad8b48aae3ee26613b3e77bc0056e120096846",
            },
            {
                "type": "WEB",
                "url": "https://rubygems.org/gems/rails/versions/2.1.2",
            },  # listed twice: kept once
        ],
        "database_specific": {"source": "rubysec", "cvss_v2": 6.8, "framework": "rails"},
    }


def test_single_backdoored_version() -> None:
    # gems/paranoid2/CVE-2019-13589.yml: unaffected > 1.1.6 and < 1.1.6, so exactly 1.1.6 is affected:
    # an inclusive upper bound, i.e. `last_affected` (RubyGems has no least version above 1.1.6).
    record = _convert("gems", "paranoid2", "CVE-2019-13589.yml")
    assert record["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "1.1.6"}, {"last_affected": "1.1.6"}]}
    ]
    assert record["aliases"] == ["CVE-2019-13589", "GHSA-4g4c-8gqh-m4vm"]
    assert record["details"] == (
        "The paranoid2 gem 1.1.6 for Ruby, as distributed on RubyGems.org, included\n"
        "a code-execution backdoor inserted by a third party.\n\n"
        "The current version, without this backdoor, is 1.1.5."
    )
    assert record["references"] == [{"type": "REPORT", "url": "https://github.com/rubygems/rubygems.org/issues/2051"}]
    assert record["database_specific"] == {"source": "rubysec", "cvss_v3": 9.8}
    assert "severity" not in record  # a score is not a vector


def test_inclusive_unaffected_bound() -> None:
    # gems/nokogiri/CVE-2022-23476.yml: unaffected <= 1.13.7, patched >= 1.13.10 (1.13.8 and 1.13.9 affected)
    record = _convert("gems", "nokogiri", "CVE-2022-23476.yml")
    assert record["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "1.13.7.0.1"}, {"fixed": "1.13.10"}]}
    ]
    assert record["references"] == [
        {
            "type": "ADVISORY",
            "url": "https://github.com/sparklemotion/nokogiri/security/advisories/GHSA-qv4q-mr5r-qprj",
        }
    ]


def test_ruby_implementation() -> None:
    # rubies/jruby/CVE-2010-1330.yml: `engine`, an OSVDB id, a CVSS v2 score
    assert _convert("rubies", "jruby", "CVE-2010-1330.yml") == {
        "id": "RUBYSEC-jruby-CVE-2010-1330",
        "modified": "2010-04-26T00:00:00Z",
        "published": "2010-04-26T00:00:00Z",
        "aliases": ["CVE-2010-1330", "OSVDB-77297"],
        "related": [],
        "summary": "CVE-2010-1330 jruby: XSS in the regular expression engine when processing invalid UTF-8 "
        "byte sequences",
        "details": "The regular expression engine in JRuby before 1.4.1, when $KCODE is set\n"
        "to 'u', does not properly handle characters immediately after a UTF-8 character,\n"
        "which allows remote attackers to conduct cross-site scripting (XSS) attacks via\n"
        "a crafted string.",
        "affected": [
            {
                "package": {"ecosystem": "RubyGems", "name": "jruby"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.4.1"}]}],
                "database_specific": {"patched_versions": [">= 1.4.1"], "unaffected_versions": []},
            }
        ],
        "references": [{"type": "WEB", "url": "http://jruby.org/2010/04/26/jruby-1-4-1-xss-vulnerability"}],
        "database_specific": {"source": "rubysec", "cvss_v2": 4.3, "engine": True},
    }


def _iv(lower: str | None, lower_inc: bool, upper: str | None, upper_inc: bool) -> req.Interval:
    return req.Interval(req.Bound(lower, lower_inc) if lower else None, req.Bound(upper, upper_inc) if upper else None)


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        pytest.param(">= 1.2.3", [_iv("1.2.3", True, None, False)], id="ge"),
        pytest.param("1.2.3", [_iv("1.2.3", True, "1.2.3", True)], id="bare-is-exact"),
        pytest.param("= 2.2.10", [_iv("2.2.10", True, "2.2.10", True)], id="exact"),
        pytest.param("~> 2.1.3", [_iv("2.1.3", True, "2.2.A", False)], id="pessimistic-3"),
        pytest.param("~> 2.1", [_iv("2.1", True, "3.A", False)], id="pessimistic-2"),
        pytest.param("~> 1", [_iv("1", True, "2.A", False)], id="pessimistic-1"),
        pytest.param("~> 1.2.3-rc", [_iv("1.2.3-rc", True, "1.3.A", False)], id="pessimistic-prerelease"),
        pytest.param("~> 5.2.4, >= 5.2.4.3", [_iv("5.2.4.3", True, "5.3.A", False)], id="and"),
        pytest.param("!= 1.0", [_iv(None, False, "1.0", False), _iv("1.0", False, None, False)], id="not-equal"),
        pytest.param(
            ">= 1.0, != 1.5, < 2",
            [_iv("1.0", True, "1.5", False), _iv("1.5", False, "2", False)],
            id="not-equal-inside",
        ),
        pytest.param("< 1.0, > 2.0", [], id="empty"),
    ],
)
def test_requirement_intervals(requirement: str, expected: list[req.Interval]) -> None:
    assert rubysec.requirement_intervals(req.Ordering("RubyGems"), requirement, "test") == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.1.3", "2.2"),
        ("2.1", "3"),
        ("1", "2"),
        ("5.2.4.3", "5.2.5"),
        ("1.2.3-rc", "1.3"),
        ("1.2.3.beta1", "1.3"),
    ],
)
def test_bump(version: str, expected: str) -> None:
    assert rubysec.bump(version) == expected


GOOD = """---
gem: demo
cve: 2099-0001
url: https://example.org/advisory
title: Demo title
date: 2099-01-02
description: Demo body.
patched_versions:
  - ">= 1.0.0"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(GOOD[: GOOD.index("1.0.0")], "not valid YAML", id="truncated"),
        pytest.param("- just\n- a list\n", "an advisory must be a mapping", id="not-mapping"),
        pytest.param(GOOD.replace("gem: demo\n", ""), "missing required field 'gem'", id="no-gem"),
        pytest.param(GOOD.replace("title: Demo title\n", ""), "missing required field 'title'", id="no-title"),
        pytest.param(GOOD.replace("date: 2099-01-02\n", ""), "missing required field 'date'", id="no-date"),
        pytest.param(GOOD.replace("2099-01-02", "soon"), "'date' is not a date", id="bad-date"),
        pytest.param(GOOD.replace("gem: demo", "gem: [demo]"), "'gem' must be a string", id="gem-type"),
        pytest.param(
            GOOD.replace('  - ">= 1.0.0"', "    x: 1"),
            "'patched_versions' must be a list of strings",
            id="patched-type",
        ),
        pytest.param(
            GOOD.replace('  - ">= 1.0.0"', "  - 1.10"),
            "'patched_versions' must be a list of strings",
            id="patched-float",
        ),
        pytest.param(
            GOOD.replace(">= 1.0.0", "=> 1.0.0"),
            "cannot read version requirement '=> 1.0.0'",
            id="bad-operator",
        ),
        pytest.param(GOOD + "cvss_v3: high\n", "'cvss_v3' must be a number", id="cvss-type"),
        pytest.param(GOOD + "related: [1]\n", "'related' must be a mapping", id="related-type"),
    ],
)
def test_broken_input(text: str, message: str) -> None:
    with pytest.raises(InvalidRecord, match=re.escape(message)):
        rubysec.convert("gems/demo/CVE-2099-0001.yml", text.encode())


def test_good_minimal_input() -> None:
    [record] = rubysec.convert("gems/demo/CVE-2099-0001.yml", GOOD.encode())
    assert record["id"] == "RUBYSEC-demo-CVE-2099-0001"
    assert record["aliases"] == ["CVE-2099-0001"]
    assert record["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}
    ]


def test_no_requirement_means_every_version() -> None:
    text = GOOD.split("patched_versions", maxsplit=1)[0]
    [record] = rubysec.convert("gems/demo/CVE-2099-0001.yml", text.encode())
    assert record["affected"][0]["ranges"] == [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]
