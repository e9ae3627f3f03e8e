"""`installed/composer-installed`: the Packagist packages in a Composer `vendor` folder, from
`vendor/composer/installed.json`.

Composer 1 writes a JSON array of package objects; Composer 2 an object `{"packages": [...], "dev": bool,
"dev-package-names": [...]}`, whose `dev-package-names` mark development packages (`dev`). Each package is
`name`@`version` as written (`v5.4.0` too, as the composer.lock analyzer keeps it); `require` maps become
`depends_on` keys for the packages present (platform requirements — `php`, `ext-*`, `lib-*`,
`composer-*` — are not packages).
"""

from __future__ import annotations

import json

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.installed._common import one_line, segments

__all__ = ["ANALYZER", "analyze"]

ECOSYSTEM = "Packagist"


def _required(path: str) -> bool:
    return segments(path)[-3:] == ["vendor", "composer", "installed.json"]


def _analyze(file: InputFile) -> Parsed:
    try:
        doc = json.loads(file.data)
    except ValueError as exc:
        raise ParseError(f"not valid JSON: {one_line(str(exc))}") from None
    dev_names: set[str] = set()
    if isinstance(doc, dict):
        raw = doc.get("packages")
        names = doc.get("dev-package-names", [])
        if isinstance(names, list):
            dev_names = {n.lower() for n in names if isinstance(n, str)}
    else:
        raw = doc
    if not isinstance(raw, list):
        raise ParseError("installed.json holds neither a package array (Composer 1) nor 'packages' (Composer 2)")
    entries: list[tuple[str, str, list[str]]] = []
    for index, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            raise ParseError(f"package #{index} is not an object")
        name, version, requires = entry.get("name"), entry.get("version"), entry.get("require", {})
        if not isinstance(name, str) or not name or not isinstance(version, str) or not version:
            raise ParseError(f"package #{index}: 'name' and 'version' must be non-empty strings")
        entries.append((name, version, list(requires) if isinstance(requires, dict) else []))
    keys = {name.lower(): f"{name}@{version}" for name, version, _ in entries}
    packages: dict[str, Dependency] = {}
    for name, version, requires in entries:
        depends_on = tuple(dict.fromkeys(keys[r.lower()] for r in requires if r.lower() in keys))
        packages.setdefault(f"{name.lower()}@{version}",
                            Dependency(name, version, dev=name.lower() in dev_names, depends_on=depends_on))
    return Parsed(ECOSYSTEM, tuple(packages.values()))


analyze = guarded(_analyze, "installed.json")

ANALYZER = Analyzer(name="installed/composer-installed", version=1, required=_required, analyze=analyze)
