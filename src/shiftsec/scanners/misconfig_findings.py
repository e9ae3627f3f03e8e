"""Misconfiguration check results → `Finding`s: one builder per family (the Pod Security Standards and the
hardening checks on Kubernetes objects, Dockerfiles, compose files, custom Rego checks), each finding with its
check's text, the line of the offending field and a fingerprint that ignores lines; and `SecretValues`, which
judges whether a literal value in a config file is a secret (by its variable's name, then by the secret rules).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from shiftsec.misconfig import compose, hardening
from shiftsec.misconfig.common import Hit, Path, SecretTest, is_placeholder, line_at, literal_secret
from shiftsec.misconfig.kubernetes import Manifest, load_documents, pod_of
from shiftsec.misconfig.pss import check_pod
from shiftsec.misconfig.pss_text import PSS_DOCS, PSS_SEVERITY, pss_text
from shiftsec.model import Finding, FindingType, Location, Severity, fingerprint

if TYPE_CHECKING:
    from shiftsec.misconfig import rego
    from shiftsec.secrets.engine import Engine

def subject(manifest: Manifest) -> str:
    """How a message names an object: `Kind/name` (or the kind alone)."""
    return f"{manifest.kind}/{manifest.name}" if manifest.name else manifest.kind


def compose_findings(rel: str, text: str, *, secret: SecretTest = literal_secret,
                     documents: Sequence[tuple[Any, Mapping[Path, int]]] | None = None) -> list[Finding]:
    """Findings of the compose checks for one compose file's text (or its `documents`, already loaded); raises
    ParseError for invalid YAML."""
    out = []
    for data, lines in documents if documents is not None else load_documents(text):
        for hit in compose.check(data, secret):
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
                description=check.description,
            ))
    return out


def dockerfile_findings(rel: str, text: str, has_dockerignore: bool, *, secret: SecretTest = literal_secret
                        ) -> list[Finding]:
    """Findings of the Dockerfile checks for one Dockerfile's text."""
    from shiftsec.misconfig import dockerfile  # only when there is a Dockerfile

    out = []
    for hit in dockerfile.check(text, has_dockerignore, secret):
        check = dockerfile.BY_ID[hit.check]
        out.append(Finding(
            type=FindingType.MISCONFIG,
            rule_id=check.id,
            severity=Severity.parse(check.severity),
            title=check.title,
            message=hit.message,
            fingerprint=fingerprint("misconfig", check.id, rel, hit.message),
            location=Location(rel, hit.line, hit.end_line),
            remediation=check.remediation,
            references=check.references,
            description=check.description,
        ))
    return out


_MISCONFIG = FindingType.MISCONFIG  # an enum member's class attribute is a Python-level descriptor call


@functools.lru_cache(maxsize=4096)
def _dotted(path: Path) -> str:
    """`spec.containers.0.image`: the same few hundred paths recur on every object of a kind (a hit costs a
    tenth of the join)."""
    return ".".join(map(str, path))


def _finding(rel: str, manifest: Manifest, rule_id: str, title: str, severity: Severity, path: Path, message: str,
             remediation: str, references: tuple[str, ...], description: str, named: str | None = None) -> Finding:
    """A finding on `manifest` (`named`: its `subject`, when the caller has it already)."""
    field = _dotted(path)
    line = manifest.lines.get(path)  # usually the field itself has a line; otherwise its nearest parent's
    if named is None:
        named = subject(manifest)
    return Finding(
        type=_MISCONFIG,
        rule_id=rule_id,
        severity=severity,
        title=title,
        message=message if message.startswith(named) else f"{named}: {message}",
        fingerprint=fingerprint("misconfig", rule_id, rel, manifest.kind, manifest.namespace or "", manifest.name,
                                field),
        location=Location(rel, line if line is not None else line_at(manifest.lines, path)),
        remediation=remediation,
        references=references,
        description=description,
    )


