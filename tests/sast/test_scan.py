"""The built-in SAST engine end to end (a real Ruff subprocess): findings normalised with Bandit's grades and
CWEs, fingerprints that survive line moves, and every kind of bad input an `errors` entry while the other files
are still scanned."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.model import FindingType, Severity
from shiftsec.sast import python_files, rules, scan_sast
from shiftsec.sast import ruff_engine as ruff_engine_module
from shiftsec.sast.engine import SastEngine

GOOD = "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n"


def write(root: Path, name: str, data: bytes | str) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return name


def test_engine_description() -> None:
    engine = ruff_engine_module.ENGINE
    assert isinstance(engine, SastEngine)
    assert (engine.name, engine.languages) == ("ruff", ("python",))
    assert engine.available()


def test_finding_is_normalised_with_bandit_grade_and_cwe(tmp_path: Path) -> None:
    scan = scan_sast(tmp_path, [write(tmp_path, "app/load.py", GOOD)])
    assert scan.errors == ()
    assert scan.files == 1
    (finding,) = [f for f in scan.findings if f.rule_id == "S301"]
    assert finding.type is FindingType.SAST
    assert finding.severity is Severity.MEDIUM  # Bandit's B301 level
    assert finding.cwes == ("CWE-502",)
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("app/load.py", 5)
    assert "confidence: high" in finding.message
    assert finding.remediation
    assert "https://cwe.mitre.org/data/definitions/502.html" in finding.references
    assert "pickle.loads" not in repr(finding)  # no source code is kept
    assert "Bandit B301" in finding.description


def test_fingerprint_survives_line_moves_and_tells_identical_lines_apart(tmp_path: Path) -> None:
    first = scan_sast(tmp_path, [write(tmp_path, "a.py", "import os\nos.system(cmd)\n")])
    moved = scan_sast(tmp_path, [write(tmp_path, "a.py", "import os\n\n\n# moved\n    \nos.system(cmd)\n")])
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in moved.findings]
    twice = scan_sast(tmp_path, [write(tmp_path, "a.py", "import os\nos.system(cmd)\nos.system(cmd)\n")])
    prints = [f.fingerprint for f in twice.findings if f.rule_id == "S605"]
    assert len(prints) == 2 and len(set(prints)) == 2
    assert prints[0] == next(f.fingerprint for f in first.findings if f.rule_id == "S605")


def test_grades_bandit_gives_two_ways(tmp_path: Path) -> None:
    code = (
        "import os, subprocess\n"
        "subprocess.call('ls -l', shell=True)\n"  # literal command: Bandit LOW
        "subprocess.call(cmd, shell=True)\n"  # built command: Bandit HIGH
        "os.chmod('/etc/x', 0o777)\n"  # world-writable: HIGH
        "os.chmod('/etc/y', 0o770)\n"  # group-writable: MEDIUM
    )
    scan = scan_sast(tmp_path, [write(tmp_path, "g.py", code)])
    grades = {(f.rule_id, f.location.line if f.location else 0): f.severity for f in scan.findings}
    assert grades[("S602", 2)] is Severity.LOW
    assert grades[("S602", 3)] is Severity.HIGH
    assert grades[("S103", 4)] is Severity.HIGH
    assert grades[("S103", 5)] is Severity.MEDIUM


def test_quality_rules_are_low_without_cwe(tmp_path: Path) -> None:
    scan = scan_sast(tmp_path, [write(tmp_path, "q.py", "def f(x=[]):\n    return undefined_name\n")])
    found = {f.rule_id: f for f in scan.findings}
    assert {"B006", "F821"} <= set(found)
    assert all(found[r].severity is Severity.LOW and found[r].cwes == () for r in ("B006", "F821"))
    entry = rules.rule("F821")
    assert entry is not None and not entry.security


def test_modern_syntax_is_not_an_error(tmp_path: Path) -> None:
    code = "match x:\n    case 1:\n        pass\n\ntype Alias = int\n\n\ndef f[T](a: T) -> T:\n    return a\n"
    scan = scan_sast(tmp_path, [write(tmp_path, "modern.py", code)])
    assert scan.errors == ()


def test_only_python_files_go_to_the_engine() -> None:
    assert python_files(["a.py", "b.PY", "c.pyw", "d.pyi", "e.txt", "setup.cfg"]) == ["a.py", "b.PY", "c.pyw"]


# name -> (content, expected error kind, words in the message)
BAD_INPUTS: dict[str, tuple[bytes, str, str]] = {
    "syntax_error.py": (b"def broken(:\n    pass\n", "parse", "does not parse"),
    "python2.py": (b"print 'hello'\nexec \"x = 1\"\nraise ValueError, 'old'\n", "parse", "does not parse"),
    "binary_junk.py": (bytes(range(256)) * 64, "skipped", "binary"),
    "generated.py": (b"TABLE = [\n" + b"    'abcdefghijklmnopqrstuvwxyz0123456789',\n" * 500_000 + b"]\n",
                     "skipped", "over the 5 MiB limit"),
    "latin1.py": ("# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1"), "parse", "not UTF-8"),
}


@pytest.fixture(scope="module")
def bad_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    for name, (data, _, _) in BAD_INPUTS.items():
        write(root, name, data)
    write(root, "empty.py", b"")
    write(root, "good.py", GOOD)
    write(root, "also_good.py", "import subprocess\nsubprocess.call(user_input, shell=True)\n")
    return root


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_an_error_entry_and_the_scan_goes_on(bad_tree: Path, name: str) -> None:
    files = sorted(p.name for p in bad_tree.iterdir())
    scan = scan_sast(bad_tree, files)
    _, kind, words = BAD_INPUTS[name]
    errors = [e for e in scan.errors if e.path == name]
    assert len(errors) == 1, scan.errors
    assert errors[0].kind == kind
    assert words in errors[0].message
    assert not [f for f in scan.findings if f.location and f.location.path == name]
    # the other files are still scanned
    assert {"good.py", "also_good.py"} <= {f.location.path for f in scan.findings if f.location}
    assert scan.files == len(files)


def test_generated_file_is_over_the_size_cap(bad_tree: Path) -> None:
    assert (bad_tree / "generated.py").stat().st_size > 20_000_000


def test_empty_file_is_valid_python_neither_error_nor_finding(bad_tree: Path) -> None:
    # An empty module (most __init__.py files) is valid Python: reporting it would be noise.
    scan = scan_sast(bad_tree, ["empty.py", "good.py"])
    assert scan.errors == ()
    assert {f.location.path for f in scan.findings if f.location} == {"good.py"}


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    scan = scan_sast(tmp_path, ["gone.py", write(tmp_path, "good.py", GOOD)])
    assert [(e.path, e.kind) for e in scan.errors] == [("gone.py", "parse")]
    assert any(f.rule_id == "S301" for f in scan.findings)


def test_without_ruff_the_scan_reports_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ruff_engine_module, "find_ruff", lambda: None)
    scan = scan_sast(tmp_path, [write(tmp_path, "good.py", GOOD)])
    assert scan.findings == ()
    assert [e.kind for e in scan.errors] == ["engine"]


def test_many_files_are_batched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ruff_engine_module, "BATCH_FILES", 3)
    names = [write(tmp_path, f"pkg/m{i}.py", GOOD) for i in range(8)]
    scan = scan_sast(tmp_path, names)
    assert sorted(f.location.path for f in scan.findings if f.rule_id == "S301" and f.location) == sorted(names)
