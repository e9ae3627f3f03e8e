"""Executable files, read with `struct` only: which format a file is, and the sections of an ELF file.

Owns the ELF section-header walk (32- and 64-bit, little- and big-endian, the extended section count of
`e_shnum == 0`), the mapping of a virtual address to file bytes through the sections' `sh_addr`, and the
magic numbers of ELF, Mach-O (thin and fat) and PE files. Every bound is checked against the file's length:
a truncated or lying header is a `ParseError`, never an IndexError or a huge allocation.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from shiftsec.analyzers.api import ParseError

__all__ = ["Elf", "Section", "executable_kind", "parse_elf", "pe_section"]

_ELF_MAGIC = b"\x7fELF"
_MACHO_MAGICS = frozenset({
    b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",  # thin, 32/64, both orders
    b"\xca\xfe\xba\xbe", b"\xbe\xba\xfe\xca",  # fat (universal); 0xcafebabe is also a Java class: see below
})
_SHT_NOBITS = 8
_MAX_SECTIONS = 65_536


def executable_kind(data: bytes) -> str | None:
    """"elf", "macho" or "pe" by the file's magic, or None for anything else (scripts, text, data)."""
    head = data[:4]
    if head == _ELF_MAGIC:
        return "elf"
    if head in _MACHO_MAGICS:
        # a fat Mach-O counts its architectures in the next big-endian word (a few); a Java class file
        # shares 0xcafebabe and has its version there (45 and up)
        if head == b"\xca\xfe\xba\xbe" and (len(data) < 8 or data[7] >= 40 or any(data[4:7])):
            return None
        return "macho"
    if data[:2] == b"MZ" and len(data) >= 0x40:
        pe_at = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe_at:pe_at + 4] == b"PE\x00\x00":
            return "pe"
    return None


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    type: int
    addr: int  # virtual address when loaded (0 for sections that are not)
    offset: int  # file offset
    size: int

    @property
    def has_bytes(self) -> bool:
        return self.type != _SHT_NOBITS


@dataclass(frozen=True, slots=True)
class Elf:
    data: bytes
    bits: int  # 32 or 64
    big_endian: bool
    sections: tuple[Section, ...]

    def section(self, name: str) -> Section | None:
        for section in self.sections:
            if section.name == name:
                return section
        return None

    def section_bytes(self, section: Section) -> bytes:
        """The bytes of `section`; a `ParseError` when the file ends before the section does (a truncated file)."""
        if not section.has_bytes:
            return b""
        if section.offset + section.size > len(self.data):
            raise ParseError(f"truncated ELF file: section {section.name or '?'} goes past its end")
        return self.data[section.offset:section.offset + section.size]

    def read_at(self, addr: int, size: int) -> bytes | None:
        """`size` bytes at virtual address `addr`, from the section holding them, or None when none does."""
        for section in self.sections:
            inside = section.addr <= addr and addr + size <= section.addr + section.size
            if section.has_bytes and section.addr and inside:
                start = section.offset + addr - section.addr
                chunk = self.data[start:start + size]
                return chunk if len(chunk) == size else None
        return None


def parse_elf(data: bytes) -> Elf:
    """The section headers of an ELF file (`data` starts with `\\x7fELF`)."""
    if len(data) < 0x34 or data[:4] != _ELF_MAGIC:
        raise ParseError("truncated ELF header")
    klass, order = data[4], data[5]
    if klass not in (1, 2) or order not in (1, 2):
        raise ParseError(f"ELF header with unknown class {klass} or data encoding {order}")
    bits = 32 if klass == 1 else 64
    end = "<" if order == 1 else ">"
    if bits == 64:
        if len(data) < 0x40:
            raise ParseError("truncated ELF header")
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x3A)
        entry, want = end + "IIQQQQIIQQ", 64
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x2E)
        entry, want = end + "IIIIIIIIII", 40
    if shoff == 0:
        return Elf(data, bits, order == 2, ())  # no section headers (stripped of them): nothing to find
    if shentsize < want:
        raise ParseError(f"ELF section header entries of {shentsize} bytes (at least {want} expected)")

    def header(index: int) -> tuple[int, ...]:
        at = shoff + index * shentsize
        if at + want > len(data):
            raise ParseError("truncated ELF file: section headers past its end")
        return struct.unpack_from(entry, data, at)

    if shnum == 0:  # extended numbering: the count is in section 0's sh_size
        shnum = header(0)[5]
    if shnum > _MAX_SECTIONS:
        raise ParseError(f"ELF file claims {shnum} sections")
    raw = [header(i) for i in range(shnum)]
    if shstrndx == 0xFFFF and raw:  # SHN_XINDEX: the index is in section 0's sh_link
        shstrndx = raw[0][6]
    names = b""
    if 0 < shstrndx < len(raw):
        _, _, _, _, offset, size, *_ = raw[shstrndx]
        names = data[offset:offset + size]
    sections = []
    for name_at, kind, _flags, addr, offset, size, *_ in raw:
        name_end = names.find(b"\x00", name_at)
        name = names[name_at:name_end].decode("latin-1") if name_end >= 0 else ""
        sections.append(Section(name, kind, addr, offset, size))
    return Elf(data, bits, order == 2, tuple(sections))


def pe_section(data: bytes, name: str) -> bytes | None:
    """The raw bytes of the PE section `name` (at most 8 characters), or None when there is none."""
    if len(data) < 0x40:
        return None
    pe_at, = struct.unpack_from("<I", data, 0x3C)
    if data[pe_at:pe_at + 4] != b"PE\x00\x00" or pe_at + 24 > len(data):
        return None
    count, = struct.unpack_from("<H", data, pe_at + 6)
    optional, = struct.unpack_from("<H", data, pe_at + 20)
    table = pe_at + 24 + optional
    wanted = name.encode("latin-1").ljust(8, b"\x00")
    for index in range(count):
        at = table + index * 40
        if at + 40 > len(data):
            raise ParseError("truncated PE file: section table past its end")
        raw_name, _vsize, _vaddr, raw_size, raw_at = struct.unpack_from("<8sIIII", data, at)
        if raw_name == wanted:
            if raw_at + raw_size > len(data):
                raise ParseError(f"truncated PE file: section {name} goes past its end")
            return data[raw_at:raw_at + raw_size]
    return None
