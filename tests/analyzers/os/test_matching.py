"""Distro packages found by the OS analyzers, matched against a real advisory store: hand-written records in
the Debian (DSA/DLA), Ubuntu (USN) and Red Hat (RHSA) OSV formats, and the real Alpine secdb imported as is.

Distro advisories list the distro's own fixed versions, so a backported fix (`1.1.1n-0+deb11u4` fixes a flaw
that upstream fixed in 1.1.1t) is recognised by comparing the installed distro version with them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shiftsec.analyzers.api import Parsed
from shiftsec.analyzers.os import apk, dpkg, rpm
from shiftsec.model import Location, Package
from shiftsec.scanners.vulns import release_matches, scan
from shiftsec.vulndb import versions
from shiftsec.vulndb.importing import import_paths
from shiftsec.vulndb.store import Store
from tests.analyzers.os.helpers import mapping_input, rootfs_input
from tests.analyzers.os.test_rpm import package, rpmdb
from tests.conftest import shared


def _distro(adv_id: str, ecosystem: str, name: str, fixed: str, related: list[str], purl: str) -> dict[str, Any]:
    return {
        "id": adv_id,
        "summary": f"{name} security update",
        "modified": "2023-06-01T00:00:00Z",
        "published": "2023-05-30T00:00:00Z",
        "related": related,
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name, "purl": purl},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
        }],
        "schema_version": "1.6.0",
    }


DEB_PURL = "pkg:deb/debian/openssl?arch=source"
RECORDS = [
    # Debian 11 openssl: the first fix is at (below) the installed version, the second above it
    _distro("DSA-5343-1", "Debian:11", "openssl", "1.1.1n-0+deb11u4", ["CVE-2023-0286", "CVE-2023-0215"], DEB_PURL),
    _distro("DSA-5417-1", "Debian:11", "openssl", "1.1.1n-0+deb11u5", ["CVE-2023-0464", "CVE-2023-0465"], DEB_PURL),
    # another release's advisory for the same source package: never applies to Debian 11
    _distro("DLA-3449-1", "Debian:10", "openssl", "1.1.1n-0+deb10u5", ["CVE-2023-0464"], DEB_PURL),
    _distro("DSA-5532-1", "Debian:12", "openssl", "3.0.11-1~deb12u2", ["CVE-2023-5363"], DEB_PURL),
    # Ubuntu 22.04 LTS openssl
    _distro("USN-6119-1", "Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1.10", ["CVE-2023-1255"],
            "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?arch=source&distro=jammy"),
    _distro("USN-6188-1", "Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1.12", ["CVE-2023-2650"],
            "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.12?arch=source&distro=jammy"),
    _distro("USN-9999-1", "Ubuntu:Pro:22.04:LTS", "openssl", "3.0.2-0ubuntu1.99+esm1", ["CVE-2099-0001"],
            "pkg:deb/ubuntu/openssl?arch=source&distro=esm-infra/jammy"),
    # Red Hat: binary rpm names, streams with repositories
    _distro("RHSA-2023:3722", "Red Hat:enterprise_linux:9::baseos", "openssl-libs", "1:3.0.7-16.el9_2",
            ["CVE-2023-0464"], "pkg:rpm/redhat/openssl-libs"),
    _distro("RHSA-2023:5209", "Red Hat:enterprise_linux:9::baseos", "openssl-libs", "1:3.0.7-28.el9",
            ["CVE-2023-3817"], "pkg:rpm/redhat/openssl-libs"),
    _distro("RHSA-2023:5210", "Red Hat:enterprise_linux:9::appstream", "openssl-perl", "1:3.0.7-28.el9",
            ["CVE-2023-3817"], "pkg:rpm/redhat/openssl-perl"),
    _distro("RHSA-2023:4419", "Red Hat:enterprise_linux:8::baseos", "openssl-libs", "1:1.1.1k-12.el8_9",
            ["CVE-2023-3817"], "pkg:rpm/redhat/openssl-libs"),
    _distro("RHSA-2023:4000", "Red Hat:rhel_eus:9.0::baseos", "openssl-libs", "1:3.0.1-99.el9_0",
            ["CVE-2023-0001"], "pkg:rpm/redhat/openssl-libs"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    src = tmp_path_factory.mktemp("osv")
    for record in RECORDS:
        (src / f"{record['id'].replace(':', '_')}.json").write_text(json.dumps(record))
    db = tmp_path_factory.mktemp("db") / "db.sqlite"
    with Store.open(db, create=True) as st:
        result = import_paths(st, [src, shared("advisories", "alpine-secdb")])
        assert result.errors == []
    st = Store.open(db)
    yield st
    st.close()


def _packages(path: str, parsed: Parsed) -> list[Package]:
    """What the image inventory makes of a `Parsed` (the same as `targets.tree`)."""
    return [Package(d.name, d.version, d.ecosystem or parsed.ecosystem, d.purl, Location(path, d.line))
            for d in parsed.packages]


def _found(packages: list[Package], store: Store) -> set[tuple[str, str, str]]:
    """(binary purl name, rule id or primary related id, fixed_in) of every finding."""
    result = scan(packages, store)
    out: set[tuple[str, str, str]] = set()
    for finding in result.findings:
        assert finding.package is not None and finding.package.purl is not None
        binary = finding.package.purl.split("/")[2].split("@")[0]
        out.add((binary, finding.rule_id, finding.fixed_in or ""))
    return out


DEBIAN_11_STATUS = b"""Package: libssl1.1
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 1.1.1n-0+deb11u4

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 1.1.1n-0+deb11u4

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.11.dfsg-2+deb11u2
"""


def test_debian_backport_is_not_reported(store: Store) -> None:
    files = {"etc/os-release": b'ID=debian\nVERSION_ID="11"\n', "var/lib/dpkg/status": DEBIAN_11_STATUS}
    parsed = dpkg.analyze(mapping_input(files, "var/lib/dpkg/status"))
    assert parsed.ecosystem == "Debian:11"
    # upstream fixed CVE-2023-0286 in OpenSSL 1.1.1t: the installed 1.1.1n looks vulnerable upstream...
    assert versions.compare("Debian:11", "1.1.1n", "1.1.1t") < 0
    # ...but Debian's fixed version is the installed one: DSA-5343-1 is not reported; DSA-5417-1 (u5) is, once
    # per binary package, and the Debian 10/12 advisories never apply.
    found = _found(_packages("var/lib/dpkg/status", parsed), store)
    assert found == {("libssl1.1", "DSA-5417-1", "1.1.1n-0+deb11u5"), ("openssl", "DSA-5417-1", "1.1.1n-0+deb11u5")}


def test_binaries_of_one_source_are_distinct_findings(store: Store) -> None:
    files = {"etc/os-release": b'ID=debian\nVERSION_ID="11"\n', "var/lib/dpkg/status": DEBIAN_11_STATUS}
    parsed = dpkg.analyze(mapping_input(files, "var/lib/dpkg/status"))
    findings = scan(_packages("var/lib/dpkg/status", parsed), store).findings
    assert len({f.fingerprint for f in findings}) == len(findings) == 2
    messages = sorted(f.message for f in findings)
    assert messages == [
        "openssl 1.1.1n-0+deb11u4 (Debian:11) is affected by DSA-5417-1; fixed in 1.1.1n-0+deb11u5",
        "openssl 1.1.1n-0+deb11u4 (Debian:11, binary libssl1.1) is affected by DSA-5417-1; fixed in 1.1.1n-0+deb11u5",
    ]


def test_debian_package_without_release_is_not_matched(store: Store) -> None:
    parsed = dpkg.analyze(mapping_input({"var/lib/dpkg/status": DEBIAN_11_STATUS}, "var/lib/dpkg/status"))
    assert parsed.ecosystem == "Debian"
    result = scan(_packages("var/lib/dpkg/status", parsed), store)
    assert result.findings == ()
    assert [e.kind for e in result.errors] == ["no-release"]


def test_ubuntu_lts(store: Store) -> None:
    status = (b"Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\n"
              b"Version: 3.0.2-0ubuntu1.10\n")
    files = {"etc/os-release": b'ID=ubuntu\nVERSION_ID="22.04"\nVERSION="22.04.2 LTS (Jammy Jellyfish)"\n',
             "var/lib/dpkg/status": status}
    parsed = dpkg.analyze(mapping_input(files, "var/lib/dpkg/status"))
    assert parsed.ecosystem == "Ubuntu:22.04:LTS"
    # USN-6119-1 is fixed at the installed version; the Ubuntu Pro (ESM) record is a different release
    assert _found(_packages("var/lib/dpkg/status", parsed), store) == {("libssl3", "USN-6188-1", "3.0.2-0ubuntu1.12")}


def test_alpine_secdb(store: Store) -> None:
    installed = (b"P:libcrypto1.1\nV:1.1.1d-r2\nA:x86_64\no:openssl\n\n"
                 b"P:libssl1.1\nV:1.1.1d-r2\nA:x86_64\no:openssl\n\n"
                 b"P:musl\nV:1.1.24-r2\nA:x86_64\no:musl\n")
    files = {"etc/alpine-release": b"3.11.6\n", "lib/apk/db/installed": installed}
    parsed = apk.analyze(mapping_input(files, "lib/apk/db/installed"))
    assert parsed.ecosystem == "Alpine:v3.11"
    # v3.11/main.yaml: openssl 1.1.1d-r3 fixes CVE-2019-1551; 1.1.1d-r1 (CVE-2019-1547/1549/1563) is installed already
    found = _found(_packages("lib/apk/db/installed", parsed), store)
    assert found == {("libcrypto1.1", "CVE-2019-1551", "1.1.1d-r3"), ("libssl1.1", "CVE-2019-1551", "1.1.1d-r3")}


def test_alpine_minirootfs_release_is_scoped(store: Store) -> None:
    # the real 3.14 rootfs: the store only holds secdb branches up to v3.11, none of which applies to v3.14
    parsed = apk.analyze(rootfs_input(shared("os-pkgdb", "alpine-minirootfs-3.14-armv7"), "lib/apk/db/installed"))
    result = scan(_packages("lib/apk/db/installed", parsed), store)
    assert result.findings == () and result.errors == ()
    # the same packages declared as Alpine 3.10 would match that branch's openssl fixes: the scoping is real
    as_310 = [Package(p.name, "1.1.1c-r0", "Alpine:v3.10", p.purl, p.location)
              for p in _packages("lib/apk/db/installed", parsed) if p.name == "openssl"]
    assert len(as_310) == 2 and scan(as_310, store).findings


def test_red_hat_streams(store: Store, tmp_path: Path) -> None:
    blobs = [package("openssl-libs", "3.0.7", "27.el9", "x86_64", "openssl-3.0.7-27.el9.src.rpm", epoch=1)]
    files = {"etc/os-release": b'ID="rhel"\nVERSION_ID="9.3"\n', "var/lib/rpm/rpmdb.sqlite": rpmdb(tmp_path, blobs)}
    parsed = rpm.analyze(mapping_input(files, "var/lib/rpm/rpmdb.sqlite"))
    assert parsed.ecosystem == "Red Hat:enterprise_linux:9"
    # RHSA-2023:3722 is fixed at -16 (installed -27); RHSA-2023:5209 at -28; RHEL 8 and EUS 9.0 streams never apply
    assert _found(_packages("var/lib/rpm/rpmdb.sqlite", parsed), store) == {
        ("openssl-libs", "RHSA-2023:5209", "1:3.0.7-28.el9")}


@pytest.mark.parametrize(("package_ecosystem", "advisory_ecosystem", "expected"), [
    ("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:9::baseos", True),
    ("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:9::appstream", True),
    ("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:9", True),
    ("Red Hat:enterprise_linux:9", "Red Hat", True),
    ("Red Hat:enterprise_linux:9", "Red Hat:enterprise_linux:8::baseos", False),
    ("Red Hat:enterprise_linux:9", "Red Hat:rhel_eus:9.2::baseos", False),
    ("Red Hat", "Red Hat:enterprise_linux:9::baseos", False),
    ("Ubuntu:22.04:LTS", "Ubuntu:22.04", True),
    ("Ubuntu:22.04:LTS", "Ubuntu:Pro:22.04:LTS", False),
    ("Debian:11", "Debian:12", False),
])
def test_release_matches(package_ecosystem: str, advisory_ecosystem: str, expected: bool) -> None:
    assert release_matches(package_ecosystem, advisory_ecosystem) is expected
