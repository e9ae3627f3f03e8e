"""The quality engine: cyclomatic complexity by radon's rules (hand-counted cases and radon's own figures for
standard-library functions), duplicated blocks (what is compared, what is ignored, identity across moves), and
how the engine sits in the scan (threshold options, files Ruff rejects)."""

from __future__ import annotations

import os
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from shiftsec.model import FindingType, Severity
from shiftsec.sast import quality, ruff_engine, scan_sast
from shiftsec.sast.quality import analysis
from shiftsec.sast.scan import engines_from_names


def measure(source: str) -> dict[str, int]:
    lines = quality.logical_lines(textwrap.dedent(source))
    return {f.name: f.complexity for f in quality.complexities(lines)}


# Each count reviewed by hand against radon 6's ComplexityVisitor rules (see the module docstring).
COMPLEXITY_CASES = {
    "empty": ("def f():\n    pass\n", {"f": 1}),
    "if-elif-else": ("""
        def f(x):
            if x > 1:
                return 1
            elif x < 0:
                return 2
            else:
                return 3
        """, {"f": 3}),
    "for-else and while-else": ("""
        def f(xs):
            for x in xs:
                pass
            else:
                pass
            while xs:
                xs.pop()
            else:
                pass
        """, {"f": 5}),
    "if-else is no loop else": ("""
        def f(x):
            if x:
                pass
            else:
                pass
        """, {"f": 2}),
    "try: handlers and else, finally counts nothing": ("""
        def f():
            try:
                g()
            except ValueError:
                pass
            except (OSError, KeyError):
                pass
            else:
                pass
            finally:
                pass
        """, {"f": 4}),
    "except star": ("""
        def f():
            try:
                g()
            except* ValueError:
                pass
        """, {"f": 2}),
    "boolean operators": ("def f(a, b, c, d):\n    return a and b and c or d\n", {"f": 4}),
    "conditional expression": ("def f(a, b):\n    return a if b else None\n", {"f": 2}),
    "comprehension clauses and filters": ("def f(xs):\n    return [x for x in xs if x if x > 1 for y in x]\n",
                                          {"f": 5}),
    "assert holds what it holds": ("def f(a, b):\n    assert a and b or a\n", {"f": 2}),
    "match: cases minus one irrefutable": ("""
        def f(x):
            match x:
                case 1:
                    pass
                case [a, b] if a and b:
                    pass
                case _:
                    pass
        """, {"f": 4}),
    "match: literal True is not a capture": ("""
        def f(x):
            match x:
                case True:
                    pass
                case (y):
                    pass
        """, {"f": 2}),
    "signature and decorators count nothing": ("""
        @decorate(a or b)
        def f(x=1 if y else 2, *, z: int = a and b) -> int:
            return x
        """, {"f": 1}),
    "a lambda counts toward its holder": ("def f(xs):\n    return sorted(xs, key=lambda x: x or 0)\n", {"f": 2}),
    "nested functions and classes are measured on their own": ("""
        class C:
            flag = a if b else c
            def method(self, x):
                if x:
                    def inner(y):
                        return y and x
                    class Local:
                        def m(self):
                            return 1 if x else 2
                return inner
            async def other(self):
                async for item in self.items():
                    pass
        def outer():
            pass
        """, {"C.method": 2, "C.method.inner": 2, "C.method.Local.m": 2, "C.other": 2, "outer": 1}),
    "keywords in strings and comments count nothing": ('''
        def f(x):
            """if this and that or those, for while"""
            s = "if x and y" + f"{x} or" + 'while'  # if and or
            return s
        ''', {"f": 1}),
    "a multi-line string keeps the statement in its function": ('''
        def f(x):
            text = """a
        b if c""".format(x)
            if x:
                pass
            return text
        ''', {"f": 2}),
    "brackets and backslashes join lines": ("""
        def f(a, b):
            value = (a and
                     b)
            other = a or \\
                b
            return value, other
        """, {"f": 3}),
    "one-line bodies": ("def f(x): return x or 1\ndef g(x):\n    for y in x: pass\n    else: return 2\n",
                        {"f": 2, "g": 3}),
}


@pytest.mark.parametrize("name", COMPLEXITY_CASES)
def test_complexity(name: str) -> None:
    source, expected = COMPLEXITY_CASES[name]
    assert measure(source) == expected


def test_function_extent_and_order() -> None:
    source = "def a():\n    pass\n\n\n@d\ndef b():\n    x = 1\n    # trailing comment\n\nc = 2\n"
    found = quality.complexities(quality.logical_lines(source))
    assert [(f.name, f.line, f.end_line) for f in found] == [("a", 1, 2), ("b", 6, 7)]


