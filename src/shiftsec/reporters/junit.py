"""`--format junit`: the policy's verdict as JUnit XML, for the test-report views of Jenkins, GitLab and GitHub.

The document follows the schema those tools read (`<testsuites>` / `<testsuite>` / `<testcase>` with
`<failure>`, `<skipped>`, `<properties>`, `<system-out>` and `<system-err>`):

* With a verdict (`shiftsec ci`), the suite `policy` has one test case per fail rule of the policy
  (classname `shiftsec.policy`, name = the rule's name). It passes when no open finding meets the rule;
  otherwise its `<failure type="policy-rule">` message counts the failing findings and its text lists each
  one: severity, rule id, title, location, package and how to fix it. A second suite, `exceptions`, has one
  test case per exception that did not apply: an **expired** exception is a `<failure
  type="expired-exception">` (it no longer suppresses anything: renew it with a new date or fix what it
  covered), a **stale** one (it matched no finding) is `<skipped>` with the advice to remove it: it asks for
  housekeeping, not for a fix, so it does not turn a build red. The suite is left out when there is none.
* Without a verdict, the suite `findings` has one test case per finding type present (and per scanner that
  ran, so a clean scan shows passing tests): it fails when the type has any open (unsuppressed) finding, at
  any severity.
* Inputs that could not be fully read go to the first suite's `<system-err>`: they are not test results.

All times are 0 (a scan is not timed per rule); `timestamp` is the report's `created_at` in UTC without an
offset, as the schema wants. Every text is XML-escaped, and characters XML 1.0 cannot carry (control
characters, lone surrogates) are replaced, so any conforming parser reads the output.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from shiftsec.model import ExceptionNote, Finding, FindingType, Report, RuleOutcome, Verdict
from shiftsec.reporters._common import finding_location, fix_text, one_line, plural, sorted_findings, utf8_safe

TOOL_NAME = "shiftsec"
LIST_LIMIT = 200  # findings listed in one failure's text; the rest are counted
_TITLE_LIMIT = 300
_SCANNER_TYPES = {"vuln": FindingType.VULNERABILITY, "secret": FindingType.SECRET,
                  "misconfig": FindingType.MISCONFIG, "sast": FindingType.SAST}
# Characters XML 1.0 does not allow (even escaped), plus DEL and the C1 controls, which terminals interpret.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean(text: str) -> str:
    """`text` as XML 1.0 can carry it: lone surrogates spelled `\\udcXX`, control characters (other than
    tab and line feed) replaced by a space, CR LF made LF."""
    return _NOT_XML.sub(" ", utf8_safe(text).replace("\r\n", "\n"))


def render(report: Report) -> str:
    """The report as a JUnit XML document (UTF-8, 2-space indent, trailing newline)."""
    root = ET.Element("testsuites", name=TOOL_NAME)
    if report.verdict is not None:
        suites = [_policy_suite(report, report.verdict)]
        if report.verdict.exceptions:
            suites.append(_exceptions_suite(report, report.verdict.exceptions))
    else:
        suites = [_findings_suite(report)]
    if report.errors:
        errors = sorted(report.errors, key=lambda e: (e.path, e.kind, e.message))
        text = "\n".join(f"{e.path}: {e.message} ({e.kind})" for e in errors)
        _text(suites[0], "system-err", f"{plural(len(errors), 'input')} could not be fully read:\n{text}")
    totals = {key: sum(int(suite.get(key, "0")) for suite in suites) for key in ("tests", "failures", "errors",
                                                                                 "skipped")}
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    root.extend(suites)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: clean(value) for key, value in attributes.items()})
    element.text = clean(text)
    return element


def _timestamp(created_at: str) -> str | None:
    """RFC 3339 → the schema's `xs:dateTime` without offset, in UTC; None when it cannot be read."""
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat()


def _suite(report: Report, name: str, cases: list[ET.Element], properties: dict[str, str]) -> ET.Element:
    suite = ET.Element("testsuite", name=name)
    failures = sum(1 for case in cases if case.find("failure") is not None)
    skipped = sum(1 for case in cases if case.find("skipped") is not None)
    for key, value in (("tests", len(cases)), ("failures", failures), ("errors", 0), ("skipped", skipped)):
        suite.set(key, str(value))
    suite.set("time", "0")
    timestamp = _timestamp(report.created_at)
    if timestamp is not None:
        suite.set("timestamp", timestamp)
    props = ET.SubElement(suite, "properties")
    for key, text in {"target": report.target, "target_type": report.target_type,
                      "tool_version": report.tool_version, **properties}.items():
        ET.SubElement(props, "property", name=key, value=clean(text))
    suite.extend(cases)
    return suite


