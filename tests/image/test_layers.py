"""Tests for `shiftsec.image.layers` and `shiftsec.image.tarsafety`, on real tar streams built here.

Every test runs with the current directory set to an empty temporary directory and checks that it stays empty:
the walker reads streams and writes nothing anywhere.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from shiftsec.image.layers import EntryKind, LayerFiles, Limits, final_view, walk_layer
from shiftsec.image.tarsafety import link_target, normalize_path, whiteout_of

KiB = 1024
MiB = 1024 * 1024
GiB = 1024 * MiB

Spec = tuple[str, str, bytes | str | None]


@pytest.fixture(autouse=True)
def empty_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run each test in an empty directory and check that nothing was written there."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield cwd
    assert os.listdir(cwd) == []


def build_layer(entries: Sequence[Spec], *, end_marker: bool = True) -> bytes:
    """A layer tar from (path, kind, content or link target) entries; kinds: file dir symlink hardlink chr blk fifo."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for path, kind, payload in entries:
            info = tarfile.TarInfo(path)
            info.mode = 0o644
            data: bytes | None = None
            if kind == "file":
                data = payload if isinstance(payload, bytes) else b""
                info.size = len(data)
            elif kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind in ("symlink", "hardlink"):
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = str(payload)
            else:
                info.type = {"chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}[kind]
                info.devmajor, info.devminor = 1, 3
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
        end = tf.offset  # where the end-of-archive blocks start
    return buf.getvalue() if end_marker else buf.getvalue()[:end]


def walk(
    data: bytes,
    wanted: Callable[[str], bool] = lambda _p: True,
    limits: Limits | None = None,
    compressed_size: int | None = None,
) -> LayerFiles:
    return walk_layer(io.BytesIO(data), wanted=wanted, limits=limits or Limits(), compressed_size=compressed_size)


def reasons(layer: LayerFiles) -> dict[str, str]:
    return {r.path: r.reason for r in layer.refused}


# --- pure rules -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("etc/passwd", "etc/passwd"),
        ("./etc/passwd", "etc/passwd"),
        ("/etc/passwd", "etc/passwd"),
        ("//etc//passwd", "etc/passwd"),
        ("etc/./passwd", "etc/passwd"),
        ("etc/", "etc"),
        ("usr/lib/../bin/sh", "usr/bin/sh"),
        ("a/b/..", "a"),
        ("a/..", ""),
        ("./", ""),
        (".", ""),
        ("/", ""),
        ("a\\..\\b", "a\\..\\b"),  # a backslash is an ordinary character in a tar name
        ("../x", None),
        ("..", None),
        ("a/../../x", None),
        ("/../etc/shadow", None),
        ("./../x", None),
    ],
)
def test_normalize_path(name: str, expected: str | None) -> None:
    assert normalize_path(name) == expected


@pytest.mark.parametrize(
    ("link", "target", "expected"),
    [
        ("etc/link", "/etc/passwd", "etc/passwd"),
        ("etc/os-release", "../usr/lib/os-release", "usr/lib/os-release"),
        ("lib", "usr/lib", "usr/lib"),
        ("a/b/link", "../../../etc/passwd", None),
        ("link", "..", None),
        ("a/link", ".", "a"),
        ("a/link", "/../../etc", None),
    ],
)
def test_link_target(link: str, target: str, expected: str | None) -> None:
    assert link_target(link, target) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("etc/passwd", ("none", "etc/passwd")),
        ("etc/.wh.passwd", ("whiteout", "etc/passwd")),
        (".wh.opt", ("whiteout", "opt")),
        ("var/lib/.wh..wh..opq", ("opaque", "var/lib")),
        (".wh..wh..opq", ("opaque", "")),
        (".wh..wh.plnk", ("meta", ".wh..wh.plnk")),
        ("etc/.wh.", ("invalid", "etc/.wh.")),
        ("etc/.wh..", ("invalid", "etc/.wh..")),
        ("etc/.wh...", ("invalid", "etc/.wh...")),
    ],
)
def test_whiteout_of(path: str, expected: tuple[str, str]) -> None:
    assert whiteout_of(path) == expected


# --- walking one layer ------------------------------------------------------------------------------------------


