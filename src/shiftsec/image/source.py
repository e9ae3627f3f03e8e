"""Opening an image wherever it is: `open_image(REF)` → an `ImageSource` with the image's metadata and its layers.

Owns the dispatch over the three input kinds, each in its own module, and the layer streams:
- a `docker save` tarball (or the directory it unpacks to): `image.docker_archive`, both layouts;
- an OCI image layout, a directory or a tar: `image.oci_layout`;
- a registry reference, pulled through the OCI Distribution API: `image.registry_source` over `image.registry`.
A local image is read in place (`image.archive_store`): a tar is indexed once and each layer is a bounded window
of the file opened on its own handle, so layers can be read concurrently from threads. Nothing is extracted.
The image's metadata (`LayerRef`, `ImageMeta`) and platform selection (`Platform`, `parse_platform`,
`select_platform`) live in `image.manifest` and are re-exported here.

`ImageSource.open_layer(layer)` gives the layer as an uncompressed tar stream: gzip (`1f 8b`), zstd
(`28 b5 2f fd`) or plain, told by the magic bytes, decompressed while read. Blobs named by their digest (OCI
layouts, registries, the newer docker-archive layout) are hashed while they stream: a digest or size mismatch
raises `InputError` when the blob has been read to its end — on reaching the end of the stream, or at `close()`,
which reads what the consumer left (a tar reader stops at the end-of-archive blocks). Leaving the stream's
`with` block by an exception skips that check. Classic docker-archive `layer.tar` files carry no digest of
their own and are not verified. Every malformed input is one `InputError` line, never a traceback.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import stat
import zlib
from collections.abc import Callable
from types import TracebackType
from typing import Any, BinaryIO, cast

import zstandard

from shiftsec.errors import InputError
from shiftsec.image import registry as reg
from shiftsec.image.archive_store import GZIP_MAGIC, ZSTD_MAGIC, _DirStore, _Store, _TarStore
from shiftsec.image.docker_archive import _docker_archive
from shiftsec.image.manifest import ImageMeta, LayerRef, Opener, Platform, parse_platform, select_platform
from shiftsec.image.oci_layout import _oci_layout
from shiftsec.image.reference import LocalRef, Reference, classify
from shiftsec.image.registry_source import _registry_image

_CHUNK = 1 << 20


# -- streams --------------------------------------------------------------------------------------------------------

class _Verified(io.RawIOBase):
    """Hash a blob while it is read; at its end compare digest and size (mismatch: `InputError`)."""

    def __init__(self, raw: BinaryIO | io.RawIOBase, digest: str | None, size: int, what: str) -> None:
        self._raw = raw
        self._what = what
        self._digest = digest
        algorithm = digest.partition(":")[0] if digest else ""
        self._hash = hashlib.new(algorithm) if algorithm in {"sha256", "sha512"} else None
        self._size = size
        self._count = 0
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._raw.read(len(view)) or b""
        except InputError:
            raise
        except (OSError, EOFError, http.client.HTTPException) as exc:
            raise InputError(f"{self._what}: read failed: {exc or type(exc).__name__}") from None
        if not data:
            self._finish()
            return 0
        count = len(data)
        view[:count] = data
        self._count += count
        if self._hash is not None:
            self._hash.update(data)
        if 0 <= self._size < self._count:
            raise InputError(f"{self._what}: larger than the {self._size} bytes its descriptor declares")
        return count

    def _finish(self) -> None:
        if self.done:
            return
        self.done = True
        if 0 <= self._size != self._count:
            raise InputError(f"{self._what}: {self._count} bytes, its descriptor declares {self._size} (truncated?)")
        if self._hash is not None and self._digest is not None:
            actual = f"{self._digest.partition(':')[0]}:{self._hash.hexdigest()}"
            if actual != self._digest:
                raise InputError(f"{self._what}: digest mismatch (content is {actual})")

    def drain(self) -> None:
        """Read what is left and verify."""
        buffer = bytearray(_CHUNK)
        while not self.done:
            self.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _Prefixed(io.RawIOBase):
    """`head` (bytes already read to sniff the magic) followed by the rest of `raw`."""

    def __init__(self, head: bytes, raw: _Verified) -> None:
        self._head = head
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        return self._raw.readinto(view)


class LayerStream(io.RawIOBase):
    """A layer's uncompressed tar, streamed. See the module docstring for when the digest is checked."""

    def __init__(self, raw: _Verified, what: str) -> None:
        self._verified = raw
        self._what = what
        head = b""
        while len(head) < 4:
            piece = raw.read(4 - len(head)) or b""
            if not piece:
                break
            head += piece
        source = io.BufferedReader(_Prefixed(head, raw), _CHUNK)
        self.compression: str
        self._inner: Any
        if head.startswith(GZIP_MAGIC):
            self.compression = "gzip"
            self._inner = gzip.GzipFile(fileobj=source, mode="rb")
        elif head.startswith(ZSTD_MAGIC):
            self.compression = "zstd"
            self._inner = zstandard.ZstdDecompressor().stream_reader(source, read_size=_CHUNK,
                                                                     read_across_frames=True, closefd=False)
        else:
            self.compression = "none"
            self._inner = source
        self._source = source
        self._failed = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        try:
            data: bytes = self._inner.read(size)
        except InputError:
            self._failed = True
            raise
        except (OSError, EOFError, zlib.error, zstandard.ZstdError) as exc:
            self._failed = True
            raise InputError(f"{self._what}: corrupt or truncated layer ({exc})") from None
        if not data and size:
            self._end()
        return data

    def readall(self) -> bytes:
        chunks = []
        while chunk := self.read(_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def _end(self) -> None:
        try:
            self._verified.drain()
        except InputError:
            self._failed = True
            raise

    def close(self) -> None:
        if self.closed:
            return
        try:
            if not self._failed:
                self._end()
        finally:
            if self.compression != "none":
                self._inner.close()
            self._source.close()
            self._verified.close()
            super().close()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._failed = True
        self.close()


# -- the image source -----------------------------------------------------------------------------------------------

class ImageSource:
    """An opened image: `.meta`, `.open_layer(layer)` (uncompressed tar stream), `.close()`; a context manager."""

    def __init__(self, meta: ImageMeta, opener: Opener, closer: Callable[[], None] = lambda: None) -> None:
        self.meta = meta
        self._opener = opener
        self._closer = closer

    def open_layer(self, layer: LayerRef) -> BinaryIO:
        """The layer's uncompressed tar, streamed (never whole in memory or on disk). Close it (or use `with`)."""
        what = f"layer {layer.digest}"
        raw, digest = self._opener(layer)
        verified = _Verified(raw, digest, layer.size if digest else -1, what)
        try:
            return cast(BinaryIO, LayerStream(verified, what))
        except BaseException:
            verified.close()
            raise

    def close(self) -> None:
        self._closer()

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open_image(ref: str, *, platform: str | None = None, insecure: bool = False,
               timeout: float = reg.DEFAULT_TIMEOUT) -> ImageSource:
    """Open a docker-archive, an OCI layout (directory or tar) or a registry reference. `InputError` if not."""
    wanted = parse_platform(platform) if platform else None
    target = classify(ref)
    if isinstance(target, Reference):
        meta, opener = _registry_image(target, wanted, insecure, timeout)
        return ImageSource(meta, opener)
    return _local_image(target, wanted)


def _local_image(target: LocalRef, wanted: Platform | None) -> ImageSource:
    label = str(target.path)
    try:
        mode = target.path.stat().st_mode
    except OSError as exc:
        raise InputError(f"cannot read {label}: {exc.strerror or exc}") from None
    store: _Store
    if stat.S_ISDIR(mode):
        store = _DirStore(target.path, label)
    elif stat.S_ISREG(mode):
        store = _TarStore(target.path, label)
    else:
        raise InputError(f"{label} is neither a file nor a directory")
    try:
        if store.exists("index.json") and (store.exists("oci-layout") or not store.exists("manifest.json")):
            meta, opener = _oci_layout(store, str(target), target.tag, wanted)
        elif store.exists("manifest.json"):
            meta, opener = _docker_archive(store, str(target), target.tag, wanted)
        else:
            raise InputError(f"{label} is neither an OCI image layout (index.json) nor a docker save archive "
                             "(manifest.json)")
    except BaseException:
        store.close()
        raise
    return ImageSource(meta, opener, store.close)


__all__ = ["ImageMeta", "ImageSource", "LayerRef", "LayerStream", "Platform", "open_image", "parse_platform",
           "select_platform"]
