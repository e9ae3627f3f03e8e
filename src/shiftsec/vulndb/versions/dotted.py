"""Purely numeric dotted versions: CRAN and Bioconductor (R), Hackage and GHC (Haskell).

R's ``package_version`` is non-negative integers separated by ``.`` or ``-``; Haskell's
``Data.Version`` (Cabal) is integers separated by ``.``.  Both compare the integer lists
lexicographically, so a longer list that extends a shorter one is greater: ``0.1.0 <
0.1.0.0`` and ``1.0 < 1.0.0``, unlike most ecosystems.

A string that is not of that shape is still ordered, before every valid version, by the
generic rules (:mod:`.generic`).
"""

from __future__ import annotations

import re

from ._base import KeyVersion, number
from .generic import parse_generic

CRAN = "cran"
HACKAGE = "hackage"

_R_VERSION = re.compile(r"[0-9]+(?:[.-][0-9]+)*")
_HASKELL_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_R_SEPARATORS = re.compile(r"[.-]")


def parse_cran(text: str) -> KeyVersion:
    body = text.strip()
    if _R_VERSION.fullmatch(body):
        return KeyVersion(CRAN, text, (1, tuple(number(part) for part in _R_SEPARATORS.split(body))))
    return KeyVersion(CRAN, text, (0, parse_generic(text).key))


def parse_hackage(text: str) -> KeyVersion:
    body = text.strip()
    if _HASKELL_VERSION.fullmatch(body):
        return KeyVersion(HACKAGE, text, (1, tuple(number(part) for part in body.split("."))))
    return KeyVersion(HACKAGE, text, (0, parse_generic(text).key))
