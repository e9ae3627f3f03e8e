"""The vulnerability scanner: matching, alias merging, releases, severity, fix advice, fingerprints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shiftsec.model import Location, Package, Severity
from shiftsec.scanners.vulns import release_matches, scan
from shiftsec.vulndb.importing import import_paths
from shiftsec.vulndb.store import Store


def _adv(adv_id: str, ecosystem: str, name: str, events: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "id": adv_id,
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                      "ranges": [{"type": "ECOSYSTEM", "events": events}]}],
        **extra,
    }


CVSS_CRITICAL = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]

RECORDS = [
    # the same flaw in three databases, linked by aliases; the fixes differ slightly
    _adv("GHSA-aaaa-bbbb-cccc", "PyPI", "Demo", [{"introduced": "0"}, {"fixed": "1.5"}],
         aliases=["CVE-2024-0001"], summary="Demo lets anyone in", database_specific={"severity": "MODERATE"}),
    _adv("PYSEC-2024-1", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.4.2"}],
         aliases=["CVE-2024-0001", "GHSA-aaaa-bbbb-cccc"], severity=CVSS_CRITICAL),
    # a second, unrelated flaw with two fix branches
    _adv("PYSEC-2024-2", "PyPI", "demo", [{"introduced": "0"}, {"fixed": "1.3.9"}, {"introduced": "1.4"},
                                           {"fixed": "1.4.1"}], aliases=["CVE-2024-0002"]),
    # withdrawn: must never match
    _adv("PYSEC-2024-3", "PyPI", "demo", [{"introduced": "0"}], withdrawn="2024-02-01T00:00:00Z"),
    # no fix known
    _adv("GHSA-nofx-nofx-nofx", "npm", "left-pad", [{"introduced": "0"}], summary="no fix"),
    # distro releases
    _adv("DSA-1", "Debian:11", "openssl", [{"introduced": "0"}, {"fixed": "1.1.1n-0+deb11u4"}]),
    _adv("DSA-2", "Debian:12", "openssl", [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]),
    _adv("USN-1", "Ubuntu:22.04:LTS", "curl", [{"introduced": "0"}, {"fixed": "7.81.0-1ubuntu1.15"}]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    src = tmp_path_factory.mktemp("adv")
    for record in RECORDS:
        (src / f"{record['id']}.json").write_text(json.dumps(record))
    db = src / "db.sqlite"
    with Store.open(db, create=True) as st:
        assert import_paths(st, [src]).errors == []
    st = Store.open(db)
    yield st
    st.close()


def _pkg(name: str, version: str, ecosystem: str = "PyPI", path: str = "sbom.json") -> Package:
    return Package(name=name, version=version, ecosystem=ecosystem, location=Location(path))


def test_aliases_merge_into_one_finding(store: Store) -> None:
    result = scan([_pkg("demo", "1.4.0")], store)
    by_rule = {f.rule_id: f for f in result.findings}
    assert set(by_rule) == {"CVE-2024-0001", "CVE-2024-0002"}
    merged = by_rule["CVE-2024-0001"]
    assert merged.aliases == ("GHSA-aaaa-bbbb-cccc", "PYSEC-2024-1")
    assert merged.severity is Severity.CRITICAL and merged.cvss_score == 9.8  # worst of the group
    assert merged.title == "Demo lets anyone in"  # GitHub's summary preferred
    # PYSEC says 1.4.2 fixes it, GHSA says 1.5: advise the version that satisfies both
    assert merged.fixed_in == "1.5"
    assert merged.fixed_versions == ("1.4.2", "1.5")
    assert by_rule["CVE-2024-0002"].fixed_in == "1.4.1"
    assert by_rule["CVE-2024-0002"].severity is Severity.UNKNOWN


@pytest.mark.parametrize(
    ("version", "rules"),
    [("1.3.9", {"CVE-2024-0001"}), ("1.4.1", {"CVE-2024-0001"}), ("1.5", set()), ("1.5.0", set())],
)
def test_ranges_decide(store: Store, version: str, rules: set[str]) -> None:
    assert {f.rule_id for f in scan([_pkg("Demo", version)], store).findings} == rules


def test_withdrawn_and_no_fix(store: Store) -> None:
    findings = scan([_pkg("left-pad", "1.3.0", "npm")], store).findings
    assert [(f.rule_id, f.fixed_in) for f in findings] == [("GHSA-nofx-nofx-nofx", None)]
    assert "No fixed version" in findings[0].remediation


@pytest.mark.parametrize(
    ("ecosystem", "version", "rules"),
    [
        ("Debian:12", "3.0.9-1", {"DSA-2"}),
        ("Debian:11", "1.1.1n-0+deb11u3", {"DSA-1"}),
        ("Debian:11", "1.1.1n-0+deb11u4", set()),
    ],
)
def test_distro_releases(store: Store, ecosystem: str, version: str, rules: set[str]) -> None:
    assert {f.rule_id for f in scan([_pkg("openssl", version, ecosystem)], store).findings} == rules


def test_package_without_release_is_reported_not_guessed(store: Store) -> None:
    result = scan([_pkg("openssl", "1.0.0-1", "Debian")], store)
    assert result.findings == ()
    assert [e.kind for e in result.errors] == ["no-release"]


def test_ubuntu_lts_suffix(store: Store) -> None:
    assert [f.rule_id for f in scan([_pkg("curl", "7.81.0-1ubuntu1.14", "Ubuntu:22.04")], store).findings] == ["USN-1"]


@pytest.mark.parametrize(
    ("package", "advisory", "expected"),
    [("Debian:12", "Debian:12", True), ("Debian:12", "Debian:11", False), ("Debian:12", "Debian", True),
     ("Debian", "Debian:12", False), ("Ubuntu:22.04", "Ubuntu:22.04:LTS", True),
     ("Ubuntu:22.04", "Ubuntu:Pro:22.04:LTS", False), ("Alpine:v3.18", "Alpine:v3.18", True)],
)
def test_release_matches(package: str, advisory: str, expected: bool) -> None:
    assert release_matches(package, advisory) is expected


def test_fingerprint_ignores_lines_and_versions_but_not_paths(store: Store) -> None:
    def fp(pkg: Package) -> set[str]:
        return {f.fingerprint for f in scan([pkg], store).findings if f.rule_id == "CVE-2024-0001"}

    base = fp(_pkg("demo", "1.0"))
    moved = fp(Package("demo", "1.0", "PyPI", location=Location("sbom.json", line=40)))
    bumped = fp(_pkg("demo", "1.4.1"))
    elsewhere = fp(_pkg("demo", "1.0", path="other/sbom.json"))
    assert base == moved == bumped
    assert base != elsewhere
    assert all("1.0" not in f and "sbom" not in f for f in base)


def test_real_corpus_matches(full_db: tuple[Path, object]) -> None:
    with Store.open(full_db[0]) as st:
        result = scan(
            [
                _pkg("Jinja2", "2.10"),
                _pkg("golang.org/x/text", "v0.3.5", "Go"),
                _pkg("smallvec", "1.6.0", "crates.io"),
            ],
            st,
        )
    got = {(f.package.name if f.package else "", f.rule_id, f.fixed_in) for f in result.findings}
    # expected from the source records: PYSEC-2019-217 (fixed 2.10.1), PYSEC-2021-66 (2.11.3);
    # GO-2021-0113 (0.3.7), GO-2022-1059 (0.3.8); RUSTSEC-2021-0003 (1.6.1)
    assert {
        ("Jinja2", "CVE-2019-10906", "2.10.1"),
        ("Jinja2", "CVE-2020-28493", "2.11.3"),
        ("golang.org/x/text", "CVE-2021-38561", "0.3.7"),
        ("golang.org/x/text", "CVE-2022-32149", "0.3.8"),
    } <= got
    assert any(name == "smallvec" and fixed == "1.6.1" for name, _, fixed in got)
    assert not any(rule in ("CVE-2014-1402", "CVE-2020-14040") for _, rule, _ in got)  # fixed before


# --- exploit facts (CISA KEV, EPSS) ------------------------------------------------------------------------

EXPLOIT_RECORDS = [
    # one flaw known under two CVE ids: the finding is in KEV through its alias, and takes the higher score
    _adv("GHSA-mult-iple-cves", "PyPI", "multi", [{"introduced": "0"}, {"fixed": "2.0"}],
         aliases=["CVE-2024-0003", "CVE-2024-0004"]),
]
KEV_CATALOG = {
    "title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.11.20",
    "dateReleased": "2026-11-20T17:02:11.0000Z", "count": 2,
    "vulnerabilities": [
        {"cveID": cve, "vendorProject": "Demo", "product": "demo", "vulnerabilityName": f"{cve} bug",
         "dateAdded": "2026-01-05", "shortDescription": "", "requiredAction": "Apply updates.",
         "dueDate": "2026-01-26", "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": []}
        for cve in ("CVE-2024-0001", "CVE-2024-0004")
    ],
}
EPSS_CSV = (
    "#model_version:v2025.03.14,score_date:2026-11-22T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-2024-0001,0.00043,0.11873\n"
    "CVE-2024-0002,0.31510,0.96844\n"
    "CVE-2024-0003,0.20000,0.90000\n"
    "CVE-2024-0004,0.70000,0.99000\n"
)


def _exploit_store(root: Path, *, kev: bool, epss: bool) -> Store:
    src = root / "adv"
    src.mkdir()
    for record in RECORDS + EXPLOIT_RECORDS:
        (src / f"{record['id']}.json").write_text(json.dumps(record))
    if kev:
        (src / "known_exploited_vulnerabilities.json").write_text(json.dumps(KEV_CATALOG))
    if epss:
        (src / "epss_scores-2026-11-22.csv").write_text(EPSS_CSV)
    st = Store.open(root / "db.sqlite", create=True)
    assert import_paths(st, [src]).errors == []
    return st


PACKAGES = [_pkg("demo", "1.4.0"), _pkg("left-pad", "1.3.0", "npm"), _pkg("multi", "1.0")]


@pytest.mark.parametrize(
    ("kev", "epss", "expected"),
    [
        # rule id: (kev, epss)
        (True, True, {"CVE-2024-0001": (True, 0.00043), "CVE-2024-0002": (False, 0.3151),
                      "GHSA-nofx-nofx-nofx": (False, None), "CVE-2024-0003": (True, 0.7)}),
        # no catalogue at all: "unknown", not "not exploited"
        (False, True, {"CVE-2024-0001": (None, 0.00043), "CVE-2024-0002": (None, 0.3151),
                       "GHSA-nofx-nofx-nofx": (None, None), "CVE-2024-0003": (None, 0.7)}),
        (True, False, {"CVE-2024-0001": (True, None), "CVE-2024-0002": (False, None),
                       "GHSA-nofx-nofx-nofx": (False, None), "CVE-2024-0003": (True, None)}),
        (False, False, {"CVE-2024-0001": (None, None), "CVE-2024-0002": (None, None),
                        "GHSA-nofx-nofx-nofx": (None, None), "CVE-2024-0003": (None, None)}),
    ],
)
def test_findings_carry_exploit_facts(
    tmp_path: Path, kev: bool, epss: bool, expected: dict[str, tuple[bool | None, float | None]]
) -> None:
    with _exploit_store(tmp_path, kev=kev, epss=epss) as st:
        findings = scan(PACKAGES, st).findings
    assert {f.rule_id: (f.kev, f.epss) for f in findings} == expected
    multi = next(f for f in findings if f.rule_id == "CVE-2024-0003")
    assert multi.aliases == ("CVE-2024-0004", "GHSA-mult-iple-cves")
