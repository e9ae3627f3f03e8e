"""The misconfiguration scanner: Kubernetes manifests → findings at the exact line of the offending field.

It runs the Pod Security Standards (`shiftsec.misconfig.pss`) on every workload's pod (a Pod, or the pod
template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job or CronJob) and, unless
a run is limited to a standard, the hardening checks (`shiftsec.misconfig.hardening`) on every object and the
Dockerfile checks (`shiftsec.misconfig.dockerfile`) on every Dockerfile (`Dockerfile`, `Dockerfile.*`,
`*.dockerfile`, `Containerfile`), told whether a `.dockerignore` sits beside it, and the compose checks
(`shiftsec.misconfig.compose`) on every compose file. A file is
read as a manifest only if it names both `apiVersion` and `kind`; one that does and cannot be parsed is listed
in `errors`, and the scan goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path as FilePath

from shiftsec.errors import ParseError
from shiftsec.misconfig import compose, dockerfile, hardening
from shiftsec.misconfig.common import Hit, Path, line_at
from shiftsec.misconfig.kubernetes import Manifest, load_documents, load_manifests, pod_of
from shiftsec.misconfig.pss import check_pod
from shiftsec.model import Finding, FindingType, Location, ScanError, Severity, fingerprint

STANDARDS = {"pss-baseline": "baseline", "pss-restricted": "restricted"}
MAX_FILE_BYTES = 10 * 1024 * 1024
_SEVERITY = {"baseline": Severity.HIGH, "restricted": Severity.MEDIUM}
_SUFFIXES = (".yaml", ".yml", ".json")
_PSS_DOCS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
_SEVERITY_NAMES = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW}
_DOCKER_CHECKS = {check.id: check for check in dockerfile.CHECKS}


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


def compose_findings(rel: str, text: str) -> list[Finding]:
    """Findings of the compose checks for one compose file's text; raises ParseError for invalid YAML."""
    out = []
    for data, lines in load_documents(text):
        for hit in compose.check(data):
            check = compose.BY_ID[hit.check]
            line = line_at(lines, hit.path)
            out.append(Finding(
                type=FindingType.MISCONFIG,
                rule_id=check.id,
                severity=check.severity,
                title=check.title,
                message=hit.message,
                fingerprint=fingerprint("misconfig", check.id, rel, ".".join(map(str, hit.path))),
                location=Location(rel, line),
                remediation=check.remediation,
                references=check.references,
            ))
    return out


def dockerfile_findings(rel: str, text: str, has_dockerignore: bool) -> list[Finding]:
    """Findings of the Dockerfile checks for one Dockerfile's text."""
    out = []
    for hit in dockerfile.check(text, has_dockerignore):
        check = _DOCKER_CHECKS[hit.check]
        out.append(Finding(
            type=FindingType.MISCONFIG,
            rule_id=check.id,
            severity=_SEVERITY_NAMES.get(check.severity, Severity.MEDIUM),
            title=check.title,
            message=f"{rel} line {hit.line}: {hit.message}",
            fingerprint=fingerprint("misconfig", check.id, rel, hit.message),
            location=Location(rel, hit.line, hit.end_line),
            remediation=check.remediation,
            references=check.references,
        ))
    return out


def _finding(rel: str, manifest: Manifest, rule_id: str, title: str, severity: Severity, path: Path, message: str,
             remediation: str, references: tuple[str, ...]) -> Finding:
    field = ".".join(str(part) for part in path)
    subject = f"{manifest.kind}/{manifest.name}" if manifest.name else manifest.kind
    return Finding(
        type=FindingType.MISCONFIG,
        rule_id=rule_id,
        severity=severity,
        title=title,
        message=message if message.startswith(subject) else f"{subject}: {message}",
        fingerprint=fingerprint("misconfig", rule_id, rel, manifest.kind, manifest.namespace or "", manifest.name,
                                field),
        location=Location(rel, manifest.line_of(path)),
        remediation=remediation,
        references=references,
    )


def _hardening(rel: str, manifest: Manifest, hit: Hit) -> Finding:
    check = hardening.BY_ID[hit.check]
    return _finding(rel, manifest, check.id, check.title, check.severity, hit.path, hit.message, check.remediation,
                    check.references)


def findings_for(rel: str, manifests: Sequence[Manifest], level: str, *, hardened: bool = True) -> list[Finding]:
    """Findings for the manifests of one file: the Pod Security Standards at `level` on every workload's pod,
    and (with `hardened`) the hardening checks on every object."""
    out: list[Finding] = []
    for manifest in manifests:
        found = pod_of(manifest)
        if found is not None:
            pod, prefix = found
            for violation in check_pod(pod, level):
                out.append(_finding(
                    rel, manifest, violation.control, violation.title, _SEVERITY.get(violation.level, Severity.MEDIUM),
                    (*prefix, *violation.path), violation.message,
                    f"Meet the Pod Security Standards' {violation.level} policy, control \"{violation.title}\": "
                    f"{_PSS_DOCS}", (_PSS_DOCS,)))
        if hardened:
            out.extend(_hardening(rel, manifest, hit) for hit in hardening.check_manifest(manifest))
    return out


def scan_files(root: FilePath, rels: Sequence[str], level: str, *, hardened: bool = True) -> MisconfigScan:
    """Read each candidate file (relative to `root`, a folder; or `root` itself when it is a file). With
    `hardened`, the hardening checks run too, including those over all files (namespaces without a
    NetworkPolicy); `--standard` limits a run to the Pod Security Standards."""
    findings: list[Finding] = []
    errors: list[ScanError] = []
    everything: list[tuple[str, Manifest]] = []
    base = root if root.is_dir() else root.parent
    for rel in rels:
        try:
            file = base / rel
            if file.stat().st_size > MAX_FILE_BYTES:
                errors.append(ScanError(rel, "larger than 10 MiB: not checked for misconfigurations", "skipped"))
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            errors.append(ScanError(rel, f"cannot read: {exc.strerror or exc}", "unreadable"))
            continue
        if is_dockerfile(rel):
            if hardened:
                findings.extend(dockerfile_findings(rel, text, (file.parent / ".dockerignore").exists()))
            continue
        if compose.is_compose(rel):
            if hardened:
                try:
                    findings.extend(compose_findings(rel, text))
                except ParseError as exc:
                    errors.append(ScanError(rel, str(exc), "parse"))
            continue
        if "apiVersion" not in text or "kind" not in text:
            continue
        try:
            manifests = load_manifests(text)
        except ParseError as exc:
            errors.append(ScanError(rel, str(exc), "parse"))
            continue
        findings.extend(findings_for(rel, manifests, level, hardened=hardened))
        everything.extend((rel, manifest) for manifest in manifests)
    if hardened:
        where = {id(manifest): rel for rel, manifest in everything}
        for manifest, hit in hardening.check_together([manifest for _, manifest in everything]):
            findings.append(_hardening(where[id(manifest)], manifest, hit))
    return MisconfigScan(tuple(findings), tuple(errors), len(rels))
