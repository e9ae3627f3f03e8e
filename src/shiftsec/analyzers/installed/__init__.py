"""Language packages installed in an image (not lockfiles): site-packages metadata, node_modules, Go and Rust
executables, Java archives, gem specifications and Composer's installed.json.

`INSTALLED_ANALYZERS` is a separate list from the lockfile registry (`analyzers.registry.ANALYZERS`), so
directory scans are unchanged; image scans run these over the files captured from the image's layers, with
the same `Analyzer` contract (`required(path)` on the in-image path — relative, forward slashes — then
`analyze(InputFile)`). None of them reads sibling files, so `InputFile.read` may be left at its default.

Unlike the lockfile registry, more than one analyzer may want the same file: the Go and Rust executable
analyzers both want every extension-less file in the usual program folders (`_common.in_binary_place`), and each
returns an empty result for an executable that is not its kind. Callers must therefore run every analyzer
that wants a file (`installed_analyzers_for`), not just the first.

Executables and archives can be large: the caller's capture limits decide how much is read; a truncated
executable is a `ParseError` only when the part needed is cut off.
"""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.installed import (
    composer_installed,
    go_binary,
    java_archive,
    node_package,
    python_dist,
    ruby_gemspec,
    rust_audit,
)

__all__ = ["INSTALLED_ANALYZERS", "installed_analyzers_for", "wants"]

INSTALLED_ANALYZERS: tuple[Analyzer, ...] = (
    python_dist.ANALYZER,
    node_package.ANALYZER,
    go_binary.ANALYZER,
    rust_audit.ANALYZER,
    java_archive.ANALYZER,
    ruby_gemspec.ANALYZER,
    composer_installed.ANALYZER,
)


def installed_analyzers_for(path: str) -> tuple[Analyzer, ...]:
    """Every installed-package analyzer that wants the file at `path` (in-image, relative, forward slashes)."""
    return tuple(analyzer for analyzer in INSTALLED_ANALYZERS if analyzer.required(path))


def wants(path: str) -> bool:
    """Whether any installed-package analyzer wants `path`: a `wanted` predicate for capturing layer files."""
    return any(analyzer.required(path) for analyzer in INSTALLED_ANALYZERS)
