"""Real executables and archives built byte by byte for the installed-package analyzers' tests.

`elf(sections)` writes a minimal ELF file: the ELF header, each section's bytes at a 16-aligned file offset,
a `.shstrtab`, then the section header table (section 0 the null section), in either class and byte order,
following the System V ABI layout (`Elf32_Ehdr`/`Elf64_Ehdr`, `Elf32_Shdr`/`Elf64_Shdr`). It has no
program headers: the analyzers only walk section headers.

`go_buildinfo_inline` / `go_buildinfo_pointers` write the blob of Go's `debug/buildinfo`: the 14-byte magic,
pointer size, flags, then (Go 1.18+, flags bit 2) a 32-byte header followed by two uvarint-prefixed strings,
or (Go 1.13-1.17) two addresses of Go string headers. The module info is framed by the 16-byte sentinels of
`cmd/go/internal/modload` (`infoStart`, `infoEnd`).
"""

from __future__ import annotations

import io
import struct
import zipfile

MAGIC = b"\xff Go buildinf:"
INFO_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
INFO_END = bytes.fromhex("f932433186182072008242104116d8f2")


def uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def elf(sections: list[tuple[str, bytes, int]], *, bits: int = 64, big: bool = False) -> bytes:
    """An ELF file with `sections` (name, bytes, virtual address)."""
    end = ">" if big else "<"
    header_size = 64 if bits == 64 else 52
    entry_size = 64 if bits == 64 else 40
    names = bytearray(b"\x00")
    name_at: list[int] = []
    for name, _, _ in [*sections, (".shstrtab", b"", 0)]:
        name_at.append(len(names))
        names += name.encode() + b"\x00"
    body = bytearray(b"\x00" * header_size)
    placed: list[tuple[int, int, int, int, int]] = []  # name offset, type, addr, file offset, size
    all_sections = [*sections, (".shstrtab", bytes(names), 0)]
    for index, ((_, data, addr), at_name) in enumerate(zip(all_sections, name_at, strict=True)):
        body += b"\x00" * (-len(body) % 16)
        kind = 3 if index == len(sections) else 1  # SHT_STRTAB for .shstrtab, SHT_PROGBITS for the others
        placed.append((at_name, kind, addr, len(body), len(data)))
        body += data
    body += b"\x00" * (-len(body) % 8)
    shoff = len(body)
    table = bytearray(b"\x00" * entry_size)  # the null section
    for at_name, kind, addr, offset, size in placed:
        if bits == 64:
            table += struct.pack(end + "IIQQQQIIQQ", at_name, kind, 2, addr, offset, size, 0, 0, 16, 0)
        else:
            table += struct.pack(end + "IIIIIIIIII", at_name, kind, 2, addr, offset, size, 0, 0, 16, 0)
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 2 if big else 1, 1]) + b"\x00" * 9
    count = len(placed) + 1
    if bits == 64:
        header = ident + struct.pack(end + "HHIQQQIHHHHHH", 2, 62, 1, 0, 0, shoff, 0, header_size, 0, 0,
                                     entry_size, count, count - 1)
    else:
        header = ident + struct.pack(end + "HHIIIIIHHHHHH", 2, 3, 1, 0, 0, shoff, 0, header_size, 0, 0,
                                     entry_size, count, count - 1)
    body[:header_size] = header
    return bytes(body + table)


def modinfo(lines: list[str]) -> bytes:
    return INFO_START + "".join(line + "\n" for line in lines).encode() + INFO_END


def go_buildinfo_inline(version: str, info: bytes, *, ptr_size: int = 8) -> bytes:
    header = MAGIC + bytes([ptr_size, 2]) + b"\x00" * 16
    return header + uvarint(len(version)) + version.encode() + uvarint(len(info)) + info


def go_elf_pointers(version: str, info: bytes, *, bits: int = 64, big: bool = False) -> bytes:
    """A Go 1.13-1.17 style ELF: `.go.buildinfo` points at string headers in `.rodata`, which point at data."""
    ptr = 8 if bits == 64 else 4
    fmt = (">" if big else "<") + ("Q" if ptr == 8 else "I")
    rodata_addr = 0x600000
    # .rodata: [version header][modinfo header][version bytes][modinfo bytes]
    version_data = rodata_addr + 4 * ptr
    info_data = version_data + len(version)
    rodata = (struct.pack(fmt, version_data) + struct.pack(fmt, len(version))
              + struct.pack(fmt, info_data) + struct.pack(fmt, len(info)) + version.encode() + info)
    blob = MAGIC + bytes([ptr, 1 if big else 0])
    blob += struct.pack(fmt, rodata_addr) + struct.pack(fmt, rodata_addr + 2 * ptr)
    blob += b"\x00" * (32 - len(blob))
    sections = [(".text", b"\x90" * 40, 0x401000), (".go.buildinfo", blob, 0x500000), (".rodata", rodata, rodata_addr)]
    return elf(sections, bits=bits, big=big)


def pe(sections: list[tuple[str, bytes]]) -> bytes:
    """A minimal PE file: DOS header, `PE\\0\\0`, COFF header (no optional header), section table, raw data."""
    table_at = 0x40 + 4 + 20
    data_at = table_at + 40 * len(sections)
    out = bytearray(b"MZ" + b"\x00" * 0x3A + struct.pack("<I", 0x40))
    out += b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x8664, len(sections), 0, 0, 0, 0, 0x22)
    data_at += -data_at % 16
    raw = bytearray()
    for name, data in sections:  # raw data 16-aligned in the file (real files align to FileAlignment, 512)
        out += struct.pack("<8sIIIIIIHHI", name.encode(), len(data), 0x1000, len(data), data_at + len(raw), 0, 0,
                           0, 0, 0x40000040)
        raw += data + b"\x00" * (-len(data) % 16)
    out += b"\x00" * (data_at - len(out))
    return bytes(out + raw)


def zip_bytes(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def pom_properties(group: str, artifact: str, version: str) -> bytes:
    return (f"#Created by Apache Maven 3.8.6\nversion={version}\ngroupId={group}\nartifactId={artifact}\n").encode()
