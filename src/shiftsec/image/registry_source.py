"""The registry input kind: an image pulled through the OCI Distribution API by `image.registry`'s client.

`_registry_image` resolves the manifest (indexes followed with platform selection) and the config, and returns the
image's `ImageMeta` and the `Opener` of its layers, streamed from the registry (digests verified while read by
`image.source`, which wraps them in an `ImageSource`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, BinaryIO, cast

from shiftsec.image import registry as reg
from shiftsec.image.manifest import (
    ImageMeta,
    LayerRef,
    Opener,
    Platform,
    _descriptor_digest,
    _meta_from_manifest,
    _resolve_manifest,
)
from shiftsec.image.reference import Reference


def _registry_image(reference: Reference, wanted: Platform | None, insecure: bool,
                    timeout: float) -> tuple[ImageMeta, Opener]:
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

    return meta, opener
