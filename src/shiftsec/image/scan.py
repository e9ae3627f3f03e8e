"""An image scan end to end: layers → per-layer analysis (cached) → the final filesystem → packages, secrets and
configuration findings, each attributed to the layer that holds its file.

1. Every layer is streamed once (`layers.walk_layer`), capturing only the files something reads: OS release
   files and package databases, installed-package metadata (dist-info, node_modules package.json, JARs, Go and
   Rust binaries, gemspecs, composer's installed.json), lockfiles, and application text files for the secret
   rules (not the distribution's or the libraries' own files: see `_SECRET_SKIP`).
2. What a layer yields does not depend on the other layers (parsed packages per path, secret findings per
   path, the small files OS detection needs), so it is cached under the layer's diff_id (`cache.LayerCache`):
   rescanning an image whose top layer changed walks only that layer.
3. The final view (`layers.final_view`: whiteouts and opaque folders applied) decides which path survives and
   which layer provides it; only what that layer found at that path counts.
4. OS packages are read once the OS is known (their ecosystem is the distribution's release), then everything
   is matched against the advisory database like any other inventory.
5. The image config is checked too: its ENV, labels and history commands for secrets, and the Dockerfile
   checks over the instructions its history records (root user, no HEALTHCHECK, `curl | sh`, …).
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shiftsec.analyzers.api import Analyzer, InputFile, Parsed
from shiftsec.errors import ParseError
from shiftsec.image.cache import LayerCache
from shiftsec.image.layers import Entry, EntryKind, LayerFiles, Limits, Refusal, final_view, walk_layer
from shiftsec.image.source import ImageMeta, LayerRef, open_image
from shiftsec.model import (
    Finding,
    FindingType,
    Layer,
    Location,
    Package,
    ScanError,
    Severity,
    Suppression,
    SuppressionKind,
)

__all__ = ["ImageScan", "scan_layers"]

_SECRET_SKIP = (
    "usr/share/", "usr/include/", "usr/lib/", "usr/lib64/", "usr/libexec/", "usr/src/", "lib/", "lib64/",
    "var/lib/", "var/cache/", "var/log/", "proc/", "sys/", "dev/", "usr/local/lib/", "usr/local/include/",
    "usr/local/share/", "etc/ssl/", "etc/ca-certificates/", "etc/pki/",
)
_SECRET_SKIP_PARTS = ("/node_modules/", "/site-packages/", "/dist-packages/", "/.git/", "/gems/", "/vendor/")
_SECRET_MAX_BYTES = 2 * 2**20


@dataclass(frozen=True, slots=True)
class ImageScan:
    meta: ImageMeta
    packages: tuple[Package, ...]
    findings: tuple[Finding, ...]  # secrets and configuration findings (vulnerabilities are matched later)
    errors: tuple[ScanError, ...]
    os: str | None  # the OSV ecosystem of the distribution, e.g. "Debian:12"; None when unknown
    layers_walked: int  # layers read from the image (the others came from the cache)
    secrets_searched: int


def _analyzers() -> tuple[list[Analyzer], list[Analyzer], list[Analyzer]]:
    from shiftsec.analyzers.installed import INSTALLED_ANALYZERS
    from shiftsec.analyzers.os import OS_ANALYZERS
    from shiftsec.analyzers.registry import ANALYZERS

    return list(OS_ANALYZERS), list(INSTALLED_ANALYZERS), list(ANALYZERS)


_RECORD_FORMAT = 2  # bump when the shape of a cached layer record changes


def analysis_version(secret_rules: Sequence[Any]) -> int:
    """One number that changes whenever an analyzer's output, the secret rules or the record format change."""
    os_analyzers, installed, lockfiles = _analyzers()
    analyzers = (*os_analyzers, *installed, *lockfiles)
    text = f"format {_RECORD_FORMAT};" + ";".join(f"{a.name}:{a.version}" for a in analyzers)
    text += ";" + ",".join(sorted(getattr(rule, "id", str(rule)) for rule in secret_rules))
    return zlib.crc32(text.encode()) or 1


