"""The OCI image layout input kind, a directory or a tar: `oci-layout`, `index.json` → manifest, or image index →
manifest (one image chosen by `:TAG` through `org.opencontainers.image.ref.name`, and by platform).

`_oci_layout` returns the image's `ImageMeta` and the `Opener` of its layers (blobs under `blobs/<alg>/<hex>`,
verified against their digest while they stream); `image.source` wraps them in an `ImageSource`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from typing import Any, BinaryIO

from shiftsec.errors import InputError
from shiftsec.image.archive_store import _Store
from shiftsec.image.manifest import (
    ImageMeta,
    LayerRef,
    Opener,
    Platform,
    _descriptor_digest,
    _json_object,
    _meta_from_manifest,
    _resolve_manifest,
    select_platform,
)

_REF_NAME = "org.opencontainers.image.ref.name"


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
