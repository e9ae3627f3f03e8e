"""dpkg's database of installed packages: `var/lib/dpkg/status` and distroless `var/lib/dpkg/status.d/<package>`.

Both are RFC 822-style paragraphs (`Field: value`, continuation lines indented, blank lines between packages).
An entry is an installed package when its `Status` is `<want> ok installed` (or `triggers-pending`/
`triggers-awaited`, installed packages waiting for a trigger); entries of `status.d` (Google distroless writes
one file per package) usually carry no `Status` and are installed by definition, but one saying
`deinstall ok config-files` is not. Entries without a `Package` or `Version` (a bare `Package: foo` stanza,
an empty `Package:`) are not packages; how many were skipped is one note.

Debian and Ubuntu advisories name the SOURCE package and compare the source version, so each package becomes a
`Dependency` named after `Source:` (`Source: glibc (2.36-9+deb12u4)` gives name and version; a bare
`Source: pam` has the binary's version; no `Source` means the binary is its own source), with the binary name,
version and architecture kept in its purl (`pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12
&upstream=glibc`). The OSV ecosystem (`Debian:12`, `Ubuntu:22.04:LTS`) comes from the image's release files
(`_common.locate_os`), or from the caller with `analyze_with_os`.

A line that is neither `Field: value` nor a continuation is a ParseError (the file is not a dpkg database).
"""

from __future__ import annotations

import re

from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.os._common import locate_os, os_purl, unknown_os_note
from shiftsec.analyzers.os.release import OperatingSystem

__all__ = ["ANALYZER", "analyze_with_os", "parse_paragraphs"]

STATUS = "var/lib/dpkg/status"
STATUS_D = "var/lib/dpkg/status.d/"
# files dpkg (and distroless) keep next to the control data in status.d, which are not package entries
_NOT_ENTRIES = (".md5sums", ".preinst", ".postinst", ".prerm", ".postrm", ".conffiles", ".list", ".triggers",
                ".shlibs", ".symbols", ".templates", ".config")
_INSTALLED = frozenset({"installed", "triggers-pending", "triggers-awaited"})
_FIELD = re.compile(r"^([!-9;-~][!-9;-~]*):(.*)$")  # field names: printable ASCII except ':'
_SOURCE = re.compile(r"^(\S+)(?:\s+\((\S+)\))?\s*$")


def _suffix(path: str) -> str | None:
    if path == STATUS or path.endswith("/" + STATUS):
        return STATUS
    folder, _, name = path.rpartition("/")
    in_status_d = f"{folder}/" == STATUS_D or f"{folder}/".endswith("/" + STATUS_D)
    if in_status_d and name and not name.startswith(".") and not name.endswith(_NOT_ENTRIES):
        return STATUS_D + "x"
    return None


def required(path: str) -> bool:
    return _suffix(path) is not None


def parse_paragraphs(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line of the first field, fields) of every paragraph; field names as written, values stripped."""
    out: list[tuple[int, dict[str, str]]] = []
    fields: dict[str, str] = {}
    start = 0
    last: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                out.append((start, fields))
            fields, last = {}, None
            continue
        if line[0] in " \t":
            if last is None:
                raise ParseError(f"line {number}: continuation line outside a field")
            fields[last] = f"{fields[last]}\n{line.strip()}"
            continue
        match = _FIELD.match(line)
        if match is None:
            raise ParseError(f"line {number}: not a 'Field: value' line of a dpkg database")
        if not fields:
            start = number
        last = match.group(1)
        fields[last] = match.group(2).strip()
    if fields:
        out.append((start, fields))
    return out


def _installed(fields: dict[str, str], in_status_d: bool) -> bool:
    status = fields.get("Status")
    if status is None:
        return in_status_d
    words = status.split()
    return len(words) == 3 and words[2] in _INSTALLED


def analyze_with_os(file: InputFile, os: OperatingSystem | None) -> Parsed:
    """The installed packages of one dpkg status file, for an image whose operating system is `os`."""
    suffix = _suffix(file.path) or STATUS
    text = file.data.decode("utf-8", "replace")
    paragraphs = parse_paragraphs(text)
    if paragraphs and not any("Package" in fields for _, fields in paragraphs):
        raise ParseError("no 'Package' field in any entry: not a dpkg database")
    packages: list[Dependency] = []
    skipped = 0
    for line, fields in paragraphs:
        binary, version = fields.get("Package", ""), fields.get("Version", "")
        if not binary or not version:
            skipped += 1
            continue
        if not _installed(fields, suffix != STATUS):
            continue
        source, source_version = binary, version
        if fields.get("Source"):
            match = _SOURCE.match(fields["Source"])
            if match:
                source = match.group(1)
                source_version = match.group(2) or version
        purl = os_purl("deb", os, binary, version, arch=fields.get("Architecture") or None, source=source,
                       source_version=source_version, default_namespace="debian")
        packages.append(Dependency(source, source_version, line=line, purl=purl))
    notes: list[str] = []
    if skipped:
        notes.append(f"{skipped} entries without a Package name or Version are not installed packages: skipped")
    note = unknown_os_note(os, "dpkg")
    if note and packages:
        notes.append(note)
    ecosystem = os.ecosystem if os is not None and os.ecosystem else "Ubuntu" if os and os.id == "ubuntu" else "Debian"
    return Parsed(ecosystem, tuple(packages), tuple(notes))


def analyze(file: InputFile) -> Parsed:
    return analyze_with_os(file, locate_os(file, _suffix(file.path) or STATUS))


ANALYZER = Analyzer("os/dpkg", 1, required, analyze)
