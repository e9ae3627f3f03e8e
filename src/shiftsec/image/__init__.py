"""Container images: from a reference to findings, one layer stream at a time.

Flow:

    REF ──reference.classify──▶ local path (docker save tar, OCI layout dir/tar) │ registry reference
        ──source.open_image───▶ ImageSource: meta (config, platform, layers with digest, diff_id, created_by)
                                 registry.RegistryClient pulls manifests and blobs (OCI Distribution API, auth)
        ──ImageSource.open_layer──▶ one uncompressed tar stream per layer (gzip/zstd/plain, digest verified)
        ──layers.walk_layer───▶ LayerFiles: normalised entries, whiteouts, refusals, captured wanted files
        ──layers.final_view───▶ which layer provides each path of the final image
        ──analyzers (OS packages under analyzers/os, language lockfiles) over the captured files
        ──scanners────────────▶ findings, each attributed to its layer (digest and history step)

Nothing is unpacked to disk: layers are streamed from the archive, the layout or the network, and only the
files an analyzer wants are kept, capped. Modules: `reference` (what REF is), `registry` (HTTP, auth,
credentials), `manifest` (manifests, indexes, configs, platform selection), `archive_store`, `docker_archive`,
`oci_layout` and `registry_source` (one per kind of input), `source` (`open_image`, layer streams), `layers`
(tar walking, safety, whiteouts), `scan` (analysis per layer and the final inventory), `cache` (per-layer
results), `config` (the image config as a Dockerfile).
"""
