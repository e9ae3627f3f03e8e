"""Per-entry safety checks for image layer tars: path normalisation, link targets, whiteout names, byte limits.

This module owns the rules that decide whether one tar entry of an image layer may be used at all, kept apart
from the walker in `shiftsec.image.layers` so that they stay pure and table-testable:

- `normalize_path`: a member name becomes a relative, forward-slash path with no `.`, `..`, empty or `./`
  components; a name that would leave the image root (`../x`, `a/../../x`, `/../x`) gives None and the entry
  is refused. The root itself normalises to "".
- `link_target`: where a symlink points, lexically, inside the image (absolute targets are read from the image
  root, as in a container; relative ones from the link's directory). A target that climbs above the root gives
  None: such a link is listed but never followed.
- `whiteout_of`: the OCI/AUFS whiteout names (`dir/.wh.name`, `dir/.wh..wh..opq`).
- `CountingReader`: wraps the uncompressed layer stream, counts bytes, and stops the walk (`LayerStop`) when the
  layer reads more than the absolute cap, more than `max_ratio` times the compressed size, or when one tar header
  (pax, GNU long name, sparse map) grows past its cap. The stop happens inside `read`, before the bytes are kept,
  so memory stays bounded even for headers that `tarfile` reads whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Literal

GiB = 1024**3
MiB = 1024**2

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


@dataclass(frozen=True)
class Limits:
    """Caps that bound the work and memory of walking one layer.

    `max_ratio` applies only when the caller passes the layer's compressed size, and only once more than
    `ratio_floor_bytes` were read (a tiny gzip of an empty tar is legitimately far above any ratio).
    Byte caps count the bytes actually read from the uncompressed tar stream: a sparse file's holes cost
    nothing to skip, so its logical size counts against the capture caps (it is only read up to
    `max_file_capture` and then marked truncated), not against `max_layer_bytes`.
    """

    max_layer_bytes: int = 8 * GiB
    max_entries: int = 1_000_000
    max_file_capture: int = 64 * MiB
    max_layer_capture: int = 512 * MiB
    max_path_length: int = 4096
    max_ratio: int = 100
    ratio_floor_bytes: int = 1 * MiB
    max_header_bytes: int = 1 * MiB


def normalize_path(name: str) -> str | None:
    """The member name as a relative path inside the image root, or None if it would leave the root.

    Leading `/` and `./` are dropped, `//` and `.` collapse, `..` is resolved lexically; "" is the root.
    """
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def link_target(link_path: str, target: str) -> str | None:
    """Lexically resolve a symlink's target to a path inside the image, or None if it climbs above the root.

    An absolute target is taken from the image root (as inside a container); a relative one from the
    directory that holds the link. Intermediate symlinks are not followed here (that is `FinalView`'s job).
    """
    if target.startswith("/"):
        return normalize_path(target)
    parent = link_path.rsplit("/", 1)[0] if "/" in link_path else ""
    return normalize_path(f"{parent}/{target}" if parent else target)


def whiteout_of(path: str) -> tuple[Literal["none", "whiteout", "opaque", "invalid", "meta"], str]:
    """Classify a normalised path by its base name.

    ("whiteout", hidden_path) for `dir/.wh.name`; ("opaque", dir) for `dir/.wh..wh..opq` (dir "" is the
    root); ("meta", path) for other AUFS bookkeeping names `.wh..wh.*` (ignored); ("invalid", path) for a
    whiteout of "", "." or ".."; ("none", path) for every other path.
    """
    parent, _, base = path.rpartition("/")
    if not base.startswith(WHITEOUT_PREFIX):
        return "none", path
    if base == OPAQUE_MARKER:
        return "opaque", parent
    if base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
        return "meta", path
    hidden = base[len(WHITEOUT_PREFIX) :]
    if hidden in ("", ".", ".."):
        return "invalid", path
    return "whiteout", f"{parent}/{hidden}" if parent else hidden


class LayerStop(Exception):
    """Raised inside the stream to stop walking a layer; the message is the recorded refusal reason."""


class CountingReader:
    """A read-only, forward-only stream wrapper that counts bytes and enforces the layer byte limits."""

    def __init__(self, stream: BinaryIO, limits: Limits, compressed_size: int | None) -> None:
        self._stream = stream
        self._limits = limits
        self._compressed = compressed_size
        self.count = 0
        self._header_start: int | None = None

    def begin_header(self) -> None:
        """Start counting the bytes of one tar header (with its pax/long-name/sparse extensions)."""
        self._header_start = self.count

    def end_header(self) -> None:
        self._header_start = None

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            size = 1024 * 1024
        data = self._stream.read(size)
        self.count += len(data)
        self._check()
        return data

    def _check(self) -> None:
        lim = self._limits
        if self.count > lim.max_layer_bytes:
            raise LayerStop(f"layer larger than {lim.max_layer_bytes} bytes uncompressed")
        if (
            self._compressed is not None
            and self.count > lim.ratio_floor_bytes
            and self.count > lim.max_ratio * max(self._compressed, 1)
        ):
            raise LayerStop(f"decompression ratio above {lim.max_ratio}")
        if self._header_start is not None and self.count - self._header_start > lim.max_header_bytes:
            raise LayerStop(f"tar header larger than {lim.max_header_bytes} bytes")

    # The rest of the file-object protocol `tarfile` expects; a layer stream is read forward only.
    def write(self, b: bytes, /) -> int:
        raise OSError("layer streams are read-only")

    def tell(self) -> int:
        return self.count

    def seek(self, pos: int, /) -> int:
        raise OSError("layer streams cannot seek")

    def close(self) -> None:
        """Leave the caller's stream open: the caller owns it."""