def _case(classname: str, name: str) -> ET.Element:
    return ET.Element("testcase", classname=classname, name=clean(name), time="0")


# --- with a verdict ---------------------------------------------------------------------------------------


def _policy_suite(report: Report, verdict: Verdict) -> ET.Element:
    properties = {"policy": verdict.policy, "passed": str(verdict.passed).lower(),
                  "new_only": str(verdict.new_only).lower()}
    if verdict.baseline is not None:
        properties["baseline"] = verdict.baseline
    cases = [_rule_case(rule) for rule in verdict.rules]
    return _suite(report, "policy", cases, properties)


def _rule_case(rule: RuleOutcome) -> ET.Element:
    case = _case("shiftsec.policy", rule.name)
    if rule.failing:
        findings = sorted_findings(rule.failing)
        verb = "meets" if len(findings) == 1 else "meet"
        message = f"{plural(len(findings), 'open finding')} {verb} the rule: {rule.condition}"
        lines = [f"{rule.name}: {rule.condition}", ""]
        for finding in findings[:LIST_LIMIT]:
            lines += [*finding_lines(finding), ""]
        if len(findings) > LIST_LIMIT:
            lines.append(f"… and {len(findings) - LIST_LIMIT} more")
        _text(case, "failure", "\n".join(lines).rstrip() + "\n", message=message, type="policy-rule")
    else:
        _text(case, "system-out", f"{rule.condition}: no open finding meets it")
    return case


def finding_lines(finding: Finding) -> list[str]:
    """A finding for a failure's text: its headline, then where, which package, how to fix it."""
    lines = [f"{finding.severity.name} {one_line(finding.rule_id, 200)}: {one_line(finding.title, _TITLE_LIMIT)}"]
    location = finding_location(finding)
    if location is not None:
        lines.append(f"  at: {one_line(str(location), 500)}")
    package = finding.package
    if package is not None:
        lines.append(f"  package: {one_line(package.name, 200)} {one_line(package.version, 100)} "
                     f"({one_line(package.ecosystem, 60)})")
    if finding.change:
        lines.append(f"  change: {finding.change}")
    lines.append(f"  fix: {fix_text(finding)}")
    return lines


def _exceptions_suite(report: Report, notes: tuple[ExceptionNote, ...]) -> ET.Element:
    cases = []
    for note in sorted(notes, key=lambda n: (n.state, n.source, n.covers)):
        case = _case("shiftsec.exceptions", f"{note.state}: {note.covers} ({note.source})")
        details = (f"covers: {note.covers}\nreason: {note.reason}\nowner: {note.owner}\n"
                   f"expires: {note.expires}\nsource: {note.source}\n")
        if note.state == "expired":
            _text(case, "failure", details, type="expired-exception",
                  message=f"exception expired on {note.expires}: it no longer suppresses {note.covers}; "
                          f"renew it or fix (owner: {note.owner})")
        else:
            ET.SubElement(case, "skipped", message=f"{note.state} exception: it matched no finding; remove it")
            _text(case, "system-out", details)
        cases.append(case)
    return _suite(report, "exceptions", cases, {})


# --- without a verdict ------------------------------------------------------------------------------------


def _findings_suite(report: Report) -> ET.Element:
    findings = sorted_findings(report.findings)
    present = {finding.type for finding in findings}
    present |= {_SCANNER_TYPES[name] for name in report.scanners if name in _SCANNER_TYPES}
    cases = []
    for kind in FindingType:  # the enum's order: vulnerability, secret, misconfig, sast
        if kind not in present:
            continue
        case = _case("shiftsec.findings", kind.value)
        of_kind = [f for f in findings if f.type is kind]
        open_findings = [f for f in of_kind if f.suppression is None]
        suppressed = len(of_kind) - len(open_findings)
        if open_findings:
            lines: list[str] = []
            for finding in open_findings[:LIST_LIMIT]:
                lines += [*finding_lines(finding), ""]
            if len(open_findings) > LIST_LIMIT:
                lines.append(f"… and {len(open_findings) - LIST_LIMIT} more")
            message = plural(len(open_findings), f"open {kind.value} finding")
            _text(case, "failure", "\n".join(lines).rstrip() + "\n", message=message, type=kind.value)
        if suppressed:
            _text(case, "system-out", f"{plural(suppressed, 'suppressed finding')} not counted")
        cases.append(case)
    return _suite(report, "findings", cases, {})
