"""Opening an image wherever it is: `open_image(REF)` → an `ImageSource` with the image's metadata and its layers.

Owns the three input kinds and the layer streams:
- a `docker save` tarball (or the directory it unpacks to): `manifest.json` → `Config` + `Layers`, in the classic
  layout (`<id>/layer.tar`) and the newer one (`blobs/sha256/<hex>`); symlinked layers inside the archive
  followed (never outside it);
- an OCI image layout, a directory or a tar: `oci-layout`, `index.json` → manifest, or image index → manifest;
- a registry reference, pulled through the OCI Distribution API by `image.registry`.
A tar is read in place: it is indexed once (names → offsets), and each layer is a bounded window of the file
opened on its own handle, so layers can be read concurrently from threads. Nothing is extracted.

Indexes and manifest lists are resolved with `--platform os/arch[/variant]` (default: the only image, else
linux/amd64); no match is an error naming the platforms available. `LayerRef.diff_id` comes from the config's
`rootfs.diff_ids`, `created_by` from its `history` (entries marked `empty_layer` skipped).

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
import json
import posixpath
import stat
import tarfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, cast

import zstandard

from shiftsec.errors import InputError
from shiftsec.image import registry as reg
from shiftsec.image.reference import LocalRef, Reference, classify, validate_digest

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
MAX_DOCUMENT = reg.MAX_DOCUMENT
_CHUNK = 1 << 20
_DEFAULT_PLATFORM = "linux/amd64"
_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm",
                 "i686": "386", "i386": "386"}
_DEFAULT_VARIANT = {"arm64": "v8", "arm": "v7"}
_INDEX_TYPES = frozenset({reg.OCI_INDEX, reg.DOCKER_MANIFEST_LIST})
_MANIFEST_TYPES = frozenset({reg.OCI_MANIFEST, reg.DOCKER_MANIFEST})
_REF_NAME = "org.opencontainers.image.ref.name"


@dataclass(frozen=True)
class LayerRef:
    """One layer: `digest` of the blob as stored (compressed), `diff_id` of its uncompressed tar."""

    digest: str
    diff_id: str
    media_type: str
    size: int
    created_by: str


@dataclass(frozen=True)
class ImageMeta:
    reference: str
    manifest_digest: str | None  # None for a docker-archive (it has no manifest blob)
    config_digest: str
    config: Mapping[str, Any]
    layers: tuple[LayerRef, ...]
    platform: str | None  # "os/arch[/variant]" from the config


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


def parse_platform(text: str) -> Platform:
    """`os/arch[/variant]` (arch aliases such as x86_64 and aarch64 normalised); `InputError` if malformed."""
    parts = text.strip().lower().split("/")
    if len(parts) not in {2, 3} or not all(parts):
        raise InputError(f"invalid platform {text!r}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7")
    return _platform(*parts)


def _platform(os_name: str, arch: str, variant: str = "") -> Platform:
    arch = _ARCH_ALIASES.get(arch.lower(), arch.lower())
    return Platform(os_name.lower(), arch, variant.lower())


def _matches(candidate: Platform, wanted: Platform) -> bool:
    if (candidate.os, candidate.architecture) != (wanted.os, wanted.architecture):
        return False
    if not wanted.variant:
        return True
    default = _DEFAULT_VARIANT.get(wanted.architecture, "")
    return (candidate.variant or default) == (wanted.variant or default)


def select_platform(descriptors: object, wanted: Platform | None, where: str) -> Mapping[str, Any]:
    """Pick one descriptor of an index's `manifests` for `wanted` (None: the only one, else linux/amd64)."""
    if not isinstance(descriptors, list) or not descriptors:
        raise InputError(f"{where}: the index lists no manifests")
    candidates: list[tuple[Mapping[str, Any], Platform | None]] = []
    for descriptor in descriptors:
        if not isinstance(descriptor, dict):
            raise InputError(f"{where}: a manifest descriptor is not an object")
        info = descriptor.get("platform")
        if isinstance(info, dict) and isinstance(info.get("os"), str) and isinstance(info.get("architecture"), str):
            platform = _platform(info["os"], info["architecture"], str(info.get("variant") or ""))
            if platform.os == "unknown":  # attestation manifests of buildx
                continue
            candidates.append((descriptor, platform))
        else:
            candidates.append((descriptor, None))
    if not candidates:
        raise InputError(f"{where}: the index lists no image manifest")
    if len(candidates) == 1 and candidates[0][1] is None:
        return candidates[0][0]  # no platform declared: the image config says (checked against `wanted` later)
    if wanted is None:
        if len(candidates) == 1:
            return candidates[0][0]
        wanted = parse_platform(_DEFAULT_PLATFORM)
    found = [(d, p) for d, p in candidates if p is not None and _matches(p, wanted)]
    if not found:
        available = ", ".join(sorted({str(p) for _, p in candidates if p is not None})) or "none declared"
        raise InputError(f"{where}: no image for platform {wanted} (available: {available})",
                         hint="choose one with --platform os/arch[/variant]")
    default = _DEFAULT_VARIANT.get(wanted.architecture, "")
    found.sort(key=lambda item: (item[1] is not None and (item[1].variant or default) != (wanted.variant or default)))
    return found[0][0]


