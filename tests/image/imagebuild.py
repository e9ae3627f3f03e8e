"""Build real container images for the tests: layer tars, OCI layouts (directory or tar) and docker-archives.

Everything is deterministic (mtime 0, uid/gid 0, sorted entries), so the same inputs give the same digests.

    tar_layer({"etc/os-release": b"ID=alpine\\n"})            # uncompressed layer tar from a mapping
    tar_layer([Entry("bin/sh", kind="symlink", linkname="busybox"), Entry("etc/.wh.old")])  # any entry kind
    tar_tree(Path(".../alpine-minirootfs-3.14-armv7"))         # a directory tree as a layer tar
    layer(tar, compression="gzip"|"zstd"|"none", created_by="RUN ...")   → Layer (tar, blob, digests)
    build_image([layer1, layer2], platform="linux/amd64", env=["A=1"], user="app") → Image
    write_oci_layout(dir, image_or_images, tag="latest")        # several images → an image index (multi-platform)
    write_oci_tar(path, image_or_images, tag="latest")
    write_docker_archive(path, image, repo_tag="example.com/app:1.0", layout="classic"|"blobs")
    ALPINE_ROOTFS                                               # the shared Alpine 3.14 minirootfs (armv7)

`Image.config`/`Image.manifest` are the exact bytes written everywhere, so config and manifest digests agree
between formats; `Layer.tar` is what `ImageSource.open_layer` must give back.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from tests.conftest import SHARED_DATA, shared

ALPINE_ROOTFS = SHARED_DATA / "os-pkgdb" / "alpine-minirootfs-3.14-armv7"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_TYPES = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}
_KINDS = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
          "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One tar entry. `kind`: file, dir, symlink, hardlink, char, block, fifo; `linkname` for the links."""

    path: str
    data: bytes = b""
    kind: str = "file"
    linkname: str = ""
    mode: int | None = None


def tar_layer(entries: Mapping[str, bytes] | Iterable[Entry]) -> bytes:
    """An uncompressed tar (GNU format) of `entries`, in the order given (a mapping: sorted by path)."""
    items = [Entry(p, d) for p, d in sorted(entries.items())] if isinstance(entries, Mapping) else list(entries)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for entry in items:
            info = tarfile.TarInfo(entry.path)
            info.type = _KINDS[entry.kind]
            info.mtime = 0
            info.mode = entry.mode if entry.mode is not None else (0o755 if entry.kind == "dir" else 0o644)
            info.linkname = entry.linkname
            info.size = len(entry.data) if entry.kind == "file" else 0
            archive.addfile(info, io.BytesIO(entry.data) if entry.kind == "file" else None)
    return out.getvalue()


def tar_tree(root: Path, prefix: str = "") -> bytes:
    """A directory tree as a layer tar: directories, files and symlinks, sorted, owned by root, mtime 0."""
    entries: list[Entry] = []
    for path in sorted(root.rglob("*")):
        name = (prefix.rstrip("/") + "/" if prefix else "") + path.relative_to(root).as_posix()
        mode = path.lstat().st_mode & 0o7777
        if path.is_symlink():
            entries.append(Entry(name, kind="symlink", linkname=str(path.readlink()), mode=0o777))
        elif path.is_dir():
            entries.append(Entry(name, kind="dir", mode=mode))
        elif path.is_file():
            entries.append(Entry(name, path.read_bytes(), mode=mode))
    return tar_layer(entries)


def compress(data: bytes, compression: str) -> bytes:
    """gzip (mtime 0), zstd, or none."""
    if compression == "gzip":
        return gzip.compress(data, mtime=0)
    if compression == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(data)
    if compression == "none":
        return data
    raise ValueError(compression)


@dataclass(frozen=True)
class Layer:
    tar: bytes  # the uncompressed layer
    blob: bytes  # as stored in a layout or registry
    media_type: str
    created_by: str = ""

    @property
    def diff_id(self) -> str:
        return sha256(self.tar)

    @property
    def digest(self) -> str:
        return sha256(self.blob)


def layer(tar: bytes, *, compression: str = "gzip", created_by: str = "", blob: bytes | None = None) -> Layer:
    """A layer from its tar; `blob` overrides the stored bytes (e.g. multi-member gzip or corrupt data)."""
    return Layer(tar, compress(tar, compression) if blob is None else blob, LAYER_TYPES[compression], created_by)


@dataclass(frozen=True)
class Image:
    config: bytes
    manifest: bytes
    layers: tuple[Layer, ...]
    platform: str
    extra_blobs: Mapping[str, bytes] = field(default_factory=dict)

    @property
    def config_digest(self) -> str:
        return sha256(self.config)

    @property
    def manifest_digest(self) -> str:
        return sha256(self.manifest)

    @property
    def diff_ids(self) -> list[str]:
        return [x.diff_id for x in self.layers]

    def platform_dict(self) -> dict[str, str]:
        os_name, arch, *variant = self.platform.split("/")
        return {"os": os_name, "architecture": arch, **({"variant": variant[0]} if variant else {})}

    def blobs(self) -> dict[str, bytes]:
        out = {self.config_digest: self.config, self.manifest_digest: self.manifest}
        out.update({x.digest: x.blob for x in self.layers})
        out.update(self.extra_blobs)
        return out


def _dumps(data: object) -> bytes:
    return json.dumps(data, indent=2, sort_keys=True).encode()


