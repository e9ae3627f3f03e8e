"""rpm's database of installed packages, in its SQLite form (rpm ≥ 4.16: RHEL/UBI 9, Rocky/Alma 9, Fedora ≥ 33,
SUSE 15 SP4+ uses ndb, see below): `var/lib/rpm/rpmdb.sqlite`, `usr/lib/sysimage/rpm/rpmdb.sqlite`,
`usr/share/rpm/rpmdb.sqlite`.

The bytes are opened with the standard library's sqlite3 entirely in memory (`deserialize`, no temporary file);
each row of the `Packages` table (`hnum`, `blob`) is one package's rpm header, in the form rpm's `headerExport`
writes (optionally preceded by the 8-byte header magic): `il` and `dl` (big-endian uint32: index entries, data
bytes), `il` 16-byte index entries (tag, type, offset, count, big-endian) and the data store. The tags read are
NAME 1000, VERSION 1001, RELEASE 1002, EPOCH 1003 (INT32), ARCH 1022 and SOURCERPM 1044 (strings); every offset
is bounds-checked, and a header that fails is counted in a note rather than failing the file. The
`gpg-pubkey` pseudo-packages (imported signing keys) are not packages and are skipped.

Berkeley DB `Packages` (RHEL/CentOS ≤ 8, Amazon Linux 2) and ndb `Packages.db` (SUSE) are recognised and refused
with a ParseError "unsupported rpmdb format (Berkeley DB/ndb): …" and a hint.

Names and versions, per what each distribution's OSV records use (osv-schema docs/schema.md): Red Hat records
name BINARY rpms (`openssl-libs`, ecosystem `Red Hat:enterprise_linux:9::baseos`), so Red Hat packages (and
those of an unrecognised rpm distribution) keep the binary name; Rocky Linux, AlmaLinux, SUSE and openSUSE
records name the SOURCE rpm, so their packages take the name from SOURCERPM (`openssl-3.0.7-27.el9.src.rpm` →
`openssl`). The version is `[epoch:]version-release` of the installed binary (one source build gives its
binaries the same version-release, and the epoch of the source). The purl keeps the binary:
`pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm`.
"""

from __future__ import annotations

import sqlite3
import struct

from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.os._common import locate_os, os_purl, unknown_os_note
from shiftsec.analyzers.os.release import OperatingSystem

__all__ = ["ANALYZER", "RpmHeader", "analyze_with_os", "parse_header"]

_FOLDERS = ("var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/")
_SQLITE = "rpmdb.sqlite"
_UNSUPPORTED = ("Packages", "Packages.db")
_SOURCE_NAMED = ("Rocky Linux", "AlmaLinux", "SUSE", "openSUSE")

HEADER_MAGIC = b"\x8e\xad\xe8\x01\x00\x00\x00\x00"
TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH, TAG_ARCH, TAG_SOURCERPM = 1000, 1001, 1002, 1003, 1022, 1044
_STRING, _INT32, _STRING_ARRAY, _I18NSTRING = 6, 4, 8, 9
_MAX_ENTRIES = 1 << 16
_WANTED = frozenset({TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH, TAG_ARCH, TAG_SOURCERPM})


def _suffix(path: str) -> str | None:
    for folder in _FOLDERS:
        for name in (_SQLITE, *_UNSUPPORTED):
            suffix = folder + name
            if path == suffix or path.endswith("/" + suffix):
                return suffix
    return None


def required(path: str) -> bool:
    return _suffix(path) is not None


RpmHeader = dict[int, str | int]  # the tags of one header that this module reads: tag → string (first element) or int


def parse_header(blob: bytes) -> RpmHeader:
    """The NAME/VERSION/RELEASE/EPOCH/ARCH/SOURCERPM tags of one rpm header blob; ValueError when malformed."""
    if blob.startswith(HEADER_MAGIC):
        blob = blob[len(HEADER_MAGIC) :]
    if len(blob) < 8:
        raise ValueError("shorter than a header")
    il, dl = struct.unpack_from(">II", blob, 0)
    if il == 0 or il > _MAX_ENTRIES:
        raise ValueError(f"implausible number of index entries ({il})")
    data_start = 8 + 16 * il
    if data_start + dl > len(blob):
        raise ValueError("index or data store beyond the end of the header")
    store = blob[data_start : data_start + dl]
    out: RpmHeader = {}
    for index in range(il):
        tag, kind, offset, count = struct.unpack_from(">iIiI", blob, 8 + 16 * index)
        if tag not in _WANTED:
            continue
        if offset < 0 or offset >= dl:
            raise ValueError(f"tag {tag}: offset {offset} outside the data store")
        if kind == _INT32:
            if count < 1 or offset + 4 > dl:
                raise ValueError(f"tag {tag}: integer outside the data store")
            out[tag] = struct.unpack_from(">i", store, offset)[0]
        elif kind in (_STRING, _STRING_ARRAY, _I18NSTRING):
            end = store.find(b"\0", offset)
            if end < 0:
                raise ValueError(f"tag {tag}: unterminated string")
            out[tag] = store[offset:end].decode("utf-8", "replace")
        else:
            raise ValueError(f"tag {tag}: unexpected type {kind}")
    return out