def test_walk_lists_every_entry_and_captures_only_wanted_files() -> None:
    layer = walk(
        build_layer([
            ("./", "dir", None),
            ("./etc/", "dir", None),
            ("./etc/os-release", "file", b"ID=alpine\n"),
            ("./etc/hostname", "file", b"box\n"),
            ("./bin/sh", "symlink", "/bin/busybox"),
            ("./bin/ash", "hardlink", "./etc/hostname"),
        ]),
        wanted=lambda p: p == "etc/os-release",
    )
    assert layer.complete
    assert layer.refused == ()
    assert list(layer.entries) == ["etc", "etc/os-release", "etc/hostname", "bin/sh", "bin/ash"]
    assert [e.kind for e in layer.entries.values()] == ["dir", "file", "file", "symlink", "hardlink"]
    assert layer.entries["etc/os-release"].size == 10
    assert layer.entries["bin/sh"].link == "/bin/busybox"
    assert layer.entries["bin/sh"].target == "bin/busybox"
    assert layer.entries["bin/ash"].target == "etc/hostname"
    assert layer.entries["bin/ash"].size == 4
    assert dict(layer.captured) == {"etc/os-release": b"ID=alpine\n"}
    assert layer.bytes_read > 0


def test_walk_normalises_member_names() -> None:
    layer = walk(build_layer([("./a//b/./c", "file", b"1"), ("usr/lib/../bin/x", "file", b"2"), ("/abs", "file", b"")]))
    assert sorted(layer.entries) == ["a/b/c", "abs", "usr/bin/x"]
    assert layer.captured["usr/bin/x"] == b"2"


def test_empty_layer_is_complete() -> None:
    layer = walk(build_layer([]))
    assert layer.complete
    assert layer.entries == {}
    assert layer.refused == ()


# --- three layers: whiteouts and opaque dirs --------------------------------------------------------------------


def test_whiteouts_and_opaque_dirs_across_three_layers() -> None:
    base = walk(build_layer([
        ("etc/", "dir", None),
        ("etc/keep", "file", b"keep"),
        ("etc/gone", "file", b"v1"),
        ("opt/", "dir", None),
        ("opt/app/", "dir", None),
        ("opt/app/a", "file", b"a"),
        ("opt/app/sub/b", "file", b"b"),
        ("var/lib/", "dir", None),
        ("var/lib/old", "file", b"old"),
        ("var/lib/deep/older", "file", b"older"),
        ("srv/d/f", "file", b"f"),
    ]))
    middle = walk(build_layer([
        ("etc/.wh.gone", "file", b""),  # a file deleted
        ("opt/.wh.app", "file", b""),  # a directory deleted, subtree and all
        ("var/lib/.wh..wh..opq", "file", b""),  # made opaque ...
        ("var/lib/new", "file", b"new"),  # ... and refilled in the same layer
        ("etc/.wh.same", "file", b""),  # a whiteout does not hide its own layer's file
        ("etc/same", "file", b"same"),
        ("srv/d", "file", b"now a file"),  # a non-directory replaces a directory
        ("tmp/x", "file", b"x"),
    ]))
    top = walk(build_layer([
        ("etc/gone", "file", b"v2"),  # re-added after deletion
        ("opt/app/c", "file", b"c"),  # refilled under a deleted directory
        ("tmp/.wh.x", "file", b""),
    ]))
    assert middle.whiteouts == {"etc/gone", "opt/app", "etc/same"}
    assert middle.opaque_dirs == {"var/lib"}
    assert not any(".wh." in p for p in middle.entries)

    view = final_view([base, middle, top])
    assert {p: i for p, (i, _e) in view.files.items()} == {
        "etc": 0,
        "etc/keep": 0,
        "etc/gone": 2,
        "etc/same": 1,
        "opt": 0,
        "opt/app/c": 2,
        "var/lib": 0,
        "var/lib/new": 1,
        "srv/d": 1,
    }
    assert list(view.paths()) == sorted(view.files)
    assert view.captured("etc/gone") == b"v2"
    assert view.captured("etc/keep") == b"keep"
    assert view.captured("var/lib/old") is None
    assert view.captured("opt/app/a") is None
    assert view.layer_of("var/lib/new") == 1
    assert view.layer_of("tmp/x") is None

    # the same layers, stopped one early: the deletions of the top layer are not applied yet
    two = final_view([base, middle])
    assert two.layer_of("tmp/x") == 1
    assert two.layer_of("etc/gone") is None


