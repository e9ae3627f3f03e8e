"""Lockfile and manifest parsers for the swift ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.swift import package_resolved, podfile_lock

ANALYZERS: tuple[Analyzer, ...] = (package_resolved.ANALYZER, podfile_lock.ANALYZER)