# radon 6.0.1's `cc` figures for these Python 3.11.7 standard-library functions (run beside this engine when the
# engine was written; not copied from this engine's output).
RADON = {
    ("argparse.py", 1913, "ArgumentParser._parse_known_args"): 30,
    ("argparse.py", 393, "HelpFormatter._format_actions_usage"): 29,
    ("argparse.py", 2465, "ArgumentParser._get_values"): 20,
    ("argparse.py", 297, "HelpFormatter._format_usage"): 17,
    ("argparse.py", 1419, "_ActionsContainer.add_argument"): 14,
    ("tarfile.py", 1643, "TarFile.__init__"): 28,
    ("tarfile.py", 2004, "TarFile.gettarinfo"): 24,
    ("tarfile.py", 753, "_get_filtered_attrs"): 22,
    ("tarfile.py", 2581, "TarFile.next"): 20,
    ("tarfile.py", 343, "_Stream.__init__"): 16,
}


@pytest.mark.skipif(sys.version_info[:3] != (3, 11, 7),
                    reason="radon's figures are for Python 3.11.7's standard library; this is "
                           f"{sys.version.split()[0]}")
def test_agrees_with_radon_on_the_standard_library() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for (name, line, function), expected in RADON.items():
        found = quality.complexities(quality.logical_lines((stdlib / name).read_text("utf-8")))
        by_line = {(f.line, f.name): f.complexity for f in found}
        assert by_line[line, function] == expected, (name, function)


BLOCK = """
def handle(request, store):
    user = store.find(request.user_id)
    if user is None:
        raise LookupError("no such user")
    orders = store.orders(user, limit=50)
    total = 0
    for order in orders:
        total += order.amount
    request.log("total", total)
    store.audit(user, "read")
    return {"user": user.name, "total": total}
"""


def files(tmp_path: Path, contents: dict[str, str]) -> list[str]:
    for name, text in contents.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(contents)


def duplicates_of(tmp_path: Path, contents: dict[str, str], size: int = 10) -> list[tuple[str, int, int, str]]:
    result = quality.analyse(tmp_path, files(tmp_path, contents), complexity=100, duplicate_lines=size)
    return [(f.location.path, f.location.line, f.location.end_line or f.location.line, f.message)
            for f in result.findings if f.location is not None]


def test_a_copied_block_is_reported_at_the_later_copy(tmp_path: Path) -> None:
    found = duplicates_of(tmp_path, {"a.py": BLOCK, "b.py": "import os\n\nX = 1\n" + BLOCK})
    assert found == [("b.py", 5, 15, "lines 5-15 duplicate a.py:2-12 (11 logical lines)")]
    (finding,) = quality.analyse(tmp_path, ["a.py", "b.py"]).findings
    assert (finding.severity, finding.cwes) == (Severity.LOW, ("CWE-1041",))


def test_strings_comments_spacing_docstrings_and_imports_are_ignored(tmp_path: Path) -> None:
    changed = (BLOCK.replace('"no such user"', "'missing'").replace("total = 0", "total  =  0  # start")
               .replace("def handle(request, store):", 'def handle(request, store):\n    """Docs."""\n    import json'))
    found = duplicates_of(tmp_path, {"a.py": BLOCK, "b.py": changed})
    assert [(path, line) for path, line, _end, _msg in found] == [("b.py", 2)]


def test_renamed_names_or_changed_numbers_are_different_code(tmp_path: Path) -> None:
    assert duplicates_of(tmp_path, {"a.py": BLOCK, "b.py": BLOCK.replace("total", "amount")}) == []
    assert duplicates_of(tmp_path, {"a.py": BLOCK, "b.py": BLOCK.replace("limit=50", "limit=60")}) == []


def test_shorter_runs_than_the_threshold_are_not_reported(tmp_path: Path) -> None:
    assert duplicates_of(tmp_path, {"a.py": BLOCK, "b.py": BLOCK}, size=12) == []
    assert len(duplicates_of(tmp_path, {"a.py": BLOCK, "b.py": BLOCK}, size=11)) == 1


def test_a_copy_in_the_same_file_and_a_third_copy(tmp_path: Path) -> None:
    found = duplicates_of(tmp_path, {"a.py": BLOCK + "\n" + BLOCK.replace("handle", "handle2"),
                                     "b.py": BLOCK})
    # the first occurrence (a.py:2) is never reported; each later one names the nearest earlier copy
    # (the second copy's `def` line differs: its run starts one line later); b.py's run keeps one origin
    # rather than switching to the nearer copy halfway
    assert [(p, line, msg.split(" duplicate ")[1]) for p, line, _e, msg in found] == [
        ("a.py", 16, "a.py:3-12 (10 logical lines)"),
        ("b.py", 2, "a.py:2-12 (11 logical lines)"),
    ]


