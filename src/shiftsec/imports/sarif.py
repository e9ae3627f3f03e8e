"""SARIF 2.1.0 from any tool: every run's results, named by `runs[].tool.driver.name` (lowercased, the
finding's `sources`).

Per result: the rule (`ruleId`, else `rule.id`, else the driver rule at `ruleIndex`) and its reporting
descriptor from the driver or an extension (`shortDescription` → title, `fullDescription` → description,
`help` → remediation, `helpUri` → reference, `properties.tags`); the message (`message.text`, or the rule's
`messageStrings[message.id]` with `{0}`… arguments filled in); the first location's
`physicalLocation.artifactLocation.uri` (`file://` stripped, relative to `uriBaseId`, an absolute path made
relative to the run's `originalUriBaseIds` or to `root`) and region `startLine`/`endLine`. Results of kind
`pass` or `notApplicable` are skipped.

Severity: a `security-severity` score (result, then rule properties) → `Severity.from_score`; otherwise the
level (result, else the rule's `defaultConfiguration`, else SARIF's default `warning`): error → HIGH,
warning → MEDIUM, note → LOW, none → UNKNOWN. CWEs come from tags and `properties.cwe` in any spelling
(`external/cwe/cwe-89`, `CWE-89: …`).

Finding type, first match wins:
1. secret — a tag `secret`/`secrets`, or a secret-scanning tool (gitleaks, trufflehog, detect-secrets,
   ggshield; gitleaks rule ids are translated to shiftsec's as for its JSON report);
2. vulnerability — a tag `vulnerability`/`dependency`/`sca`, or an advisory-like rule id (CVE-, GHSA-, GO-,
   PYSEC-, RUSTSEC-, OSV-), or a dependency scanner (grype, osv-scanner, dependency-check, npm audit…);
3. misconfig — a tag `misconfiguration`/`iac`/`config`, or an IaC scanner (checkov, kics, tfsec,
   terrascan, hadolint, kube-linter, kubescape, kube-score);
4. sast — everything else (CodeQL, Semgrep, Bandit, ESLint…).

SARIF carries no package, so vulnerabilities have none and their fingerprint ("vulnerability", rule, path)
does not equal a shiftsec one. Other fingerprints are (type, rule, path, discriminator) where the
discriminator is the result's `partialFingerprints` (sorted), else a hash of the region snippet (not for
secrets), else the occurrence of the rule in the file. A `suppressions[]` entry that is not `rejected` or
`underReview` marks the finding suppressed: `inSource` → inline, `external` → exception. Snippets are never
kept in a finding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shiftsec.errors import ParseError
from shiftsec.imports import gitleaks
from shiftsec.imports._common import (
    ERROR_KIND,
    BadEntry,
    Imported,
    Occurrences,
    cwes,
    first_line,
    items,
    line,
    load_json,
    obj,
    opt_obj,
    read_entries,
    rel_path,
    score,
    snippet_key,
    strings,
    text,
    unique,
)
from shiftsec.model import (
    Finding,
    FindingType,
    Location,
    ScanError,
    Severity,
    Suppression,
    SuppressionKind,
    fingerprint,
)

LEVELS: Mapping[str, Severity] = {
    "error": Severity.HIGH, "warning": Severity.MEDIUM, "note": Severity.LOW, "none": Severity.UNKNOWN,
}
SECRET_TOOLS = frozenset({"gitleaks", "trufflehog", "detect-secrets", "ggshield"})
VULN_TOOLS = frozenset({"grype", "osv-scanner", "dependency-check", "npm audit", "pip-audit", "snyk open source"})
MISCONFIG_TOOLS = frozenset(
    {"checkov", "kics", "tfsec", "terrascan", "hadolint", "kube-linter", "kubescape", "kube-score"}
)
_ADVISORY_ID = re.compile(r"^(CVE-\d{4}-|GHSA-|GO-\d{4}-|PYSEC-|RUSTSEC-|OSV-)", re.IGNORECASE)
_ARG = re.compile(r"\{(\d+)\}")


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("runs"), list) and (
        "version" in doc or "sarif" in str(doc.get("$schema", "")).lower()
    )


def read(data: bytes | str, name: str, root: str | None = None) -> Imported:
    """Read a SARIF 2.1.0 log; `name` labels errors, `root` makes absolute paths relative."""
    doc = load_json(data, name)
    if not looks_like(doc):
        raise ParseError(f"{name}: not a SARIF log (no 'runs' array)")
    return from_document(doc, name, root)


def from_document(doc: Mapping[str, Any], name: str, root: str | None = None) -> Imported:
    version = doc.get("version")
    if version is not None and version != "2.1.0":
        raise ParseError(f"{name}: SARIF version {version!r} is not supported (expected 2.1.0)")
    tools: list[str] = []
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for i, raw_run in enumerate(doc["runs"]):
        try:
            run = obj(raw_run, "run")
            driver = obj(opt_obj(run, "tool").get("driver"), "tool.driver")
            tool = text(driver, "name", required=True).lower()
        except BadEntry as exc:
            errors.append(ScanError(name, f"runs[{i}]: {exc}", ERROR_KIND))
            continue
        tools.append(tool)
        context = _Run(run, driver, tool, root)
        found, bad = read_entries(
            ((f"runs[{i}].results[{j}]", r) for j, r in enumerate(_results(run))), context.read, name
        )
        findings.extend(found)
        errors.extend(bad)
    return Imported("sarif", tuple(unique(tools)), tuple(findings), tuple(errors))


def _results(run: Mapping[str, Any]) -> list[Any]:
    try:
        return items(run, "results")
    except BadEntry:
        return [None]  # reported as one bad entry


class _Run:
    """What the results of one run share: its rules, base URIs and tool."""

    def __init__(self, run: Mapping[str, Any], driver: Mapping[str, Any], tool: str, root: str | None) -> None:
        self.tool = tool
        self.root = root
        self.driver_rules = [r for r in _list(driver.get("rules")) if isinstance(r, dict)]
        self.rules: dict[str, Mapping[str, Any]] = {}
        extensions = [e for e in _list(opt_obj(run, "tool").get("extensions")) if isinstance(e, dict)]
        for component in [*extensions, driver]:  # the driver's own descriptor wins over an extension's
            for rule in _list(component.get("rules")):
                if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                    self.rules[rule["id"]] = rule
        self.extension_rules = [[r for r in _list(e.get("rules")) if isinstance(r, dict)] for e in extensions]
        bases = run.get("originalUriBaseIds")
        self.bases: dict[str, str] = {}
        if isinstance(bases, dict):
            for key, value in bases.items():
                if isinstance(value, dict) and isinstance(value.get("uri"), str):
                    self.bases[key] = value["uri"]
        self.occurrences = Occurrences()

    def rule_for(self, result: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
        ref = opt_obj(result, "rule")
        rule_id = text(result, "ruleId") or text(ref, "id")
        index = result.get("ruleIndex", ref.get("index"))
        table = self.driver_rules
        component = opt_obj(ref, "toolComponent")
        ext = component.get("index")
        if isinstance(ext, int) and not isinstance(ext, bool) and 0 <= ext < len(self.extension_rules):
            table = self.extension_rules[ext]
        descriptor: Mapping[str, Any] = {}
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(table):
            descriptor = table[index]
        elif rule_id in self.rules:
            descriptor = self.rules[rule_id]
        rule_id = rule_id or text(descriptor, "id")
        if not rule_id:
            raise BadEntry("no ruleId")
        return rule_id, descriptor

    def read(self, entry: Any) -> list[Finding]:
        result = obj(entry, "result")
        if text(result, "kind") in ("pass", "notApplicable"):
            return []
        rule_id, rule = self.rule_for(result)
        props = opt_obj(rule, "properties")
        result_props = opt_obj(result, "properties")
        tags = [t.lower() for t in (*strings(props.get("tags")), *strings(result_props.get("tags")))]
        kind = self.kind(rule_id, tags)
        if kind is FindingType.SECRET and self.tool == "gitleaks":
            original, rule_id = rule_id, gitleaks.shiftsec_rule(rule_id)
            aliases: tuple[str, ...] = (original,) if original != rule_id else ()
        else:
            aliases = ()

        location, snippet = self.location(result)
        path = location.path if location else ""
        message = self.message(result, rule) or text(opt_obj(rule, "shortDescription"), "text") or rule_id
        title = (
            text(opt_obj(rule, "shortDescription"), "text") or text(rule, "name") or first_line(message) or rule_id
        )
        partial = result.get("partialFingerprints")
        if isinstance(partial, dict) and partial:
            discriminator = "fp:" + ";".join(f"{k}={v}" for k, v in sorted(partial.items()) if isinstance(v, str))
        elif snippet and kind is not FindingType.SECRET:
            discriminator = "snippet:" + snippet_key(snippet)
        else:
            discriminator = self.occurrences(kind.value, rule_id, path)
        parts = (kind.value, rule_id, path) if kind is FindingType.VULNERABILITY else (
            kind.value, rule_id, path, discriminator
        )
        help_text = opt_obj(rule, "help")
        return [Finding(
            type=kind,
            rule_id=rule_id,
            severity=self.severity(result, rule, result_props, props),
            title=title,
            message=message,
            fingerprint=fingerprint(*parts),
            aliases=aliases,
            location=location,
            remediation=text(help_text, "text") or text(help_text, "markdown"),
            references=unique([text(rule, "helpUri")]),
            description=text(opt_obj(rule, "fullDescription"), "text"),
            cwes=cwes([*tags, *strings(props.get("cwe")), *strings(result_props.get("cwe"))]),
            suppression=self.suppression(result, path),
            sources=(self.tool,),
        )]

    def kind(self, rule_id: str, tags: list[str]) -> FindingType:
        if {"secret", "secrets"} & set(tags) or self.tool in SECRET_TOOLS:
            return FindingType.SECRET
        if {"vulnerability", "dependency", "sca"} & set(tags) or _ADVISORY_ID.match(rule_id) or self.tool in VULN_TOOLS:
            return FindingType.VULNERABILITY
        if {"misconfiguration", "iac", "config"} & set(tags) or self.tool in MISCONFIG_TOOLS:
            return FindingType.MISCONFIG
        return FindingType.SAST

    @staticmethod
    def severity(
        result: Mapping[str, Any], rule: Mapping[str, Any], result_props: Mapping[str, Any], props: Mapping[str, Any]
    ) -> Severity:
        for bag in (result_props, props):
            value = score(bag.get("security-severity"))
            if value is not None:
                return Severity.from_score(value)
        level = text(result, "level") or text(opt_obj(rule, "defaultConfiguration"), "level") or "warning"
        return LEVELS.get(level, Severity.UNKNOWN)

    @staticmethod
    def message(result: Mapping[str, Any], rule: Mapping[str, Any]) -> str:
        message = opt_obj(result, "message")
        body = text(message, "text")
        if not body and text(message, "id"):
            template = opt_obj(opt_obj(rule, "messageStrings"), text(message, "id"))
            body = text(template, "text")
        args = [a if isinstance(a, str) else str(a) for a in _list(message.get("arguments"))]
        if args and body:
            body = _ARG.sub(lambda m: args[int(m.group(1))] if int(m.group(1)) < len(args) else m.group(0), body)
        return body

    def location(self, result: Mapping[str, Any]) -> tuple[Location | None, str]:
        """The first location, and the region's snippet text (only ever hashed)."""
        locations = items(result, "locations")
        if not locations:
            return None, ""
        physical = opt_obj(obj(locations[0], "locations[0]"), "physicalLocation")
        artifact = opt_obj(physical, "artifactLocation")
        uri = text(artifact, "uri")
        if not uri:
            return None, ""
        # A relative uri is relative to its uriBaseId (the repository root for every tool we know): keep it.
        path = rel_path(uri, self.root, self.bases.values())
        region = opt_obj(physical, "region")
        start = line(region, "startLine")
        end = line(region, "endLine")
        snippet = text(opt_obj(region, "snippet"), "text")
        return Location(path, start, end if end is not None and start is not None and end > start else None), snippet

    def suppression(self, result: Mapping[str, Any], path: str) -> Suppression | None:
        for raw in items(result, "suppressions"):
            entry = obj(raw, "suppression")
            if text(entry, "status") in ("rejected", "underReview"):
                continue
            in_source = text(entry, "kind") == "inSource"
            reason = text(entry, "justification") or f"suppressed in {self.tool}" + (
                " (in the source)" if in_source else ""
            )
            return Suppression(
                SuppressionKind.INLINE if in_source else SuppressionKind.EXCEPTION,
                reason,
                source=path or None if in_source else None,
            )
        return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
