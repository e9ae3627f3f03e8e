"""The verdict: findings marked and judged against the policy.

`judge(report, policy, …)` returns the same report with
1. each finding's `change` ("new"/"existing") when a baseline is given;
2. inline ignores (`shiftsec:ignore`) as suppressions, unless the policy sets `allow_inline_ignores: false`;
3. governed exceptions applied: the first active exception (in file order) matching an open finding
   suppresses it with its reason, owner and expiry; an expired exception suppresses nothing and is listed,
   as is an active one that matched no finding at all (stale: remove it);
4. the `Verdict`: for each fail rule, the open findings meeting it (with `new_only` and a baseline, only new
   ones); the report passes when no rule has any.
Suppressions already present (VEX statements, applied before) are kept. Nothing is dropped: suppressed and
existing findings stay in every output, marked.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

from shiftsec.model import ExceptionNote, Report, RuleOutcome, Suppression, SuppressionKind, Verdict
from shiftsec.policy import inline
from shiftsec.policy.baseline import Baseline
from shiftsec.policy.config import Policy, PolicyException
from shiftsec.policy.matching import exception_matches, rule_matches

__all__ = ["counts", "judge"]


def _note(exception: PolicyException, state: str) -> ExceptionNote:
    return ExceptionNote(state, exception.covers(), exception.reason, exception.owner,
                         exception.expires.isoformat(), exception.source)


def _suppression(exception: PolicyException) -> Suppression:
    return Suppression(SuppressionKind.EXCEPTION, exception.reason, owner=exception.owner,
                       expires=exception.expires.isoformat(), justification=exception.vex_justification,
                       source=exception.source)


def judge(report: Report, policy: Policy, *, root: Path, today: datetime.date,
          baseline: Baseline | None = None) -> Report:
    """The report with its findings marked and the policy's verdict (see the module docstring)."""
    findings = list(report.findings)
    if baseline is not None:
        findings = [replace(f, change="existing" if f.fingerprint in baseline.fingerprints else "new")
                    for f in findings]

    if not policy.allow_inline_ignores:  # the scanners' own inline marks (secrets) become inert too
        findings = [replace(f, suppression=None) if f.suppression is not None and f.suppression.kind is
                    SuppressionKind.INLINE else f for f in findings]
    else:
        for index, found in inline.ignores(findings, root).items():
            if findings[index].suppression is None:
                findings[index] = replace(findings[index], suppression=Suppression(
                    SuppressionKind.INLINE, found.reason, source=found.where))

    notes: list[ExceptionNote] = []
    active = []
    for exception in policy.exceptions:
        if exception.expires < today:
            notes.append(_note(exception, "expired"))
        else:
            active.append(exception)
    used: set[int] = set()
    for index, finding in enumerate(findings):
        for number, exception in enumerate(active):
            if exception_matches(exception, finding):
                used.add(number)
                if findings[index].suppression is None:
                    findings[index] = replace(finding, suppression=_suppression(exception))
                break
    notes.extend(_note(exception, "stale") for number, exception in enumerate(active) if number not in used)

    counted = [f for f in findings
               if f.suppression is None and not (policy.new_only and f.change == "existing")]
    outcomes = []
    for rule in policy.fail:
        meeting = tuple(f for f in counted if rule_matches(rule, f))
        # a rule with `max_allowed` tolerates that many: it fails (and lists them) only beyond it
        outcomes.append(RuleOutcome(rule.name, rule.describe(), meeting if len(meeting) > rule.max_allowed else ()))
    verdict = Verdict(
        passed=not any(outcome.failing for outcome in outcomes),
        rules=tuple(outcomes),
        policy=policy.source,
        exceptions=tuple(notes),
        new_only=policy.new_only and baseline is not None,
        baseline=baseline.label if baseline is not None else None,
    )
    return replace(report, findings=tuple(findings), verdict=verdict)


def counts(report: Report) -> dict[str, int]:
    """How many findings fail, are suppressed, existed before, or are open without failing."""
    verdict = report.verdict
    failing = {f.fingerprint for rule in verdict.rules for f in rule.failing} if verdict else set()
    out = dict.fromkeys(("failing", "suppressed", "existing", "open"), 0)
    for finding in report.findings:
        if finding.fingerprint in failing:
            out["failing"] += 1
        elif finding.suppression is not None:
            out["suppressed"] += 1
        elif finding.change == "existing":
            out["existing"] += 1
        else:
            out["open"] += 1
    return out
