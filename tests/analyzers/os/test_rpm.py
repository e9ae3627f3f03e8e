"""The SQLite rpmdb: real SQLite files built by the test from rpm headers in rpm's own binary layout, the
syft fixtures (placeholders: refused with one-line errors), and the refused Berkeley DB / ndb formats."""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest

from shiftsec.analyzers.api import InputFile, ParseError
from shiftsec.analyzers.os import os_analyzer_for, rpm
from tests.analyzers.os.helpers import mapping_input
from tests.conftest import shared

UBI_9 = (b'NAME="Red Hat Enterprise Linux"\nID="rhel"\nVERSION_ID="9.3"\n'
         b'PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"\n')
ROCKY_9 = b'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.3"\n'
SYFT = ("os-pkgdb", "syft", "syft", "pkg", "cataloger", "redhat", "testdata", "glob-paths")

STRING, INT32, BIN, STRING_ARRAY, I18NSTRING = 6, 4, 7, 8, 9


def header(tags: list[tuple[int, int, object]], *, magic: bool = False) -> bytes:
    """An rpm header as `headerExport` writes it: il, dl, 16-byte index entries, then the data store."""
    entries: list[bytes] = []
    store = bytearray()
    for tag, kind, value in tags:
        if kind == INT32:
            while len(store) % 4:
                store.append(0)
            entries.append(struct.pack(">iIiI", tag, kind, len(store), 1))
            store += struct.pack(">i", value)
        elif kind == BIN:
            assert isinstance(value, bytes)
            entries.append(struct.pack(">iIiI", tag, kind, len(store), len(value)))
            store += value
        else:
            items = value if isinstance(value, list) else [value]
            entries.append(struct.pack(">iIiI", tag, kind, len(store), len(items)))
            for item in items:
                store += str(item).encode() + b"\0"
    blob = struct.pack(">II", len(entries), len(store)) + b"".join(entries) + bytes(store)
    return (b"\x8e\xad\xe8\x01\x00\x00\x00\x00" + blob) if magic else blob


def package(name: str, version: str, release: str, arch: str, srpm: str | None, epoch: int | None = None,
            *, magic: bool = False) -> bytes:
    tags: list[tuple[int, int, object]] = [
        (63, BIN, b"\x00" * 16),  # the immutable region tag every installed header starts with
        (1000, STRING, name), (1001, STRING, version), (1002, STRING, release),
        (1004, I18NSTRING, f"The {name} package"), (1022, STRING, arch),
        (1117, STRING_ARRAY, ["bin", "lib64"]),  # BASENAMES: not read
    ]
    if epoch is not None:
        tags.append((1003, INT32, epoch))
    if srpm is not None:
        tags.append((1044, STRING, srpm))
    return header(tags, magic=magic)


def rpmdb(tmp_path: Path, blobs: list[bytes]) -> bytes:
    """A real rpm SQLite database file (rpm's schema for the Packages table) holding `blobs`."""
    path = tmp_path / "rpmdb.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    conn.execute("CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL)")
    conn.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    conn.commit()
    conn.close()
    return path.read_bytes()


BLOBS = [
    package("bash", "5.1.8", "6.el9_1", "x86_64", "bash-5.1.8-6.el9_1.src.rpm"),
    package("openssl-libs", "3.0.7", "27.el9", "x86_64", "openssl-3.0.7-27.el9.src.rpm", epoch=1, magic=True),
    package("gpg-pubkey", "fd431d51", "4ae0493b", "(none)", None),  # an imported key, not a package
    b"\x00\x00\x00\x05",  # truncated
    header([(1001, STRING, "1.0")]),  # no name
    package("tzdata", "2023c", "1.el9", "noarch", "tzdata-2023c-1.el9.src.rpm", epoch=0),
]


def test_rhel_packages_keep_binary_names(tmp_path: Path) -> None:
    files = {"etc/os-release": UBI_9, "var/lib/rpm/rpmdb.sqlite": rpmdb(tmp_path, BLOBS)}
    parsed = rpm.analyze(mapping_input(files, "var/lib/rpm/rpmdb.sqlite"))
    assert parsed.ecosystem == "Red Hat:enterprise_linux:9"
    assert [(d.name, d.version) for d in parsed.packages] == [
        ("bash", "5.1.8-6.el9_1"), ("openssl-libs", "1:3.0.7-27.el9"), ("tzdata", "2023c-1.el9")]
    assert [d.purl for d in parsed.packages] == [
        "pkg:rpm/rhel/bash@5.1.8-6.el9_1?arch=x86_64&distro=rhel-9.3&upstream=bash-5.1.8-6.el9_1.src.rpm",
        "pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.3&epoch=1"
        "&upstream=openssl-3.0.7-27.el9.src.rpm",
        "pkg:rpm/rhel/tzdata@2023c-1.el9?arch=noarch&distro=rhel-9.3&upstream=tzdata-2023c-1.el9.src.rpm",
    ]
    assert parsed.notes == ("2 rpm headers without a readable name and version skipped",)


def test_rocky_packages_take_the_source_name(tmp_path: Path) -> None:
    path = "usr/lib/sysimage/rpm/rpmdb.sqlite"
    files = {"etc/os-release": ROCKY_9, path: rpmdb(tmp_path, BLOBS)}
    parsed = rpm.analyze(mapping_input(files, path))
    assert parsed.ecosystem == "Rocky Linux:9"
    assert [(d.name, d.version) for d in parsed.packages] == [
        ("bash", "5.1.8-6.el9_1"), ("openssl", "1:3.0.7-27.el9"), ("tzdata", "2023c-1.el9")]


