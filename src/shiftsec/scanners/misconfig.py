"""The misconfiguration scanner: Kubernetes manifests, Dockerfiles and compose files → findings at the exact line
of the offending field.

It runs the Pod Security Standards (`shiftsec.misconfig.pss`) on every workload's pod (a Pod, or the pod
template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob or
DeploymentConfig) and, unless
a run is limited to a standard, the hardening checks (`shiftsec.misconfig.hardening`) on every object, the
Dockerfile checks (`shiftsec.misconfig.dockerfile`) on every Dockerfile (`Dockerfile`, `Dockerfile.*`,
`*.dockerfile`, `Containerfile`), told whether a `.dockerignore` sits beside it, and the compose checks
(`shiftsec.misconfig.compose`) on every compose file. The security team's custom Rego checks
(`shiftsec.misconfig.rego`) see every object, compose file and Dockerfile. Helm charts and kustomizations are
rendered by their own tools (`shiftsec.misconfig.render`, imported only when a file names a chart or a
kustomization) and their objects checked like any other.

A file is read as a manifest only if it names both `apiVersion` and `kind`; one that does and cannot be parsed
is listed in `errors`, and the scan goes on. This module reads, dispatches, renders and (for large trees) forks;
turning each check's results into findings is `misconfig_findings`'s.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any

from shiftsec.errors import ParseError
from shiftsec.misconfig import compose, hardening
from shiftsec.misconfig.common import Path, SecretTest, literal_secret
from shiftsec.misconfig.kubernetes import WORKLOAD_KINDS, Manifest, load_documents, load_manifests, pod_of
from shiftsec.model import Finding, ScanError
from shiftsec.scanners.misconfig_findings import (
    SecretValues,
    compose_findings,
    custom_findings,
    dockerfile_findings,
    findings_for,
    hardening_finding,
    subject,
)

if TYPE_CHECKING:
    from shiftsec.misconfig import rego, rego_eval

__all__ = ["STANDARDS", "MisconfigScan", "Options", "SecretValues", "compose_findings", "custom_findings",
           "dockerfile_findings", "findings_for", "is_dockerfile", "scan_files", "wanted"]

STANDARDS = {"pss-baseline": "baseline", "pss-restricted": "restricted"}
MAX_FILE_BYTES = 10 * 1024 * 1024
_SUFFIXES = (".yaml", ".yml", ".json")
# `shiftsec.misconfig.render` (5 M instructions to import, a third of a percent of a scan of Checkov's 311
# examples) is imported only when a file names a Helm chart or a kustomization: `Chart.yaml` and
# `render.KUSTOMIZATION_NAMES` (tests/scanners/test_misconfig_render_files.py keeps the two lists equal).
_RENDER_FILES = frozenset({"Chart.yaml", "kustomization.yaml", "kustomization.yml", "Kustomization"})


@dataclass(frozen=True, slots=True)
class MisconfigScan:
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    files: int


def is_dockerfile(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    lower = name.lower()
    return lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "containerfile.")) or (
        lower.endswith(".dockerfile"))


def wanted(rel: str) -> bool:
    """Whether the file at `rel` may hold Kubernetes manifests or be a Dockerfile (by name)."""
    return rel.lower().endswith(_SUFFIXES) or is_dockerfile(rel)


@dataclass(frozen=True, slots=True)
class Options:
    """How a misconfiguration scan runs: the Pod Security Standards level, whether the checks beyond the
    standards run (`hardened`; `--standard` turns them off), custom Rego checks, the judge of literal secret
    values, and whether Helm charts and kustomizations are rendered."""

    level: str = "restricted"
    hardened: bool = True
    custom: rego_eval.CheckSet | None = None
    secret: SecretTest = literal_secret
    render: bool = True


class _Scan:
    """The state of one scan: findings, errors and every Kubernetes object seen (for the checks over the set)."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.findings: list[Finding] = []
        self.errors: list[ScanError] = []
        self.objects: list[tuple[str, Manifest]] = []

    def custom(self, rel: str, document: Any, input_type: str) -> list[rego.Result]:
        if not self.options.custom:
            return []
        results, errors = self.options.custom.evaluate(document, input_type)
        self.errors.extend(ScanError(rel, error, "custom-check") for error in errors)
        return results

    def dockerfile(self, rel: str, text: str, has_dockerignore: bool) -> None:
        if self.options.hardened:
            self.findings.extend(dockerfile_findings(rel, text, has_dockerignore, secret=self.options.secret))
        if self.options.custom:
            from shiftsec.misconfig.dockerfile_input import dockerfile_input

            results = self.custom(rel, dockerfile_input(text, rel), "dockerfile")
            self.findings.extend(custom_findings(rel, results, fallback=None))

    def compose(self, rel: str, text: str) -> None:
        try:
            documents = load_documents(text)
        except ParseError as exc:
            self.errors.append(ScanError(rel, str(exc), "parse"))
            return
        if self.options.hardened:
            self.findings.extend(compose_findings(rel, text, secret=self.options.secret, documents=documents))
        for index, (data, lines) in enumerate(documents):
            results = self.custom(rel, data, "compose")
            self.findings.extend(custom_findings(rel, results, lines=lines, identity=(str(index),),
                                                 fallback=lines.get(())))

    def file(self, base: FilePath, rel: str) -> None:
        """Check one file, by what it is: Dockerfile, compose file or Kubernetes manifests."""
        text = _read(base, rel, self.errors)
        if text is None:
            return
        if is_dockerfile(rel):
            self.dockerfile(rel, text, (base / rel).parent.joinpath(".dockerignore").exists())
        elif compose.is_compose(rel):
            self.compose(rel, text)
        elif "apiVersion" in text and "kind" in text:
            try:
                manifests = load_manifests(text)
            except ParseError as exc:
                self.errors.append(ScanError(rel, str(exc), "parse"))
                return
            self.manifests(rel, manifests)

    def check(self, rel: str, manifests: Sequence[Manifest]) -> list[Finding]:
        """The findings of every check, built-in and custom, on the objects of one file (not yet kept)."""
        found = findings_for(rel, manifests, self.options.level, hardened=self.options.hardened,
                             secret=self.options.secret)
        if not self.options.custom:
            return found
        for manifest in manifests:
            results = self.custom(rel, manifest.data, "kubernetes")
            found.extend(custom_findings(
                rel, results, lines=manifest.lines, subject=subject(manifest),
                identity=(manifest.kind, manifest.namespace or "", manifest.name), fallback=manifest.line_of(())))
        return found

    def manifests(self, rel: str, manifests: Sequence[Manifest]) -> None:
        """Check the objects of one file and keep the findings, and what the checks over the set need."""
        for manifest in manifests:
            if manifest.kind in WORKLOAD_KINDS and _pod_spec(manifest) is None:
                where = "spec" if manifest.kind == "Pod" else "its pod template's spec"
                self.errors.append(ScanError(rel, f"{subject(manifest)} (line {manifest.line_of(())}): {where} is "
                                                  "missing or not a mapping, so its pod was not checked", "invalid"))
        self.findings.extend(self.check(rel, manifests))
        self.objects.extend((rel, _skeleton(manifest)) for manifest in manifests)  # the rest is not kept