def test_opaque_root_hides_every_lower_layer() -> None:
    base = walk(build_layer([("a", "file", b"a"), ("b/c", "file", b"c")]))
    top = walk(build_layer([(".wh..wh..opq", "file", b""), ("d", "file", b"d")]))
    assert list(final_view([base, top]).paths()) == ["d"]


def test_final_view_follows_symlinks_inside_the_root() -> None:
    base = walk(build_layer([
        ("usr/lib/os-release", "file", b"ID=debian\n"),
        ("etc/os-release", "symlink", "../usr/lib/os-release"),
        ("lib", "symlink", "usr/lib"),
        ("abs", "symlink", "/etc/os-release"),  # a chain of two
        ("loop1", "symlink", "loop2"),
        ("loop2", "symlink", "loop1"),
        ("up", "symlink", "usr/lib/../../.."),
    ]))
    view = final_view([base])
    assert view.captured("etc/os-release") == b"ID=debian\n"
    assert view.captured("lib/os-release") == b"ID=debian\n"  # through a directory symlink
    assert view.captured("abs") == b"ID=debian\n"
    assert view.resolve("lib/os-release") == "usr/lib/os-release"
    assert view.captured("loop1") is None  # more than 40 hops
    assert view.captured("up") is None
    assert view.files["up"][1].escapes
    assert view.captured("usr/lib") is None  # a directory has no bytes
    assert view.captured("missing") is None


# --- malicious archives -----------------------------------------------------------------------------------------


def test_dot_dot_traversal_is_refused() -> None:
    layer = walk(build_layer([("../evil", "file", b"x"), ("a/../../evil2", "file", b"x"), ("ok", "file", b"ok")]))
    assert list(layer.entries) == ["ok"]
    assert reasons(layer) == {"../evil": "path escapes the image root", "a/../../evil2": "path escapes the image root"}
    assert "evil" not in "".join(layer.captured)
    assert layer.complete


def test_absolute_paths_stay_inside_the_root() -> None:
    layer = walk(build_layer([("/etc/passwd", "file", b"root:x:0:0"), ("/../etc/shadow", "file", b"x")]))
    assert list(layer.entries) == ["etc/passwd"]
    assert layer.captured["etc/passwd"] == b"root:x:0:0"
    assert reasons(layer) == {"/../etc/shadow": "path escapes the image root"}


def test_symlink_escaping_the_root_is_listed_but_never_followed() -> None:
    layer = walk(build_layer([
        ("etc/passwd", "file", b"root:x:0:0"),
        ("etc/in-root", "symlink", "/etc/passwd"),
        ("a/b/out", "symlink", "../../../etc/passwd"),
    ]))
    assert layer.refused == ()
    assert layer.entries["etc/in-root"].target == "etc/passwd"
    assert not layer.entries["etc/in-root"].escapes
    out = layer.entries["a/b/out"]
    assert (out.kind, out.link, out.target, out.escapes) == (EntryKind.SYMLINK, "../../../etc/passwd", None, True)
    view = final_view([layer])
    assert view.captured("etc/in-root") == b"root:x:0:0"
    assert view.captured("a/b/out") is None
    assert view.resolve("a/b/out") is None


def test_hard_links_must_name_an_earlier_member_inside_the_root() -> None:
    layer = walk(
        build_layer([
            ("etc/shadow", "file", b"secret"),
            ("out", "hardlink", "../../etc/shadow"),
            ("later", "hardlink", "bin/real"),
            ("bin/real", "file", b"real"),
            ("dir/", "dir", None),
            ("todir", "hardlink", "dir"),
            ("good", "hardlink", "etc/shadow"),
        ]),
        wanted=lambda p: p == "etc/shadow",
    )
    assert reasons(layer) == {
        "out": "hard link target escapes the image root",
        "later": "hard link target is not an earlier member of this layer",
        "todir": "hard link to a directory",
    }
    assert "out" not in layer.entries
    assert "later" not in layer.entries
    assert layer.entries["good"].kind is EntryKind.HARDLINK
    assert layer.captured["good"] == b"secret"  # a hard link to a wanted file gets its bytes
    assert final_view([layer]).captured("good") == b"secret"


