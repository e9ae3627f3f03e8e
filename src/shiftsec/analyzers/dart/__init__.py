"""Lockfile and manifest parsers for the dart ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.dart import pubspec_lock

ANALYZERS: tuple[Analyzer, ...] = (pubspec_lock.ANALYZER,)
