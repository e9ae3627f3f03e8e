"""Lockfile and manifest parsers for the dotnet ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.dotnet import csproj, deps_json, packages_config, packages_lock_json

ANALYZERS: tuple[Analyzer, ...] = (
    packages_lock_json.ANALYZER,
    deps_json.ANALYZER,
    packages_config.ANALYZER,
    csproj.ANALYZER,
)