@pytest.mark.parametrize(("kind", "what"), [("chr", "character device"), ("blk", "block device"), ("fifo", "fifo")])
def test_device_files_are_refused(kind: str, what: str) -> None:
    layer = walk(build_layer([("dev/thing", kind, None), ("after", "file", b"a")]))
    assert list(layer.entries) == ["after"]
    assert reasons(layer) == {"dev/thing": f"device file ({what})"}
    assert layer.complete


def _zero_file_layer_gz(size: int) -> bytes:
    """A gzip layer holding one file of `size` zero bytes, streamed into gzip without holding it in memory."""
    info = tarfile.TarInfo("zeros")
    info.size = size
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        gz.write(info.tobuf(format=tarfile.PAX_FORMAT))
        chunk = bytes(MiB)
        for _ in range(size // MiB):
            gz.write(chunk)
        gz.write(bytes(2 * tarfile.BLOCKSIZE))
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _zero_file_layer_gz(200 * MiB)


def test_decompression_bomb_stops_at_the_ratio(bomb: bytes) -> None:
    assert len(bomb) < 400 * KiB  # a few hundred KB that would expand to 200 MB
    layer = walk_layer(gzip.GzipFile(fileobj=io.BytesIO(bomb)), wanted=lambda _p: True, compressed_size=len(bomb))
    assert reasons(layer) == {"": "decompression ratio above 100"}
    assert not layer.complete
    assert layer.bytes_read <= 100 * len(bomb) + 64 * KiB
    assert len(layer.captured.get("zeros", b"")) <= layer.bytes_read


def test_decompression_bomb_stops_at_the_absolute_cap(bomb: bytes) -> None:
    limits = Limits(max_layer_bytes=4 * MiB)
    layer = walk_layer(gzip.GzipFile(fileobj=io.BytesIO(bomb)), wanted=lambda _p: False, limits=limits)
    assert reasons(layer) == {"": f"layer larger than {4 * MiB} bytes uncompressed"}
    assert 4 * MiB < layer.bytes_read <= 4 * MiB + 64 * KiB


def test_small_layer_is_not_refused_for_its_ratio() -> None:
    data = gzip.compress(build_layer([("empty", "file", b"")]))
    layer = walk_layer(gzip.GzipFile(fileobj=io.BytesIO(data)), wanted=lambda _p: True, compressed_size=len(data))
    assert layer.complete
    assert layer.refused == ()


def _gnu_sparse_member(name: str, realsize: int, blocks: Sequence[tuple[int, bytes]]) -> bytes:
    """An old-GNU sparse member ('S'): the header's sparse map, real size and the stored data blocks."""
    stored = b"".join(data for _off, data in blocks)
    info = tarfile.TarInfo(name)
    info.type = tarfile.GNUTYPE_SPARSE
    info.size = len(stored)
    info.mode = 0o644
    header = bytearray(info.tobuf(format=tarfile.GNU_FORMAT))
    assert len(header) == tarfile.BLOCKSIZE
    pos = 386
    for offset, data in blocks:
        header[pos : pos + 12] = tarfile.itn(offset, 12, tarfile.GNU_FORMAT)
        header[pos + 12 : pos + 24] = tarfile.itn(len(data), 12, tarfile.GNU_FORMAT)
        pos += 24
    header[482] = 0  # no extension headers
    header[483:495] = tarfile.itn(realsize, 12, tarfile.GNU_FORMAT)
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header)
    padding = bytes(-len(stored) % tarfile.BLOCKSIZE)
    return bytes(header) + stored + padding


