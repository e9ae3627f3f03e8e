"""Lockfile and manifest parsers for the ruby ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.ruby import gemfile_lock

ANALYZERS: tuple[Analyzer, ...] = (gemfile_lock.ANALYZER,)
