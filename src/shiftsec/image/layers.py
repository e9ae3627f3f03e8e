"""Walking image layer tars safely, and merging the layers into the image's final file view.

This module owns:
- `walk_layer`: reads one uncompressed layer tar stream once, forward only (`tarfile` stream mode, no seeking,
  nothing written anywhere), and returns a `LayerFiles`: every entry listed (file, dir, symlink, hard link)
  under its normalised path, the layer's whiteouts and opaque dirs, the bytes of the regular files the caller
  `wanted` (capped), and a `Refusal` for every entry it would not use. One bad entry is refused and the walk
  goes on; a limit reached or a corrupt/truncated tar stops the walk with a recorded layer refusal (path "")
  and keeps what was read so far (`complete` is then False). It never raises for bad input.
- `final_view`: applies the layers in order (whiteouts, opaque dirs, a non-directory replacing a directory)
  and says which layer provides each path of the final image, with symlink-following reads.

Rules, in the order a member is looked at (see `tarsafety` for the pure checks):
- names with a NUL byte or longer than `Limits.max_path_length` are refused; names are normalised (leading `/`
  and `./` dropped, `//` and `.` collapsed, `..` resolved lexically); a name that leaves the root is refused.
  The root entry itself (`./`) is not listed.
- `dir/.wh.name` hides `dir/name` and its subtree in the layers below; `dir/.wh..wh..opq` hides everything under
  `dir` in the layers below but not what the same layer adds. Whiteout entries are not files of the image.
  Other AUFS bookkeeping names (`.wh..wh.*`) are ignored.
- a symlink is listed with its raw `link` and its lexical in-root `target`; a target that climbs above the root
  (absolute targets start at the image root) gets `target=None` and is never followed.
- a hard link must name an earlier, non-directory member of the same layer inside the root, else it is
  refused; it shares the captured bytes of its target. (A hard link whose target was not `wanted` cannot be
  captured: the stream has moved past the bytes.)
- character/block devices and FIFOs are refused ("device file (...)"); unknown entry types are refused.
- duplicate paths in one layer: the later entry wins (as when extracting).
- regular files (sparse and contiguous ones too) where `wanted(path)` is true are read up to
  `Limits.max_file_capture` and what is left of `Limits.max_layer_capture` (a cumulative budget: the bytes of
  a replaced duplicate still count, so memory and work stay bounded whatever the archive does); a file not
  read whole (its logical size, which for a sparse file includes its holes, above what was captured) is in
  `truncated`.
"""

from __future__ import annotations

import enum
import tarfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Self

from shiftsec.image.tarsafety import (
    CountingReader,
    LayerStop,
    Limits,
    link_target,
    normalize_path,
    whiteout_of,
)

__all__ = ["Entry", "EntryKind", "FinalView", "LayerFiles", "Limits", "Refusal", "final_view", "walk_layer"]

MAX_SYMLINK_HOPS = 40
_CHUNK = 1024 * 1024


