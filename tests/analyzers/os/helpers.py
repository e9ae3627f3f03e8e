"""Test helpers: an `InputFile` whose `read` resolves paths inside a root file system, and the txtar format."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

from shiftsec.analyzers.api import InputFile

OS_PKGDB = ("os-pkgdb",)


def mapping_input(files: Mapping[str, bytes], path: str) -> InputFile:
    """`files[path]` as an InputFile whose `read` resolves relative paths within `files` (in-image paths)."""
    folder = posixpath.dirname(path)

    def read(relative: str) -> bytes | None:
        target = posixpath.normpath(posixpath.join(folder, relative))
        if target.startswith("../") or target == "..":
            return None
        return files.get(target)

    return InputFile(path, files[path], read)


def rootfs_input(root: Path, path: str) -> InputFile:
    """The file at `root/path` as an InputFile whose `read` resolves within `root` (an extracted image)."""
    files: dict[str, bytes] = {}
    for candidate in root.rglob("*"):
        if candidate.is_file() and not candidate.is_symlink():
            files[candidate.relative_to(root).as_posix()] = candidate.read_bytes()
    return mapping_input(files, path)


def parse_txtar(data: str) -> dict[str, bytes]:
    """The files of a txtar archive (golang.org/x/tools/txtar): a comment, then `-- name --` headers."""
    files: dict[str, bytes] = {}
    name: str | None = None
    lines: list[str] = []
    for line in data.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if stripped.startswith("-- ") and stripped.endswith(" --") and len(stripped) > 6:
            if name is not None:
                files[name] = "".join(lines).encode()
            name, lines = stripped[3:-3].strip(), []
        elif name is not None:
            lines.append(line)
    if name is not None:
        files[name] = "".join(lines).encode()
    return files