# -- JSON documents -------------------------------------------------------------------------------------------------

def _json_object(body: bytes, where: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"{where} is not a JSON object")
    return data


def _descriptor_digest(descriptor: Mapping[str, Any], where: str) -> str:
    digest = descriptor.get("digest")
    if not isinstance(digest, str):
        raise InputError(f"{where}: a descriptor has no digest")
    try:
        return validate_digest(digest)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _descriptor_size(descriptor: Mapping[str, Any]) -> int:
    size = descriptor.get("size")
    return size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else -1


def _kind(document: Mapping[str, Any], media_type: str, where: str) -> str:
    declared = document.get("mediaType") if isinstance(document.get("mediaType"), str) else media_type
    if document.get("schemaVersion") == 1 or declared == reg.DOCKER_MANIFEST_V1:
        raise InputError(f"{where}: Docker schema 1 manifests are not supported (deprecated since 2017)")
    if declared in _INDEX_TYPES or ("manifests" in document and "layers" not in document):
        return "index"
    if declared in _MANIFEST_TYPES or ("config" in document and "layers" in document):
        return "manifest"
    raise InputError(f"{where}: unknown manifest media type {declared or '(none)'}")


Fetch = Callable[[Mapping[str, Any]], tuple[bytes, str]]  # descriptor → (body, digest)


def _resolve_manifest(body: bytes, media_type: str, digest: str, fetch: Fetch, wanted: Platform | None,
                      where: str) -> tuple[dict[str, Any], str]:
    """Follow indexes (platform selection) down to one image manifest: (manifest, its digest)."""
    for _ in range(4):
        document = _json_object(body, f"{where}: manifest {digest}")
        if _kind(document, media_type, f"{where}: manifest {digest}") == "manifest":
            return document, digest
        descriptor = select_platform(document.get("manifests"), wanted, f"{where}: index {digest}")
        media_type = str(descriptor.get("mediaType") or "")
        body, digest = fetch(descriptor)
    raise InputError(f"{where}: image indexes nested too deep")


def _layers_of(manifest: Mapping[str, Any], config: Mapping[str, Any], where: str) -> tuple[LayerRef, ...]:
    descriptors = manifest.get("layers")
    if not isinstance(descriptors, list):
        raise InputError(f"{where}: the manifest has no layers list")
    diff_ids = _diff_ids(config, where)
    if len(diff_ids) != len(descriptors):
        raise InputError(f"{where}: the manifest lists {len(descriptors)} layers, the config {len(diff_ids)} diff_ids")
    history = _created_by(config, len(diff_ids))
    layers = []
    for descriptor, diff_id, created_by in zip(descriptors, diff_ids, history, strict=True):
        if not isinstance(descriptor, dict):
            raise InputError(f"{where}: a layer descriptor is not an object")
        layers.append(LayerRef(_descriptor_digest(descriptor, where), diff_id, str(descriptor.get("mediaType") or ""),
                               _descriptor_size(descriptor), created_by))
    return tuple(layers)