def test_sparse_ten_gigabyte_file_is_capped() -> None:
    ten_gb = 10 * GiB
    member = _gnu_sparse_member("var/log/lastlog", ten_gb, [(0, b"A" * 4096), (ten_gb - 4096, b"B" * 4096)])
    rest = build_layer([("after", "file", b"after")])
    data = member + rest
    limits = Limits(max_file_capture=1 * MiB)
    layer = walk(data, limits=limits)
    entry = layer.entries["var/log/lastlog"]
    assert (entry.kind, entry.size, entry.sparse) == (EntryKind.FILE, ten_gb, True)
    captured = layer.captured["var/log/lastlog"]
    assert len(captured) == 1 * MiB
    assert captured[:4096] == b"A" * 4096
    assert captured[4096:] == bytes(1 * MiB - 4096)
    assert layer.truncated == {"var/log/lastlog"}
    assert layer.captured["after"] == b"after"
    assert layer.complete
    assert layer.bytes_read < 64 * KiB  # the holes were never read

    skipped = walk(data, wanted=lambda p: p == "after")
    assert "var/log/lastlog" not in skipped.captured
    assert skipped.entries["var/log/lastlog"].size == ten_gb
    assert skipped.bytes_read < 64 * KiB


def test_duplicate_entries_later_one_wins() -> None:
    layer = walk(build_layer([
        ("etc/conf", "file", b"first"),
        ("etc/conf", "file", b"second!"),
        ("x", "dir", None),
        ("x", "file", b"now a file"),
    ]))
    assert layer.captured["etc/conf"] == b"second!"
    assert layer.entries["etc/conf"].size == 7
    assert layer.entries["x"].kind is EntryKind.FILE
    assert final_view([layer]).captured("etc/conf") == b"second!"


def test_truncated_stream_keeps_what_was_read() -> None:
    data = build_layer([("a", "file", b"A" * 100), ("b", "file", b"B" * 5000), ("c", "file", b"c")])
    layer = walk(data[: 3 * 512 + 2000])  # inside b's data (the pax headers add blocks too)
    assert layer.entries["a"].size == 100
    assert layer.captured["a"] == b"A" * 100
    assert "c" not in layer.entries
    assert not layer.complete
    assert [r.path for r in layer.refused] == [""]
    assert layer.refused[0].reason.startswith("corrupt layer: ")


def test_missing_end_of_archive_marker_is_reported() -> None:
    layer = walk(build_layer([("a", "file", b"a")], end_marker=False))
    assert list(layer.entries) == ["a"]
    assert reasons(layer) == {"": "corrupt layer: unexpected end of stream (no end-of-archive marker)"}


def test_bad_header_checksum_after_the_first_member() -> None:
    data = bytearray(build_layer([("a", "file", b"a"), ("b", "file", b"b")]))
    second = 2 * tarfile.BLOCKSIZE  # a's header, a's data, then the header block named "b"
    assert data[second : second + 2] == b"b\x00"
    data[second + 100] ^= 0xFF
    layer = walk(bytes(data))
    assert "a" in layer.entries
    assert "b" not in layer.entries
    assert reasons(layer) == {"": "corrupt layer: bad checksum"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "corrupt layer: empty file"),
        (b"this is not a tar archive" * 40, "corrupt layer: invalid header"),
        (b"short", "corrupt layer: truncated header"),
    ],
)
def test_garbage_is_a_corrupt_layer(data: bytes, reason: str) -> None:
    layer = walk(data)
    assert reasons(layer) == {"": reason}
    assert layer.entries == {}
    assert not layer.complete


