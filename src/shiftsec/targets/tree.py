"""The inventory of a source tree: walk it, parse every lockfile and manifest, and collect the packages.

walk (`targets.directory`) → one analyzer per file (`analyzers.registry`), in worker processes when there
are enough files → `Package`s with a purl, the file and line they came from, direct/dev flags and the
dependency edges the file records (`Package.depends_on`, as purls). A file that cannot be read or parsed, and
every line an analyzer could not turn into a package (an editable install, a URL requirement), becomes a
`ScanError`; the rest of the tree is still scanned.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from shiftsec.analyzers.api import InputFile, Parsed
from shiftsec.analyzers.registry import analyzer_for
from shiftsec.errors import ParseError
from shiftsec.model import Location, Package, ScanError
from shiftsec.purl_to_osv import package_purl
from shiftsec.targets.directory import WalkOptions, walk

MAX_FILE_BYTES = 64 * 1024 * 1024  # a lockfile larger than this is reported, not read
_PARALLEL_FROM = 200  # below this many files, starting worker processes costs more than it saves
_CHUNK = 50


@dataclass(frozen=True, slots=True)
class TreeInventory:
    packages: tuple[Package, ...]
    errors: tuple[ScanError, ...]
    files: int  # lockfiles and manifests parsed (or attempted)


def _wanted(rel: str) -> bool:
    return analyzer_for(rel) is not None


def _parse(root: str, rel: str) -> tuple[str, str, Parsed | str]:
    """Parse one file (runs in a worker): (path, analyzer name, result or the one-line reason it failed)."""
    analyzer = analyzer_for(rel)
    assert analyzer is not None
    root_path = Path(root).resolve()
    path = root_path / rel
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES >> 20
            return rel, analyzer.name, f"{size >> 20} MiB is larger than the {limit} MiB limit"
        data = path.read_bytes()
    except OSError as exc:
        return rel, analyzer.name, f"cannot read: {exc.strerror or exc}"
    folder = path.parent

    def read(relative: str) -> bytes | None:
        try:
            target = (folder / relative).resolve()
            if not target.is_relative_to(root_path) or not target.is_file():
                return None
            if target.stat().st_size > MAX_FILE_BYTES:
                return None
            return target.read_bytes()
        except (OSError, ValueError):
            return None

    try:
        return rel, analyzer.name, analyzer.analyze(InputFile(rel, data, read))
    except ParseError as exc:
        return rel, analyzer.name, str(exc) or "cannot parse"
    except RecursionError:
        return rel, analyzer.name, "nested too deeply to parse"


def _parse_chunk(root: str, rels: list[str]) -> list[tuple[str, str, Parsed | str]]:
    return [_parse(root, rel) for rel in rels]


def _packages(rel: str, parsed: Parsed) -> list[Package]:
    purls: dict[str, str] = {}
    for dep in parsed.packages:
        purl = dep.purl or package_purl(dep.ecosystem or parsed.ecosystem, dep.name, dep.version)
        if purl is not None:
            purls[dep.key] = purl
    out = []
    for dep in parsed.packages:
        out.append(
            Package(
                name=dep.name,
                version=dep.version,
                ecosystem=dep.ecosystem or parsed.ecosystem,
                purl=dep.purl or purls.get(dep.key),  # OS packages: binaries of one source share a key
                location=Location(rel, dep.line),
                direct=dep.direct,
                dev=dep.dev,
                depends_on=tuple(dict.fromkeys(purls[k] for k in dep.depends_on if k in purls)),
            )
        )
    return out


def wanted(rel: str) -> bool:
    """Whether the file at `rel` is a lockfile or manifest an analyzer reads."""
    return _wanted(rel)


def inventory(
    root: Path, options: WalkOptions, *, workers: int | None = None, files: list[str] | None = None
) -> TreeInventory:
    """Find and parse every lockfile and manifest under `root` (a folder, or a single file).

    `files` are the candidates when the caller walked the tree already (with `wanted`); the walk's own errors
    are then the caller's to report.
    """
    errors: list[ScanError] = []
    base = root if root.is_dir() else root.parent
    rels = files if files is not None else list(walk(root, _wanted, options, errors))
    n_workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if len(rels) < _PARALLEL_FROM or n_workers <= 1:
        results = _parse_chunk(str(base), rels)
    else:
        chunks = [rels[i : i + _CHUNK] for i in range(0, len(rels), _CHUNK)]
        context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
            results = [r for part in pool.map(_parse_chunk, [str(base)] * len(chunks), chunks) for r in part]
    packages: list[Package] = []
    for rel, name, outcome in results:
        if isinstance(outcome, str):
            errors.append(ScanError(rel, f"{outcome} ({name})", "parse"))
            continue
        packages.extend(_packages(rel, outcome))
        errors.extend(ScanError(rel, note, "note") for note in outcome.notes)
    return TreeInventory(tuple(packages), tuple(errors), len(rels))
