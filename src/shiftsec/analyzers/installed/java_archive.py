"""`installed/java-archive`: the Maven artifacts inside a `.jar`, `.war` or `.ear` file (a zip archive).

- Every `META-INF/maven/<group>/<artifact>/pom.properties` gives `groupId:artifactId`@`version` (a shaded
  JAR holds one per artifact it bundles; the properties file wins over the folder names when both exist).
- Only when there is none, `META-INF/MANIFEST.MF` is the fallback: the artifact is `Implementation-Title`
  (else the last dot-separated part of `Bundle-SymbolicName`), the group `Implementation-Vendor-Id` (else
  the rest of `Bundle-SymbolicName`), the version `Implementation-Version` (else `Bundle-Version`). Such
  coordinates are a guess and say so in a note; without a group the name is the bare artifact, which
  will not match Maven advisories.
- Nested archives (`BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar`, an EAR's modules: any `*.jar`/`*.war` entry)
  are opened recursively, down to `MAX_DEPTH` levels.

Zip bombs: the total of uncompressed bytes read over the whole file (metadata and nested archives) is capped
at `MAX_TOTAL_BYTES`, one metadata entry at `MAX_META_BYTES`, the number of entries looked at over all
nesting levels at `MAX_ENTRIES`. Reading stops at a cap with a note (the packages found so far are kept);
only an outer file that is not a zip archive at all is a `ParseError`. A broken nested archive is a note.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.installed._common import one_line

__all__ = ["ANALYZER", "MAX_DEPTH", "MAX_ENTRIES", "MAX_META_BYTES", "MAX_TOTAL_BYTES", "analyze"]

ECOSYSTEM = "Maven"
MAX_DEPTH = 4  # the outer archive is depth 1
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_META_BYTES = 1024 * 1024
MAX_ENTRIES = 200_000
_SUFFIXES = (".jar", ".war", ".ear")
# what a corrupt archive raises while an entry is read (bad CRC, bad deflate data, unsupported compression)
_BROKEN = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError)


def _required(path: str) -> bool:
    return path.lower().endswith(_SUFFIXES) and not path.endswith("/")


class _Stop(Exception):
    """A cap was reached: stop reading, keep what was found."""


@dataclass
class _Budget:
    bytes_left: int = MAX_TOTAL_BYTES
    entries_left: int = MAX_ENTRIES

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, where: str) -> bytes:
        limit = min(cap, self.bytes_left)
        if info.file_size > limit:
            raise _Stop(f"{where}: {info.filename} is {info.file_size} bytes uncompressed, over the "
                        f"{'per-entry' if cap < self.bytes_left else 'total'} limit — reading stopped")
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:  # the header lied about the size
            raise _Stop(f"{where}: {info.filename} inflates past its declared size — reading stopped")
        self.bytes_left -= len(data)
        return data


def _properties(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        for sep in ("=", ":"):
            if sep in line:
                key, _, value = line.partition(sep)
                found.setdefault(key.strip(), value.strip())
                break
    return found


def _manifest(text: str) -> dict[str, str]:
    """Main-section attributes of a MANIFEST.MF (continuation lines start with one space)."""
    attrs: dict[str, str] = {}
    key: str | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw:
            break  # the main section ends at the first blank line
        if raw.startswith(" ") and key is not None:
            attrs[key] += raw[1:]
            continue
        name, sep, value = raw.partition(":")
        if sep:
            key = name.strip()
            attrs.setdefault(key, value.strip())
    return attrs


def _from_manifest(attrs: dict[str, str], where: str) -> tuple[Dependency | None, str | None]:
    version = attrs.get("Implementation-Version") or attrs.get("Bundle-Version")
    symbolic = attrs.get("Bundle-SymbolicName", "").split(";", 1)[0].strip()
    title = attrs.get("Implementation-Title", "").strip()
    group = attrs.get("Implementation-Vendor-Id", "").strip()
    artifact = title
    if not artifact and symbolic:
        group_part, _, artifact = symbolic.rpartition(".")
        group = group or group_part
    elif not group and symbolic and "." in symbolic:
        group = symbolic.rpartition(".")[0]
    if not artifact or not version:
        return None, None
    name = f"{group}:{artifact}" if group else artifact
    return Dependency(name, version), f"{where}: {name} {version} guessed from MANIFEST.MF (no pom.properties)"


def _scan(data: bytes, where: str, depth: int, budget: _Budget, found: list[Dependency], notes: list[str]) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        if depth == 1:
            raise ParseError(f"not a zip archive: {one_line(str(exc))}") from None
        notes.append(f"{where}: not a readable zip archive ({one_line(str(exc), 80)}) — skipped")
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > budget.entries_left:
            raise _Stop(f"{where}: more than {MAX_ENTRIES} archive entries in all — reading stopped")
        budget.entries_left -= len(infos)
        poms = [i for i in infos if i.filename.startswith("META-INF/maven/") and i.filename.endswith("/pom.properties")]
        for info in poms:
            props = _properties(budget.read(archive, info, MAX_META_BYTES, where).decode("utf-8", "replace"))
            parts = info.filename.split("/")
            group = props.get("groupId") or (parts[2] if len(parts) == 5 else "")
            artifact = props.get("artifactId") or (parts[3] if len(parts) == 5 else "")
            version = props.get("version", "")
            if group and artifact and version:
                found.append(Dependency(f"{group}:{artifact}", version))
            else:
                notes.append(f"{where}: {info.filename} lacks groupId, artifactId or version — skipped")
        if not poms:
            manifest = next((i for i in infos if i.filename.upper() == "META-INF/MANIFEST.MF"), None)
            if manifest is not None:
                text = budget.read(archive, manifest, MAX_META_BYTES, where).decode("utf-8", "replace")
                dep, note = _from_manifest(_manifest(text), where)
                if dep is not None and note is not None:
                    found.append(dep)
                    notes.append(note)
        for info in infos:
            if info.is_dir() or not info.filename.lower().endswith(_SUFFIXES):
                continue
            inner = f"{where}!{info.filename}"
            if depth >= MAX_DEPTH:
                notes.append(f"{inner}: nested deeper than {MAX_DEPTH} archives — skipped")
                continue
            try:
                nested = budget.read(archive, info, budget.bytes_left, where)
            except _BROKEN as exc:
                notes.append(f"{inner}: unreadable ({one_line(str(exc), 80)}) — skipped")
                continue
            try:
                _scan(nested, inner, depth + 1, budget, found, notes)
            except _BROKEN as exc:
                notes.append(f"{inner}: unreadable ({one_line(str(exc), 80)}) — skipped")


def _analyze(file: InputFile) -> Parsed:
    found: list[Dependency] = []
    notes: list[str] = []
    name = file.path.rsplit("/", 1)[-1] or file.path
    try:
        _scan(file.data, name, 1, _Budget(), found, notes)
    except _Stop as stop:
        notes.append(str(stop))
    except _BROKEN as exc:
        if not found:
            raise ParseError(f"unreadable zip archive: {one_line(str(exc))}") from None
        notes.append(f"{name}: unreadable past a point ({one_line(str(exc), 80)}) — reading stopped")
    unique = tuple({dep.key: dep for dep in found}.values())
    return Parsed(ECOSYSTEM, unique, tuple(dict.fromkeys(notes)))


analyze = guarded(_analyze, "Java archive")

ANALYZER = Analyzer(name="installed/java-archive", version=1, required=_required, analyze=analyze)