def test_one_repetitive_stretch_is_one_finding(tmp_path: Path) -> None:
    body = "def f(x):\n" + "    x.append(1)\n" * 30
    found = duplicates_of(tmp_path, {"a.py": body})
    assert found == [("a.py", 12, 31, "lines 12-31 duplicate a.py:2-21 (20 logical lines)")]


def test_a_moved_block_keeps_its_fingerprint_and_a_changed_one_does_not(tmp_path: Path) -> None:
    def fingerprint(a_text: str, b_text: str) -> str:
        result = quality.analyse(tmp_path, files(tmp_path, {"a.py": a_text, "b.py": b_text}))
        (finding,) = result.findings
        return finding.fingerprint

    first = fingerprint(BLOCK, BLOCK)
    assert fingerprint(BLOCK, "\n\n# moved down\nY = 2\n" + BLOCK) == first
    assert fingerprint(BLOCK, BLOCK + "    store.close()\n") == first  # the copied part is the same
    longer = BLOCK + "    store.close()\n"
    assert fingerprint(longer, longer) != first


def test_complexity_findings_are_medium_at_the_function_with_a_stable_identity(tmp_path: Path) -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(16))
    source = f"class C:\n  def m(self, x):\n{textwrap.indent(branches, '  ')}  def small(self):\n    pass\n"
    result = quality.analyse(tmp_path, files(tmp_path, {"app.py": source}))
    (finding,) = result.findings
    assert finding.type is FindingType.SAST and finding.rule_id == "quality-complexity"
    assert finding.severity is Severity.MEDIUM and finding.cwes == ("CWE-1121",)
    assert finding.message == "`C.m` has cyclomatic complexity 17 (threshold 15)"
    assert finding.location is not None and (finding.location.line, finding.location.end_line) == (2, 34)
    moved = quality.analyse(tmp_path, files(tmp_path, {"app.py": "import os\n\n\n" + source}))
    assert moved.findings[0].fingerprint == finding.fingerprint
    assert quality.analyse(tmp_path, ["app.py"], complexity=17).findings == ()


def test_quality_runs_by_default_beside_ruff_and_skips_what_ruff_rejects(tmp_path: Path) -> None:
    python2 = "print 'hello'\n" + BLOCK  # a copy, but Ruff rejects the file: no quality finding on it
    names = files(tmp_path, {"a.py": BLOCK, "b.py": BLOCK, "old.py": python2,
                             "blob.py": "x = 1\n", "empty.py": ""})
    (tmp_path / "blob.py").write_bytes(b"\x00\x01binary" * 50)
    scan = scan_sast(tmp_path, names)
    duplication = [f for f in scan.findings if f.rule_id == "quality-duplication"]
    assert [f.location.path for f in duplication if f.location] == ["b.py"]
    assert {e.path for e in scan.errors} == {"old.py", "blob.py"}


def test_engines_by_name_and_thresholds(tmp_path: Path) -> None:
    assert [e.name for e in engines_from_names([])] == ["ruff", "quality"]
    assert [e.name for e in engines_from_names(["quality"])] == ["quality"]
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(5))
    names = files(tmp_path, {"app.py": f"def f(x):\n{branches}"})
    (low,) = engines_from_names(["quality"], complexity=5)
    assert [f.message for f in scan_sast(tmp_path, names, [low]).findings] == [
        "`f` has cyclomatic complexity 6 (threshold 5)"]
    (default,) = engines_from_names(["quality"])
    assert scan_sast(tmp_path, names, [default]).findings == ()
    with pytest.raises(ValueError):
        quality.quality_engine(complexity=0)


def test_ruff_engine_alone_reports_no_quality_findings(tmp_path: Path) -> None:
    names = files(tmp_path, {"a.py": BLOCK, "b.py": BLOCK})
    assert not [f for f in scan_sast(tmp_path, names, [ruff_engine.ENGINE]).findings
                if f.rule_id.startswith("quality-")]


def test_forked_workers_give_the_same_result_as_one_process(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(16))
    contents = {f"pkg/m{i:02}.py": (BLOCK if i % 3 == 0 else f"def f{i}(x):\n{branches}") for i in range(12)}
    names = files(tmp_path, contents)
    monkeypatch.setattr(analysis, "PARALLEL_FILES", 10**9)
    alone = quality.analyse(tmp_path, names)
    monkeypatch.setattr(analysis, "PARALLEL_FILES", 2)
    assert len(analysis._measure_all(tmp_path, names, 15)) > 1 or (os.cpu_count() or 1) < 2  # really shared
    shared = quality.analyse(tmp_path, names)
    assert shared == alone
    assert {f.rule_id for f in alone.findings} == {"quality-complexity", "quality-duplication"}
