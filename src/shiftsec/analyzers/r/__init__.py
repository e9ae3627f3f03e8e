"""Lockfile and manifest parsers for the r ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.r import renv_lock

ANALYZERS: tuple[Analyzer, ...] = (renv_lock.ANALYZER,)
