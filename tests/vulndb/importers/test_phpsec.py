"""FriendsOfPHP security-advisories YAML → OSV: hand-checked real advisories and broken input."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shiftsec.errors import InvalidRecord
from shiftsec.vulndb.importers import phpsec
from tests.conftest import shared


def _convert(*parts: str) -> dict[str, Any]:
    path = shared("advisories", "php-security-advisories", *parts)
    [record] = phpsec.convert(str(path), path.read_bytes())
    return record


def test_two_branches_one_with_exclusive_lower_bound() -> None:
    # amphp/artax/CVE-2016-5385.yaml: master ['>=2', '<2.0.4'], 1.x ['>0.7.1', '<1.0.4']
    assert _convert("amphp", "artax", "CVE-2016-5385.yaml") == {
        "id": "PHPSEC-amphp__artax-CVE-2016-5385",
        "modified": "2016-07-18T16:37:40Z",
        "aliases": ["CVE-2016-5385"],
        "summary": "HTTP Proxy header vulnerability",
        "affected": [
            {
                "package": {
                    "ecosystem": "Packagist",
                    "name": "amphp/artax",
                    "purl": "pkg:composer/amphp/artax",
                },
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "2"}, {"fixed": "2.0.4"}]},
                    # > 0.7.1: 0.7.1 itself is not affected; 0.7.1.1 is the next Composer version
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0.7.1.1"}, {"fixed": "1.0.4"}]},
                ],
            }
        ],
        "references": [{"type": "ADVISORY", "url": "https://twitter.com/asyncphp/status/755136084917583872"}],
        "database_specific": {
            "source": "phpsec",
            "branches": {"master": {"time": "2016-07-18T16:37:40Z"}, "1.x": {"time": "2016-07-18T16:37:40Z"}},
        },
    }


def test_inclusive_upper_bound_and_unfixed_branch() -> None:
    # illuminate/auth/CVE-2017-9303.yaml: 5.3.x ['>=5.3.0', '<=5.3.31'] never fixed (time ~), 5.4.x fixed
    assert _convert("illuminate", "auth", "CVE-2017-9303.yaml") == {
        "id": "PHPSEC-illuminate__auth-CVE-2017-9303",
        "modified": "2017-05-07T17:49:26Z",
        "aliases": ["CVE-2017-9303"],
        "summary": "Password reset phishing vulnerability",
        "affected": [
            {
                "package": {
                    "ecosystem": "Packagist",
                    "name": "illuminate/auth",
                    "purl": "pkg:composer/illuminate/auth",
                },
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "5.3.0"}, {"last_affected": "5.3.31"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "5.4.0"}, {"fixed": "5.4.22"}]},
                ],
            }
        ],
        "references": [{"type": "ADVISORY", "url": "https://laravel.com/docs/5.4/releases#laravel-5.4.22"}],
        "database_specific": {
            "source": "phpsec",
            "branches": {"5.3.x": {"time": None}, "5.4.x": {"time": "2017-05-07T17:49:26Z"}},
        },
    }


def test_date_named_file_without_cve() -> None:
    # neos/flow/2012-03-28.yaml: `cve: ~`; the file name is the announcement date
    record = _convert("neos", "flow", "2012-03-28.yaml")
    assert record["id"] == "PHPSEC-neos__flow-2012-03-28"
    assert record["published"] == "2012-03-28T00:00:00Z"
    assert record["modified"] == "2012-03-28T09:32:37Z"
    assert record["aliases"] == []
    assert record["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "1.0.0"}, {"fixed": "1.0.4"}]}
    ]


def test_not_on_packagist_and_numeric_branch_name() -> None:
    # magento/magento1ce/CVE-2019-7938.yaml: composer-repository: false, a branch named `1`, quoted time
    record = _convert("magento", "magento1ce", "CVE-2019-7938.yaml")
    assert record["database_specific"] == {
        "source": "phpsec",
        "branches": {"1": {"time": "2019-06-25T00:00:00Z"}},
        "composer_repository": False,
    }
    assert record["affected"][0]["ranges"] == [
        {"type": "ECOSYSTEM", "events": [{"introduced": "1"}, {"fixed": "1.9.4.2"}]}
    ]
    assert record["summary"] == "PRODSECBUG-2369: Stored cross-site scripting in the admin panel"


def test_patch_releases_order_above_their_base() -> None:
    # magento/product-community-edition/CVE-2024-34102.yaml: branch 2.4.4 is ['>=2.4.4', '<2.4.4-p9']
    ranges = _convert("magento", "product-community-edition", "CVE-2024-34102.yaml")["affected"][0]["ranges"]
    assert {"type": "ECOSYSTEM", "events": [{"introduced": "2.4.4"}, {"fixed": "2.4.4-p9"}]} in ranges


GOOD = """title: Demo
link: https://example.org/advisory
cve: CVE-2099-0001
branches:
    1.x:
        time: 2099-01-02 03:04:05
        versions: ['>=1.0.0', '<1.2.3']
reference: composer://demo/pkg
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(GOOD[: GOOD.index("'<1.2.3'") + 3], "not valid YAML", id="truncated"),
        pytest.param("just a string\n", "an advisory must be a mapping", id="not-mapping"),
        pytest.param(
            GOOD.replace("reference: composer://demo/pkg\n", ""),
            "missing required field 'reference'",
            id="no-reference",
        ),
        pytest.param(
            GOOD.replace("composer://demo/pkg", "https://demo/pkg"),
            "must be composer://vendor/package",
            id="bad-reference",
        ),
        pytest.param(GOOD.replace("title: Demo\n", ""), "missing required field 'title'", id="no-title"),
        pytest.param(
            GOOD.split("branches:", maxsplit=1)[0] + "reference: composer://demo/pkg\n",
            "'branches' must be a mapping",
            id="no-branches",
        ),
        pytest.param(
            GOOD.replace("        versions: ['>=1.0.0', '<1.2.3']\n", ""),
            "'versions' must be a non-empty",
            id="no-versions",
        ),
        pytest.param(GOOD.replace("'<1.2.3'", "'~1.2'"), "unsupported constraint '~1.2'", id="tilde"),
        pytest.param(GOOD.replace("'<1.2.3'", "'!=1.1'"), "unsupported constraint '!=1.1'", id="not-equal"),
        pytest.param(GOOD.replace("'<1.2.3'", "'<0.9'"), "leave no version affected", id="crossed-bounds"),
        pytest.param(GOOD.replace("2099-01-02 03:04:05", "yesterday"), "'time' is not a date", id="bad-time"),
        pytest.param(
            GOOD.replace("        time", "        versions: 3\n        time").replace(
                "        versions: ['>=1.0.0', '<1.2.3']\n", ""
            ),
            "'versions' must be a non-empty",
            id="versions-type",
        ),
    ],
)
def test_broken_input(text: str, message: str) -> None:
    with pytest.raises(InvalidRecord, match=re.escape(message)):
        phpsec.convert("demo/pkg/CVE-2099-0001.yaml", text.encode())


def test_good_minimal_input() -> None:
    [record] = phpsec.convert("demo/pkg/CVE-2099-0001.yaml", GOOD.encode())
    assert record["id"] == "PHPSEC-demo__pkg-CVE-2099-0001"
    assert record["modified"] == "2099-01-02T03:04:05Z"
