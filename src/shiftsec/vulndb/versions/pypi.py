"""PyPI ordering: PEP 440 for valid versions, setuptools' legacy ordering for the rest.

Valid versions are matched with PEP 440's own pattern (the one ``packaging`` uses; the tests
cross-check this module against ``packaging``) and turned into a plain tuple key that mirrors
PEP 440's ordering (epoch, release with trailing zeros ignored so ``1.0 == 1.0.0``, pre, post,
dev, local).  A dev release with no pre or post release sorts before every pre-release of
the same release (``1.0.dev0 < 1.0a0``); local versions sort after the public version and
compare segment-wise, numbers above strings.

A string that is not PEP 440 gets the ordering of the historical ``LegacyVersion``
(``packaging`` < 22, which OSV used): it is split into digit runs, letter runs, ``.`` and
``-``, with ``pre``/``preview``/``rc`` read as ``c`` and ``dev`` as ``@``.  Every legacy
version sorts before every valid one, as OSV orders them.
"""

from __future__ import annotations

import re

from ._base import Key, KeyVersion, number

PYPI = "pypi"

_LEGACY_PART = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_REPLACE = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def _legacy_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for raw in _LEGACY_PART.split(text.lower()):
        piece = _LEGACY_REPLACE.get(raw, raw)
        if not piece or piece == ".":
            continue
        tokens.append(piece.zfill(8) if piece[0] in "0123456789" else "*" + piece)
    tokens.append("*final")  # so that alpha/beta/candidate sort before the final release
    return tokens


def _legacy_parts(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for part in _legacy_tokens(text):
        if part.startswith("*"):
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    return tuple(parts)


# PEP 440, Appendix B (the same pattern ``packaging`` uses), matched case-insensitively.
_PEP440 = re.compile(
    r"""
    ^\s*v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PRE_LETTERS = {
    "a": "a", "alpha": "a", "b": "b", "beta": "b", "c": "rc", "pre": "rc", "preview": "rc", "rc": "rc",
}  # fmt: skip
_LOCAL_SEPARATORS = re.compile(r"[-_.]")

_NO_PRE: Key = (1,)
_DEV_ONLY: Key = (-1,)  # a dev release of a final release sorts before its pre-releases
_NO_POST: Key = (0,)
_NO_DEV: Key = (1,)
_NO_LOCAL: Key = (0,)


def _pep440_key(match: re.Match[str]) -> Key:
    # positional groups (faster than by name): epoch, release, pre, pre_l, pre_n, post, post_n1,
    # post_l, post_n2, dev, dev_l, dev_n, local
    epoch, release_text, _, pre_l, pre_n, _, post_n1, post_l, post_n2, _, dev_l, dev_n, local = match.groups()
    release = [number(part) for part in release_text.split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    head = (number(epoch) if epoch else 0, tuple(release))
    if not (pre_l or post_n1 or post_l or dev_l or local):  # the common case
        return (*head, _NO_PRE, _NO_POST, _NO_DEV, _NO_LOCAL)
    post = number(post_n1 or post_n2 or "0") if (post_n1 or post_l) else None
    pre_key: Key
    if pre_l:
        pre_key = (0, _PRE_LETTERS[pre_l.lower()], number(pre_n or "0"))
    else:
        pre_key = _DEV_ONLY if post is None and dev_l else _NO_PRE
    post_key: Key = _NO_POST if post is None else (1, post)
    dev_key: Key = (0, number(dev_n or "0")) if dev_l else _NO_DEV
    local_key: Key = _NO_LOCAL
    if local:
        # segments: numbers compare numerically and above strings; more segments win a tie
        segments = _LOCAL_SEPARATORS.split(local.lower())
        local_key = (1, tuple((1, number(seg)) if seg.isdigit() else (0, seg) for seg in segments))
    return (*head, pre_key, post_key, dev_key, local_key)


def parse_pypi(text: str) -> KeyVersion:
    match = _PEP440.match(text)
    if match is None:
        return KeyVersion(PYPI, text, (0, _legacy_parts(text)))
    return KeyVersion(PYPI, text, (1, *_pep440_key(match)))