def _secret_wanted(path: str, text_wanted: Callable[[str], bool]) -> bool:
    if path.startswith(_SECRET_SKIP) or any(part in f"/{path}" for part in _SECRET_SKIP_PARTS):
        return False
    return text_wanted(path)


class _Plan:
    """Which files of a layer are read, and by what."""

    def __init__(self, secrets: bool) -> None:
        from shiftsec.scanners.secrets import DEFAULT_FILTER

        self.os_analyzers, self.installed, self.lockfiles = _analyzers()
        self.secrets = secrets
        self._text = DEFAULT_FILTER.wanted

    def os_file(self, path: str) -> bool:
        from shiftsec.analyzers.os import os_wanted

        return os_wanted(path)

    def package_analyzers(self, path: str) -> list[Analyzer]:
        """Every installed-package analyzer that wants the file (a program may be a Go or a Rust binary: each
        says), else the lockfile analyzer for it."""
        found = [a for a in self.installed if a.required(path)]
        return found or [a for a in self.lockfiles if a.required(path)][:1]

    def secret_file(self, path: str) -> bool:
        return self.secrets and _secret_wanted(path, self._text)

    def wanted(self, path: str) -> bool:
        return self.os_file(path) or bool(self.package_analyzers(path)) or self.secret_file(path)


def _reader(captured: Mapping[str, bytes], path: str) -> Callable[[str], bytes | None]:
    folder = path.rsplit("/", 1)[0] if "/" in path else ""

    def read(relative: str) -> bytes | None:
        parts = [p for p in f"{folder}/{relative}".split("/") if p not in ("", ".")]
        out: list[str] = []
        for part in parts:
            if part == "..":
                if not out:
                    return None
                out.pop()
            else:
                out.append(part)
        return captured.get("/".join(out))

    return read


def _parsed_record(parsed: Parsed, analyzer: Analyzer) -> dict[str, Any]:
    return {
        "analyzer": analyzer.name,
        "ecosystem": parsed.ecosystem,
        "packages": [
            {"name": d.name, "version": d.version, "direct": d.direct, "dev": d.dev, "line": d.line,
             "depends_on": list(d.depends_on), "ecosystem": d.ecosystem,
             **{k: getattr(d, k) for k in ("purl", "binary") if getattr(d, k, None) is not None}}
            for d in parsed.packages
        ],
        "notes": list(parsed.notes),
    }


class _Secrets:
    """The secret search of one layer's files, done while the layer streams (a file searched is then dropped)."""

    def __init__(self, plan: _Plan, engine: Any, rules: Mapping[str, Any]) -> None:
        self.plan = plan
        self.engine = engine
        self.rules = dict(rules)
        self.found: list[dict[str, Any]] = []
        self.searched = 0

    def consume(self, path: str, data: bytes, truncated: bool) -> bool:
        """Search the file if the secret rules want it; keep its bytes only if an analyzer reads it."""
        from shiftsec.scanners.secrets import findings_for

        if self.engine is not None and self.plan.secret_file(path) and not truncated and (
                len(data) <= _SECRET_MAX_BYTES):
            self.searched += 1
            for finding in findings_for(self.engine.scan(data, path), self.rules, path, data):
                self.found.append({
                    "rule_id": finding.rule_id, "line": finding.location.line if finding.location else None,
                    "end_line": finding.location.end_line if finding.location else None,
                    "message": finding.message, "fingerprint": finding.fingerprint, "path": path,
                    "evidence": finding.evidence, "secret_sha256": finding.secret_sha256,
                    "inline": finding.suppression is not None,
                })
        return self.plan.os_file(path) or bool(self.plan.package_analyzers(path))


