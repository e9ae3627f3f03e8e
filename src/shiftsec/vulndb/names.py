"""Package-name normalization per OSV ecosystem: the key the database is indexed by.

Two spellings that the ecosystem's registry treats as the same package must get the same key; names the
registry keeps apart must not collide.
"""

from __future__ import annotations

import re

_PEP503 = re.compile(r"[-_.]+")

# Registries that compare names case-insensitively.
_CASE_INSENSITIVE = frozenset({"npm", "NuGet", "Packagist", "Pub", "Maven", "Hex", "SwiftURL", "ConanCenter"})


def normalize(base_ecosystem: str, name: str) -> str:
    """The index key of `name` in `base_ecosystem` (an OSV ecosystem name without a `:release` suffix)."""
    name = name.strip()
    if base_ecosystem == "PyPI":
        return _PEP503.sub("-", name).lower()  # PEP 503
    if base_ecosystem == "crates.io":
        return name.lower().replace("_", "-")  # crates.io treats - and _ and case as the same name
    if base_ecosystem in _CASE_INSENSITIVE:
        return name.lower()
    return name  # Go module paths, RubyGems, CRAN, Hackage and distro packages are case-sensitive
