"""Lockfile and manifest parsers for the java ecosystem; `ANALYZERS` lists them for the registry."""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.java import gradle_lockfile, pom_xml

ANALYZERS: tuple[Analyzer, ...] = (pom_xml.ANALYZER, gradle_lockfile.ANALYZER)