def test_unknown_os_falls_back_to_unversioned_red_hat(tmp_path: Path) -> None:
    parsed = rpm.analyze(InputFile("var/lib/rpm/rpmdb.sqlite", rpmdb(tmp_path, BLOBS[:1])))
    assert parsed.ecosystem == "Red Hat"
    assert parsed.packages[0].purl == (
        "pkg:rpm/redhat/bash@5.1.8-6.el9_1?arch=x86_64&upstream=bash-5.1.8-6.el9_1.src.rpm")
    assert any("operating system not recognised" in n for n in parsed.notes)


@pytest.mark.parametrize(("path", "message"), [
    (("var", "lib", "rpm", "rpmdb.sqlite"), r"^not an SQLite database"),
    (("usr", "share", "rpm", "rpmdb.sqlite"), r"^not an SQLite database"),
    (("usr", "lib", "sysimage", "rpm", "rpmdb.sqlite"), r"^not an SQLite database"),  # an empty file
    (("var", "lib", "rpm", "Packages"), r"^unsupported rpmdb format \(Berkeley DB/ndb\): Packages is not"),
    (("var", "lib", "rpm", "Packages.db"), r"^unsupported rpmdb format \(Berkeley DB/ndb\): Packages.db is not"),
])
def test_syft_placeholder_databases_are_parse_errors(path: tuple[str, ...], message: str) -> None:
    rel = "/".join(path)
    assert os_analyzer_for(rel) is rpm.ANALYZER
    with pytest.raises(ParseError, match=message):
        rpm.analyze(InputFile(rel, shared(*SYFT, *path).read_bytes()))


@pytest.mark.parametrize(("name", "data", "what"), [
    ("Packages", b"\x00" * 12 + b"\x61\x15\x06\x00" + b"\x00" * 4080, "Berkeley DB hash database"),
    ("Packages", b"\x00" * 12 + b"\x00\x06\x15\x61" + b"\x00" * 4080, "Berkeley DB hash database"),
    ("Packages.db", b"RpmP" + b"\x00" * 4092, "ndb database"),
])
def test_berkeley_db_and_ndb_are_refused_with_a_hint(name: str, data: bytes, what: str) -> None:
    with pytest.raises(ParseError, match=r"^unsupported rpmdb format \(Berkeley DB/ndb\): ") as caught:
        rpm.analyze(InputFile(f"var/lib/rpm/{name}", data))
    assert what in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.hint and "rpmdb.sqlite" in caught.value.hint


def test_sqlite_without_packages_table(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ParseError, match=r"^cannot read the rpm SQLite database: no such table: Packages$"):
        rpm.analyze(InputFile("var/lib/rpm/rpmdb.sqlite", path.read_bytes()))


def test_truncated_sqlite_is_a_parse_error(tmp_path: Path) -> None:
    data = rpmdb(tmp_path, BLOBS)
    with pytest.raises(ParseError):
        rpm.analyze(InputFile("var/lib/rpm/rpmdb.sqlite", data[:100]))


GOOD = package("bash", "5.1.8", "6.el9_1", "x86_64", "bash-5.1.8-6.el9_1.src.rpm")


@pytest.mark.parametrize(("blob", "reason"), [
    (b"", "shorter than a header"),
    (struct.pack(">II", 0, 0), "implausible number"),
    (struct.pack(">II", 1 << 20, 0), "implausible number"),
    (GOOD[:-3], "beyond the end"),
    (struct.pack(">II", 1, 4) + struct.pack(">iIiI", 1000, STRING, 9, 1) + b"abcd", "outside the data store"),
    (struct.pack(">II", 1, 4) + struct.pack(">iIiI", 1000, STRING, 0, 1) + b"abcd", "unterminated string"),
    (struct.pack(">II", 1, 4) + struct.pack(">iIiI", 1003, INT32, 2, 1) + b"abcd", "integer outside"),
    (struct.pack(">II", 1, 4) + struct.pack(">iIiI", 1000, BIN, 0, 4) + b"abcd", "unexpected type"),
])
def test_malformed_headers(blob: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        rpm.parse_header(blob)


def test_header_fields() -> None:
    assert rpm.parse_header(GOOD) == {1000: "bash", 1001: "5.1.8", 1002: "6.el9_1", 1022: "x86_64",
                                      1044: "bash-5.1.8-6.el9_1.src.rpm"}


@pytest.mark.parametrize(("path", "wanted"), [
    ("var/lib/rpm/rpmdb.sqlite", True), ("usr/lib/sysimage/rpm/rpmdb.sqlite", True),
    ("usr/share/rpm/rpmdb.sqlite", True), ("var/lib/rpm/Packages", True), ("var/lib/rpm/Packages.db", True),
    ("var/lib/rpm/rpmdb.sqlite-shm", False), ("var/lib/rpm/Name", False),
    ("var/lib/rpmmanifest/container-manifest-2", False),
])
def test_required(path: str, wanted: bool) -> None:
    assert (os_analyzer_for(path) is rpm.ANALYZER) is wanted
