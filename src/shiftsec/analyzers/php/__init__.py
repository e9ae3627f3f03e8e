"""Lockfile and manifest parsers for the php ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.php import composer_lock

ANALYZERS: tuple[Analyzer, ...] = (composer_lock.ANALYZER,)