def build_image(layers: Sequence[Layer], *, platform: str = "linux/amd64", env: Sequence[str] = (),
                user: str | None = None, cmd: Sequence[str] | None = None, empty_history: bool = True) -> Image:
    """An image config and OCI manifest over `layers`; the history gets an `empty_layer` ENV step first."""
    os_name, arch, *variant = platform.split("/")
    history: list[dict[str, object]] = []
    if empty_history:
        history.append({"created": "1970-01-01T00:00:00Z", "created_by": "ENV PATH=/usr/bin", "empty_layer": True})
    history += [{"created": "1970-01-01T00:00:00Z", "created_by": x.created_by} for x in layers]
    config: dict[str, object] = {
        "architecture": arch, "os": os_name,
        "config": {"Env": ["PATH=/usr/bin", *env], **({"User": user} if user else {}),
                   **({"Cmd": list(cmd)} if cmd else {})},
        "rootfs": {"type": "layers", "diff_ids": [x.diff_id for x in layers]},
        "history": history,
    }
    if variant:
        config["variant"] = variant[0]
    config_bytes = _dumps(config)
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256(config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": x.media_type, "digest": x.digest, "size": len(x.blob)} for x in layers],
    }
    return Image(config_bytes, _dumps(manifest), tuple(layers), platform)


def index_of(images: Sequence[Image]) -> bytes:
    """An OCI image index over several images (their platforms in the descriptors)."""
    return _dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": i.manifest_digest, "size": len(i.manifest),
         "platform": i.platform_dict()} for i in images]})


def layout_files(images: Image | Sequence[Image], *, tag: str = "latest", as_index: bool = False) -> dict[str, bytes]:
    """The files of an OCI layout (relative path → bytes); several images (or `as_index`) go behind an index."""
    many = list(images) if isinstance(images, Sequence) else [images]
    files: dict[str, bytes] = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}'}
    for image in many:
        for digest, data in image.blobs().items():
            files[f"blobs/sha256/{digest.removeprefix('sha256:')}"] = data
    annotations = {"org.opencontainers.image.ref.name": tag}
    if len(many) == 1 and not as_index:
        top = {"mediaType": OCI_MANIFEST, "digest": many[0].manifest_digest, "size": len(many[0].manifest),
               "annotations": annotations}
    else:
        index = index_of(many)
        files[f"blobs/sha256/{sha256(index).removeprefix('sha256:')}"] = index
        top = {"mediaType": OCI_INDEX, "digest": sha256(index), "size": len(index), "annotations": annotations}
    files["index.json"] = _dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [top]})
    return files


def write_files(dest: Path, files: Mapping[str, bytes]) -> Path:
    for name, data in files.items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest


def write_tar(dest: Path, files: Mapping[str, bytes] | Iterable[Entry]) -> Path:
    dest.write_bytes(tar_layer(files))
    return dest


def write_oci_layout(dest: Path, images: Image | Sequence[Image], *, tag: str = "latest") -> Path:
    return write_files(dest, layout_files(images, tag=tag))


def write_oci_tar(dest: Path, images: Image | Sequence[Image], *, tag: str = "latest") -> Path:
    return write_tar(dest, layout_files(images, tag=tag))


def docker_archive_files(image: Image, *, repo_tag: str = "example.com/app:1.0",
                         layout: str = "classic") -> dict[str, bytes]:
    """What `docker save` writes: layers uncompressed, `<id>/layer.tar` (classic) or `blobs/sha256/<hex>`."""
    files: dict[str, bytes] = {}
    names: list[str] = []
    hexconfig = image.config_digest.removeprefix("sha256:")
    if layout == "classic":
        config_name = f"{hexconfig}.json"
        for position, item in enumerate(image.layers):
            layer_id = hashlib.sha256(f"{position}{item.diff_id}".encode()).hexdigest()
            names.append(f"{layer_id}/layer.tar")
            files[f"{layer_id}/VERSION"] = b"1.0"
            files[f"{layer_id}/json"] = _dumps({"id": layer_id})
            files[f"{layer_id}/layer.tar"] = item.tar
    elif layout == "blobs":
        config_name = f"blobs/sha256/{hexconfig}"
        for item in image.layers:
            names.append(f"blobs/sha256/{item.diff_id.removeprefix('sha256:')}")
            files[names[-1]] = item.tar
    else:
        raise ValueError(layout)
    files[config_name] = image.config
    files["manifest.json"] = json.dumps([{"Config": config_name, "RepoTags": [repo_tag], "Layers": names}]).encode()
    return files


def write_docker_archive(dest: Path, image: Image, *, repo_tag: str = "example.com/app:1.0",
                         layout: str = "classic") -> Path:
    return write_tar(dest, docker_archive_files(image, repo_tag=repo_tag, layout=layout))


def sample_image(*, platform: str = "linux/arm/v7") -> Image:
    """Three layers: the Alpine minirootfs (gzip), an app (zstd), and a plain tar deleting a file (whiteout)."""
    base = layer(tar_tree(shared("os-pkgdb", "alpine-minirootfs-3.14-armv7")), compression="gzip",
                 created_by="ADD alpine-minirootfs-3.14 /")
    app = layer(tar_layer({"app/requirements.txt": b"requests==2.19.0\n", "app/main.py": b"print('hi')\n"}),
                compression="zstd", created_by="COPY app /app")
    cleanup = layer(tar_layer([Entry("etc/.wh.os-release"), Entry("app/notes.txt", b"notes\n")]),
                    compression="none", created_by="RUN rm /etc/os-release")
    return build_image([base, app, cleanup], platform=platform, env=["APP=1"], user="app")
