"""Generic ordering for ecosystems without a dedicated algorithm (and for unknown ones).

A leading ``v``/``V`` before a digit is dropped, then the lower-cased string is cut into runs
of digits and runs of letters; any other character only separates.  Runs compare element-wise
with missing ones read as 0: numbers numerically, letter runs alphabetically, and a letter run
below any number.  So ``1.0 == 1.0.0``, ``1.0-rc1 < 1.0 < 1.0.1 < 1.1`` and ``2.0b < 2.0``.
It never fails and is a total order, but it knows nothing of a particular ecosystem.
"""

from __future__ import annotations

import re

from ._base import KeyVersion, number, padded_key

GENERIC = "generic"

_RUNS = re.compile(r"[0-9]+|[a-z]+")
_ZERO = (1, 0)


def parse_generic(text: str) -> KeyVersion:
    body = text.strip()
    if body[:1] in ("v", "V") and body[1:2].isdigit():
        body = body[1:]
    runs: list[tuple[int, object]] = [
        (1, number(run)) if run[0] in "0123456789" else (0, run) for run in _RUNS.findall(body.lower())
    ]
    return KeyVersion(GENERIC, text, padded_key(runs, _ZERO))
