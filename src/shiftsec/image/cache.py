"""The per-layer analysis cache: what one layer holds, keyed by the layer's diff_id (the digest of its
uncompressed tar) and the version of the analysis, so a rescan of an image whose top layer changed walks only
that layer.

A cached layer is one JSON file `<cache>/layers/<algorithm>-<hex>-v<version>.json`: the layer's entries (path,
kind, link target: what the final view needs), its whiteouts and opaque folders, the refused entries, the
packages each analyzer found per path, the small files kept for OS detection and the OS package databases,
and the secret findings per path. JSON, not pickle: the cache folder may be shared, and loading it must never
run code. A file that does not parse, or was written by another version, is a miss (and is rewritten).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["LayerCache"]

_DIGEST = re.compile(r"^(sha256|sha512):([0-9a-f]{64,128})$")


class LayerCache:
    """Cached layer analyses under `folder` (None: caching off)."""

    def __init__(self, folder: Path | None, version: int) -> None:
        self.folder = folder
        self.version = version

    def _path(self, diff_id: str) -> Path | None:
        match = _DIGEST.match(diff_id)
        if self.folder is None or match is None:
            return None
        return self.folder / "layers" / f"{match.group(1)}-{match.group(2)}-v{self.version}.json"

    def get(self, diff_id: str) -> dict[str, Any] | None:
        path = self._path(diff_id)
        if path is None:
            return None
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != self.version or data.get("diff_id") != diff_id:
            return None
        return data

    def put(self, diff_id: str, data: dict[str, Any]) -> None:
        """Store atomically (a temporary file renamed into place); a cache that cannot be written only costs
        time."""
        path = self._path(diff_id)
        if path is None:
            return
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump({**data, "version": self.version, "diff_id": diff_id}, handle, separators=(",", ":"))
                os.replace(temp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
