"""OS detection from release files: os-release and the distribution-specific files, with OSV ecosystems."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.os.release import OperatingSystem, detect, parse_os_release
from tests.conftest import shared

DEBIAN_12 = b"""PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
"""
DEBIAN_TRIXIE_TESTING = b"""PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
"""
DISTROLESS = b"""PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="11"
VERSION="Debian GNU/Linux 11 (bullseye)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
"""
UBUNTU_2204 = b"""PRETTY_NAME="Ubuntu 22.04.3 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.3 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
"""
UBUNTU_2310 = b"""PRETTY_NAME="Ubuntu 23.10"
NAME="Ubuntu"
VERSION_ID="23.10"
VERSION="23.10 (Mantic Minotaur)"
ID=ubuntu
ID_LIKE=debian
"""
UBI_9 = b"""NAME="Red Hat Enterprise Linux"
VERSION="9.3 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
"""
ROCKY_9 = b'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n'
ALMA_8 = b'NAME="AlmaLinux"\nID="almalinux"\nVERSION_ID="8.9"\nPRETTY_NAME="AlmaLinux 8.9 (Midnight Oncilla)"\n'
SLES = b'NAME="SLES"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\n'
LEAP = b'NAME="openSUSE Leap"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\nID="opensuse-leap"\n'
CENTOS_7 = b'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n'
WOLFI = b'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n'
RASPBIAN = b'PRETTY_NAME="Raspbian GNU/Linux 11 (bullseye)"\nID=raspbian\nID_LIKE=debian\nVERSION_ID="11"\n'
ALPINE_EDGE = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0_alpha20240315\n'


def _alpine_rootfs() -> dict[str, bytes]:
    root = shared("os-pkgdb", "alpine-minirootfs-3.14-armv7")
    return {p: (root / p).read_bytes() for p in ("etc/os-release", "etc/alpine-release")}


def _syft_debian() -> dict[str, bytes]:
    path = shared("os-pkgdb", "syft", "syft", "pkg", "cataloger", "debian", "testdata", "image-dpkg", "etc",
                  "os-release")
    return {"etc/os-release": path.read_bytes()}


CASES: list[tuple[str, dict[str, bytes], tuple[str, str, str | None]]] = [
    ("debian 12 os-release", {"etc/os-release": DEBIAN_12}, ("debian", "12", "Debian:12")),
    ("debian 12 in usr/lib", {"usr/lib/os-release": DEBIAN_12}, ("debian", "12", "Debian:12")),
    ("syft image-dpkg fixture", _syft_debian(), ("debian", "12", "Debian:12")),
    ("debian testing: codename", {"etc/os-release": DEBIAN_TRIXIE_TESTING,
                                  "etc/debian_version": b"trixie/sid\n"}, ("debian", "trixie/sid", "Debian:13")),
    ("debian sid only", {"etc/debian_version": b"sid\n"}, ("debian", "sid", "Debian:sid")),
    ("distroless os-release", {"etc/os-release": DISTROLESS}, ("debian", "11", "Debian:11")),
    ("distroless: debian_version only", {"etc/debian_version": b"12.5\n"}, ("debian", "12.5", "Debian:12")),
    ("debian_version with point release", {"etc/debian_version": b"10.13"}, ("debian", "10.13", "Debian:10")),
    ("ubuntu 22.04 LTS", {"etc/os-release": UBUNTU_2204}, ("ubuntu", "22.04", "Ubuntu:22.04:LTS")),
    ("ubuntu 23.10", {"etc/os-release": UBUNTU_2310}, ("ubuntu", "23.10", "Ubuntu:23.10")),
    ("ubuntu lsb-release only", {"etc/lsb-release": b"DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\n"
                                 b"DISTRIB_CODENAME=focal\nDISTRIB_DESCRIPTION=\"Ubuntu 20.04.6 LTS\"\n"},
     ("ubuntu", "20.04", "Ubuntu:20.04:LTS")),
    ("alpine minirootfs 3.14", _alpine_rootfs(), ("alpine", "3.14.0", "Alpine:v3.14")),
    ("alpine-release only", {"etc/alpine-release": b"3.18.4\n"}, ("alpine", "3.18.4", "Alpine:v3.18")),
    ("alpine edge", {"etc/os-release": ALPINE_EDGE}, ("alpine", "3.20.0_alpha20240315", "Alpine")),
    ("ubi 9", {"etc/os-release": UBI_9}, ("rhel", "9.3", "Red Hat:enterprise_linux:9")),
    ("redhat-release only", {"etc/redhat-release": b"Red Hat Enterprise Linux release 8.9 (Ootpa)\n"},
     ("rhel", "8.9", "Red Hat:enterprise_linux:8")),
    ("rocky 9", {"etc/os-release": ROCKY_9}, ("rocky", "9.3", "Rocky Linux:9")),
    ("rocky-release only", {"etc/rocky-release": b"Rocky Linux release 9.3 (Blue Onyx)\n",
                            "etc/redhat-release": b"Rocky Linux release 9.3 (Blue Onyx)\n"},
     ("rocky", "9.3", "Rocky Linux:9")),
    ("alma 8", {"etc/os-release": ALMA_8}, ("almalinux", "8.9", "AlmaLinux:8")),
    ("sles 15 sp5", {"etc/os-release": SLES}, ("sles", "15.5", "SUSE:Linux Enterprise Server 15 SP5")),
    ("opensuse leap", {"etc/os-release": LEAP}, ("opensuse-leap", "15.5", "openSUSE:Leap 15.5")),
    ("centos 7: no OSV ecosystem", {"etc/os-release": CENTOS_7}, ("centos", "7", None)),
    ("centos-release only", {"etc/centos-release": b"CentOS Linux release 7.9.2009 (Core)\n"},
     ("centos", "7.9.2009", None)),
    ("wolfi", {"etc/os-release": WOLFI}, ("wolfi", "20230201", "Wolfi")),
    ("raspbian: derivative, no ecosystem", {"etc/os-release": RASPBIAN}, ("raspbian", "11", None)),
]


@pytest.mark.parametrize(("files", "expected"), [(f, e) for _, f, e in CASES], ids=[c[0] for c in CASES])
def test_detect(files: dict[str, bytes], expected: tuple[str, str, str | None]) -> None:
    found = detect(files)
    assert found is not None
    assert (found.id, found.version, found.ecosystem) == expected


def test_nothing_to_detect() -> None:
    assert detect({}) is None
    assert detect({"etc/os-release": b"# empty\n", "etc/hostname": b"box\n"}) is None
    assert detect({"etc/os-release": b"\xff\xfe garbage \x00"}) is None


def test_families_and_purl_distro() -> None:
    raspbian = detect({"etc/os-release": RASPBIAN})
    assert raspbian == OperatingSystem("raspbian", "11", "Raspbian GNU/Linux 11 (bullseye)", None, "debian")
    centos = detect({"etc/os-release": CENTOS_7})
    assert centos is not None and centos.family == "rpm"
    alpine = detect(_alpine_rootfs())
    assert alpine is not None and alpine.purl_distro == "alpine-3.14.0" and alpine.family == "alpine"


def test_os_release_quoting() -> None:
    fields = parse_os_release(b'A="quoted \\"x\\""\nB=\'single\'\nC=plain\n# comment\nbroken line\n')
    assert fields == {"A": 'quoted "x"', "B": "single", "C": "plain"}
