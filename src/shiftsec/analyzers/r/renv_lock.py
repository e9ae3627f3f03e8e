"""renv.lock: the R packages renv recorded for a project, from its `Packages` map.

Owns the entry fields (`Package`, `Version`, `Source`, `Repository`, `Requirements`, which give
`depends_on`) and which entries are CRAN packages: those whose `Repository` is CRAN or a CRAN mirror renv
names itself (RSPM, PPM, P3M: Posit Package Manager). Bioconductor, GitHub and other remotes, and entries
that name no repository, become notes, as osv-scalibr reports CRAN packages only.
"""

from __future__ import annotations

import json

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_CRAN = frozenset({"CRAN", "RSPM", "PPM", "P3M"})


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "renv.lock"


def _text(entry: dict[str, object], field: str, key: str) -> str | None:
    value = entry.get(field)
    if value is not None and not isinstance(value, str):
        raise ParseError(f"package {key}: '{field}' is not a string")
    return value or None


def _analyze(file: InputFile) -> Parsed:
    data = json.loads(file.data)
    if not isinstance(data, dict):
        raise ParseError("the top level is not an object")
    listed = data.get("Packages")
    if listed is None:
        listed = {}
    if not isinstance(listed, dict):
        raise ParseError("'Packages' is not an object")

    kept: dict[str, tuple[str, tuple[str, ...]]] = {}  # name -> version, requirements
    notes: list[str] = []
    for key, entry in listed.items():
        if not isinstance(entry, dict):
            raise ParseError(f"package {key} is not an object")
        name = _text(entry, "Package", key) or key
        version = _text(entry, "Version", key)
        requirements = entry.get("Requirements") or []
        if not isinstance(requirements, list) or not all(isinstance(r, str) for r in requirements):
            raise ParseError(f"package {key}: 'Requirements' is not an array of strings")
        repository, source = _text(entry, "Repository", key), _text(entry, "Source", key)
        if version is None:
            notes.append(f"{name} has no version")
        elif repository in _CRAN:
            kept.setdefault(name, (version, tuple(requirements)))
        elif source == "Bioconductor":
            notes.append(f"{name} {version} comes from Bioconductor")
        elif repository is not None:
            notes.append(f"{name} {version} comes from the repository {repository}, not CRAN")
        elif source not in (None, "Repository"):
            notes.append(f"{name} {version} comes from {source}, not CRAN")
        else:
            notes.append(f"{name} {version} names no repository")

    packages = tuple(
        Dependency(name, version, depends_on=tuple(dict.fromkeys(f"{r}@{kept[r][0]}" for r in requires if r in kept)))
        for name, (version, requires) in kept.items()
    )
    return Parsed("CRAN", packages, tuple(notes))


analyze = guarded(_analyze, "renv.lock")


ANALYZER = Analyzer(name="r/renv-lock", version=1, required=_required, analyze=analyze)