def _analyze_layer(files: LayerFiles, plan: _Plan, secrets: _Secrets) -> dict[str, Any]:
    """What one layer yields, as cacheable data (see the module docstring)."""
    parsed: dict[str, Any] = {}
    errors: list[list[str]] = []
    keep: dict[str, str] = {}
    for path, data in files.captured.items():
        if path in files.truncated:
            errors.append([path, "larger than the capture limit: not read"])
            continue
        if plan.os_file(path):
            keep[path] = base64.b64encode(data).decode("ascii")
        for analyzer in plan.package_analyzers(path):
            try:
                result = analyzer.analyze(InputFile(path, data, _reader(files.captured, path)))
            except ParseError as exc:
                errors.append([path, f"{exc} ({analyzer.name})"])
            except RecursionError:
                errors.append([path, f"nested too deeply to parse ({analyzer.name})"])
            else:
                if result.packages or result.notes:
                    parsed.setdefault(path, []).append(_parsed_record(result, analyzer))
    return {
        "entries": [[e.path, e.kind.value, e.size, e.mode, e.link, e.target] for e in files.entries.values()],
        "whiteouts": sorted(files.whiteouts),
        "opaque": sorted(files.opaque_dirs),
        "refused": [[r.path, r.reason] for r in files.refused],
        "complete": files.complete,
        "keep": keep,
        "parsed": parsed,
        "errors": errors,
        "secrets": secrets.found,
        "searched": secrets.searched,
    }


def _layer_files(record: Mapping[str, Any]) -> LayerFiles:
    """The layer as the final view needs it (entries, whiteouts), from an analysis record."""
    entries = {
        path: Entry(path, EntryKind(kind), size, mode, link=link, target=target)
        for path, kind, size, mode, link, target in record["entries"]
    }
    captured = {path: base64.b64decode(text) for path, text in record["keep"].items()}
    return LayerFiles(entries=entries, captured=captured, whiteouts=frozenset(record["whiteouts"]),
                      opaque_dirs=frozenset(record["opaque"]),
                      refused=tuple(Refusal(p, r) for p, r in record["refused"]), bytes_read=0,
                      truncated=frozenset(), complete=bool(record["complete"]))


def _layer(ref: LayerRef) -> Layer:
    return Layer(ref.digest, ref.diff_id, ref.created_by)


def _packages_from(path: str, record: Mapping[str, Any], layer: Layer) -> list[Package]:
    from shiftsec.analyzers.api import Dependency
    from shiftsec.targets.tree import _packages

    deps = []
    for item in record["packages"]:
        extra = {k: item[k] for k in ("purl", "binary") if k in item and k in Dependency.__dataclass_fields__}
        deps.append(Dependency(item["name"], item["version"], direct=item["direct"], dev=item["dev"],
                               line=item["line"], depends_on=tuple(item["depends_on"]),
                               ecosystem=item["ecosystem"], **extra))
    parsed = Parsed(record["ecosystem"], tuple(deps), tuple(record["notes"]))
    return [replace(p, location=replace(p.location, layer=layer) if p.location else Location(path, layer=layer))
            for p in _packages(path, parsed)]


def scan_layers(ref: str, *, platform: str | None = None, insecure: bool = False, secrets: bool = True,
                cache_dir: Path | None = None, limits: Limits | None = None,
                secret_config: Path | None = None) -> ImageScan:
    """Inventory, secrets and configuration findings of the image at `ref` (a docker-archive tar, an OCI layout
    or a registry reference). Vulnerability matching is the caller's (`engine.scan_image`)."""
    from shiftsec.engine import secret_engine

    engine, rules, _ = secret_engine(secret_config) if secrets else (None, (), None)
    by_id = {rule.id: rule for rule in rules}
    plan = _Plan(secrets)
    cache = LayerCache(cache_dir, analysis_version(rules) * 2 + int(secrets))
    records: list[dict[str, Any]] = []
    walked = 0
    with open_image(ref, platform=platform, insecure=insecure) as source:
        meta = source.meta
        for layer in meta.layers:
            record = cache.get(layer.diff_id)
            if record is None:
                found = _Secrets(plan, engine, by_id)
                with source.open_layer(layer) as stream:
                    files = walk_layer(stream, wanted=plan.wanted, limits=limits or Limits(),
                                       compressed_size=layer.size or None, consume=found.consume)
                record = _analyze_layer(files, plan, found)
                walked += 1
                if files.complete:
                    cache.put(layer.diff_id, record)
            records.append(record)
    return _assemble(meta, records, engine, by_id, walked)


