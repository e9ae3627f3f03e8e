"""Merging the same issue reported by shiftsec and by imported tools into one finding."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from shiftsec.imports import merge, read_results
from shiftsec.model import Finding, FindingType, Location, Package, Severity, fingerprint

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = "/home/ci/work/repo"
AWS_SECRET = "AKIAZ7QH4XJ2LRNW5KTB"
AWS_SHA = hashlib.sha256(AWS_SECRET.encode()).hexdigest()


def imported(name: str, rule_id: str) -> Finding:
    return next(f for f in read_results(str(FIXTURES / name), root=ROOT).findings if f.rule_id == rule_id)


def native_vuln(path: str = "requirements.txt", version: str = "1.26.5") -> Finding:
    """What scanners/vulns.py reports for urllib3: the CVE is primary, the GHSA Trivy names is an alias."""
    pkg = Package("urllib3", version, "PyPI", f"pkg:pypi/urllib3@{version}", Location(path, 4), direct=True)
    return Finding(
        type=FindingType.VULNERABILITY, rule_id="CVE-2023-43804", severity=Severity.MEDIUM,
        title="Cookie HTTP header isn't stripped on cross-origin redirects",
        message=f"urllib3 {version} (PyPI) is affected by CVE-2023-43804; fixed in 1.26.17",
        fingerprint=fingerprint("vulnerability", "CVE-2023-43804", "PyPI", "urllib3", path),
        aliases=("GHSA-v845-jxx5-vc9f", "PYSEC-2023-192"), location=pkg.location, package=pkg,
        fixed_in="1.26.17", references=("https://osv.dev/vulnerability/GHSA-v845-jxx5-vc9f",),
    )


def native_secret(path: str = "deploy/settings.py", rule_id: str = "aws-access-key-id") -> Finding:
    """What scanners/secrets.py reports for the key gitleaks found."""
    return Finding(
        type=FindingType.SECRET, rule_id=rule_id, severity=Severity.CRITICAL, title="AWS access key ID",
        message=f"AWS access key ID in {path} line 3: AKIA… (20 characters)",
        fingerprint=fingerprint("secret", rule_id, AWS_SHA, path), location=Location(path, 3, 3),
        evidence="AKIA… (20 characters)", secret_sha256=AWS_SHA,
    )


def test_trivy_ghsa_merges_with_shiftsec_cve_through_aliases() -> None:
    trivy = imported("trivy.json", "GHSA-v845-jxx5-vc9f")
    assert trivy.fingerprint != native_vuln().fingerprint  # only the alias group links them
    [merged] = merge([native_vuln(), trivy])
    assert merged.rule_id == "CVE-2023-43804"  # shiftsec's finding wins
    assert merged.title == native_vuln().title
    assert merged.fingerprint == native_vuln().fingerprint
    assert merged.aliases == ("GHSA-v845-jxx5-vc9f", "PYSEC-2023-192")
    assert merged.sources == ("trivy",)  # shiftsec itself is implicit
    assert merged.fixed_versions == ("1.26.17", "2.0.6")  # filled from Trivy
    assert merged.remediation == "Upgrade urllib3 to 1.26.17 or later."  # empty in shiftsec's: filled
    assert merged.references[0] == "https://osv.dev/vulnerability/GHSA-v845-jxx5-vc9f"
    assert "https://github.com/advisories/GHSA-v845-jxx5-vc9f" in merged.references


def test_same_cve_from_trivy_has_shiftsecs_fingerprint() -> None:
    trivy = imported("trivy.json", "CVE-2023-32681")
    pkg = Package("requests", "2.25.0", "PyPI", "pkg:pypi/requests@2.25.0", Location("requirements.txt", 3))
    native = Finding(
        type=FindingType.VULNERABILITY, rule_id="CVE-2023-32681", severity=Severity.MEDIUM, title="t", message="m",
        fingerprint=fingerprint("vulnerability", "CVE-2023-32681", "PyPI", "requests", "requirements.txt"),
        aliases=("GHSA-j8r2-6x86-q33q",), location=pkg.location, package=pkg,
    )
    assert trivy.fingerprint == native.fingerprint
    [merged] = merge([trivy, native])  # order does not matter: shiftsec's finding is the base
    assert (merged.title, merged.location, merged.sources) == ("t", Location("requirements.txt", 3), ("trivy",))
    assert merged.cwes == ("CWE-200",) and merged.cvss_score == 6.1


def test_gitleaks_secret_merges_with_shiftsec_secret() -> None:
    gitleaks = imported("gitleaks.json", "aws-access-key-id")
    assert gitleaks.fingerprint == native_secret().fingerprint
    [merged] = merge([gitleaks, native_secret()])
    assert merged.severity is Severity.CRITICAL and merged.title == "AWS access key ID"
    assert merged.sources == ("gitleaks",)
    assert merged.aliases == ("aws-access-token",)
    assert merged.location is not None and merged.location.commit is None  # shiftsec's location is kept whole


def test_secret_hash_links_differently_named_rules_in_one_file() -> None:
    [merged] = merge([native_secret(rule_id="aws-key-other-name"), imported("gitleaks.json", "aws-access-key-id")])
    assert merged.rule_id == "aws-key-other-name"
    assert merged.sources == ("gitleaks",)


@pytest.mark.parametrize(
    ("native", "fixture", "rule_id"),
    [
        (native_vuln(path="services/api/requirements.txt"), "trivy.json", "GHSA-v845-jxx5-vc9f"),
        (native_vuln(version="1.26.4"), "trivy.json", "GHSA-v845-jxx5-vc9f"),
        (native_secret(path="deploy/other_settings.py"), "gitleaks.json", "aws-access-key-id"),
    ],
    ids=["vuln-other-file", "vuln-other-version", "secret-other-file"],
)
def test_different_files_or_packages_are_not_merged(native: Finding, fixture: str, rule_id: str) -> None:
    other = imported(fixture, rule_id)
    merged = merge([native, other])
    assert merged == [native, other]


def test_only_imported_findings_union_their_sources() -> None:
    trivy = imported("trivy.json", "CVE-2023-32681")
    osv = dataclasses.replace(trivy, sources=("osv-scanner",), cvss_score=None, cwes=("CWE-522",),
                              aliases=("GHSA-j8r2-6x86-q33q",), references=())
    [merged] = merge([osv, trivy])
    assert merged.sources == ("osv-scanner", "trivy")
    assert merged.cvss_score == 6.1  # the richest (Trivy's) is the base
    assert merged.cwes == ("CWE-200", "CWE-522")
    assert merged.aliases == ("GHSA-j8r2-6x86-q33q",)


def test_unrelated_findings_pass_through_in_order() -> None:
    findings = list(read_results(str(FIXTURES / "trivy.json"), root=ROOT).findings)
    assert merge(findings) == findings
    assert merge([]) == []
