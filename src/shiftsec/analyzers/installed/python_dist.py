"""`installed/python-dist`: one installed Python distribution, from its core metadata file.

Wanted (in-image paths, below a `site-packages` or `dist-packages` folder at any depth):
`<name>.dist-info/METADATA` (wheels, pip), `<name>.egg-info/PKG-INFO` (setuptools folders),
`<name>.egg-info` as a file (distutils), and `<name>.egg/EGG-INFO/PKG-INFO` (zipped-egg folders).

The metadata is RFC 822 style: `Key: value` headers up to the first blank line (the body is the
description), continuation lines indented. Keys compare case-insensitively (`name:` occurs in the wild);
the first `Name` and `Version` count. Lines that are neither headers nor continuations (a broken
multi-line `Keywords`) are skipped. The purl carries the PEP 503 normalised name
(`backports.ssl_match_hostname` → `pkg:pypi/backports-ssl-match-hostname@…`); the reported name is the
one written.
"""

from __future__ import annotations

import re

from shiftsec.analyzers._guard import guarded
from shiftsec.analyzers.api import Analyzer, Dependency, InputFile, Parsed, ParseError
from shiftsec.analyzers.installed._common import segments
from shiftsec.purl_to_osv import package_purl

__all__ = ["ANALYZER", "analyze", "headers"]

ECOSYSTEM = "PyPI"
_SITE = frozenset({"site-packages", "dist-packages"})
_HEADER = re.compile(r"([A-Za-z0-9][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)")


def _required(path: str) -> bool:
    parts = segments(path)
    if not any(part in _SITE for part in parts[:-1]):
        return False
    name = parts[-1]
    if len(parts) >= 2 and name == "METADATA" and parts[-2].endswith(".dist-info"):
        return True
    if len(parts) >= 2 and name == "PKG-INFO" and (parts[-2].endswith(".egg-info") or parts[-2] == "EGG-INFO"):
        return True
    return name.endswith(".egg-info") and parts[-2] in _SITE


def headers(text: str) -> dict[str, str]:
    """The first value of each header (keys lower-cased), up to the first blank line."""
    found: dict[str, str] = {}
    for raw in text.splitlines():
        if not raw.strip():
            break
        if raw[:1] in (" ", "\t"):
            continue  # a continuation line: only long values (Description, License) have them
        match = _HEADER.fullmatch(raw.rstrip())
        if match is not None:
            found.setdefault(match.group(1).lower(), match.group(2).strip())
    return found


def _analyze(file: InputFile) -> Parsed:
    text = file.data.decode("utf-8", "replace").removeprefix("\ufeff")
    if "\x00" in text:
        raise ParseError("binary data (NUL bytes), not a metadata file")
    found = headers(text)
    name, version = found.get("name", ""), found.get("version", "")
    if not name or not version:
        missing = " and ".join(k for k, v in (("Name", name), ("Version", version)) if not v)
        raise ParseError(f"Python package metadata without {missing}")
    return Parsed(ECOSYSTEM, (Dependency(name, version, purl=package_purl(ECOSYSTEM, name, version)),))


analyze = guarded(_analyze, "Python package metadata")

ANALYZER = Analyzer(name="installed/python-dist", version=1, required=_required, analyze=analyze)
