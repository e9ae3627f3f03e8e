"""Alpine secdb YAML → OSV: hand-checked records from real branch files, id parsing, broken input."""

from __future__ import annotations

import logging
import re
from functools import cache
from typing import Any

import pytest

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import alpine
from tests.conftest import shared


@cache
def _records(branch: str, repo: str = "main") -> dict[str, dict[str, Any]]:
    path = shared("advisories", "alpine-secdb", branch, f"{repo}.yaml")
    return {record["id"]: record for record in alpine.convert(str(path), path.read_bytes())}


def _range(fixed: str) -> dict[str, Any]:
    return {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}


def test_cve_with_xen_advisory_id() -> None:
    # v3.8/main.yaml, xen, 4.7.0-r0: "CVE-2016-6258 XSA-182" (one CVE and its Xen advisory: aliases)
    assert _records("v3.8")["ALPINE-CVE-2016-6258-v3.8-main"] == {
        "id": "ALPINE-CVE-2016-6258-v3.8-main",
        "modified": "1970-01-01T00:00:00Z",
        "aliases": ["CVE-2016-6258", "XSA-182"],
        "summary": "CVE-2016-6258 in xen (Alpine v3.8 main)",
        "details": "CVE-2016-6258 is fixed in Alpine v3.8/main package(s) xen.\n\n"
        "As listed in secdb:\n- xen 4.7.0-r0: CVE-2016-6258 XSA-182",
        "affected": [{"package": {"ecosystem": "Alpine:v3.8", "name": "xen"}, "ranges": [_range("4.7.0-r0")]}],
        "references": [{"type": "ADVISORY", "url": "https://security.alpinelinux.org/vuln/CVE-2016-6258"}],
        "database_specific": {"source": "alpine", "distroversion": "v3.8", "reponame": "main"},
    }


def test_advisory_without_cve() -> None:
    # v3.8/main.yaml, xen, 4.10.0-r1: "XSA-254" alone
    record = _records("v3.8")["ALPINE-XSA-254-v3.8-main"]
    assert record["aliases"] == ["XSA-254"]
    assert record["affected"] == [
        {"package": {"ecosystem": "Alpine:v3.8", "name": "xen"}, "ranges": [_range("4.10.0-r1")]}
    ]
    assert "references" not in record


def test_never_affected_secfix_gives_no_record() -> None:
    # v3.8/main.yaml, db: `"0": [CVE-2016-0682, ...]` dismisses Oracle Berkeley DB CVEs
    ids = _records("v3.8")
    for cve in ("CVE-2016-0682", "CVE-2016-0689", "CVE-2016-0692", "CVE-2016-0694", "CVE-2016-3418"):
        assert f"ALPINE-{cve}-v3.8-main" not in ids


def test_several_cves_in_one_entry() -> None:
    # v3.7/main.yaml, xen: "CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI" (XPTI: a word, no id)
    records = _records("v3.7")
    for cve in ("CVE-2017-5753", "CVE-2017-5715", "CVE-2017-5754"):
        record = records[f"ALPINE-{cve}-v3.7-main"]
        assert record["aliases"] == [cve]
        assert record["related"] == ["XSA-254"]
        assert record["affected"][0]["package"] == {"ecosystem": "Alpine:v3.7", "name": "xen"}


def test_one_cve_fixed_twice_in_one_package() -> None:
    # v3.8/main.yaml, ghostscript lists CVE-2019-6116 under 9.26-r2 and 9.26-r1: two ranges, united
    record = _records("v3.8")["ALPINE-CVE-2019-6116-v3.8-main"]
    assert record["affected"] == [
        {
            "package": {"ecosystem": "Alpine:v3.8", "name": "ghostscript"},
            "ranges": [_range("9.26-r2"), _range("9.26-r1")],
        }
    ]


def test_one_cve_in_two_packages() -> None:
    # v3.8/main.yaml: CVE-2018-18584 is fixed in cabextract and in libmspack
    record = _records("v3.8")["ALPINE-CVE-2018-18584-v3.8-main"]
    assert sorted(a["package"]["name"] for a in record["affected"]) == ["cabextract", "libmspack"]


def test_empty_branch_file() -> None:
    # v3.3/community.yaml has `packages:` with nothing under it
    assert _records("v3.3", "community") == {}


