"""RPM ordering (``rpmvercmp``): Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE, Mageia,
openEuler, Azure Linux, Photon OS.

A version is ``[epoch:]version[-release]``.  The epoch is the text before the first ``:`` when
that text is all digits (empty or absent means 0); otherwise the whole string is the version
(``1.module+el9.4.0+…:1`` has a colon that is not an epoch).  Version and release split at the
first ``-``; the release keeps its ``-`` so that ``1`` < ``1-`` < ``1-0`` as osv-scalibr has it.

Each part is compared with rpmvercmp's rules, expressed as a token tuple: characters other
than ASCII letters, digits, ``~`` and ``^`` only separate tokens; ``~`` sorts before anything
including the end of the string; ``^`` sorts after the end but before any letter or digit run;
letter runs compare as strings and sort below digit runs, which compare numerically.  An
empty part sorts below any non-empty one.
"""

from __future__ import annotations

import re

from ._base import Key, KeyVersion, number

RPM = "rpm"

_TOKENS = re.compile(r"~|\^|[0-9]+|[A-Za-z]+")
_TILDE: Key = (0,)
_END: Key = (1,)
_CARET: Key = (2,)


def _part_key(part: str) -> Key:
    if not part:
        return (0,)
    tokens: list[Key] = []
    for token in _TOKENS.findall(part):
        if token == "~":
            tokens.append(_TILDE)
        elif token == "^":
            tokens.append(_CARET)
        elif token[0] in "0123456789":
            tokens.append((4, number(token)))
        else:
            tokens.append((3, token))
    tokens.append(_END)
    return (1, *tokens)


def parse_rpm(text: str) -> KeyVersion:
    epoch, colon, rest = text.partition(":")
    if not colon or not (epoch == "" or (epoch.isascii() and epoch.isdigit())):
        epoch, rest = "", text
    version, hyphen, release = rest.partition("-")
    key = (_part_key(epoch or "0"), _part_key(version), _part_key(hyphen + release))
    return KeyVersion(RPM, text, key)
