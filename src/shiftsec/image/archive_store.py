"""Reading a local image in place, a directory or an uncompressed tar: `_DirStore` and `_TarStore` behind one
`_Store` interface (exists, size, open, read a small document), with archive-relative names cleaned so nothing
can point outside the image.

A tar is indexed once (names → offsets, symlinks and hard links resolved inside the archive) and each file is a
bounded window of it (`_Section`) opened on its own handle, so layers can be read concurrently from threads.
Nothing is extracted. Also owns the compression magic bytes (`GZIP_MAGIC`, `ZSTD_MAGIC`): a compressed tar is
refused here, and `image.source` tells layer compressions by them.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from pathlib import Path
from typing import Any, BinaryIO

from shiftsec.errors import InputError
from shiftsec.image import registry as reg

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_DOCUMENT = reg.MAX_DOCUMENT


class _Section(io.RawIOBase):
    """A window [offset, offset+size) of a file, on its own handle (safe across threads)."""

    def __init__(self, path: Path, offset: int, size: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._file.seek(offset)
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._left <= 0:
            return 0
        count = self._file.readinto(view[: min(len(view), self._left)])
        self._left -= count
        return count

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def _clean(name: str, where: str) -> str:
    """An archive-relative name: forward slashes, no `./`, no absolute path or `..` escaping the archive."""
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if not parts:
                raise InputError(f"{where}: path {name!r} points outside the image")
            parts.pop()
            continue
        parts.append(part)
    if not parts:
        raise InputError(f"{where}: empty path")
    return "/".join(parts)


class _Store:
    label: str

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def open(self, name: str) -> BinaryIO | io.RawIOBase:
        raise NotImplementedError

    def read(self, name: str, what: str) -> bytes:
        if not self.exists(name):
            raise InputError(f"{self.label}: {what} missing ({name})")
        if self.size(name) > MAX_DOCUMENT:
            raise InputError(f"{self.label}: {what} larger than {MAX_DOCUMENT >> 20} MiB: refused")
        with self.open(name) as stream:
            return stream.read() or b""

    def close(self) -> None:
        pass


class _DirStore(_Store):
    def __init__(self, root: Path, label: str) -> None:
        self.root = root.resolve()
        self.label = label

    def _path(self, name: str) -> Path:
        try:
            path = (self.root / _clean(name, self.label)).resolve()
        except (OSError, ValueError, RuntimeError) as exc:
            raise InputError(f"{self.label}: unusable path {name!r} ({exc})") from None
        if not path.is_relative_to(self.root):
            raise InputError(f"{self.label}: {name!r} points outside the image directory")
        return path

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def size(self, name: str) -> int:
        return self._path(name).stat().st_size

    def open(self, name: str) -> BinaryIO:
        try:
            return open(self._path(name), "rb")
        except OSError as exc:
            raise InputError(f"{self.label}: cannot open {name}: {exc.strerror or exc}") from None


class _TarStore(_Store):
    """A tar indexed once: name → (offset of data, size); symlinks and hard links resolved inside the archive."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self._files: dict[str, tuple[int, int]] = {}
        self._links: dict[str, str] = {}
        try:
            with open(path, "rb") as handle:
                magic = handle.read(4)
                if magic.startswith(GZIP_MAGIC) or magic.startswith(ZSTD_MAGIC):
                    raise InputError(f"{label}: a compressed archive cannot be read in place",
                                     hint="decompress it first (gunzip / zstd -d), or give the OCI layout directory")
                handle.seek(0)
                with tarfile.open(fileobj=handle, mode="r:") as archive:
                    for member in archive:
                        self._add(member)
        except tarfile.TarError as exc:
            raise InputError(f"{label}: not a readable tar archive ({exc})") from None
        except OSError as exc:
            raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None

    def _add(self, member: tarfile.TarInfo) -> None:
        try:
            name = _clean(member.name, self.label)
        except InputError:
            return  # an entry escaping the archive can never be named by a manifest: ignore it
        if member.isreg() and not member.issparse():
            self._files[name] = (member.offset_data, member.size)
            self._links.pop(name, None)
        elif member.issym():
            self._links[name] = posixpath.join(posixpath.dirname(name), member.linkname)
        elif member.islnk():
            self._links[name] = member.linkname

    def _find(self, name: str) -> tuple[int, int] | None:
        name = _clean(name, self.label)
        for _ in range(16):
            if name in self._files:
                return self._files[name]
            target = self._links.get(name)
            if target is None:
                return None
            try:
                name = _clean(target, self.label)
            except InputError:
                return None
        return None

    def exists(self, name: str) -> bool:
        return self._find(name) is not None

    def size(self, name: str) -> int:
        found = self._find(name)
        return found[1] if found else -1

    def open(self, name: str) -> io.RawIOBase:
        found = self._find(name)
        if found is None:
            raise InputError(f"{self.label}: {name} missing")
        return _Section(self.path, *found)
