"""The `docker save` input kind: a tarball (or the directory it unpacks to) read through `manifest.json` →
`Config` + `Layers`, in the classic layout (`<id>/layer.tar`) and the newer one (`blobs/sha256/<hex>`); symlinked
layers inside the archive followed (never outside it).

`_docker_archive` returns the image's `ImageMeta` and the `Opener` of its layers; `image.source` wraps them in an
`ImageSource`. Files named by their digest (the config `<hex>.json`, the newer layout's blobs) are verified;
classic `layer.tar` files carry no digest of their own and are not.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from typing import Any, BinaryIO

from shiftsec.errors import InputError
from shiftsec.image.archive_store import _clean, _Store
from shiftsec.image.manifest import (
    ImageMeta,
    LayerRef,
    Opener,
    Platform,
    _check_platform,
    _created_by,
    _diff_ids,
    _json_object,
)

DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"


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
