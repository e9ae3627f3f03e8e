"""Lockfile and manifest parsers for the rust ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.rust import cargo_lock

ANALYZERS: tuple[Analyzer, ...] = (cargo_lock.ANALYZER,)