def _assemble(meta: ImageMeta, records: Sequence[Mapping[str, Any]], engine: Any, rules: Mapping[str, Any],
              walked: int) -> ImageScan:
    view = final_view([_layer_files(record) for record in records])
    layers = [_layer(ref) for ref in meta.layers]
    errors: list[ScanError] = []
    for index, record in enumerate(records):
        short = meta.layers[index].diff_id[:19]
        errors.extend(ScanError(f"{path or '(layer)'} in layer {short}", reason, "refused")
                      for path, reason in record["refused"])
        errors.extend(ScanError(path, message, "parse") for path, message in record["errors"]
                      if view.layer_of(path) == index)

    os_ecosystem, os_packages, os_errors = _os_packages(view, layers)
    errors.extend(os_errors)
    packages: list[Package] = list(os_packages)
    findings: list[Finding] = []
    searched = 0
    for index, record in enumerate(records):
        searched += int(record["searched"])
        for path, results in record["parsed"].items():
            if view.layer_of(path) == index:
                for parsed in results:
                    packages.extend(_packages_from(path, parsed, layers[index]))
                    errors.extend(ScanError(path, note, "note") for note in parsed["notes"])
        for item in record["secrets"]:
            if view.layer_of(item["path"]) == index:
                findings.append(_secret_finding(item, rules, layers[index]))
    findings.extend(_config_findings(meta, engine, rules))
    return ImageScan(meta, tuple(packages), tuple(findings), tuple(errors), os_ecosystem, walked, searched)


def _secret_finding(item: Mapping[str, Any], rules: Mapping[str, Any], layer: Layer) -> Finding:
    rule = rules.get(item["rule_id"])
    path = item["path"]
    return Finding(
        type=FindingType.SECRET,
        rule_id=item["rule_id"],
        severity=rule.severity if rule is not None else Severity.HIGH,
        title=rule.title if rule is not None else item["rule_id"],
        message=item["message"],
        fingerprint=item["fingerprint"],
        location=Location(path, item["line"], item["end_line"], layer=layer),
        remediation=(rule.remediation if rule is not None and rule.remediation else
                     "Revoke the secret where it was issued, replace it, and rebuild the image without it."),
        evidence=item["evidence"],
        secret_sha256=item["secret_sha256"],
        suppression=Suppression(SuppressionKind.INLINE, "inline shiftsec:ignore", source=f"{path}:{item['line']}")
        if item.get("inline") else None,
    )


def _view_reader(view: Any, path: str) -> Callable[[str], bytes | None]:
    """`InputFile.read` for a file of the final image: paths relative to its folder, symlinks followed."""
    folder = path.rsplit("/", 1)[0] if "/" in path else ""

    def read(relative: str) -> bytes | None:
        data: bytes | None = view.captured(f"{folder}/{relative}" if folder else relative)
        return data

    return read


def _os_packages(view: Any, layers: Sequence[Layer]) -> tuple[str | None, list[Package], list[ScanError]]:
    """The distribution (from its release files) and its installed packages (dpkg, apk, rpm databases)."""
    from shiftsec.analyzers.os import RELEASE_FILES, detect, os_analyzer_for

    release = {path: data for path in RELEASE_FILES if (data := view.captured(path)) is not None}
    system = detect(release)
    packages: list[Package] = []
    errors: list[ScanError] = []
    for path in list(view.paths()):
        analyzer = os_analyzer_for(path)
        index = view.layer_of(path)
        data = view.captured(path) if analyzer is not None else None
        if analyzer is None or data is None or index is None:
            continue
        if view.is_truncated(path):
            errors.append(ScanError(path, "larger than the capture limit: not read", "skipped"))
            continue
        try:
            parsed = analyzer.analyze(InputFile(path, data, _view_reader(view, path)))
        except ParseError as exc:
            errors.append(ScanError(path, f"{exc} ({analyzer.name})", "parse"))
            continue
        packages.extend(_packages_from(path, _parsed_record(parsed, analyzer), layers[index]))
        errors.extend(ScanError(path, note, "note") for note in parsed.notes)
    return (system.ecosystem if system is not None else None), packages, errors


def _config_findings(meta: ImageMeta, engine: Any, rules: Mapping[str, Any]) -> Iterable[Finding]:
    from shiftsec.image.config import config_findings

    return config_findings(meta, engine, rules)
