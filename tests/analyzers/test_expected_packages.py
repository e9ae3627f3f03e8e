"""Every osv-scalibr expectation for the formats we cover, through the analyzers the registry holds.

Prints a per-format table (run with -s). A case named in a language's BAD_EXPECTATIONS (an expectation the
regex extraction got wrong, with the reason written there) is an xfail: it counts as a miss in the overall
rate, and the 98% bar applies to the cases whose expectation is not disputed.
"""

from __future__ import annotations

import importlib
from collections import Counter

import pytest

from shiftsec.analyzers.registry import BY_NAME
from shiftsec.errors import ParseError
from tests.analyzers.expected import FORMATS, ROOT, Case, cases, input_file
from tests.conftest import shared

LANGUAGES = ("python", "javascript", "golang", "rust", "ruby", "php", "java", "dotnet", "dart", "elixir",
             "swift", "r", "cpp", "haskell")
BAD: dict[tuple[str, str], str] = {}
for _lang in LANGUAGES:
    BAD.update(importlib.import_module(f"tests.analyzers.{_lang}").BAD_EXPECTATIONS)

ALL = [case for extractor in FORMATS for case in cases(extractor)]
RESULTS: Counter[tuple[str, str]] = Counter()


def _outcome(case: Case) -> str:
    analyzer = BY_NAME.get(FORMATS[case.extractor])
    if analyzer is None:
        return "no analyzer"
    root = shared(*ROOT, *case.extractor.split("/"))
    try:
        parsed = analyzer.analyze(input_file(case.path, root))
    except ParseError as exc:
        return "pass" if case.want_error else f"unexpected error: {exc}"
    if case.want_error:
        return "parsed, expected an error"
    got = frozenset((p.name, p.version) for p in parsed.packages)
    if got == case.packages:
        return "pass"
    return f"missing {sorted(case.packages - got)[:5]}, extra {sorted(got - case.packages)[:5]}"


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_expected_packages(case: Case) -> None:
    outcome = _outcome(case)
    reason = BAD.get((case.extractor, case.fixture))
    kind = "pass" if outcome == "pass" else ("disputed" if reason is not None else "miss")
    RESULTS[(FORMATS[case.extractor], kind)] += 1
    if reason is not None:
        assert outcome != "pass", f"{case.id} passes now: remove it from BAD_EXPECTATIONS"
        pytest.xfail(reason)
    assert outcome == "pass", outcome


def test_zz_per_format_table() -> None:
    """The per-format table (runs last in this module); the overall rate must be at least 98%."""
    names = sorted({name for name, _ in RESULTS})
    print("\n| format | cases | exact | expectation disputed | other misses |\n|---|---|---|---|---|")
    for name in names:
        counts = [RESULTS[(name, kind)] for kind in ("pass", "disputed", "miss")]
        print(f"| {name} | {sum(counts)} | {counts[0]} | {counts[1]} | {counts[2]} |")
    passed, disputed, missed = (sum(n for (_, k), n in RESULTS.items() if k == kind)
                                for kind in ("pass", "disputed", "miss"))
    total = passed + disputed + missed
    undisputed = passed + missed
    print(f"| all | {total} | {passed} ({passed / max(total, 1):.1%} of all; "
          f"{passed / max(undisputed, 1):.1%} of undisputed) | {disputed} | {missed} |")
    if total:
        assert passed / undisputed >= 0.98
