"""The data model every part of shiftsec shares: packages, advisories, findings, errors and the report.

All types are frozen dataclasses. They carry data only; parsing lives in the modules that own a format
(`vulndb.osv` for OSV records, `targets.sbom` for SBOMs) and formatting lives in `reporters`.

Flow: a target yields `Package`s (the inventory) → a scanner turns them into `Finding`s using `Advisory`s →
the CLI wraps everything, with any per-file `ScanError`s, into one `Report`.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """Severity of a finding; ordered so that `>=` means "at least as bad"."""

    UNKNOWN = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity name (case-insensitive; `MODERATE` is GitHub's word for MEDIUM)."""
        word = text.strip().upper()
        if word == "MODERATE":
            return cls.MEDIUM
        if word in ("NONE", ""):
            return cls.UNKNOWN
        try:
            return cls[word]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected one of: low, medium, high, critical)") from None

    @classmethod
    def from_score(cls, score: float) -> Severity:
        """CVSS qualitative rating of a base score (the same bands for v2 display, v3.x and v4)."""
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.UNKNOWN


class FindingType(enum.StrEnum):
    VULNERABILITY = "vulnerability"
    SECRET = "secret"
    MISCONFIG = "misconfig"
    SAST = "sast"  # source-code analysis (built in later; imported from Bandit, Semgrep, SARIF meanwhile)


@dataclass(frozen=True, slots=True)
class Commit:
    """A git commit, as a history scan reports where a secret was added."""

    sha: str
    author: str
    email: str
    date: str  # ISO 8601 with the author's offset, as git prints it
    # No commit message: it is not searched for secrets, so reports must not carry it.


@dataclass(frozen=True, slots=True)
class Layer:
    """A container image layer: the digest of its blob, the digest of its uncompressed tar (`diff_id`) and the
    history step that created it (a Dockerfile instruction, as the image config records it)."""

    digest: str
    diff_id: str
    created_by: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was found: a file path (relative to the scan root where possible), maybe a line, for a
    history scan the commit that added it, and for an image the layer that holds the file."""

    path: str
    line: int | None = None
    end_line: int | None = None
    commit: Commit | None = None
    layer: Layer | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path


@dataclass(frozen=True, slots=True)
class Package:
    """One installed or declared package: the unit the vulnerability scanner matches.

    `ecosystem` is an OSV ecosystem name, possibly with a release (`Debian:12`, `Alpine:v3.18`).
    `direct` is None when the source does not say whether the dependency is direct. `depends_on` holds the
    purls of the packages this one depends on, within the same source file, where that file records it.
    """

    name: str
    version: str
    ecosystem: str
    purl: str | None = None
    location: Location | None = None
    direct: bool | None = None
    dev: bool = False
    depends_on: tuple[str, ...] = ()


# --- OSV advisory -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """One OSV range event. `kind` is one of introduced, fixed, last_affected, limit."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Range:
    type: str  # ECOSYSTEM, SEMVER or GIT
    events: tuple[Event, ...]
    repo: str | None = None


@dataclass(frozen=True, slots=True)
class Affected:
    """One `affected[]` entry: a package in an ecosystem, with ranges and/or an explicit version list."""

    ecosystem: str
    name: str
    purl: str | None = None
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[SeverityScore, ...] = ()
    ecosystem_specific: Mapping[str, Any] = field(default_factory=dict)
    database_specific: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SeverityScore:
    """An OSV severity entry: `type` is CVSS_V2, CVSS_V3, CVSS_V4 or Ubuntu; `score` the vector or rating."""

    type: str
    score: str


@dataclass(frozen=True, slots=True)
class Reference:
    type: str
    url: str


@dataclass(frozen=True, slots=True)
class Advisory:
    """An advisory in OSV form (https://ossf.github.io/osv-schema/). Timestamps are RFC 3339 strings."""

    id: str
    modified: str
    summary: str = ""
    details: str = ""
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    published: str | None = None
    withdrawn: str | None = None
    affected: tuple[Affected, ...] = ()
    severity: tuple[SeverityScore, ...] = ()
    references: tuple[Reference, ...] = ()
    database_specific: Mapping[str, Any] = field(default_factory=dict)
    schema_version: str | None = None


# --- results ----------------------------------------------------------------------------------------------