def _diff_ids(config: Mapping[str, Any], where: str) -> list[str]:
    rootfs = config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(diff_ids, list) or not all(isinstance(d, str) for d in diff_ids):
        raise InputError(f"{where}: the image config has no rootfs.diff_ids")
    for diff_id in diff_ids:
        validate_digest(diff_id)
    return list(diff_ids)


def _created_by(config: Mapping[str, Any], count: int) -> list[str]:
    """The `created_by` of the history entries that made a layer, one per layer ("" when history is short)."""
    history = config.get("history")
    steps = [str(entry.get("created_by") or "") for entry in history
             if isinstance(entry, dict) and not entry.get("empty_layer")] if isinstance(history, list) else []
    steps = steps[:count]
    return steps + [""] * (count - len(steps))


def _config_platform(config: Mapping[str, Any]) -> Platform | None:
    os_name, arch = config.get("os"), config.get("architecture")
    if not isinstance(os_name, str) or not isinstance(arch, str) or not os_name or not arch:
        return None
    return _platform(os_name, arch, str(config.get("variant") or ""))


def _check_platform(config: Mapping[str, Any], wanted: Platform | None, where: str) -> str | None:
    """The config's platform; an error when the user asked for another one."""
    actual = _config_platform(config)
    if wanted is not None and actual is not None and not _matches(actual, wanted):
        raise InputError(f"{where} is a single {actual} image, not {wanted}",
                         hint=f"use --platform {actual} or another image")
    return str(actual) if actual else None


# -- streams --------------------------------------------------------------------------------------------------------

class _Section(io.RawIOBase):
    """A window [offset, offset+size) of a file, on its own handle (safe across threads)."""

    def __init__(self, path: Path, offset: int, size: int) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._file.seek(offset)
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._left <= 0:
            return 0
        count = self._file.readinto(view[: min(len(view), self._left)])
        self._left -= count
        return count

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


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


# -- stores: a directory or a tar, read in place --------------------------------------------------------------------

def _clean(name: str, where: str) -> str:
    """An archive-relative name: forward slashes, no `./`, no absolute path or `..` escaping the archive."""
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if not parts:
                raise InputError(f"{where}: path {name!r} points outside the image")
            parts.pop()
            continue
        parts.append(part)
    if not parts:
        raise InputError(f"{where}: empty path")
    return "/".join(parts)


class _Store:
    label: str

    def exists(self, name: str) -> bool:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def open(self, name: str) -> BinaryIO | io.RawIOBase:
        raise NotImplementedError

    def read(self, name: str, what: str) -> bytes:
        if not self.exists(name):
            raise InputError(f"{self.label}: {what} missing ({name})")
        if self.size(name) > MAX_DOCUMENT:
            raise InputError(f"{self.label}: {what} larger than {MAX_DOCUMENT >> 20} MiB: refused")
        with self.open(name) as stream:
            return stream.read() or b""

    def close(self) -> None:
        pass


class _DirStore(_Store):
    def __init__(self, root: Path, label: str) -> None:
        self.root = root.resolve()
        self.label = label

    def _path(self, name: str) -> Path:
        try:
            path = (self.root / _clean(name, self.label)).resolve()
        except (OSError, ValueError, RuntimeError) as exc:
            raise InputError(f"{self.label}: unusable path {name!r} ({exc})") from None
        if not path.is_relative_to(self.root):
            raise InputError(f"{self.label}: {name!r} points outside the image directory")
        return path

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def size(self, name: str) -> int:
        return self._path(name).stat().st_size

    def open(self, name: str) -> BinaryIO:
        try:
            return open(self._path(name), "rb")
        except OSError as exc:
            raise InputError(f"{self.label}: cannot open {name}: {exc.strerror or exc}") from None


