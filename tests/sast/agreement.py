"""Agreement of the built-in SAST engine with Bandit's own labelled examples.

Bandit's functional tests (`../shared/data/sast/bandit/EXPECTED_COUNTS.json`, extracted from
PyCQA/bandit `tests/functional/test_functional.py`) say, for each `check_example(file, expect)` case, how many
issues Bandit's default profile reports at each SEVERITY. For every case this table puts beside Bandit's HIGH
and MEDIUM counts the number of shiftsec findings of the same categories (security rules: Ruff's `S` rules,
each one Bandit's `B` test of the same number; quality rules are not counted) at HIGH and MEDIUM, over the
whole examples folder scanned in one `scan_sast` call. A case agrees when shiftsec's count is at least
Bandit's at both levels. Cases without an expectation (`expected: null`) are left out.

    .venv/bin/python -m tests.sast.agreement     # rewrites docs/sast-agreement.md
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shiftsec.model import Severity
from shiftsec.sast import rules, scan_sast
from shiftsec.sast.engine import SastEngine
from shiftsec.sast.scan import BUILT_IN

REPO_ROOT = Path(__file__).resolve().parents[2]
BANDIT = (REPO_ROOT.parent / "shared" / "data" / "sast" / "bandit").resolve()
EXAMPLES = BANDIT / "examples"
DOC = REPO_ROOT / "docs" / "sast-agreement.md"

# Every case where shiftsec reports fewer HIGH or MEDIUM findings than Bandit expects, and why (checked by
# reading the example and Ruff's rule documentation; see docs/sast-agreement.md).
# Keyed by example file.
_NOT_PORTED = "Bandit's {} has no Ruff port, so the built-in engine has no rule for it."
_HTTPOXY = ("Bandit's import blacklist (B412) also matches calls of the qualified name ({}); Ruff's S412 checks "
            "import statements only, and the example imports the parent module.")
MISSES: dict[str, str] = {
    "ciphers.py": "Ruff's S304 list of insecure ciphers is shorter than Bandit 1.9's: ARC4 of pycrypto/"
                  "pycryptodomex through an aliased import (`pycrypto_arc4.new`, 2 cases) and cryptography's "
                  "CAST5, SEED and TripleDES (3 cases) are not reported.",
    "mktemp.py": "`tempfile.mktemp('foo')` with no `tempfile` bound (the file imports `tempfile.mktemp as mt` "
                 "and `tempfile as tmp`): Ruff resolves names through the imports, Bandit matches the dotted text.",
    "jsonpickle.py": "`jsonpickle.unpickler.Unpickler().restore(pick)` is a method of an object: knowing the "
                     "receiver's type needs type inference/data flow, which Ruff's S301 does not do.",
    "sql_statements.py": "Ruff's S608 expression does not match `VALUES(` without a space (3 cases) and does not "
                         "treat `str.replace()` as building a query (2 cases).",
    "ssl-insecure-version.py": "Bandit's B502 flags any call given a bad protocol constant by keyword "
                               "(`herp_derp(ssl_version=…)`, `SSL.Context(method=…)` with `SSL` from the example's "
                               "`pyOpenSSL` module); Ruff's S502 reports only calls it resolves to the ssl and "
                               "OpenSSL APIs.",
    "subprocess_shell.py": "`shell=Popen()` and `shell=command`: whether the value is true is unknown without data "
                           "flow; Bandit counts any non-literal as true, Ruff reports only values known to be true.",
    "mark_safe_insecure.py": "Bandit's B703 (django_mark_safe) also flags Django's `SafeText`, `SafeUnicode`, "
                             "`SafeString` and `SafeBytes` constructors; Ruff's S308 covers `mark_safe` only.",
    "httpoxy_cgihandler.py": _HTTPOXY.format("`wsgiref.handlers.CGIHandler()`"),
    "httpoxy_twisted_script.py": _HTTPOXY.format("`twcgi.CGIScript(...)`"),
    "httpoxy_twisted_directory.py": _HTTPOXY.format("`twcgi.CGIDirectory(...)`"),
    "paramiko_injection.py": "`client.exec_command(...)` on an SSHClient instance: Bandit flags any `exec_command` "
                             "call once paramiko is imported; Ruff's S601 needs the receiver's type (data flow).",
    "pyghmi.py": "`from pyghmi.ipmi import command`: Ruff's S415 matches the `pyghmi` module itself, not its "
                 "submodules; Bandit matches the prefix.",
    "pytorch_load.py": _NOT_PORTED.format("B614 (pytorch_load)"),
    "huggingface_unsafe_download.py": _NOT_PORTED.format("B615 (huggingface_unsafe_download)"),
    "markupsafe_markup_xss_extend_markup_names.py":
        "Bandit's test configures `extend_markup_names` (webhelpers' `literal`); Ruff has the same option "
        "(`lint.flake8-bandit.extend-markup-names`) but shiftsec runs Ruff `--isolated`, without per-project "
        "options, so only `Markup(...)` is reported.",
}


@dataclass(frozen=True, slots=True)
class Row:
    test: str
    example: str
    bandit_high: int
    bandit_medium: int
    high: int
    medium: int
    rules: str  # shiftsec's security findings at HIGH/MEDIUM by rule, e.g. "S324:Hx5, S303:Mx10"

    @property
    def agrees(self) -> bool:
        return self.high >= self.bandit_high and self.medium >= self.bandit_medium


_BANDIT_TEST = re.compile(r"B\d{3}")


@cache
def table(engines: tuple[SastEngine, ...] = BUILT_IN) -> tuple[Row, ...]:
    """One row per labelled case, for a scan with `engines` (the default ones unless told): security findings
    are the built-in security rules' and, when Bandit runs as an engine, Bandit's tests that Ruff has no port
    of (they keep Bandit's id)."""
    doc = json.loads((BANDIT / "EXPECTED_COUNTS.json").read_text())
    files = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*") if p.is_file())
    scan = scan_sast(EXAMPLES, files, engines)
    counts: dict[str, Counter[Severity]] = defaultdict(Counter)
    by_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in scan.findings:
        entry = rules.rule(finding.rule_id)
        security = entry.security if entry is not None else _BANDIT_TEST.fullmatch(finding.rule_id) is not None
        if not security or finding.location is None:
            continue
        counts[finding.location.path][finding.severity] += 1
        if finding.severity >= Severity.MEDIUM:
            by_rule[finding.location.path][f"{finding.rule_id}:{finding.severity.name[0]}"] += 1
    rows = []
    for case in doc["cases"]:
        if case["kind"] != "check_example" or not case.get("expected"):
            continue
        expected = case["expected"]["SEVERITY"]
        name = case["example"]
        found = counts[name]
        rows.append(Row(case["test"], name, expected["HIGH"], expected["MEDIUM"], found[Severity.HIGH],
                        found[Severity.MEDIUM], ", ".join(f"{k}x{n}" for k, n in sorted(by_rule[name].items()))))
    return tuple(rows)


def markdown(rows: tuple[Row, ...]) -> str:
    agree = sum(r.agrees for r in rows)
    lines = [
        "# SAST: agreement with Bandit's labelled examples",
        "",
        "Generated by `.venv/bin/python -m tests.sast.agreement` (checked by `tests/sast/test_bandit_agreement.py`).",
        "",
        "Corpus: Bandit's functional-test examples (`../shared/data/sast/bandit/examples`) and the issue counts its",
        "tests expect of Bandit's default profile (`EXPECTED_COUNTS.json`, every `check_example` case with an",
        "expectation). shiftsec's built-in engine (Ruff's `S` rules, each the port of Bandit's test of the same",
        "number, graded with Bandit's own severities: `src/shiftsec/sast/rules.py`) scans the whole folder once;",
        "its security findings at HIGH and at MEDIUM are counted per file (quality rules are not counted). A case",
        "agrees when shiftsec finds at least as many as Bandit expects at both levels. Nothing is tuned to the",
        "examples: the grades are Bandit's defaults, and the misses below are left as they are.",
        "",
        "History, for honesty: the first measurement gave 69 of 86. Reading Bandit's plugin source again then",
        "showed two grades the table had missed (B324 rates `crypt` methods MEDIUM and hashlib HIGH; B202 grades",
        "`tarfile.extractall` by its `members=` argument) and that Bandit's B613 (trojansource) is Pylint's",
        "E2502, which Ruff ports as PLE2502. All three follow Bandit's definitions, not the examples' counts.",
        "",
        "What this does not measure: \"at least as many\" says nothing of false positives or of findings on",
        "other lines than Bandit's; LOW findings are not compared.",
        "",
        f"**{agree} of {len(rows)} cases agree ({agree / len(rows):.1%}).**",
        "",
        "| case | file | Bandit HIGH | Bandit MEDIUM | shiftsec HIGH | shiftsec MEDIUM | agree "
        "| shiftsec rules (H/M) |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    lines += [f"| {r.test} | {r.example} | {r.bandit_high} | {r.bandit_medium} | {r.high} | {r.medium} | "
              f"{'yes' if r.agrees else '**no**'} | {r.rules} |" for r in rows]
    lines += ["", "## Every miss explained", ""]
    lines += [f"- **{r.test}** (`{r.example}`: Bandit {r.bandit_high} H / {r.bandit_medium} M, shiftsec "
              f"{r.high} H / {r.medium} M): {MISSES.get(r.example, 'NOT EXPLAINED')}" for r in rows if not r.agrees]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    DOC.write_text(markdown(table()))
    sys.stdout.write(f"wrote {DOC}\n")
