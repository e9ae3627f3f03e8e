"""The directory target: the one walker that lists the lockfiles and manifests of a source tree.

It honours `.gitignore` files (the root's and every folder's), never enters `.git` or the dependency
folders package managers fill (`node_modules`, virtualenvs…; `include_vendored` lets it), applies the
user's `--skip-dirs` / `--skip-files` globs, and does not follow symbolic links to folders (so a link loop
cannot trap it). A folder it may not read becomes a `ScanError`; the walk goes on.
It only lists files: reading and parsing them belongs to the engine and the analyzers.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from shiftsec.model import ScanError
from shiftsec.targets import gitignore

ALWAYS_SKIPPED = frozenset({".git", ".hg", ".svn"})
# Folders a package manager fills with other projects' files: their manifests are not this project's.
DEPENDENCY_FOLDERS = frozenset(
    {"node_modules", "bower_components", "jspm_packages", ".venv", "venv", "site-packages", "__pycache__",
     ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".gradle", ".m2", ".cargo", ".terraform"}
)


@dataclass(frozen=True, slots=True)
class WalkOptions:
    skip_dirs: Sequence[str] = ()  # globs against the relative path or the folder name
    skip_files: Sequence[str] = ()  # globs against the relative path or the file name
    include_vendored: bool = False
    respect_gitignore: bool = True


def _matches(patterns: Sequence[str], rel: str, name: str) -> bool:
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def walk(
    root: Path, wanted: Callable[[str], bool], options: WalkOptions, errors: list[ScanError]
) -> Iterator[str]:
    """Relative paths (forward slashes) of the files under `root` for which `wanted(path)` is true.

    `root` may also be a single file: it is then the only candidate (asked of `wanted` by its name).
    """
    if root.is_file():
        if wanted(root.name):
            yield root.name
        return
    rules_of: dict[str, list[gitignore.Rule]] = {"": []}

    def onerror(exc: OSError) -> None:
        where = Path(exc.filename or root)
        rel = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
        errors.append(ScanError(rel, f"cannot read folder: {exc.strerror or exc}", "unreadable"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        base = Path(dirpath).relative_to(root).as_posix()
        base = "" if base == "." else base
        rules = rules_of.pop(base, [])
        if options.respect_gitignore and ".gitignore" in filenames:
            try:
                text = Path(dirpath, ".gitignore").read_text(encoding="utf-8", errors="replace")
                rules = [*rules, *gitignore.parse(text, base)]
            except OSError as exc:
                errors.append(ScanError(f"{base}/.gitignore".lstrip("/"), f"cannot read: {exc.strerror}", "unreadable"))
        keep = []
        for name in sorted(dirnames):
            rel = f"{base}/{name}" if base else name
            if name in ALWAYS_SKIPPED or (not options.include_vendored and name in DEPENDENCY_FOLDERS):
                continue
            if options.skip_dirs and _matches(options.skip_dirs, rel, name):
                continue
            if rules and gitignore.ignored(rules, rel, is_dir=True):
                continue
            keep.append(name)
            rules_of[rel] = rules
        dirnames[:] = keep
        for name in sorted(filenames):
            rel = f"{base}/{name}" if base else name
            if not wanted(rel):
                continue
            if options.skip_files and _matches(options.skip_files, rel, name):
                continue
            if rules and gitignore.ignored(rules, rel, is_dir=False):
                continue
            yield rel
