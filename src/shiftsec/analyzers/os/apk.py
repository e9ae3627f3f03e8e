"""apk's database of installed packages: `lib/apk/db/installed`.

One `X:value` line per field, a blank line between packages: `P` name, `V` version, `A` architecture, `o`
origin (the source package, the aport it was built from); file lines (`F`, `R`, `Z`, `a`, `M`) and the rest are
ignored. Every entry of the database is installed. An entry without `P` or `V` is skipped (one note counts
them); a non-empty line not of the form `X:value` is a ParseError (the file is not an apk database).

Alpine's secdb (and OSV's `Alpine:v3.x` records converted from it) names the origin package, whose version is
the binary's (one aport build gives all its subpackages the same version), so each package becomes a
`Dependency` named after its origin, with the binary in its purl (`pkg:apk/alpine/libcrypto1.1@1.1.1k-r0?
arch=x86_64&distro=alpine-3.14.0&upstream=openssl`). The ecosystem (`Alpine:v3.14`, `Wolfi`) comes from the
image's release files (`_common.locate_os`), or from the caller with `analyze_with_os`.
"""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.os._common import locate_os, os_purl, unknown_os_note
from shiftsec.analyzers.os.release import OperatingSystem

__all__ = ["ANALYZER", "analyze_with_os"]

INSTALLED = "lib/apk/db/installed"


def required(path: str) -> bool:
    return path == INSTALLED or path.endswith("/" + INSTALLED)


def _entries(text: str) -> list[tuple[int, dict[str, str]]]:
    out: list[tuple[int, dict[str, str]]] = []
    fields: dict[str, str] = {}
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                out.append((start, fields))
            fields = {}
            continue
        if len(line) < 2 or line[1] != ":":
            raise ParseError(f"line {number}: not an 'X:value' line of an apk database")
        if not fields:
            start = number
        fields.setdefault(line[0], line[2:].strip())  # the first P/V/o/A of an entry; later letters repeat (F, R)
    if fields:
        out.append((start, fields))
    return out


def analyze_with_os(file: InputFile, os: OperatingSystem | None) -> Parsed:
    """The installed packages of one apk database, for an image whose operating system is `os`."""
    packages: list[Dependency] = []
    skipped = 0
    for line, fields in _entries(file.data.decode("utf-8", "replace")):
        binary, version = fields.get("P", ""), fields.get("V", "")
        if not binary or not version:
            skipped += 1
            continue
        origin = fields.get("o") or binary
        namespace = os.id if os is not None and os.id in ("alpine", "wolfi", "chainguard") else "alpine"
        purl = os_purl("apk", os, binary, version, arch=fields.get("A") or None, source=origin,
                       default_namespace=namespace)
        packages.append(Dependency(origin, version, line=line, purl=purl))
    notes: list[str] = []
    if skipped:
        notes.append(f"{skipped} entries without a package name (P:) or version (V:) skipped")
    note = unknown_os_note(os, "apk")
    if note and packages:
        notes.append(note)
    ecosystem = os.ecosystem if os is not None and os.ecosystem else "Alpine"
    return Parsed(ecosystem, tuple(packages), tuple(notes))


def analyze(file: InputFile) -> Parsed:
    return analyze_with_os(file, locate_os(file, INSTALLED))


ANALYZER = Analyzer("os/apk", 1, required, analyze)
