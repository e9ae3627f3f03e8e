"""Lockfile and manifest parsers for the python ecosystem; `ANALYZERS` lists them for the registry.

Lockfiles come first (they resolve exact versions); pyproject.toml, a manifest, last.
"""

from __future__ import annotations

from shiftsec.analyzers.api import Analyzer
from shiftsec.analyzers.python import (
    pdm_lock,
    pipfile_lock,
    poetry_lock,
    pylock,
    pyproject,
    requirements,
    uv_lock,
)

ANALYZERS: tuple[Analyzer, ...] = (
    poetry_lock.ANALYZER,
    pipfile_lock.ANALYZER,
    pdm_lock.ANALYZER,
    uv_lock.ANALYZER,
    pylock.ANALYZER,
    requirements.ANALYZER,
    pyproject.ANALYZER,
)