class EntryKind(enum.StrEnum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"


@dataclass(frozen=True)
class Entry:
    """One member of a layer that is part of the image.

    `size` is the logical size (a sparse file's includes its holes; a hard link's is its target's). `link` is
    the raw link name from the tar; `target` the normalised in-root path it points to (lexically, from the
    link's directory for a relative symlink), or None for a symlink that escapes the root.
    """

    path: str
    kind: EntryKind
    size: int
    mode: int
    uid: int = 0
    gid: int = 0
    link: str = ""
    target: str | None = None
    sparse: bool = False

    @property
    def escapes(self) -> bool:
        """True for a symlink whose target leaves the image root (it is never followed)."""
        return self.kind is EntryKind.SYMLINK and self.target is None


@dataclass(frozen=True)
class Refusal:
    """An entry (or, with path "", the rest of the layer) that was not used, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class LayerFiles:
    """What one layer holds: entries by path, captured bytes, whiteouts, opaque dirs and refusals."""

    entries: Mapping[str, Entry]
    captured: Mapping[str, bytes]
    whiteouts: frozenset[str]
    opaque_dirs: frozenset[str]
    refused: tuple[Refusal, ...]
    bytes_read: int
    truncated: frozenset[str]
    complete: bool


class _Walk:
    """Mutable state of one layer walk."""

    def __init__(self, wanted: Callable[[str], bool], limits: Limits,
                 consume: Callable[[str, bytes, bool], bool] | None = None) -> None:
        self.wanted = wanted
        self.limits = limits
        self.consume = consume
        self.entries: dict[str, Entry] = {}
        self.captured: dict[str, bytes] = {}
        self.truncated: set[str] = set()
        self.whiteouts: set[str] = set()
        self.opaque: set[str] = set()
        self.refused: list[Refusal] = []
        self.captured_bytes = 0
        self.count = 0

    def refuse(self, path: str, reason: str) -> None:
        self.refused.append(Refusal(path, reason))

    def put(self, entry: Entry) -> None:
        """Record an entry; a duplicate path in the same layer replaces the earlier one."""
        if self.entries.pop(entry.path, None) is not None:
            self.captured.pop(entry.path, None)  # `captured_bytes` keeps counting it: the budget is cumulative
            self.truncated.discard(entry.path)
        self.entries[entry.path] = entry

    def member(self, tf: tarfile.TarFile, ti: tarfile.TarInfo) -> None:
        raw = ti.name
        if "\x00" in raw:
            self.refuse(raw.replace("\x00", "\\0"), "invalid path (NUL byte)")
            return
        if len(raw) > self.limits.max_path_length:
            self.refuse(raw[:200] + "...", f"path longer than {self.limits.max_path_length} characters")
            return
        path = normalize_path(raw)
        if path is None:
            self.refuse(raw, "path escapes the image root")
            return
        if path == "":
            return  # the root directory itself
        kind, what = whiteout_of(path)
        if kind == "whiteout":
            self.whiteouts.add(what)
            return
        if kind == "opaque":
            self.opaque.add(what)
            return
        if kind == "meta":
            return
        if kind == "invalid":
            self.refuse(path, "invalid whiteout name")
            return
        common: dict[str, Any] = {"path": path, "mode": ti.mode, "uid": ti.uid, "gid": ti.gid}
        if ti.isdir():
            self.put(Entry(kind=EntryKind.DIR, size=0, **common))
        elif ti.issym():
            self.put(Entry(kind=EntryKind.SYMLINK, size=0, link=ti.linkname, target=link_target(path, ti.linkname),
                           **common))
        elif ti.islnk():
            self.hardlink(path, ti, common)
        elif ti.ischr() or ti.isblk() or ti.isfifo():
            what = "character device" if ti.ischr() else "block device" if ti.isblk() else "fifo"
            self.refuse(path, f"device file ({what})")
        elif ti.isreg():
            self.put(Entry(kind=EntryKind.FILE, size=ti.size, sparse=ti.sparse is not None, **common))
            if self.wanted(path):
                self.capture(tf, ti, path)
        else:
            self.refuse(path, f"unsupported entry type {ti.type!r}")

    def hardlink(self, path: str, ti: tarfile.TarInfo, common: dict[str, Any]) -> None:
        target = normalize_path(ti.linkname)
        if not target:
            self.refuse(path, "hard link target escapes the image root")
            return
        prev = self.entries.get(target)
        if prev is None:
            self.refuse(path, "hard link target is not an earlier member of this layer")
            return
        if prev.kind is EntryKind.DIR:
            self.refuse(path, "hard link to a directory")
            return
        data = self.captured.get(target)
        was_truncated = target in self.truncated
        self.put(Entry(kind=EntryKind.HARDLINK, size=prev.size, link=ti.linkname, target=target,
                       sparse=prev.sparse, **common))
        if data is not None:
            self.captured[path] = data  # the same bytes object: costs no memory
            if was_truncated:
                self.truncated.add(path)

    def capture(self, tf: tarfile.TarFile, ti: tarfile.TarInfo, path: str) -> None:
        budget = max(0, min(self.limits.max_file_capture, self.limits.max_layer_capture - self.captured_bytes))
        chunks: list[bytes] = []
        got = 0
        try:
            fileobj = tf.extractfile(ti)
            if fileobj is not None:
                while got < budget:
                    chunk = fileobj.read(min(_CHUNK, budget - got))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    got += len(chunk)
        finally:
            data = b"".join(chunks)
            truncated = got < ti.size
            if self.consume is None or self.consume(path, data, truncated):
                self.captured[path] = data
                self.captured_bytes += got
                if truncated:
                    self.truncated.add(path)


class _HeaderState:
    def __init__(self) -> None:
        self.end_marker = False
        self.error: str | None = None


def _tracking_info(reader: CountingReader, state: _HeaderState) -> type[tarfile.TarInfo]:
    """A TarInfo class that bounds each header's size and notes how the archive ended.

    `tarfile` in stream mode treats a bad or missing header after the first member as the end of the archive;
    noting the header error here lets the walk tell a corrupt or truncated tar from a complete one.
    """

    class TrackingInfo(tarfile.TarInfo):
        @classmethod
        def fromtarfile(cls, tarfile_: tarfile.TarFile) -> Self:
            reader.begin_header()
            try:
                return super().fromtarfile(tarfile_)
            except tarfile.HeaderError as exc:
                name = type(exc).__name__
                if name == "EOFHeaderError":
                    state.end_marker = True
                elif name == "EmptyHeaderError":
                    state.error = "unexpected end of stream (no end-of-archive marker)"
                else:
                    state.error = str(exc) or name
                raise
            finally:
                reader.end_header()

    return TrackingInfo


def walk_layer(
    stream: BinaryIO,
    *,
    wanted: Callable[[str], bool],
    limits: Limits = Limits(),  # noqa: B008 (frozen, so one shared default is safe)
    compressed_size: int | None = None,
    consume: Callable[[str, bytes, bool], bool] | None = None,
) -> LayerFiles:
    """Walk one uncompressed layer tar stream once; see the module docstring for the rules.

    `compressed_size` (the layer blob's size) enables the decompression-ratio check. With `consume`, each
    wanted file's bytes are handed to `consume(path, data, truncated)` as soon as they are read, and kept in
    `captured` only when it returns True (a file searched and done with costs no memory afterwards, nor any
    of the layer's capture budget). The stream is not closed.
    """
    walk = _Walk(wanted, limits, consume)
    reader = CountingReader(stream, limits, compressed_size)
    state = _HeaderState()
    complete = False
    try:
        with tarfile.open(
            fileobj=reader, mode="r|", tarinfo=_tracking_info(reader, state), encoding="utf-8",
            errors="surrogateescape",
        ) as tf:  # closing it leaves the caller's stream open
            members: list[tarfile.TarInfo] = tf.members  # type: ignore[attr-defined]
            while (ti := tf.next()) is not None:
                members.clear()  # stream mode keeps every TarInfo otherwise: memory grows with the entry count
                walk.count += 1
                if walk.count > limits.max_entries:
                    raise LayerStop(f"too many entries (above {limits.max_entries})")
                walk.member(tf, ti)
        if state.end_marker:
            complete = True
        else:
            walk.refuse("", f"corrupt layer: {state.error or 'no end-of-archive marker'}")
    except LayerStop as exc:
        walk.refuse("", str(exc))
    except Exception as exc:  # a broken stream (tar, gzip, zstd, I/O) stops this layer, never the scan
        walk.refuse("", f"corrupt layer: {exc or type(exc).__name__}")
    return LayerFiles(
        entries=walk.entries,
        captured=walk.captured,
        whiteouts=frozenset(walk.whiteouts),
        opaque_dirs=frozenset(walk.opaque),
        refused=tuple(walk.refused),
        bytes_read=reader.count,
        truncated=frozenset(walk.truncated),
        complete=complete,
    )


def _ancestors(path: str) -> Iterator[str]:
    """The strict ancestors of a path, nearest first, ending with the root ""."""
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        yield path
    yield ""


@dataclass(frozen=True)
class FinalView:
    """The image's final file tree: each present path with the index of the layer that provides it."""

    layers: tuple[LayerFiles, ...]
    files: Mapping[str, tuple[int, Entry]]

    def paths(self) -> Iterator[str]:
        """Every path present in the final image, sorted."""
        return iter(self.files)

    def layer_of(self, path: str) -> int | None:
        hit = self.files.get(path)
        return hit[0] if hit else None

    def resolve(self, path: str) -> str | None:
        """The path with every symlink on the way followed (at most 40 hops), or None if it leaves the root."""
        start = normalize_path(path)
        if start is None:
            return None
        todo = list(reversed(start.split("/"))) if start else []
        done: list[str] = []
        hops = 0
        while todo:
            part = todo.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if not done:
                    return None
                done.pop()
                continue
            here = "/".join([*done, part])
            hit = self.files.get(here)
            if hit is not None and hit[1].kind is EntryKind.SYMLINK:
                entry = hit[1]
                hops += 1
                if entry.target is None or hops > MAX_SYMLINK_HOPS:
                    return None
                if entry.link.startswith("/"):
                    done = []
                todo.extend(reversed(entry.link.split("/")))
                continue
            done.append(part)
        return "/".join(done)

    def captured(self, path: str) -> bytes | None:
        """The captured bytes of the file at `path` (symlinks followed inside the root), or None."""
        real = self.resolve(path)
        hit = self.files.get(real) if real is not None else None
        if real is None or hit is None or hit[1].kind not in (EntryKind.FILE, EntryKind.HARDLINK):
            return None
        return self.layers[hit[0]].captured.get(real)

    def is_truncated(self, path: str) -> bool:
        """True if the file at `path` was captured only in part."""
        real = self.resolve(path)
        hit = self.files.get(real) if real is not None else None
        return hit is not None and real in self.layers[hit[0]].truncated


def final_view(layers: Sequence[LayerFiles]) -> FinalView:
    """Merge the layers (lowest first) into the final image view.

    Worked from the top layer down: a lower entry is present unless an upper layer provides the same path, a
    whiteout of an upper layer names it or one of its ancestors, an opaque dir of an upper layer is one of its
    ancestors, or an upper layer put a non-directory at one of its ancestors (which replaces the directory).
    A layer's own whiteouts and opaque dirs never hide what the same layer adds.
    """
    files: dict[str, tuple[int, Entry]] = {}
    deleted: set[str] = set()  # the path and its subtree are gone
    cut: set[str] = set()  # the subtree under the path is gone (opaque dirs, non-dirs replacing dirs)
    for index in range(len(layers) - 1, -1, -1):
        layer = layers[index]
        for path, entry in layer.entries.items():
            if path in files or path in deleted:
                continue
            if any(a in deleted or a in cut for a in _ancestors(path)):
                continue
            files[path] = (index, entry)
        deleted |= layer.whiteouts
        cut |= layer.opaque_dirs
        cut.update(p for p, e in layer.entries.items() if e.kind is not EntryKind.DIR)
    return FinalView(layers=tuple(layers), files=dict(sorted(files.items())))
