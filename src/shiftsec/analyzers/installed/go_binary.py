"""`installed/go-binary`: the modules compiled into a Go executable, from the build info the Go toolchain embeds.

Layout followed (Go's `debug/buildinfo`, and `cmd/go/internal/modload` for the framing):

- The blob starts with the 14-byte magic `\\xff Go buildinf:` at a 16-byte aligned address, within the first
  64 KiB of the ELF section `.go.buildinfo` (Go 1.13+). Byte 14 is the pointer size (4 or 8), byte 15 the
  flags: bit 1 (value 2) set means the strings are inline (Go 1.18+), else bit 0 says big-endian.
- Inline: after the 32-byte header come two strings, each a uvarint length then the bytes: the Go version
  (`runtime.buildVersion`) and the module info (`runtime.modinfo`).
- Pointer form (Go 1.13-1.17): bytes 16.. hold two addresses, each of a Go string header (data address,
  length, each pointer-sized, in the flagged byte order); addresses are mapped to file bytes through the ELF
  sections' `sh_addr` (so this form is read from ELF files only).
- The module info is framed by two 16-byte sentinels: when it is at least 33 bytes long and its 17th byte
  from the end is a newline, the first and last 16 bytes are cut; otherwise there is none (GOPATH builds).
- Its text has tab-separated lines: `path <import path>`, `mod <path> <version> <sum>` (the main module),
  `dep <path> <version> <sum>`, `=> <path> <version> <sum>` (a replacement of the line before; a local
  directory has no version) and `build <key>=<value>`.

Mach-O and PE files have no section walk here: their whole bytes are searched for the magic at 16-byte
aligned file offsets, and only the inline form (Go 1.18+) is read. Files that are not executables, or
executables without Go build info, give an empty result (not an error).

Packages: every `dep` (after its replacement), the main module when it has a real version (not `(devel)`,
which becomes a note), and the standard library as `stdlib` at the toolchain's version (`go1.21.5` →
`1.21.5`), the name and form under which the Go vulnerability database (and go.mod's analyzer) has it.
Versions lose their leading `v`, as OSV's Go advisories write them.
"""

from __future__ import annotations

import re
import struct

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.installed._binary import Elf, executable_kind, parse_elf
from shiftsec.analyzers.installed._common import in_binary_place, one_line

__all__ = ["ANALYZER", "MAGIC", "analyze", "parse_modinfo", "read_build_info"]

ECOSYSTEM = "Go"
MAGIC = b"\xff Go buildinf:"
_ALIGN = 16
_HEADER = 32
_SEARCH = 64 * 1024
_MAX_STRING = 16 * 1024 * 1024
_GO_VERSION = re.compile(r"go([1-9]\d*(?:\.\d+)+(?:(?:rc|beta)\d+)?)")


def _required(path: str) -> bool:
    return in_binary_place(path)


def _uvarint(data: bytes, at: int) -> tuple[int, int] | None:
    value = shift = 0
    for i in range(at, min(len(data), at + 10)):
        byte = data[i]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i + 1
        shift += 7
    return None


def _inline_string(data: bytes, at: int) -> tuple[bytes, int] | None:
    decoded = _uvarint(data, at)
    if decoded is None:
        return None
    length, start = decoded
    if length > len(data) - start:
        return None
    return data[start:start + length], start + length


def _find_blob(region: bytes, base: int) -> int | None:
    """Offset in `region` of the magic at an address (`base` + offset) aligned to 16, within the first 64 KiB."""
    at = 0
    limit = min(len(region), _SEARCH)
    while True:
        at = region.find(MAGIC, at, limit)
        if at < 0 or len(region) - at < _HEADER:
            return None
        if (base + at) % _ALIGN == 0:
            return at
        at += 1


def _pointer_string(elf: Elf, addr: int, ptr_size: int, big: bool) -> bytes:
    fmt = (">" if big else "<") + ("Q" if ptr_size == 8 else "I")
    header = elf.read_at(addr, 2 * ptr_size)
    if header is None:
        return b""
    data_addr, = struct.unpack_from(fmt, header, 0)
    length, = struct.unpack_from(fmt, header, ptr_size)
    if length == 0 or length > _MAX_STRING:
        return b""
    text = elf.read_at(data_addr, length)
    return b"" if text is None else text


