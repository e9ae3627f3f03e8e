"""apk's installed database over the real syft, trivy and Alpine minirootfs fixtures (checked by hand)."""

from __future__ import annotations

import pytest

from shiftsec.analyzers.api import InputFile, ParseError
from shiftsec.analyzers.os import apk, os_analyzer_for
from tests.analyzers.os.helpers import rootfs_input
from tests.conftest import shared

SYFT = ("os-pkgdb", "syft", "syft", "pkg", "cataloger", "alpine", "testdata")
MINIROOTFS = ("os-pkgdb", "alpine-minirootfs-3.14-armv7")


def _file(*parts: str) -> InputFile:
    return InputFile("lib/apk/db/installed", shared(*parts).read_bytes())


def test_minirootfs_with_its_release_files() -> None:
    parsed = apk.analyze(rootfs_input(shared(*MINIROOTFS), "lib/apk/db/installed"))
    assert parsed.ecosystem == "Alpine:v3.14"
    assert len(parsed.packages) == 26
    assert parsed.notes == ()
    first = parsed.packages[0]
    assert (first.name, first.version, first.line) == ("musl", "1.2.2-r3", 1)
    assert first.purl == "pkg:apk/alpine/musl@1.2.2-r3?arch=armv7&distro=alpine-3.14.0"
    crypto = [d for d in parsed.packages if d.purl and "/libcrypto1.1@" in d.purl]
    assert [(d.name, d.version) for d in crypto] == [("openssl", "1.1.1k-r0")]
    assert crypto[0].purl == "pkg:apk/alpine/libcrypto1.1@1.1.1k-r0?arch=armv7&distro=alpine-3.14.0&upstream=openssl"
    origins = sorted({d.name for d in parsed.packages})
    assert origins == ["alpine-baselayout", "alpine-keys", "apk-tools", "boost1.75", "busybox", "ca-certificates",
                       "gcc", "icu", "ifupdown-ng", "libc-dev", "libretls", "musl", "openrc", "openssl", "pax-utils",
                       "zlib"]


FIXTURES = [
    ((*SYFT, "single"), [("musl", "1.1.24-r2")]),
    ((*SYFT, "base"), [("alpine-baselayout", "3.2.0-r6")]),
    ((*SYFT, "empty-deps-and-provides"), None),
    ((*SYFT, "extra-file-attributes"), None),
    ((*SYFT, "multiple-1", "lib", "apk", "db", "installed"),
     [("bash", "5.2.21-r0"), ("busybox", "1.36.1-r15"), ("musl", "1.2.4_git20230717-r4"), ("readline", "8.2.1-r2")]),
    ((*SYFT, "multiple-2", "lib", "apk", "db", "installed"), 14),
    (("os-pkgdb", "trivy", "pkg", "fanal", "analyzer", "testdata", "lib", "apk", "db", "installed"),
     [("musl", "1.1.24-r2")]),
    (("os-pkgdb", "syft", "cmd", "syft", "internal", "test", "integration", "testdata", "image-pkg-coverage", "pkgs",
      "lib", "apk", "db", "installed"), [("libc-dev", "0.7.2-r0"), ("musl", "1.1.24-r2")]),
]


@pytest.mark.parametrize(("parts", "expected"), FIXTURES, ids=["/".join(p[0][1:]) for p in FIXTURES])
def test_fixtures(parts: tuple[str, ...], expected: list[tuple[str, str]] | int | None) -> None:
    parsed = apk.analyze(_file(*parts))
    assert parsed.ecosystem == "Alpine"  # no release files reachable
    if isinstance(expected, int):
        assert len(parsed.packages) == expected
    elif expected is None:
        assert len(parsed.packages) == 1
    else:
        assert [(d.name, d.version) for d in parsed.packages] == expected


def test_trivy_package_without_version_is_skipped() -> None:
    parsed = apk.analyze(_file("os-pkgdb", "trivy", "pkg", "fanal", "analyzer", "pkg", "apk", "testdata", "apk"))
    assert len(parsed.packages) == 15  # 16 entries; "invalidPackageWithoutAVersion" has no V:
    assert any("1 entries without a package name" in n for n in parsed.notes)
    by_origin = {(d.name, d.version) for d in parsed.packages}
    assert ("openssl", "1.0.2h-r1") in by_origin and ("pax-utils", "1.1.6-r0") in by_origin
    assert ("test-parent", "2.9.11_pre20061021-r2") in by_origin


@pytest.mark.parametrize("parts", [(*SYFT, "corrupt", "lib", "apk", "db", "installed"),
                                   (*SYFT, "glob-paths", "lib", "apk", "db", "installed")])
def test_not_an_apk_database(parts: tuple[str, ...]) -> None:
    with pytest.raises(ParseError, match=r"^line 1: not an 'X:value' line of an apk database$"):
        apk.analyze(_file(*parts))


@pytest.mark.parametrize(("path", "wanted"), [
    ("lib/apk/db/installed", True), ("x/lib/apk/db/installed", True), ("lib/apk/db/installed.bak", False),
    ("usr/lib/apk/db/lock", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert (os_analyzer_for(path) is apk.ANALYZER) is wanted