def hardening_finding(rel: str, manifest: Manifest, hit: Hit, named: str | None = None) -> Finding:
    check = hardening.BY_ID[hit.check]
    return _finding(rel, manifest, check.id, check.title, check.severity, hit.path, hit.message, check.remediation,
                    check.references, check.description, named)


def findings_for(rel: str, manifests: Sequence[Manifest], level: str, *, hardened: bool = True,
                 secret: SecretTest = literal_secret) -> list[Finding]:
    """Findings for the manifests of one file: the Pod Security Standards at `level` on every workload's pod,
    and (with `hardened`) the hardening checks on every object (`secret` judges literal env values)."""
    out: list[Finding] = []
    for manifest in manifests:
        named = subject(manifest)
        found = pod_of(manifest)
        if found is not None:
            pod, prefix = found
            for violation in check_pod(pod, level):
                description, remediation = pss_text(violation.control)
                out.append(_finding(
                    rel, manifest, violation.control, violation.title, PSS_SEVERITY[violation.level],
                    prefix + violation.path, violation.message, remediation, (PSS_DOCS,), description, named))
        if hardened:
            out.extend(hardening_finding(rel, manifest, hit, named)
                       for hit in hardening.check_manifest(manifest, secret))
    return out


_DNS_NAME = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+\.?$")
_URL_CREDENTIALS = re.compile(r"://[^/\s@:]+:[^/\s@]+@")


def _could_be_secret(value: str) -> bool:
    """Whether a value is worth the secret rules (loading them costs ~50 ms): a PEM block, a URL with a password,
    or 16 or more characters mixing letters and digits, without spaces, that are not a host name. Provider
    tokens and keys are all longer; shorter secrets are caught by their variable's name."""
    value = value.strip()
    if len(value) < 8 or is_placeholder(value):
        return False
    if "-----BEGIN" in value or _URL_CREDENTIALS.search(value):
        return True
    return (len(value) >= 16 and not any(ch.isspace() for ch in value) and any(ch.isdigit() for ch in value)
            and any(ch.isalpha() for ch in value) and not _DNS_NAME.match(value))


class SecretValues:
    """Whether a literal value written into a config file is a secret: by its variable's name
    (`common.literal_secret`) or, whatever the name, by any rule of the secret scanner (provider tokens, keys,
    connection strings with a password). The secret engine is built on first use, from `factory`."""

    def __init__(self, factory: Callable[[], Engine] | None) -> None:
        self._factory = factory
        self._engine: Engine | None = None

    def __call__(self, name: str, value: str) -> bool:
        if literal_secret(name, value):
            return True
        if self._factory is None or not _could_be_secret(value):
            return False
        if self._engine is None:
            self._engine = self._factory()
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return bool(self._engine.scan(f'{name}: "{quoted}"'.encode(), "env"))


def custom_findings(rel: str, results: Sequence[rego.Result], *, lines: Mapping[Path, int] | None = None,
                    subject: str = "", identity: tuple[str, ...] = (), fallback: int | None = None) -> list[Finding]:
    """Findings of custom Rego checks on one document of the file `rel`: a result's `path` is looked up in
    `lines`, its `startline` taken as is, otherwise the document's own line (`fallback`)."""
    out = []
    for result in results:
        check = result.check
        line = result.line
        if line is None and result.path is not None and lines is not None:
            line = line_at(lines, result.path)
        if line is None:
            line = fallback
        name = subject.rpartition("/")[2]
        named = not subject or re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", result.message) is not None
        message = result.message if named else f"{subject}: {result.message}"
        out.append(Finding(
            type=FindingType.MISCONFIG,
            rule_id=check.id,
            severity=result.severity,
            title=check.title,
            message=message,
            fingerprint=fingerprint("misconfig", check.id, rel, *identity, result.message),
            location=Location(rel, line, result.end_line if result.end_line and line else None),
            remediation=check.remediation,
            references=check.references,
            description=check.description,
        ))
    return out