def read_build_info(data: bytes) -> tuple[str, str] | None:
    """The Go version and the module info text (unframed; "" for none) of an executable, or None when `data`
    holds no Go build info. A truncated or inconsistent executable is a `ParseError`."""
    kind = executable_kind(data)
    if kind is None:
        return None
    elf: Elf | None = None
    blob: bytes | None = None
    if kind == "elf":
        elf = parse_elf(data)
        section = elf.section(".go.buildinfo")
        if section is not None:
            region = elf.section_bytes(section)
            at = _find_blob(region, section.addr)
            blob = region[at:] if at is not None else None
    if blob is None:  # Mach-O, PE, or an ELF file without section headers: aligned file offsets, inline form
        at = data.find(MAGIC)
        while at >= 0 and (at % _ALIGN or len(data) - at < _HEADER):
            at = data.find(MAGIC, at + 1)
        if at < 0:
            return None
        blob = data[at:]
        if not blob[15] & 2 and elf is None:
            return None
    ptr_size, flags = blob[14], blob[15]
    if flags & 2:
        first = _inline_string(blob, _HEADER)
        if first is None:
            raise ParseError("Go build info: the version string runs past the end of the file")
        version, after = first
        second = _inline_string(blob, after)
        if second is None:
            raise ParseError("Go build info: the module information runs past the end of the file")
        modinfo = second[0]
    else:
        if elf is None or ptr_size not in (4, 8):
            return None
        fmt = (">" if flags & 1 else "<") + ("Q" if ptr_size == 8 else "I")
        if len(blob) < 16 + 2 * ptr_size:
            raise ParseError("Go build info header is truncated")
        version_addr, = struct.unpack_from(fmt, blob, 16)
        modinfo_addr, = struct.unpack_from(fmt, blob, 16 + ptr_size)
        version = _pointer_string(elf, version_addr, ptr_size, bool(flags & 1))
        modinfo = _pointer_string(elf, modinfo_addr, ptr_size, bool(flags & 1))
    if not version:
        return None
    # the sentinels framing the module info are not UTF-8: cut them off before decoding
    framed = len(modinfo) >= 33 and modinfo[-17:-16] == b"\n"
    return version.decode("utf-8", "replace"), modinfo[16:-16].decode("utf-8", "replace") if framed else ""


def _version(raw: str) -> str:
    return raw[1:] if raw.startswith("v") else raw


def parse_modinfo(text: str) -> tuple[list[Dependency], list[str]]:
    """The modules of a module info text (main module first when it has a version) and notes."""
    entries: list[tuple[str, str, str]] = []  # kind (mod/dep), path, version ("" for a local replacement)
    notes: list[str] = []
    for raw in text.split("\n"):
        fields = raw.split("\t")
        verb = fields[0]
        if verb in ("mod", "dep"):
            if len(fields) < 3 or not fields[1]:
                raise ParseError(f"Go module info: a {verb} line without a path and version: {one_line(raw)!r}")
            entries.append((verb, fields[1], fields[2]))
        elif verb == "=>":
            if not entries or len(fields) < 2 or not fields[1]:
                raise ParseError(f"Go module info: a replacement without a module before it: {one_line(raw)!r}")
            kind, old_path, _ = entries[-1]
            new_version = fields[2] if len(fields) > 2 else ""
            if not new_version:
                notes.append(f"{old_path} is replaced by the local directory {fields[1]} — not matched")
            entries[-1] = (kind, fields[1], new_version)
    packages: list[Dependency] = []
    for _kind, path, version in entries:
        if not version:
            continue
        if version == "(devel)":
            notes.append(f"main module {path} has no version ((devel)) — not matched")
            continue
        packages.append(Dependency(path, _version(version)))
    return packages, notes


def _analyze(file: InputFile) -> Parsed:
    info = read_build_info(file.data)
    if info is None:
        return Parsed(ECOSYSTEM, ())
    go_version, modinfo = info
    packages, notes = parse_modinfo(modinfo)
    toolchain = _GO_VERSION.match(go_version)
    if toolchain:
        packages.append(Dependency("stdlib", toolchain.group(1)))
    else:
        notes.append(f"built by Go {one_line(go_version, 60)!r}, not a release — the standard library is not matched")
    unique = tuple({dep.key: dep for dep in packages}.values())
    return Parsed(ECOSYSTEM, unique, tuple(notes))


analyze = guarded(_analyze, "Go executable")

ANALYZER = Analyzer(name="installed/go-binary", version=1, required=_required, analyze=analyze)
