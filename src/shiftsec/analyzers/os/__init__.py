"""Operating-system packages: OS detection (`release`) and the analyzers of package databases (dpkg, apk, rpm).

`OS_ANALYZERS` is a separate list from the lockfile registry (`analyzers.registry.ANALYZERS`), so directory
scans are unchanged; image scans run these over the files captured from the image's layers, exactly like
lockfile analyzers (`Analyzer.required(path)` on the in-image path, `analyze(InputFile)`). Each analyzer finds
the operating system by reading the release files through `InputFile.read` relative to the database's folder
(`../../../etc/os-release` for `var/lib/dpkg/status`), so the caller must:

- capture the files `release.RELEASE_FILES` names (in-image paths) besides those the analyzers want, and
- give `InputFile` a `read` that resolves a path relative to the database's folder inside the image.

A caller that already knows the operating system (`release.detect(files)`) can call the modules'
`analyze_with_os(file, os)` instead. Packages are named and versioned as the distribution's advisories
name them (the source package for Debian/Ubuntu/Alpine/Rocky/AlmaLinux/SUSE, the binary rpm for Red Hat); the
binary's name, version and architecture are in `Dependency.purl`, which the caller must use as the package's
purl (`targets.tree` does: `dep.purl or package_purl(...)`).
"""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.os import apk, dpkg, rpm
from shiftsec.analyzers.os.release import RELEASE_FILES, OperatingSystem, detect

__all__ = ["OS_ANALYZERS", "RELEASE_FILES", "OperatingSystem", "detect", "os_analyzer_for", "os_wanted"]

OS_ANALYZERS: tuple[Analyzer, ...] = (dpkg.ANALYZER, apk.ANALYZER, rpm.ANALYZER)


def os_analyzer_for(path: str) -> Analyzer | None:
    """The OS package analyzer that wants the file at `path` (in-image, relative, forward slashes), if any."""
    for analyzer in OS_ANALYZERS:
        if analyzer.required(path):
            return analyzer
    return None


_RELEASE = frozenset(RELEASE_FILES)


def os_wanted(path: str) -> bool:
    """Whether an image file must be captured for OS packages: a package database or a release file."""
    return path in _RELEASE or os_analyzer_for(path) is not None
