"""An image's metadata and how it is read from manifest documents: `LayerRef`, `ImageMeta`, platform
selection (`Platform`, `parse_platform`, `select_platform`), and the JSON documents (indexes, manifests, configs)
resolved down to one image's `ImageMeta`.

Shared by the three input kinds (`docker_archive`, `oci_layout`, `registry_source`); `image.source` re-exports the
public names. Indexes and manifest lists are resolved with `--platform os/arch[/variant]` (default: the only
image, else linux/amd64); no match is an error naming the platforms available. `LayerRef.diff_id` comes from the
config's `rootfs.diff_ids`, `created_by` from its `history` (entries marked `empty_layer` skipped). The callables
an input kind hands back are typed here too: `Fetch` (descriptor → body, digest) and `Opener` (layer → raw blob,
digest to verify).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from shiftsec.errors import InputError
from shiftsec.image import registry as reg
from shiftsec.image.reference import validate_digest

_DEFAULT_PLATFORM = "linux/amd64"
_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm",
                 "i686": "386", "i386": "386"}
_DEFAULT_VARIANT = {"arm64": "v8", "arm": "v7"}
_INDEX_TYPES = frozenset({reg.OCI_INDEX, reg.DOCKER_MANIFEST_LIST})
_MANIFEST_TYPES = frozenset({reg.OCI_MANIFEST, reg.DOCKER_MANIFEST})


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
Opener = Callable[[LayerRef], tuple[BinaryIO | io.RawIOBase, str | None]]  # layer → (raw blob, digest to verify)


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