@pytest.mark.parametrize(
    ("entry", "cves", "others"),
    [
        pytest.param("CVE-2019-1234", ["CVE-2019-1234"], [], id="plain"),
        pytest.param("CVE-2019-1234 CVE-2019-5678", ["CVE-2019-1234", "CVE-2019-5678"], [], id="two"),
        pytest.param("CVE-2018-3639   XSA-263", ["CVE-2018-3639"], ["XSA-263"], id="with-xsa"),
        pytest.param(
            "CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)",
            ["CVE-2018-10103"],
            [],
            id="note",
        ),
        pytest.param("CVE-2017-2616 (+ regression fix)", ["CVE-2017-2616"], [], id="note-plus"),
        pytest.param("CVE_2019-2426", ["CVE-2019-2426"], [], id="underscore"),
        pytest.param("CVE 2018-16859", ["CVE-2018-16859"], [], id="space"),
        pytest.param("CVE-2019-19451.patch", ["CVE-2019-19451"], [], id="patch-suffix"),
        pytest.param("CVE-2017-17434-1", ["CVE-2017-17434"], [], id="second-patch"),
        pytest.param("CVE-????-?????  XSA-295", [], ["XSA-295"], id="placeholder"),
        pytest.param("CVE-2019-5060 TALOS-2019-0844", ["CVE-2019-5060"], ["TALOS-2019-0844"], id="talos"),
        pytest.param("wnpa-sec-2017-18", [], ["wnpa-sec-2017-18"], id="wireshark"),
        pytest.param("fixed upstream", [], [], id="no-id"),
    ],
)
def test_parse_ids(entry: str, cves: list[str], others: list[str]) -> None:
    assert alpine.parse_ids(entry) == (cves, others)


GOOD = """---
distroversion: v3.99
reponame: main
packages:
  - pkg:
      name: demo
      secfixes:
        1.2.3-r1:
          - CVE-2099-0001
"""


def test_version_typo_and_unusable_entries(caplog: pytest.LogCaptureFixture) -> None:
    text = (
        GOOD
        + "        1.2.4.r0:\n          - CVE-2099-0002\n"
        + "        1.2.5-r0:\n        1.2.6-r0:\n          - n/a\n"
    )
    with caplog.at_level(logging.WARNING, logger="shiftsec.vulndb.importers.alpine"):
        records = alpine.convert("v3.99/main.yaml", text.encode())
    assert [r["id"] for r in records] == [
        "ALPINE-CVE-2099-0001-v3.99-main",
        "ALPINE-CVE-2099-0002-v3.99-main",
    ]
    assert records[1]["affected"][0]["ranges"] == [_range("1.2.4-r0")]
    assert "demo 1.2.5-r0 lists no vulnerability ids" in caplog.text
    assert "no vulnerability id in 'n/a'" in caplog.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(GOOD[: GOOD.index("secfixes")] + "secfixes: {1.2.3-r1: [CVE", "not valid YAML", id="truncated"),
        pytest.param("- a\n- b\n", "a secdb file must be a mapping", id="not-mapping"),
        pytest.param(
            GOOD.replace("distroversion: v3.99\n", ""),
            "missing required field 'distroversion'",
            id="no-distroversion",
        ),
        pytest.param(GOOD.replace("      name: demo\n", ""), "missing required field 'name'", id="no-name"),
        pytest.param(GOOD.replace("packages:\n", "packages: 3\nx:\n"), "'packages' must be a list", id="packages"),
        pytest.param(GOOD.replace("  - pkg:\n", "  - pkg: 3\n  - x:\n"), "'pkg' must be a mapping", id="pkg-type"),
        pytest.param(
            GOOD.replace("        1.2.3-r1:\n          - CVE-2099-0001\n", "        - 1.2.3-r1\n"),
            "'secfixes' must be a mapping",
            id="secfixes-type",
        ),
        pytest.param(GOOD.replace("1.2.3-r1:", "1.5:"), "secfix version 1.5 is not a string", id="float-version"),
    ],
)
def test_broken_input(text: str, message: str) -> None:
    with pytest.raises(InvalidRecord, match=re.escape(message)):
        alpine.convert("v3.99/main.yaml", text.encode())
