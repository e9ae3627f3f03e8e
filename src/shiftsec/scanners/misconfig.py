"""The misconfiguration scanner: Kubernetes manifests → findings at the exact line of the offending field.

Today it runs the Pod Security Standards (`shiftsec.misconfig.pss`) on every workload's pod: a Pod, or the pod
template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job or CronJob. A file is
read as a manifest only if it names both `apiVersion` and `kind`; one that does and cannot be parsed is listed
in `errors`, and the scan goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shiftsec.errors import ParseError
from shiftsec.misconfig.kubernetes import load_manifests, pod_of
from shiftsec.misconfig.pss import check_pod
from shiftsec.model import Finding, FindingType, Location, ScanError, Severity, fingerprint

STANDARDS = {"pss-baseline": "baseline", "pss-restricted": "restricted"}
MAX_FILE_BYTES = 10 * 1024 * 1024
_SEVERITY = {"baseline": Severity.HIGH, "restricted": Severity.MEDIUM}
_SUFFIXES = (".yaml", ".yml", ".json")
_PSS_DOCS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"


@dataclass(frozen=True, slots=True)
class MisconfigScan:
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    files: int


def wanted(rel: str) -> bool:
    """Whether the file at `rel` may hold Kubernetes manifests (by name)."""
    return rel.lower().endswith(_SUFFIXES)


def findings_for(rel: str, text: str, level: str) -> list[Finding]:
    """Findings for the manifests in one file's text; raises ParseError for invalid YAML."""
    out: list[Finding] = []
    for manifest in load_manifests(text):
        found = pod_of(manifest)
        if found is None:
            continue
        pod, prefix = found
        subject = f"{manifest.kind}/{manifest.name}" if manifest.name else manifest.kind
        for violation in check_pod(pod, level):
            path = (*prefix, *violation.path)
            field = ".".join(str(part) for part in path)
            out.append(Finding(
                type=FindingType.MISCONFIG,
                rule_id=violation.control,
                severity=_SEVERITY.get(violation.level, Severity.MEDIUM),
                title=violation.title,
                message=f"{subject}: {violation.message}",
                fingerprint=fingerprint("misconfig", violation.control, rel, manifest.kind,
                                        manifest.namespace or "", manifest.name, field),
                location=Location(rel, manifest.line_of(path)),
                remediation=f"Meet the Pod Security Standards' {violation.level} policy, control "
                            f"\"{violation.title}\": {_PSS_DOCS}",
                references=(_PSS_DOCS,),
            ))
    return out


def scan_files(root: Path, rels: Sequence[str], level: str) -> MisconfigScan:
    """Read each candidate file (relative to `root`, a folder; or `root` itself when it is a file)."""
    findings: list[Finding] = []
    errors: list[ScanError] = []
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
        if "apiVersion" not in text or "kind" not in text:
            continue
        try:
            findings.extend(findings_for(rel, text, level))
        except ParseError as exc:
            errors.append(ScanError(rel, str(exc), "parse"))
    return MisconfigScan(tuple(findings), tuple(errors), len(rels))
