"""Converters from non-OSV advisory formats to OSV records; each module owns one format.

Every converter is `convert(path: str, data: bytes) -> list[dict]` (OSV records as plain dicts) and raises
`InvalidRecord` for input it cannot use. `converter(name)` picks one by the format name the importer sniffed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Converter = Callable[[str, bytes], list[dict[str, Any]]]

FORMATS = ("rustsec", "rubysec", "phpsec", "alpine", "ghsa")


def converter(name: str) -> Converter:
    """The `convert` function of the format `name` (one of `FORMATS`)."""
    if name not in FORMATS:
        raise KeyError(name)
    module = importlib.import_module(f"shiftsec.vulndb.importers.{name}")
    convert: Converter = module.convert
    return convert