def test_truncated_gzip_stream_is_a_corrupt_layer() -> None:
    blob = gzip.compress(build_layer([("a", "file", b"x" * 100_000)]))
    layer = walk_layer(gzip.GzipFile(fileobj=io.BytesIO(blob[: len(blob) // 2])), wanted=lambda _p: True)
    assert [r.path for r in layer.refused] == [""]
    assert layer.refused[0].reason.startswith("corrupt layer: ")
    assert not layer.complete


def test_too_many_entries_stops_the_layer() -> None:
    layer = walk(build_layer([(f"f{i}", "file", b"") for i in range(10)]), limits=Limits(max_entries=5))
    assert len(layer.entries) == 5
    assert reasons(layer) == {"": "too many entries (above 5)"}


def test_overlong_path_is_refused() -> None:
    long_name = "d/" * 40 + "file"
    layer = walk(build_layer([(long_name, "file", b"x"), ("ok", "file", b"")]), limits=Limits(max_path_length=50))
    assert list(layer.entries) == ["ok"]
    assert [r.reason for r in layer.refused] == ["path longer than 50 characters"]


def test_huge_pax_header_stops_the_layer() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(tarfile.TarInfo("first"), io.BytesIO(b""))
        info = tarfile.TarInfo("big")
        info.pax_headers = {"comment": "x" * (2 * MiB)}
        tf.addfile(info, io.BytesIO(b""))
    layer = walk(buf.getvalue(), limits=Limits(max_header_bytes=64 * KiB))
    assert list(layer.entries) == ["first"]
    assert reasons(layer) == {"": f"tar header larger than {64 * KiB} bytes"}


def test_capture_caps_per_file_and_per_layer() -> None:
    limits = Limits(max_file_capture=10, max_layer_capture=15)
    layer = walk(build_layer([("a", "file", b"0123456789abc"), ("b", "file", b"0123456789"), ("c", "file", b"c")]),
                 limits=limits)
    assert layer.captured == {"a": b"0123456789", "b": b"01234", "c": b""}
    assert layer.truncated == {"a", "b", "c"}
    view = final_view([layer])
    assert view.is_truncated("a")
    assert layer.complete


@pytest.mark.parametrize("fmt", ["gnu", "oldgnu", "posix"])
def test_sparse_files_written_by_gnu_tar(tmp_path: Path, fmt: str) -> None:
    """GNU tar's own sparse formats (old GNU 'S' headers and pax 1.0), with a real 10 GiB sparse file."""
    tar = shutil.which("tar")
    if tar is None:
        pytest.skip("GNU tar is not installed")
    root = tmp_path / "root"
    root.mkdir()
    with open(root / "big", "wb") as fh:
        fh.seek(5 * GiB)
        fh.write(b"hello")
        fh.truncate(10 * GiB)
    (root / "small").write_bytes(b"small")
    out = tmp_path / "layer.tar"
    subprocess.run([tar, "--sparse", f"--format={fmt}", "-C", str(root), "-cf", str(out), "big", "small"], check=True)
    with open(out, "rb") as fh:
        layer = walk_layer(fh, wanted=lambda _p: True, limits=Limits(max_file_capture=64 * KiB))
    assert layer.complete
    assert layer.refused == ()
    big = layer.entries["big"]
    assert (big.kind, big.size, big.sparse) == (EntryKind.FILE, 10 * GiB, True)
    assert layer.captured["big"] == bytes(64 * KiB)
    assert layer.truncated == {"big"}
    assert layer.captured["small"] == b"small"
    assert layer.bytes_read < 256 * KiB


def test_default_limits() -> None:
    limits = Limits()
    assert (limits.max_layer_bytes, limits.max_entries, limits.max_file_capture, limits.max_layer_capture) == (
        8 * GiB,
        1_000_000,
        64 * MiB,
        512 * MiB,
    )
    assert (limits.max_path_length, limits.max_ratio) == (4096, 100)


def test_consume_sees_each_wanted_file_and_decides_what_is_kept() -> None:
    seen: list[tuple[str, bytes, bool]] = []

    def consume(path: str, data: bytes, truncated: bool) -> bool:
        seen.append((path, data, truncated))
        return path.endswith(".keep")

    data = build_layer([("a.keep", "file", b"x" * 10), ("b.txt", "file", b"y" * 30), ("c.big", "file", b"z" * 50),
                        ("d.skip", "file", b"w")])
    layer = walk_layer(io.BytesIO(data), wanted=lambda p: not p.endswith(".skip"), consume=consume,
                       limits=Limits(max_file_capture=40, max_layer_capture=45))
    # every wanted file reaches consume, truncated where the per-file cap cut it; only what it keeps is kept
    assert seen == [("a.keep", b"x" * 10, False), ("b.txt", b"y" * 30, False), ("c.big", b"z" * 35, True)]
    assert dict(layer.captured) == {"a.keep": b"x" * 10}
    # and a file consumed and dropped costs none of the layer's budget (c.big got 45 - 10 bytes, not 5)
    assert set(layer.entries) == {"a.keep", "b.txt", "c.big", "d.skip"}
