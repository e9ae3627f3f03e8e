"""Inline ignores: a `shiftsec:ignore` comment in the scanned file, on the finding's line or on the line just
above it, takes that finding out of the verdict (it is still reported, as suppressed).

    password = "hunter2-but-long-enough"  # shiftsec:ignore test fixture, not a real credential
    # shiftsec:ignore=k8s-image-latest pinned by the deploy job
    image: registry.example.com/app:latest

`shiftsec:ignore` alone covers every finding on that line; `shiftsec:ignore=ID[,ID…]` only those rule ids
(or aliases). Text after the marker is kept as the reason. The policy's `allow_inline_ignores: false` makes
every such comment inert (the security team decides, not the change under review). Only files in the scanned
tree are read (a finding in git history has no line to carry a comment today).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shiftsec.model import Finding

__all__ = ["InlineIgnore", "ignores"]

_MARKER = re.compile(r"shiftsec:ignore(?:=(?P<ids>[\w.\-:/,]+))?(?P<reason>[^\n]*)")
_MAX_BYTES = 10 * 2**20


@dataclass(frozen=True, slots=True)
class InlineIgnore:
    reason: str
    where: str  # file:line of the comment


class _Files:
    """Lines of the files findings point into, each read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str] | None] = {}

    def lines(self, rel: str) -> list[str] | None:
        if rel not in self._lines:
            self._lines[rel] = self._read(rel)
        return self._lines[rel]

    def _read(self, rel: str) -> list[str] | None:
        path = self.root / rel if self.root.is_dir() else self.root
        try:
            if path.stat().st_size > _MAX_BYTES:
                return None
            data = path.read_bytes()
        except (OSError, ValueError):
            return None
        if b"shiftsec:ignore" not in data:
            return []
        return data.decode("utf-8", "replace").splitlines()


def _covers(ids: str | None, finding: Finding) -> bool:
    if ids is None:
        return True
    names = {finding.rule_id.casefold(), *(alias.casefold() for alias in finding.aliases)}
    return any(part.strip().casefold() in names for part in ids.split(",") if part.strip())


def find_ignore(finding: Finding, files: _Files) -> InlineIgnore | None:
    """The inline ignore covering `finding`, if its file has one on the finding's line or the line above."""
    location = finding.location
    if location is None or location.line is None or location.commit is not None:
        return None
    lines = files.lines(location.path)
    if not lines:
        return None
    for number in (location.line, location.line - 1):
        if 1 <= number <= len(lines):
            match = _MARKER.search(lines[number - 1])
            if match is not None and _covers(match.group("ids"), finding):
                reason = match.group("reason").strip(" \t-:#*/>") or "inline shiftsec:ignore"
                return InlineIgnore(reason, f"{location.path}:{number}")
    return None


def ignores(findings: Iterable[Finding], root: Path) -> dict[int, InlineIgnore]:
    """The inline ignore of each finding that has one, keyed by its index in `findings`."""
    files = _Files(root)
    out = {}
    for index, finding in enumerate(findings):
        found = find_ignore(finding, files)
        if found is not None:
            out[index] = found
    return out