def _unsupported(name: str, data: bytes) -> ParseError:
    if len(data) >= 16 and data[12:16] in (b"\x61\x15\x06\x00", b"\x00\x06\x15\x61"):
        what = "a Berkeley DB hash database (rpm < 4.16: RHEL/CentOS 8 and older, Amazon Linux 2)"
    elif data[:4] == b"RpmP":
        what = "an ndb database (SUSE)"
    else:
        what = f"{name} is not an SQLite rpmdb (and not a recognisable Berkeley DB or ndb file either)"
    return ParseError(
        f"unsupported rpmdb format (Berkeley DB/ndb): {what}",
        hint="only the SQLite rpmdb (rpmdb.sqlite) is read; scan an SBOM of the image instead, or convert the "
        "database with `rpmdb --rebuilddb --define '_db_backend sqlite'`",
    )


def _blobs(data: bytes) -> list[bytes]:
    if not data.startswith(b"SQLite format 3\0"):
        raise ParseError("not an SQLite database (rpmdb.sqlite must start with 'SQLite format 3')")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
        rows = conn.execute("SELECT blob FROM Packages ORDER BY hnum").fetchall()
    except sqlite3.Error as exc:
        raise ParseError(f"cannot read the rpm SQLite database: {exc}") from None
    finally:
        conn.close()
    return [bytes(row[0]) for row in rows if isinstance(row[0], (bytes, bytearray, memoryview))]


def _source_name(srpm: str) -> str | None:
    """`openssl-3.0.7-27.el9.src.rpm` → `openssl` (name-version-release.src.rpm)."""
    for ending in (".src.rpm", ".nosrc.rpm"):
        if srpm.endswith(ending):
            parts = srpm[: -len(ending)].rsplit("-", 2)
            return parts[0] if len(parts) == 3 and parts[0] else None
    return None


def analyze_with_os(file: InputFile, os: OperatingSystem | None) -> Parsed:
    """The installed packages of one rpmdb, for an image whose operating system is `os`."""
    suffix = _suffix(file.path) or _SQLITE
    name = suffix.rpartition("/")[2]
    if name in _UNSUPPORTED:
        raise _unsupported(name, file.data)
    ecosystem = os.ecosystem if os is not None and os.ecosystem else "Red Hat"
    by_source = ecosystem.partition(":")[0] in _SOURCE_NAMED
    packages: list[Dependency] = []
    bad = 0
    for blob in _blobs(file.data):
        try:
            header = parse_header(blob)
        except ValueError:
            bad += 1
            continue
        binary, version, release = (str(header.get(t, "")) for t in (TAG_NAME, TAG_VERSION, TAG_RELEASE))
        if not binary or not version or binary == "gpg-pubkey":
            if binary != "gpg-pubkey":
                bad += 1
            continue
        epoch = header.get(TAG_EPOCH)
        vr = f"{version}-{release}" if release else version
        full = f"{epoch}:{vr}" if isinstance(epoch, int) and epoch else vr
        srpm = str(header.get(TAG_SOURCERPM, "")) or None
        source = _source_name(srpm) if srpm else None
        arch = str(header.get(TAG_ARCH, "")) or None
        purl = os_purl("rpm", os, binary, vr, arch=arch, source=srpm,
                       epoch=str(epoch) if isinstance(epoch, int) and epoch else None, default_namespace="redhat")
        packages.append(Dependency(source if by_source and source else binary, full, purl=purl))
    notes: list[str] = []
    if bad:
        notes.append(f"{bad} rpm headers without a readable name and version skipped")
    note = unknown_os_note(os, "rpm")
    if note and packages:
        notes.append(note)
    return Parsed(ecosystem, tuple(packages), tuple(notes))


def analyze(file: InputFile) -> Parsed:
    return analyze_with_os(file, locate_os(file, _suffix(file.path) or "var/lib/rpm/" + _SQLITE))


ANALYZER = Analyzer("os/rpm", 1, required, analyze)
