"""Lockfile and manifest parsers for the cpp ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.cpp import conan_lock

ANALYZERS: tuple[Analyzer, ...] = (conan_lock.ANALYZER,)
