"""`installed/rust-audit`: the crates compiled into a Rust executable built with `cargo auditable`.

cargo-auditable stores its dependency tree in a linker section named `.dep-v0` (ELF and PE; Mach-O files are
not read here): zlib-compressed JSON `{"packages": [{"name", "version", "source", "kind", "dependencies",
"root"}]}`, where `dependencies` are indices into `packages`. Only packages whose `source` is `crates.io`
are reported (local path crates — the program itself, workspace members — and git or alternative-registry
crates have no crates.io advisories; the latter two become notes); `depends_on` follows the indices.
The decompressed JSON is capped (`MAX_JSON`): a section that inflates past it is a `ParseError`.

Executables without the section, and files that are not executables, give an empty result.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.installed._binary import executable_kind, parse_elf, pe_section
from shiftsec.analyzers.installed._common import in_binary_place

__all__ = ["ANALYZER", "MAX_JSON", "SECTION", "analyze"]

ECOSYSTEM = "crates.io"
SECTION = ".dep-v0"
MAX_JSON = 32 * 1024 * 1024  # bytes of decompressed JSON


def _required(path: str) -> bool:
    return in_binary_place(path)


def _section(data: bytes) -> bytes | None:
    kind = executable_kind(data)
    if kind == "elf":
        elf = parse_elf(data)
        section = elf.section(SECTION)
        return None if section is None else elf.section_bytes(section)
    if kind == "pe":
        return pe_section(data, SECTION)
    return None


def _inflate(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(compressed, MAX_JSON + 1)
    except zlib.error as exc:
        raise ParseError(f"the {SECTION} section is not zlib data: {exc}") from None
    if len(out) > MAX_JSON:
        raise ParseError(f"the {SECTION} section inflates to more than {MAX_JSON} bytes")
    return out


def _field(entry: dict[str, Any], key: str, index: int) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ParseError(f"{SECTION} package #{index}: {key!r} is not a non-empty string")
    return value


def _analyze(file: InputFile) -> Parsed:
    compressed = _section(file.data)
    if compressed is None:
        return Parsed(ECOSYSTEM, ())
    try:
        doc = json.loads(_inflate(compressed))
    except ValueError as exc:
        raise ParseError(f"the {SECTION} section is not JSON: {' '.join(str(exc).split())[:100]}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("packages"), list):
        raise ParseError(f"the {SECTION} JSON has no 'packages' array")
    entries: list[tuple[str, str, str, list[int]]] = []
    for index, entry in enumerate(doc["packages"]):
        if not isinstance(entry, dict):
            raise ParseError(f"{SECTION} package #{index} is not an object")
        deps = entry.get("dependencies", [])
        if not isinstance(deps, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in deps):
            raise ParseError(f"{SECTION} package #{index}: 'dependencies' is not a list of indices")
        source = entry.get("source", "")
        entries.append((_field(entry, "name", index), _field(entry, "version", index),
                        source if isinstance(source, str) else "", deps))
    notes: list[str] = []
    packages: dict[str, Dependency] = {}
    for name, version, source, deps in entries:
        if source != "crates.io":
            if source not in ("local", ""):
                notes.append(f"{name} {version} comes from {source}, not crates.io — not matched")
            continue
        depends_on = tuple(dict.fromkeys(
            f"{entries[d][0]}@{entries[d][1]}" for d in deps if 0 <= d < len(entries) and entries[d][2] == "crates.io"))
        packages.setdefault(f"{name}@{version}", Dependency(name, version, depends_on=depends_on))
    return Parsed(ECOSYSTEM, tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "Rust executable")

ANALYZER = Analyzer(name="installed/rust-audit", version=1, required=_required, analyze=analyze)
