"""What the OS package analyzers share: finding the operating system next to a package database, and the purl.

`locate_os(file, suffix)` reads the release files (`release.RELEASE_FILES`) through `InputFile.read`, relative to
the database's folder: the database is at `<root>/<suffix>` (`var/lib/dpkg/status`), so the image root is as
many `..` above that folder as `suffix` has folders. The same call works in an image (the lead's `read`
resolves in-image paths) and in an extracted root file system scanned as a directory.

`os_purl` writes the purl of one installed binary package (purl-spec types deb, apk, rpm): namespace the
os-release ID, the binary name and version, and the qualifiers `arch`, `distro` (`debian-12`), `epoch` (rpm)
and `upstream` (the source package, `name` alone when it has the binary's version, else `name@version`).
"""

from __future__ import annotations

from shiftsec.analyzers.api import InputFile
from shiftsec.analyzers.os.release import RELEASE_FILES, OperatingSystem, detect
from shiftsec.purl import PackageURL

__all__ = ["locate_os", "os_purl", "unknown_os_note"]


def locate_os(file: InputFile, suffix: str) -> OperatingSystem | None:
    """The operating system of the root holding `file`, whose path ends with `suffix` (folders of the image)."""
    depth = suffix.count("/")
    up = "../" * depth
    found: dict[str, bytes] = {}
    for path in RELEASE_FILES:
        data = file.read(up + path)
        if data:
            found[path] = data
    return detect(found)


def unknown_os_note(os: OperatingSystem | None, family: str) -> str | None:
    """A note for the report when the packages cannot get a release-scoped OSV ecosystem."""
    if os is None:
        return (f"operating system not recognised (no os-release or release file): {family} packages are listed "
                "without a distribution release and per-release advisories cannot be matched")
    if os.ecosystem is None:
        return (f"operating system {os.id} {os.version} has no OSV ecosystem: {family} packages are listed but "
                "cannot be matched against distribution advisories")
    return None


def os_purl(
    kind: str,
    os: OperatingSystem | None,
    binary: str,
    version: str,
    *,
    arch: str | None = None,
    source: str | None = None,
    source_version: str | None = None,
    epoch: str | None = None,
    default_namespace: str,
) -> str | None:
    """The purl of an installed package, or None when the name cannot be written as one."""
    qualifiers: dict[str, str] = {}
    if arch:
        qualifiers["arch"] = arch
    if os is not None:
        qualifiers["distro"] = os.purl_distro
    if epoch:
        qualifiers["epoch"] = epoch
    if source and (source != binary or (source_version and source_version != version)):
        same = not source_version or source_version == version
        qualifiers["upstream"] = source if same else f"{source}@{source_version}"
    namespace = os.id if os is not None and os.id else default_namespace
    if not binary:
        return None
    return PackageURL(kind, namespace.lower(), binary, version or None, qualifiers).to_string()