class _TarStore(_Store):
    """A tar indexed once: name → (offset of data, size); symlinks and hard links resolved inside the archive."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self._files: dict[str, tuple[int, int]] = {}
        self._links: dict[str, str] = {}
        try:
            with open(path, "rb") as handle:
                magic = handle.read(4)
                if magic.startswith(GZIP_MAGIC) or magic.startswith(ZSTD_MAGIC):
                    raise InputError(f"{label}: a compressed archive cannot be read in place",
                                     hint="decompress it first (gunzip / zstd -d), or give the OCI layout directory")
                handle.seek(0)
                with tarfile.open(fileobj=handle, mode="r:") as archive:
                    for member in archive:
                        self._add(member)
        except tarfile.TarError as exc:
            raise InputError(f"{label}: not a readable tar archive ({exc})") from None
        except OSError as exc:
            raise InputError(f"{label}: cannot read ({exc.strerror or exc})") from None

    def _add(self, member: tarfile.TarInfo) -> None:
        try:
            name = _clean(member.name, self.label)
        except InputError:
            return  # an entry escaping the archive can never be named by a manifest: ignore it
        if member.isreg() and not member.issparse():
            self._files[name] = (member.offset_data, member.size)
            self._links.pop(name, None)
        elif member.issym():
            self._links[name] = posixpath.join(posixpath.dirname(name), member.linkname)
        elif member.islnk():
            self._links[name] = member.linkname

    def _find(self, name: str) -> tuple[int, int] | None:
        name = _clean(name, self.label)
        for _ in range(16):
            if name in self._files:
                return self._files[name]
            target = self._links.get(name)
            if target is None:
                return None
            try:
                name = _clean(target, self.label)
            except InputError:
                return None
        return None

    def exists(self, name: str) -> bool:
        return self._find(name) is not None

    def size(self, name: str) -> int:
        found = self._find(name)
        return found[1] if found else -1

    def open(self, name: str) -> io.RawIOBase:
        found = self._find(name)
        if found is None:
            raise InputError(f"{self.label}: {name} missing")
        return _Section(self.path, *found)


# -- the image source -----------------------------------------------------------------------------------------------

Opener = Callable[[LayerRef], tuple[BinaryIO | io.RawIOBase, str | None]]  # layer → (raw blob, digest to verify)


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
        return _registry_image(target, wanted, insecure, timeout)
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


def _blob_name(digest: str) -> str:
    algorithm, _, hexpart = digest.partition(":")
    return f"blobs/{algorithm}/{hexpart}"


def _read_blob(store: _Store, descriptor: Mapping[str, Any], where: str, what: str) -> tuple[bytes, str]:
    digest = _descriptor_digest(descriptor, where)
    name = _blob_name(digest)
    if not store.exists(name):
        raise InputError(f"{where}: {what} blob {digest} missing")
    body = store.read(name, what)
    algorithm, _, hexpart = digest.partition(":")
    if algorithm in {"sha256", "sha512"} and hashlib.new(algorithm, body).hexdigest() != hexpart:
        raise InputError(f"{where}: {what} blob {digest} is corrupt (digest mismatch)")
    return body, digest


def _oci_layout(store: _Store, where: str, tag: str | None,
                wanted: Platform | None) -> tuple[ImageMeta, Opener]:
    if store.exists("oci-layout"):
        layout = _json_object(store.read("oci-layout", "oci-layout"), f"{where}: oci-layout")
        version = layout.get("imageLayoutVersion")
        if not isinstance(version, str) or not version.startswith("1."):
            raise InputError(f"{where}: unsupported OCI layout version {version!r}")
    index = _json_object(store.read("index.json", "index.json"), f"{where}: index.json")
    descriptors = index.get("manifests")
    if not isinstance(descriptors, list) or not descriptors:
        raise InputError(f"{where}: index.json lists no manifests")
    if not all(isinstance(d, dict) for d in descriptors):
        raise InputError(f"{where}: index.json has a manifest descriptor that is not an object")
    names = sorted({_ref_name(d) for d in descriptors if _ref_name(d)})
    if tag is not None:
        descriptors = [d for d in descriptors if _ref_name(d) == tag]
        if not descriptors:
            raise InputError(f"{where}: no image tagged {tag!r} (tags: {', '.join(names) or 'none'})")
    elif len({_ref_name(d) for d in descriptors}) > 1:
        raise InputError(f"{where} holds several images: choose one with {where}:TAG (tags: {', '.join(names)})")

    def fetch(descriptor: Mapping[str, Any]) -> tuple[bytes, str]:
        return _read_blob(store, descriptor, where, "manifest")

    top = select_platform(descriptors, wanted, f"{where}: index.json")
    body, digest = fetch(top)
    manifest, manifest_digest = _resolve_manifest(body, str(top.get("mediaType") or ""), digest, fetch, wanted,
                                                  where)
    meta = _meta_from_manifest(manifest, manifest_digest, where, wanted,
                               lambda d: _read_blob(store, d, where, "config")[0])

    def opener(layer: LayerRef) -> tuple[BinaryIO | io.RawIOBase, str | None]:
        name = _blob_name(layer.digest)
        if not store.exists(name):
            raise InputError(f"{where}: layer blob {layer.digest} missing")
        return store.open(name), layer.digest

    return meta, opener


def _ref_name(descriptor: Mapping[str, Any]) -> str:
    annotations = descriptor.get("annotations")
    name = annotations.get(_REF_NAME) if isinstance(annotations, dict) else None
    return name if isinstance(name, str) else ""


def _meta_from_manifest(manifest: Mapping[str, Any], manifest_digest: str, where: str, wanted: Platform | None,
                        read_config: Callable[[Mapping[str, Any]], bytes]) -> ImageMeta:
    config_descriptor = manifest.get("config")
    if not isinstance(config_descriptor, dict):
        raise InputError(f"{where}: manifest {manifest_digest} has no config descriptor")
    config_digest = _descriptor_digest(config_descriptor, where)
    config = _json_object(read_config(config_descriptor), f"{where}: config {config_digest}")
    layers = _layers_of(manifest, config, where)
    platform = _check_platform(config, wanted, where)
    return ImageMeta(where, manifest_digest, config_digest, config, layers, platform)


def _docker_archive(store: _Store, where: str, tag: str | None,
                    wanted: Platform | None) -> tuple[ImageMeta, Opener]:
    body = store.read("manifest.json", "manifest.json")
    try:
        entries = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where}: manifest.json is not valid JSON: {exc}") from None
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise InputError(f"{where}: manifest.json is not a list of images")
    tags = sorted({t for e in entries for t in _repo_tags(e)})
    if tag is not None:
        entries = [e for e in entries if any(t == tag or t.endswith(f":{tag}") for t in _repo_tags(e))]
        if len(entries) != 1:
            raise InputError(f"{where}: {'no' if not entries else 'more than one'} image tagged {tag!r} "
                             f"(tags: {', '.join(tags) or 'none'})")
    elif len(entries) > 1:
        raise InputError(f"{where} holds {len(entries)} images: choose one with {where}:TAG "
                         f"(tags: {', '.join(tags) or 'none'})")
    entry = entries[0]
    config_name, layer_names = entry.get("Config"), entry.get("Layers")
    if not isinstance(config_name, str) or not isinstance(layer_names, list) or \
            not all(isinstance(n, str) for n in layer_names):
        raise InputError(f"{where}: manifest.json entry without Config and Layers")
    config_body = store.read(_clean(config_name, where), "image config")
    config_digest = "sha256:" + hashlib.sha256(config_body).hexdigest()
    named = _named_digest(config_name)
    if named is not None and named != config_digest:
        raise InputError(f"{where}: image config {config_name} is corrupt (digest mismatch)")
    config = _json_object(config_body, f"{where}: image config")
    diff_ids = _diff_ids(config, where)
    if len(diff_ids) != len(layer_names):
        raise InputError(f"{where}: manifest.json lists {len(layer_names)} layers, the config {len(diff_ids)} "
                         "diff_ids")
    sources = entry.get("LayerSources") if isinstance(entry.get("LayerSources"), dict) else {}
    layers = []
    paths: dict[str, tuple[str, bool]] = {}
    for name, diff_id, created_by in zip(layer_names, diff_ids, _created_by(config, len(diff_ids)), strict=True):
        clean = _clean(name, where)
        if not store.exists(clean):
            raise InputError(f"{where}: layer {name} missing")
        digest = _named_digest(clean)
        source = sources.get(diff_id) if isinstance(sources, dict) else None
        media_type = str(source.get("mediaType")) if isinstance(source, dict) and source.get("mediaType") else \
            DOCKER_LAYER
        layer = LayerRef(digest or diff_id, diff_id, media_type, store.size(clean), created_by)
        layers.append(layer)
        paths[layer.digest] = (clean, digest is not None)
    platform = _check_platform(config, wanted, where)
    meta = ImageMeta(where, None, config_digest, config, tuple(layers), platform)

    def opener(layer: LayerRef) -> tuple[BinaryIO | io.RawIOBase, str | None]:
        if layer.digest not in paths:
            raise InputError(f"{where}: no layer {layer.digest} in this image")
        name, verify = paths[layer.digest]
        return store.open(name), layer.digest if verify else None

    return meta, opener


def _repo_tags(entry: Mapping[str, Any]) -> list[str]:
    tags = entry.get("RepoTags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _named_digest(name: str) -> str | None:
    """`sha256:<hex>` when a docker-archive file is named by its digest (`blobs/sha256/<hex>`, `<hex>.json`)."""
    parts = name.split("/")
    hexpart = parts[-1].removesuffix(".json")
    algorithm = parts[-2] if len(parts) >= 2 and parts[-3:-2] == ["blobs"] else "sha256"
    if algorithm == "sha256" and len(hexpart) == 64 and all(c in "0123456789abcdef" for c in hexpart) and (
            parts[-1].endswith(".json") or parts[-3:-2] == ["blobs"]):
        return f"sha256:{hexpart}"
    return None


def _registry_image(reference: Reference, wanted: Platform | None, insecure: bool,
                    timeout: float) -> ImageSource:
    client = reg.RegistryClient(reference, insecure=insecure, timeout=timeout)
    where = str(reference)
    body, media_type, digest = client.get_manifest(reference.manifest_ref)

    def fetch(descriptor: Mapping[str, Any]) -> tuple[bytes, str]:
        wanted_digest = _descriptor_digest(descriptor, where)
        fetched, _, got = client.get_manifest(wanted_digest)
        return fetched, got

    manifest, manifest_digest = _resolve_manifest(body, media_type, digest, fetch, wanted, where)
    meta = _meta_from_manifest(
        manifest, manifest_digest, where, wanted,
        lambda d: client.read_blob(_descriptor_digest(d, where), f"config {_descriptor_digest(d, where)}"))

    def opener(layer: LayerRef) -> tuple[BinaryIO | io.RawIOBase, str | None]:
        return cast(BinaryIO, client.open_blob(layer.digest, f"layer {layer.digest}")), layer.digest

    return ImageSource(meta, opener)


__all__ = ["ImageMeta", "ImageSource", "LayerRef", "LayerStream", "Platform", "open_image", "parse_platform",
           "select_platform"]
