"""Lockfile and manifest parsers for the elixir ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.elixir import mix_lock

ANALYZERS: tuple[Analyzer, ...] = (mix_lock.ANALYZER,)