def _pod_spec(manifest: Manifest) -> Mapping[str, Any] | None:
    found = pod_of(manifest)
    spec = found[0].get("spec") if found is not None else None
    return spec if type(spec) is dict or isinstance(spec, Mapping) else None  # dict first: no ABC check


def _read(base: FilePath, rel: str, errors: list[ScanError]) -> str | None:
    try:
        file = os.path.join(base, rel)  # what `base / rel` names, without building a Path (slow, for every file)
        if os.stat(file).st_size > MAX_FILE_BYTES:
            errors.append(ScanError(rel, "larger than 10 MiB: not checked for misconfigurations", "skipped"))
            return None
        with open(file, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError as exc:
        errors.append(ScanError(rel, f"cannot read: {exc.strerror or exc}", "unreadable"))
        return None


# Below this many bytes of files, forking workers costs more than it saves: the findings have to be sent back
# (pickled) and the report is written by one process. On Checkov's 311 Kubernetes examples (1 MB) two workers
# were no faster than one; on 1,000 files of 10 Deployments each (8.4 MB, 115,222 findings) they took 9 s
# against 10.5 s.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024


def scan_files(root: FilePath, rels: Sequence[str], level: str = "restricted", *, hardened: bool = True,
               options: Options | None = None, workers: int | None = None) -> MisconfigScan:
    """Read each candidate file (relative to `root`, a folder; or `root` itself when it is a file) and check it.
    With `hardened`, the checks beyond the Pod Security Standards run too, including those over all files
    (namespaces without a NetworkPolicy); `--standard` limits a run to the standards. Helm charts and
    kustomizations under `root` are rendered by their tools (`misconfig.render`) when `options.render`.

    From `PARALLEL_FROM_BYTES` of files on, they are checked by forked worker processes (`workers`, default: one
    per core, at most 4); the result is the same, in the same order."""
    options = options or Options(level=level, hardened=hardened)
    scan = _Scan(options)
    base = root if root.is_dir() else root.parent
    renders = options.render and root.is_dir() and any(rel.rpartition("/")[2] in _RENDER_FILES for rel in rels)
    if renders:
        from shiftsec.misconfig import render
    charts = render.chart_roots(rels) if renders else []
    plain = [rel for rel in rels if not (charts and render.in_chart(rel, charts))]  # templates are not YAML yet
    count = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if count > 1 and len(plain) > 1 and hasattr(os, "fork") and _size(base, plain) >= PARALLEL_FROM_BYTES:
        for findings, errors, objects in _in_workers(base, plain, options, count):
            scan.findings.extend(findings)
            scan.errors.extend(errors)
            scan.objects.extend(objects)
    else:
        for rel in plain:
            scan.file(base, rel)
    if renders:
        for chart in charts:
            _rendered_chart(scan, root, chart)
        for folder in _top_kustomizations(base, rels, scan.errors):
            _rendered_kustomization(scan, root, folder)
    if options.hardened:
        where = {id(manifest): rel for rel, manifest in scan.objects}
        for manifest, hit in hardening.check_together([manifest for _, manifest in scan.objects]):
            scan.findings.append(hardening_finding(where[id(manifest)], manifest, hit))
    return MisconfigScan(tuple(scan.findings), tuple(scan.errors), len(rels))


def _size(base: FilePath, rels: Sequence[str]) -> int:
    total = 0
    for rel in rels:
        try:
            total += os.stat(os.path.join(base, rel)).st_size
        except OSError:
            continue  # reported when the file is read
        if total >= PARALLEL_FROM_BYTES:
            break
    return total


_FileResult = tuple[list[Finding], list[ScanError], list[tuple[str, Manifest]]]
_INHERITED: dict[str, tuple[FilePath, Sequence[str], Options]] = {}  # what forked workers inherit


def _in_workers(base: FilePath, rels: Sequence[str], options: Options, count: int) -> list[_FileResult]:
    """Each file's result, in `rels` order, from `count` forked processes (they inherit the options, compiled
    custom checks included, instead of receiving them pickled)."""
    import multiprocessing

    _INHERITED["work"] = (base, rels, options)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(count) as pool:
            chunks = pool.map(_check_chunk, [range(start, len(rels), count * 4) for start in range(count * 4)])
    finally:
        _INHERITED.clear()
    results: dict[int, _FileResult] = {}
    for chunk in chunks:
        results.update(chunk)
    return [results[index] for index in range(len(rels))]


def _check_chunk(indexes: range) -> dict[int, _FileResult]:
    base, rels, options = _INHERITED["work"]
    out: dict[int, _FileResult] = {}
    for index in indexes:
        scan = _Scan(options)
        scan.file(base, rels[index])
        out[index] = (scan.findings, scan.errors, scan.objects)
    return out


def _skeleton(manifest: Manifest) -> Manifest:
    """What the checks over the whole set need of an object (kind, name, namespace, whether it runs a pod, and
    the lines of its start and metadata), small enough to send back from a worker cheaply."""
    data: dict[str, Any] = {"kind": manifest.kind}
    found = pod_of(manifest)
    if found is not None:
        node = data
        for key in found[1]:
            node = node.setdefault(str(key), {})
        node["spec"] = {}
    lines: dict[Path, int] = {path: manifest.lines[path] for path in ((), ("metadata",)) if path in manifest.lines}
    return Manifest(manifest.kind, manifest.name, manifest.namespace, data, lines, manifest.document)


def _rendered_chart(scan: _Scan, root: FilePath, chart: str) -> None:
    """The findings of a chart's rendered objects, at the template that produced each (the line is the one in
    the template where the field's key is written, when it is written there once)."""
    from shiftsec.misconfig import render

    rendered = render.render_chart(root, chart)
    where = chart or "."
    if rendered.error:
        scan.errors.append(ScanError(where, rendered.error, "render"))
        return
    keys: dict[str, dict[str, list[int]]] = {}  # per template (several documents can come from one)
    for source, text in rendered.documents:
        rel = source or f"{where}/Chart.yaml"
        try:
            manifests = load_manifests(text)
        except ParseError as exc:
            scan.errors.append(ScanError(rel, f"helm rendered invalid YAML: {exc}", "render"))
            continue
        if source and rel not in keys:
            template = _read(root, rel, [])
            keys[rel] = _written_keys(template) if template is not None else {}
        scan.manifests(rel, [_on_template(manifest, keys.get(rel)) for manifest in manifests])


_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?([A-Za-z0-9_.\-/]+)[ \t]*:", re.MULTILINE)


def _written_keys(template: str) -> dict[str, list[int]]:
    """The lines where a template writes each mapping key."""
    written: dict[str, list[int]] = {}
    line, position = 1, 0
    for match in _KEY.finditer(template):
        line += template.count("\n", position, match.start())
        position = match.start()
        written.setdefault(match[1], []).append(line)
    return written


def _on_template(manifest: Manifest, written: dict[str, list[int]] | None) -> Manifest:
    """The rendered object with each field's line moved to the template: the line where its key is written,
    when the template writes that key exactly once (other fields fall back to their nearest such parent)."""
    written = written or {}
    lines: dict[Path, int] = {}
    for path in manifest.lines:
        key = path[-1] if path and isinstance(path[-1], str) else None
        if key is not None and len(written.get(key, ())) == 1:
            lines[path] = written[key][0]
    return dataclasses.replace(manifest, lines=lines)


def _top_kustomizations(base: FilePath, rels: Sequence[str], errors: list[ScanError]) -> list[str]:
    """The kustomization folders that no other kustomization found uses as a base or component (an overlay is
    rendered with its bases; a base on its own is already checked file by file)."""
    from shiftsec.misconfig import render

    folders = render.kustomization_roots(rels)
    used: set[str] = set()
    for folder in folders:
        for name in render.KUSTOMIZATION_NAMES:
            rel = f"{folder}/{name}" if folder else name
            if rel not in rels:
                continue
            text = _read(base, rel, errors)
            try:
                documents = load_documents(text) if text is not None else []
            except ParseError as exc:
                errors.append(ScanError(rel, str(exc), "parse"))
                continue
            for data, _ in documents:
                if not isinstance(data, Mapping):
                    continue
                for field in ("resources", "bases", "components"):
                    entries = data.get(field)
                    for entry in entries if isinstance(entries, list) else []:
                        if isinstance(entry, str) and "://" not in entry:
                            target = (base / folder / entry).resolve()
                            try:
                                used.add(target.relative_to(base.resolve()).as_posix())
                            except ValueError:
                                continue
    return [folder for folder in folders if (folder or ".") not in used]


def _rendered_kustomization(scan: _Scan, root: FilePath, folder: str) -> None:
    """Findings of the objects an overlay renders that its files do not already show: a finding already made on
    the same kind of object, for the same check and field, in a file of the scan is not repeated."""
    from shiftsec.misconfig import render

    rendered = render.render_kustomization(root, folder)
    where = folder or "."
    if rendered.error:
        scan.errors.append(ScanError(where, rendered.error, "render"))
        return
    rel = f"{folder}/kustomization.yaml" if folder else "kustomization.yaml"
    seen = {(f.rule_id, _without_subject(f.message)) for f in scan.findings}
    manifests: list[Manifest] = []
    for _, text in rendered.documents:
        try:
            manifests.extend(dataclasses.replace(m, lines={}) for m in load_manifests(text))
        except ParseError as exc:
            scan.errors.append(ScanError(rel, f"kustomize rendered invalid YAML: {exc}", "render"))
    for finding in scan.check(rel, manifests):
        if (finding.rule_id, _without_subject(finding.message)) not in seen:
            scan.findings.append(replace(finding, message=f"{finding.message} (rendered by kustomize)"))
    scan.objects.extend((rel, _skeleton(manifest)) for manifest in manifests)


def _without_subject(message: str) -> str:
    """A message without its leading `Kind/name: ` (kustomize renames objects: namePrefix, nameSuffix)."""
    head, sep, rest = message.partition(": ")
    return rest if sep and "/" in head else message
