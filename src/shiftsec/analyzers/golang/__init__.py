"""Lockfile and manifest parsers for the golang ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.golang import go_mod, vendor_modules

ANALYZERS: tuple[Analyzer, ...] = (go_mod.ANALYZER, vendor_modules.ANALYZER)
