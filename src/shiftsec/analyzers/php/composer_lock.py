"""composer.lock: the Packagist packages Composer installed, `packages` (prod) and `packages-dev` (dev).

Owns the lock's package entries and their `require` maps, which become `depends_on` keys (platform
requirements such as `php`, `ext-*`, `lib-*` and `composer-*` are not packages and are left out). The lock
does not say what the project asks for itself: when a sibling composer.json can be read, the packages its
`require`/`require-dev` name are direct and the others are not; without one, direct stays None. Versions
are kept as written (`v5.4.0` too; the Packagist ordering reads the `v`). Names compare case-insensitively,
as Packagist does.
"""

from __future__ import annotations

import json

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError

_PLATFORM_PREFIXES = ("ext-", "lib-", "composer-")
_PLATFORM = frozenset({"php", "php-64bit", "php-ipv6", "php-zts", "php-debug", "hhvm", "composer"})


def _required(path: str) -> bool:
    return path.rsplit("/", 1)[-1] == "composer.lock"


def _is_platform(name: str) -> bool:
    lowered = name.lower()
    return lowered in _PLATFORM or lowered.startswith(_PLATFORM_PREFIXES)


def _entries(lock: dict[str, object], field: str) -> list[tuple[str, str, list[str]]]:
    raw = lock.get(field)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ParseError(f"'{field}' is not an array")
    entries = []
    for index, entry in enumerate(raw, 1):
        if not isinstance(entry, dict):
            raise ParseError(f"{field} #{index} is not an object")
        name, version, requires = entry.get("name"), entry.get("version"), entry.get("require", {})
        if not isinstance(name, str) or not name or not isinstance(version, str) or not version:
            raise ParseError(f"{field} #{index}: 'name' and 'version' must be non-empty strings")
        if not isinstance(requires, dict):
            raise ParseError(f"{field} #{index} ({name}): 'require' is not an object")
        entries.append((name, version, [r for r in requires if not _is_platform(r)]))
    return entries


def _manifest_names(file: InputFile, notes: list[str]) -> set[str] | None:
    """Lower-cased names the sibling composer.json requires, or None when there is none to read."""
    data = file.read("composer.json")
    if data is None:
        return None
    try:
        manifest = json.loads(data)
        names: set[str] = set()
        for field in ("require", "require-dev"):
            section = manifest.get(field) or {}
            if not isinstance(section, dict):
                raise TypeError(f"'{field}' is not an object")
            names.update(name.lower() for name in section)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        notes.append(f"composer.json is unreadable ({' '.join(str(exc).split())[:80]}); direct dependencies "
                     "are unknown")
        return None
    return names


def _analyze(file: InputFile) -> Parsed:
    lock = json.loads(file.data)
    if not isinstance(lock, dict):
        raise ParseError("the top level is not an object")
    prod, dev = _entries(lock, "packages"), _entries(lock, "packages-dev")
    notes: list[str] = []
    wanted = _manifest_names(file, notes)

    versions: dict[str, str] = {}
    for name, version, _ in prod + dev:
        versions.setdefault(name.lower(), f"{name}@{version}")
    packages: dict[tuple[str, str], Dependency] = {}
    for entries, is_dev in ((prod, False), (dev, True)):
        for name, version, requires in entries:
            if (name.lower(), version) in packages:
                continue
            depends_on = tuple(dict.fromkeys(versions[r.lower()] for r in requires if r.lower() in versions))
            direct = None if wanted is None else name.lower() in wanted
            packages[(name.lower(), version)] = Dependency(name, version, direct=direct, dev=is_dev,
                                                           depends_on=depends_on)
    return Parsed("Packagist", tuple(packages.values()), tuple(notes))


analyze = guarded(_analyze, "composer.lock")


ANALYZER = Analyzer(name="php/composer-lock", version=1, required=_required, analyze=analyze)