class SuppressionKind(enum.StrEnum):
    """What took a finding out of the verdict."""

    EXCEPTION = "exception"  # a governed exception of the policy (owner, reason, expiry)
    VEX = "vex"  # a VEX statement (not_affected or fixed)
    INLINE = "inline"  # a `shiftsec:ignore` comment or an annotation/Rego skip in the scanned files


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding, still reported, does not count against the policy.

    `source` is the file holding the exception or statement; `justification` a VEX justification (OpenVEX
    vocabulary: component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path,
    vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist); `expires` an ISO date.
    """

    kind: SuppressionKind
    reason: str
    owner: str | None = None
    expires: str | None = None
    justification: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem to act on. For vulnerabilities: one finding per (package, alias group of advisories).

    `fingerprint` identifies the finding across runs: it is built from the rule, the package identity and
    the file path, never from line numbers or secret values.
    """

    type: FindingType
    rule_id: str
    severity: Severity
    title: str
    message: str
    fingerprint: str
    aliases: tuple[str, ...] = ()
    location: Location | None = None
    package: Package | None = None
    fixed_versions: tuple[str, ...] = ()
    fixed_in: str | None = None  # smallest fixed version above the installed one
    remediation: str = ""
    cvss_score: float | None = None
    cvss_vector: str | None = None
    references: tuple[str, ...] = ()
    published: str | None = None
    # "name@version" from a direct dependency down to `package`, where the lockfile records the graph
    dependency_path: tuple[str, ...] = ()
    # secrets only: a redacted form ("ghp_…, 40 characters") and the SHA-256 of the value, never the value
    evidence: str | None = None
    secret_sha256: str | None = None
    # what the rule checks and why it matters (misconfiguration checks); reports use it as the rule's text
    description: str = ""
    cwes: tuple[str, ...] = ()  # "CWE-89", for SAST and imported findings
    # exploitation facts from the database: listed in CISA's KEV catalogue (None: no KEV data), EPSS probability
    kev: bool | None = None
    epss: float | None = None
    # set by the gate: "new" or "existing" against a baseline (None: not compared), and why it does not count
    change: str | None = None
    suppression: Suppression | None = None
    # other tools that reported the same issue (`--import`), e.g. ("gitleaks",); () when only shiftsec did
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Advice:
    """What to upgrade for one vulnerable package: the smallest version fixing every finding on it.

    `fixed_in` is None when some finding has no known fix. `via` is the direct dependency that pulls a
    transitive `package` in (bump that one); None for a direct package or when the graph is unknown.
    """

    package: Package
    fixed_in: str | None
    major_bump: bool
    rule_ids: tuple[str, ...]
    via: Package | None = None
    unfixed: tuple[str, ...] = ()  # rule ids with no known fix


@dataclass(frozen=True, slots=True)
class ScanError:
    """A problem with one input that did not stop the scan (a broken file, an unusable SBOM component)."""

    path: str
    message: str
    kind: str = "error"  # e.g. parse, unsupported, invalid-record


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """What the advisory database looked like when a scan ran."""

    path: str
    schema_version: int
    advisories: int
    updated_at: str | None


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One fail condition of the policy and the findings that meet it (open findings only: suppressed ones,
    and with `new_only` existing ones, never fail). `name` is the rule's id in the policy file (JUnit's test
    case); `condition` says it in words: "vulnerability, severity >= HIGH, fix available"."""

    name: str
    condition: str
    failing: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class ExceptionNote:
    """A governed exception that did not apply in this scan: `state` is "expired" (past its date: it no longer
    suppresses anything) or "stale" (it matched no finding: remove it). `covers` names what it selects."""

    state: str
    covers: str
    reason: str
    owner: str
    expires: str
    source: str  # "file:line" of the exception


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the policy decided: `passed` is False when any rule has failing findings. `new_only`: only findings
    the change introduced could fail (against `baseline`, a report file or a git revision)."""

    passed: bool
    rules: tuple[RuleOutcome, ...]
    policy: str  # where the policy came from: a file path, or "built-in defaults"
    exceptions: tuple[ExceptionNote, ...] = ()
    new_only: bool = False
    baseline: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """The finished result of one scan; every output format is derived from this object."""

    target: str
    target_type: str
    created_at: str
    tool_version: str
    packages: tuple[Package, ...] = ()
    findings: tuple[Finding, ...] = ()
    errors: tuple[ScanError, ...] = ()
    database: DatabaseInfo | None = None
    advice: tuple[Advice, ...] = ()
    scanners: tuple[str, ...] = ("vuln",)  # which scanners ran: "vuln", "secret"; () = inventory only
    secrets_searched: int | None = None  # files (for history: file changes) searched, when "secret" ran
    verdict: Verdict | None = None  # set when a policy judged the findings (`shiftsec ci`)


def fingerprint(*parts: str) -> str:
    """A stable, opaque identifier built from identity parts (never pass line numbers or secrets)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:32]}"
