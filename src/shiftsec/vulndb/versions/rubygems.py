"""RubyGems ordering (``Gem::Version``).

``-`` is read as ``.pre.`` (so ``1.0-beta`` is a pre-release), then the version is cut into
runs of digits and runs of letters; anything else only separates.  The canonical segments are
the leading numbers followed by the rest (from the first letter run on), trailing zeros dropped
from each of the two groups.  Segments compare element-wise with missing ones read as 0;
numbers compare numerically, strings by byte order, and a string sorts below any number, so
``1.0.a < 1.0 < 1.0.1``.
"""

from __future__ import annotations

import re

from ._base import KeyVersion, number, padded_key

RUBYGEMS = "rubygems"

_SEGMENTS = re.compile(r"[0-9]+|[A-Za-z]+")
_ZERO = (1, 0)


def _drop_trailing_zeros(segments: list[tuple[int, object]]) -> list[tuple[int, object]]:
    while segments and segments[-1] == _ZERO:
        segments.pop()
    return segments


def parse_rubygems(text: str) -> KeyVersion:
    segments: list[tuple[int, object]] = [
        (1, number(run)) if run[0] in "0123456789" else (0, run)
        for run in _SEGMENTS.findall(text.strip().replace("-", ".pre."))
    ]
    first_string = next((i for i, seg in enumerate(segments) if seg[0] == 0), len(segments))
    canonical = _drop_trailing_zeros(segments[:first_string]) + _drop_trailing_zeros(segments[first_string:])
    return KeyVersion(RUBYGEMS, text, padded_key(canonical, _ZERO))
