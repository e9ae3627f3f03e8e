"""Lockfile and manifest parsers for the haskell ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.haskell import cabal_freeze, stack_lock

ANALYZERS: tuple[Analyzer, ...] = (cabal_freeze.ANALYZER, stack_lock.ANALYZER)
