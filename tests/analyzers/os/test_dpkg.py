"""dpkg status and status.d over the real syft and trivy fixtures (counts and names checked by hand)."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import Dependency, InputFile, ParseError
from shiftsec.analyzers.os import OS_ANALYZERS, dpkg, os_analyzer_for
from shiftsec.analyzers.os.release import detect
from tests.analyzers.os.helpers import mapping_input, parse_txtar, rootfs_input
from tests.conftest import shared

SYFT = ("os-pkgdb", "syft", "syft", "pkg", "cataloger", "debian", "testdata")
TRIVY = ("os-pkgdb", "trivy", "pkg", "fanal", "analyzer", "pkg", "dpkg", "testdata")
DEBIAN_11 = b'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"\nID=debian\nVERSION_ID="11"\n'
UBUNTU_1804 = b'NAME="Ubuntu"\nVERSION="18.04.1 LTS (Bionic Beaver)"\nID=ubuntu\nVERSION_ID="18.04"\n'


def _status_d(name: str) -> InputFile:
    path = shared(*SYFT, "var", "lib", "dpkg", "status.d", name)
    return InputFile(f"var/lib/dpkg/status.d/{name}", path.read_bytes())


def _names(deps: tuple[Dependency, ...]) -> list[tuple[str, str]]:
    return [(d.name, d.version) for d in deps]


# (status.d file, expected (source, source version) in file order, skipped entries without Package/Version)
STATUS_D = [
    ("single", [("apt-dev", "1.8.2")], 0),
    ("installed-size-4KB", [("apt-dev", "1.8.2")], 0),
    ("coreutils-relationships", [
        ("coreutils", "9.1-1"), ("acl", "2.3.1-3"), ("glibc", "2.36-9+deb12u1"), ("gcc-12", "12.2.0-14"),
        ("gcc-12", "12.2.0-14"), ("attr", "1:2.5.1-4"), ("gmp", "2:6.2.1+dfsg1-1.1"),
        ("libselinux", "3.4-1"),  # "Source: libselinux (3.4-1)" for binary version 3.4-1+b6 (a binNMU)
        ("pcre2", "10.42-1"),
    ], 0),
    ("libpam-runtime", [("pam", "1.5.2-6+deb12u1")], 5),  # five bare "Package: x" stanzas
    ("deinstall", [("linux-signed-aws-6.14", "6.14.0-1012.12~24.04.1")], 0),  # the other: deinstall ok config-files
    ("multiple", [("tzdata-dev", "2020a-0+deb10u1"), ("util-linux", "2.33.1-0.1")], 2),  # "Package:" and no-version
    ("doc-examples", [("mutt", "1.3.17-1"), ("glibc", "1.0.0"), ("made-up-package-2", "2.0.0"),
                      ("made-up-package-3", "3.0.0"), ("made-up-package-4", "3.0.0")], 11),
    ("empty", [], 1),
]


@pytest.mark.parametrize(("name", "expected", "skipped"), STATUS_D, ids=[c[0] for c in STATUS_D])
def test_status_d_fixtures(name: str, expected: list[tuple[str, str]], skipped: int) -> None:
    parsed = dpkg.analyze(_status_d(name))  # no release files reachable: unversioned Debian
    assert parsed.ecosystem == "Debian"
    assert _names(parsed.packages) == expected
    assert any(f"{skipped} entries without" in n for n in parsed.notes) == bool(skipped)
    if parsed.packages:
        assert any("operating system not recognised" in n for n in parsed.notes)


def test_corrupt_status_d_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"^line 5: not a 'Field: value' line"):
        dpkg.analyze(_status_d("corrupt"))


def test_purls_keep_binary_arch_source_and_distro() -> None:
    os = detect({"etc/os-release": b'ID=debian\nVERSION_ID="12"\n'})
    parsed = dpkg.analyze_with_os(_status_d("coreutils-relationships"), os)
    assert parsed.ecosystem == "Debian:12"
    purls = {d.purl for d in parsed.packages}
    assert "pkg:deb/debian/coreutils@9.1-1?arch=arm64&distro=debian-12" in purls
    assert "pkg:deb/debian/libc6@2.36-9%2Bdeb12u1?arch=arm64&distro=debian-12&upstream=glibc" in purls
    assert "pkg:deb/debian/libattr1@1:2.5.1-4?arch=arm64&distro=debian-12&upstream=attr" in purls
    assert "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=arm64&distro=debian-12&upstream=libselinux%403.4-1" in purls
    lines = [d.line for d in parsed.packages]
    assert lines == [1, 13, 25, 40, 55, 67, 79, 92, 104]


def test_image_dpkg_fixture_with_its_os_release() -> None:
    root = shared(*SYFT, "image-dpkg")
    parsed = dpkg.analyze(rootfs_input(root, "var/lib/dpkg/status"))
    assert parsed.ecosystem == "Debian:12"
    assert _names(parsed.packages) == [("pam", "1.1.8-3.6")]
    assert parsed.packages[0].purl == "pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12&upstream=pam"


def test_distroless_status_d_with_debian_version_only() -> None:
    root = shared(*SYFT, "image-distroless-deb")
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    files["etc/debian_version"] = b"11.6\n"  # what a distroless base image holds instead of os-release
    wanted = sorted(p for p in files if os_analyzer_for(p) is not None)
    assert wanted == ["var/lib/dpkg/status.d/libsqlite3-0"]  # not the .md5sums / .preinst beside it
    parsed = dpkg.analyze(mapping_input(files, wanted[0]))
    assert parsed.ecosystem == "Debian:11"
    assert parsed.packages[0].name == "sqlite3" and parsed.packages[0].version == "3.34.1-3"
    assert parsed.packages[0].purl == (
        "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&distro=debian-11.6&upstream=sqlite3")


def test_syft_integration_image() -> None:
    root = shared("os-pkgdb", "syft", "cmd", "syft", "internal", "test", "integration", "testdata",
                  "image-pkg-coverage", "pkgs")
    status = dpkg.analyze(rootfs_input(root, "var/lib/dpkg/status"))
    assert _names(status.packages) == [("apt-dev", "1.8.2")]
    dash = dpkg.analyze(rootfs_input(root, "var/lib/dpkg/status.d/dash"))
    netbase = dpkg.analyze(rootfs_input(root, "var/lib/dpkg/status.d/netbase"))
    assert _names(dash.packages + netbase.packages) == [("dash", "0.5.8-2.4"), ("netbase", "5.4")]


def _txtar(name: str) -> dict[str, bytes]:
    files = parse_txtar(shared(*TRIVY, name).read_text())
    files["etc/os-release"] = UBUNTU_1804
    return files


def test_trivy_valid_status() -> None:
    files = _txtar("valid.txtar")
    parsed = dpkg.analyze(mapping_input(files, "var/lib/dpkg/status"))
    assert parsed.ecosystem == "Ubuntu:18.04:LTS"
    # 91 entries, one of them "git" with "Status: deinstall ok config-files"
    assert len(parsed.packages) == 90
    binaries = [d.purl.split("/")[2].split("@")[0] for d in parsed.packages if d.purl]
    assert "git" not in binaries and len(binaries) == 90
    by_binary = dict(zip(binaries, _names(parsed.packages), strict=True))
    assert by_binary["fdisk"] == ("util-linux", "2.31.1-0.4ubuntu3.1")
    assert by_binary["liblzma5"] == ("xz-utils", "5.1.1alpha+20120614-2")
    assert by_binary["bsdutils"] == ("util-linux", "2.31.1-0.4ubuntu3.1")  # the binary's epoch 1: is not the source's
    assert by_binary["libgcc1"] == ("gcc-8", "8-20180414-1ubuntu2")
    assert by_binary["zlib1g"] == ("zlib", "1:1.2.11.dfsg-0ubuntu2")
    assert by_binary["bash"] == ("bash", "4.4.18-2ubuntu1")
    assert sum(1 for d in parsed.packages if d.name == "util-linux") == 9
    assert parsed.notes == ()


@pytest.mark.parametrize(("name", "expected"), [
    ("corrupsed.txtar", [("pam", "1.1.8-3.1ubuntu3"), ("pam", "1.1.8-3.1ubuntu3"), ("makedev", "2.3.1-93ubuntu1"),
                         ("gcc-5", "5.1.1-12ubuntu1")]),  # invalidpkg has no Status: not installed
    ("digest.txtar", [("sed", "4.4-2"), ("tar", "1.34+dfsg-1")]),  # `available` is not read
    ("md5sums.txtar", [("tar", "1.29b-2")]),
    ("only-apt.txtar", [("apt", "1.6.3ubuntu0.1")]),
    ("third-party.txtar", [("docker-ce", "5:20.10.7~3-0~debian-buster"), ("apt", "1.6.3ubuntu0.1")]),
])
def test_trivy_fixtures(name: str, expected: list[tuple[str, str]]) -> None:
    files = _txtar(name)
    assert [p for p in files if os_analyzer_for(p)] == ["var/lib/dpkg/status"]
    parsed = dpkg.analyze(mapping_input(files, "var/lib/dpkg/status"))
    assert _names(parsed.packages) == expected


@pytest.mark.parametrize(("path", "wanted"), [
    ("var/lib/dpkg/status", True),
    ("rootfs/var/lib/dpkg/status", True),
    ("var/lib/dpkg/status.d/libc6", True),
    ("var/lib/dpkg/status.d/libc6.md5sums", False),
    ("var/lib/dpkg/status-old", False),
    ("var/lib/dpkg/available", False),
    ("var/lib/dpkg/info/tar.md5sums", False),
    ("xvar/lib/dpkg/status", False),
    ("var/lib/dpkg/status.d/sub/x", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert dpkg.required(path) is wanted
    assert (os_analyzer_for(path) is dpkg.ANALYZER) is wanted


def test_os_analyzers_are_not_lockfile_analyzers() -> None:
    from shiftsec.analyzers.registry import analyzer_for

    for path in ("var/lib/dpkg/status", "lib/apk/db/installed", "var/lib/rpm/rpmdb.sqlite"):
        assert analyzer_for(path) is None
        assert os_analyzer_for(path) in OS_ANALYZERS


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", b"Package: a\n continuation\n\x00", b" leading continuation\n",
                                  b"Description: only\n"])
def test_bad_input_is_a_parse_error_or_empty(data: bytes) -> None:
    try:
        parsed = dpkg.analyze(InputFile("var/lib/dpkg/status", data))
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        assert parsed.packages == ()


def test_os_wanted_covers_databases_and_release_files() -> None:
    from shiftsec.analyzers.os import RELEASE_FILES, os_wanted

    assert all(os_wanted(p) for p in RELEASE_FILES)
    assert os_wanted("var/lib/dpkg/status") and os_wanted("lib/apk/db/installed")
    assert not os_wanted("etc/passwd") and not os_wanted("usr/share/doc/libc6/copyright")
