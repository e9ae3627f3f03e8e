"""installed/go-binary and installed/rust-audit over executables built by the test (no Go toolchain here:
`builders` writes ELF and PE files with Go build info and cargo-auditable sections byte by byte)."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from shiftsec.analyzers.api import InputFile, ParseError
from shiftsec.analyzers.installed import INSTALLED_ANALYZERS, go_binary, installed_analyzers_for, rust_audit
from tests.analyzers.installed.builders import (
    elf,
    go_buildinfo_inline,
    go_elf_pointers,
    modinfo,
    pe,
)

MODINFO = modinfo([
    "path\tgithub.com/acme/server/cmd/server",
    "mod\tgithub.com/acme/server\tv1.4.0\th1:abc=",
    "dep\tgithub.com/gorilla/mux\tv1.8.0\th1:i40aqfkR1h2SlN9hojwV5ZA91wcXFOvkdNIeFDP5koI=",
    "dep\tgolang.org/x/text\tv0.3.7\th1:old=",
    "=>\tgolang.org/x/text\tv0.3.8\th1:new=",
    "dep\tgithub.com/acme/lib\tv0.0.0-00010101000000-000000000000",
    "=>\t../lib\t",
    "build\t-compiler=gc",
    "build\tGOOS=linux",
])
GO_WANT = {"github.com/acme/server@1.4.0", "github.com/gorilla/mux@1.8.0", "golang.org/x/text@0.3.8",
           "stdlib@1.21.5"}
GO_NOTES = ("github.com/acme/lib is replaced by the local directory ../lib — not matched",)


def _go(data: bytes, path: str = "usr/local/bin/server") -> tuple[set[str], tuple[str, ...]]:
    parsed = go_binary.analyze(InputFile(path, data))
    assert parsed.ecosystem == "Go"
    return {dep.key for dep in parsed.packages}, parsed.notes


@pytest.mark.parametrize(("path", "wanted"), [
    ("usr/local/bin/server", True), ("bin/busybox", True), ("usr/bin/kubectl", True), ("sbin/init", True),
    ("app/server", True), ("opt/acme/bin/acme", True), ("usr/local/go/bin/go", True), ("usr/sbin/nginx", True),
    ("usr/bin/python3.11", False), ("usr/lib/libc.so.6", False), ("etc/passwd", False), ("app/main.go", False),
    ("home/user/server", False), ("usr/local/bin/", False), ("app/bin/server", True), ("opt/acme/acme", True),
    ("opt/venv/lib/python3.12/site-packages/x-1.dist-info/RECORD", False),  # too deep in /opt
    ("app/node_modules/x/LICENSE", False), ("app/cmd/server/server", False),
])
def test_binary_places(path: str, wanted: bool) -> None:
    assert go_binary.ANALYZER.required(path) is wanted
    assert rust_audit.ANALYZER.required(path) is wanted
    names = {a.name for a in installed_analyzers_for(path)}
    assert names == ({"installed/go-binary", "installed/rust-audit"} if wanted else set())


@pytest.mark.parametrize(("bits", "big"), [(64, False), (32, False), (64, True), (32, True)])
def test_go_inline_build_info_any_elf_class_and_order(bits: int, big: bool) -> None:
    blob = go_buildinfo_inline("go1.21.5", MODINFO, ptr_size=bits // 8)
    data = elf([(".text", b"\x90" * 100, 0x401000), (".go.buildinfo", blob, 0x520000)], bits=bits, big=big)
    assert _go(data) == (GO_WANT, GO_NOTES)


@pytest.mark.parametrize(("bits", "big"), [(64, False), (32, True)])
def test_go_pointer_build_info_before_go_1_18(bits: int, big: bool) -> None:
    keys, notes = _go(go_elf_pointers("go1.16.15", MODINFO, bits=bits, big=big))
    assert keys == (GO_WANT - {"stdlib@1.21.5"}) | {"stdlib@1.16.15"}
    assert notes == GO_NOTES


@pytest.mark.parametrize(("version", "info", "want", "notes"), [
    # GOPATH build: no module info, the standard library only
    ("go1.22.1", b"", {"stdlib@1.22.1"}, ()),
    # a release candidate and a GOEXPERIMENT suffix
    ("go1.23rc2", b"", {"stdlib@1.23rc2"}, ()),
    ("go1.22.0 X:boringcrypto", b"", {"stdlib@1.22.0"}, ()),
    # (devel) main module, devel toolchain
    ("devel go1.24-abcdef Mon", modinfo(["path\texample.com/x", "mod\texample.com/x\t(devel)\t"]), set(),
     ("main module example.com/x has no version ((devel)) — not matched",
      "built by Go 'devel go1.24-abcdef Mon', not a release — the standard library is not matched")),
    # module info without its framing is no module info (as debug/buildinfo has it)
    ("go1.21.0", b"mod\texample.com/x\tv1.0.0\t\n", {"stdlib@1.21.0"}, ()),
])
def test_go_versions_and_module_info_shapes(version: str, info: bytes, want: set[str], notes: tuple[str, ...]) -> None:
    data = elf([(".go.buildinfo", go_buildinfo_inline(version, info), 0x500000)])
    assert _go(data) == (want, notes)


def test_go_blob_must_be_16_aligned_in_its_section() -> None:
    blob = go_buildinfo_inline("go1.21.5", MODINFO)
    shifted = b"\x00" * 8 + blob  # the magic at offset 8: skipped, as debug/buildinfo does
    data = elf([(".go.buildinfo", shifted, 0x500000)])
    assert _go(data) == (set(), ())
    realigned = b"\x00" * 16 + blob
    assert _go(elf([(".go.buildinfo", realigned, 0x500000)]))[0] == GO_WANT


def test_go_in_pe_and_in_elf_without_the_section() -> None:
    blob = go_buildinfo_inline("go1.21.5", MODINFO)
    assert _go(pe([(".text", b"\xcc" * 32), (".data", blob)]), "app/server")[0] == GO_WANT
    # an ELF whose build info is not in a .go.buildinfo section: found by the aligned file scan
    assert _go(elf([(".data", blob, 0x500000)]))[0] == GO_WANT


@pytest.mark.parametrize(("data", "why"), [
    (b"#!/bin/sh\necho hi\n", "a shell script"),
    (b"", "an empty file"),
    (elf([(".text", b"\x90" * 64, 0x401000)]), "an ELF program not built by Go"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 64, "a Java class file"),
])
def test_not_go_is_empty_not_an_error(data: bytes, why: str) -> None:
    assert _go(data) == (set(), ()), why
    assert rust_audit.analyze(InputFile("usr/bin/x", data)).packages == (), why


def _auditable(packages: list[dict[str, object]]) -> bytes:
    return zlib.compress(json.dumps({"packages": packages}).encode())


RUST_PACKAGES: list[dict[str, object]] = [
    {"name": "myapp", "version": "0.1.0", "source": "local", "dependencies": [1, 2, 3], "root": True},
    {"name": "serde", "version": "1.0.188", "source": "crates.io", "dependencies": [2]},
    {"name": "serde_derive", "version": "1.0.188", "source": "crates.io", "kind": "build"},
    {"name": "forked", "version": "0.2.0", "source": "git"},
]


@pytest.mark.parametrize(("bits", "big"), [(64, False), (32, True)])
def test_rust_auditable_elf(bits: int, big: bool) -> None:
    data = elf([(".text", b"\x90" * 16, 0x401000), (".dep-v0", _auditable(RUST_PACKAGES), 0)], bits=bits, big=big)
    parsed = rust_audit.analyze(InputFile("usr/local/bin/myapp", data))
    assert parsed.ecosystem == "crates.io"
    assert [(d.key, d.depends_on) for d in parsed.packages] == [
        ("serde@1.0.188", ("serde_derive@1.0.188",)), ("serde_derive@1.0.188", ())]
    assert parsed.notes == ("forked 0.2.0 comes from git, not crates.io — not matched",)
    assert go_binary.analyze(InputFile("usr/local/bin/myapp", data)).packages == ()


def test_rust_auditable_pe() -> None:
    data = pe([(".text", b"\xcc" * 16), (".dep-v0", _auditable(RUST_PACKAGES[:2]))])
    assert [d.key for d in rust_audit.analyze(InputFile("app/myapp", data)).packages] == ["serde@1.0.188"]


def test_rust_section_inflating_past_the_cap_is_refused() -> None:
    bomb = zlib.compress(b" " * (rust_audit.MAX_JSON + 10), 9)  # ~32 KiB that inflate to 32 MiB
    data = elf([(".dep-v0", bomb, 0)])
    with pytest.raises(ParseError, match="inflates to more than"):
        rust_audit.analyze(InputFile("usr/bin/x", data))


GO_ELF = elf([(".text", b"\x90" * 100, 0x401000),
              (".go.buildinfo", go_buildinfo_inline("go1.21.5", MODINFO), 0x520000)])
RUST_ELF = elf([(".dep-v0", _auditable(RUST_PACKAGES), 0)])


@pytest.mark.parametrize(("data", "message"), [
    (GO_ELF[:40], "truncated ELF header"),
    (GO_ELF[: len(GO_ELF) - 80], "truncated ELF file"),  # the section headers cut off
    (b"\x7fELF\x03\x01" + b"\x00" * 80, "unknown class"),
    (elf([(".dep-v0", b"not zlib at all", 0)]), "not zlib data"),
    (elf([(".dep-v0", zlib.compress(b"{not json"), 0)]), "not JSON"),
    (elf([(".dep-v0", zlib.compress(b"[1, 2]"), 0)]), "no 'packages' array"),
    (elf([(".dep-v0", _auditable([{"name": "x"}]), 0)]), "'version' is not a non-empty string"),
    (elf([(".dep-v0", _auditable([{"name": "x", "version": "1", "dependencies": "a"}]), 0)]), "indices"),
])
def test_bad_executables_are_one_line_parse_errors(data: bytes, message: str) -> None:
    for analyzer in (go_binary.ANALYZER, rust_audit.ANALYZER):
        try:
            parsed = analyzer.analyze(InputFile("usr/bin/x", data))
        except ParseError as exc:
            assert "\n" not in str(exc)
            if "ELF" in message or analyzer is rust_audit.ANALYZER:
                assert message in str(exc)
        else:  # the Go analyzer finds no build info in a Rust-only broken section: empty, not an error
            assert analyzer is go_binary.ANALYZER and "ELF" not in message and parsed.packages == ()


def test_truncated_go_blob_and_section_past_the_end() -> None:
    blob = go_buildinfo_inline("go1.21.5", MODINFO)
    cut = elf([(".go.buildinfo", blob[:40], 0x500000)])  # the module info string runs past the section
    with pytest.raises(ParseError, match="runs past the end"):
        go_binary.analyze(InputFile("usr/bin/x", cut))
    # a section header claiming more bytes than the file has (a file cut short by a capture limit)
    whole = bytearray(elf([(".go.buildinfo", blob, 0x500000)]))
    shoff = struct.unpack_from("<Q", whole, 0x28)[0]
    struct.pack_into("<Q", whole, shoff + 64 + 32, 1 << 30)  # section 1's sh_size
    with pytest.raises(ParseError, match=r"section \.go\.buildinfo goes past its end"):
        go_binary.analyze(InputFile("usr/bin/x", bytes(whole)))


def test_every_installed_analyzer_survives_junk() -> None:
    junk = [b"\x7fELF", b"\x7fELF\x02\x01" + b"\xff" * 100, b"MZ" + b"\xff" * 100, b"PK\x03\x04" + b"\x00" * 30,
            bytes(range(256)) * 4, b"\xfe\xed\xfa\xcf" + b"\x00" * 10]
    for analyzer in INSTALLED_ANALYZERS:
        for data in junk:
            try:
                analyzer.analyze(InputFile("x", data))
            except ParseError as exc:
                assert "\n" not in str(exc)
