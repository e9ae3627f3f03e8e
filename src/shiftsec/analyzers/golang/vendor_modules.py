"""vendor/modules.txt: the modules `go mod vendor` copied into a vendor directory.

Owns the file's layout: a `# module version` header per module (`# old [version] => new version` for a
replacement, `# module version => ./dir` for a local one, which keeps the required module), `## explicit`
marking a module the go.mod requires itself (direct True), then the module's vendored package paths. Only
a module with at least one vendored package is reported (a header alone vendors nothing), and only when its
path and version are valid module coordinates; anything else is skipped, as `go` itself would not accept
it. Versions lose their leading `v`, as OSV's Go advisories write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_MAX_LINE = 1 << 20
_SEMVER = re.compile(r"v(0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
                     r"(\+incompatible)?")
_ELEMENT = re.compile(r"[A-Za-z0-9_~+-][A-Za-z0-9._~+-]*")
_FIRST = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+")
_MAJOR_SUFFIX = re.compile(r".+/v([1-9]\d*)")
_GOPKG = re.compile(r"gopkg\.in/.+\.v(0|[1-9]\d*)(?:-unstable)?")
_LOCAL_PREFIXES = ("./", "../", "/", ".\\", "..\\")


@dataclass
class _Header:
    name: str
    version: str
    line: int
    explicit: bool = False
    note: str | None = None


def _required(path: str) -> bool:
    return path == "vendor/modules.txt" or path.endswith("/vendor/modules.txt")


def _import_path_ok(path: str) -> bool:
    return all(_ELEMENT.fullmatch(element) and not element.endswith(".") for element in path.split("/"))


def _module_ok(path: str, version: str) -> bool:
    """A valid module path with a canonical version its path allows (golang.org/x/mod's module.Check)."""
    match = _SEMVER.fullmatch(version)
    if match is None or not _import_path_ok(path) or not _FIRST.fullmatch(path.split("/", 1)[0]):
        return False
    major, incompatible = int(match.group(1)), match.group(2) is not None
    gopkg = _GOPKG.fullmatch(path)
    if gopkg is not None:
        return not incompatible and major == int(gopkg.group(1))
    suffix = _MAJOR_SUFFIX.fullmatch(path)
    if suffix is not None:
        return not incompatible and int(suffix.group(1)) >= 2 and major == int(suffix.group(1))
    return major >= 2 if incompatible else major <= 1


def _module(fields: list[str]) -> tuple[str, str] | None:
    if len(fields) == 2 and _module_ok(fields[0], fields[1]):
        return fields[0], fields[1].removeprefix("v")
    return None


def _header(fields: list[str], line: int) -> _Header | None:
    """The module a `# ...` header vendors, or None when it names no valid module."""
    if "=>" not in fields:
        found = _module(fields)
        return None if found is None else _Header(*found, line)
    arrow = fields.index("=>")
    target = _module(fields[arrow + 1:])
    if target is not None:
        return _Header(*target, line)
    local = fields[arrow + 1:]
    if len(local) == 1 and local[0].startswith(_LOCAL_PREFIXES):
        found = _module(fields[:arrow])
        if found is not None:
            return _Header(*found, line, note=f"{found[0]} v{found[1]} is vendored from the local directory "
                                              f"{local[0]}")
    return None


def _analyze(file: InputFile) -> Parsed:
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    if "\x00" in text:
        raise ParseError("binary content")
    packages: dict[tuple[str, str], Dependency] = {}
    notes: list[str] = []
    pending: _Header | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        if len(raw) > _MAX_LINE:
            raise ParseError(f"line {number} is longer than {_MAX_LINE} characters")
        line = raw.strip()
        if line.startswith("# "):
            pending = _header(line[2:].split(), number)
            continue
        if line.startswith("## "):
            if pending is not None and "explicit" in (part.strip() for part in line[3:].split(";")):
                pending.explicit = True
            continue
        if pending is None or not line or line.startswith("#") or not _import_path_ok(line):
            continue
        key = (pending.name, pending.version)
        if key not in packages:
            packages[key] = Dependency(pending.name, pending.version, direct=pending.explicit, line=pending.line)
            if pending.note is not None:
                notes.append(pending.note)
        elif pending.explicit and not packages[key].direct:
            packages[key] = Dependency(pending.name, pending.version, direct=True, line=packages[key].line)
        pending = None  # one record per module, however many of its packages are vendored
    return Parsed("Go", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "vendor/modules.txt")


ANALYZER = Analyzer(name="golang/vendor-modules", version=1, required=_required, analyze=analyze)
