"""`shiftsec fs` end to end: the demo project, the osv-scanner fixture trees, broken lockfiles, SBOM round trip."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shiftsec.cli import run
from tests.conftest import REPO_ROOT, SHARED_DATA

DEMO = REPO_ROOT / "examples" / "demo-app"
OSV_SCANNER = SHARED_DATA / "lockfiles" / "osv-scanner"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    code, out, err = _run(capsys, *argv, "-f", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_demo_project(capsys: pytest.CaptureFixture[str], full_db: tuple[Path, object]) -> None:
    report = _json(capsys, "fs", str(DEMO), "--db", str(full_db[0]))
    files = {p["location"]["path"] for p in report["packages"]}
    assert files == {"requirements.txt", "services/api/go.mod", "tools/Cargo.lock", "web/Gemfile.lock",
                     "legacy/pom.xml"}
    found = {(f["package"]["name"], f["rule_id"]) for f in report["findings"]}
    assert {("jinja2", "CVE-2019-10906"), ("smallvec", "CVE-2021-25900"), ("rack", "CVE-2022-30123"),
            ("golang.org/x/text", "CVE-2022-32149")} <= found
    # junit is a test-scope (dev) dependency: listed, not matched without --include-dev
    assert any(p["name"] == "junit:junit" and p["dev"] for p in report["packages"])
    assert not any(name == "junit:junit" for name, _ in found)
    # rack comes in through sinatra: the path and the advice say so
    rack = next(f for f in report["findings"] if f["rule_id"] == "CVE-2022-30123")
    assert rack["dependency_path"] == ["sinatra@2.0.8.1", "rack@2.2.3"]  # the shortest of the two chains
    advice = {a["package"]["name"]: a for a in report["advice"]}
    assert advice["rack"]["via"]["name"] == "sinatra"
    assert advice["smallvec"] | {"package": None, "via": None} == {
        "package": None, "fixed_in": "1.6.1", "major_bump": False, "via": None,
        "rule_ids": ["CVE-2021-25900"], "unfixed": []}
    # the editable install in requirements.txt is reported, not silently dropped
    assert any(e["path"] == "requirements.txt" and e["kind"] == "note" for e in report["errors"])


def test_demo_gate_and_markdown(capsys: pytest.CaptureFixture[str], full_db: tuple[Path, object]) -> None:
    code, out, err = _run(capsys, "fs", str(DEMO), "--db", str(full_db[0]), "-f", "markdown", "--fail-on", "critical")
    assert code == 1 and "at or above CRITICAL" in err
    assert out.startswith("## shiftsec: dependency vulnerabilities")
    assert "| 🟥 CRITICAL | rack | 2.2.3 | **" in out and "| sinatra 2.0.8.1 |" in out


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx"])
def test_sbom_written_by_fs_gives_the_same_findings(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                     full_db: tuple[Path, object], fmt: str) -> None:
    db = str(full_db[0])
    sbom = tmp_path / f"demo.{fmt}.json"
    code, _, err = _run(capsys, "fs", str(DEMO), "--db", db, "-f", fmt, "-o", str(sbom))
    assert code == 0, err
    direct = _json(capsys, "fs", str(DEMO), "--db", db)
    again = _json(capsys, "sbom", str(sbom), "--db", db)

    def identity(report: dict) -> set[tuple[str, ...]]:  # type: ignore[type-arg]
        return {(f["package"]["ecosystem"], f["package"]["version"], f["rule_id"], f["fingerprint"])
                for f in report["findings"]}

    assert identity(again) == identity(direct)


FIXTURE_ERRORS = {
    # folder -> the errors we expect, each explained
    "locks-many-with-invalid": [("composer.lock", "parse")],  # the fixture's composer.lock is deliberately malformed
    "locks-bun-shorthash": [("bun.lock", "note")],  # a git dependency: nothing to match in OSV
}


@pytest.mark.parametrize("folder", sorted(p for p in (OSV_SCANNER / "scan" / "source" / "testdata").iterdir()
                                          if p.is_dir()), ids=lambda p: p.name)
def test_osv_scanner_fixture_trees(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    report = _json(capsys, "fs", str(folder), "--scanners", "none")
    assert [(e["path"], e["kind"]) for e in report["errors"]] == FIXTURE_ERRORS.get(folder.name, [])


def test_broken_lockfiles_are_errors_and_the_rest_is_scanned(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    good = tmp_path / "ok" / "requirements.txt"
    good.parent.mkdir()
    good.write_text("jinja2==2.10\n")
    broken = {
        "truncated/package-lock.json": b'{"lockfileVersion": 3, "packages": {"": {',
        "types/package-lock.json": b'{"lockfileVersion": 3, "packages": ["not", "an", "object"]}',
        "toml/poetry.lock": b'[[package]]\nname = "x"\nversion = ',
        "yaml/pnpm-lock.yaml": b"lockfileVersion: '9.0'\npackages: {a: [\n",
        "binary/Cargo.lock": bytes(range(256)) * 64,
        "huge/composer.lock": b'{"packages": "' + b"x" * (50 * 1024 * 1024) + b'"}',
    }
    for rel, data in broken.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True)
        path.write_bytes(data)
    (tmp_path / "loop").mkdir()
    os.symlink("go.mod", tmp_path / "loop" / "go.mod")  # a link to itself: ELOOP on read
    report = _json(capsys, "fs", str(tmp_path), "--scanners", "none")
    assert [(p["name"], p["version"]) for p in report["packages"]] == [("jinja2", "2.10")]
    errors = {e["path"]: e for e in report["errors"]}
    assert set(errors) == {*broken, "loop/go.mod"}
    assert all(e["kind"] == "parse" and "\n" not in e["message"] for e in errors.values())


def test_missing_path_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "fs", str(tmp_path / "absent"), "--scanners", "none")
    assert code == 2 and err.startswith("shiftsec: error: ") and "no such file or directory" in err


def test_no_database_is_exit_2_unless_only_listing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("jinja2==2.10\n")
    code, _, err = _run(capsys, "fs", str(tmp_path), "--db", str(tmp_path / "none.sqlite"))
    assert code == 2 and "no advisory database" in err
    code, out, _ = _run(capsys, "fs", str(tmp_path), "--db", str(tmp_path / "none.sqlite"), "--scanners", "none",
                        "-f", "json")
    assert code == 0 and json.loads(out)["packages"][0]["name"] == "jinja2"


def test_fs_sast_and_ci_run_the_code_scanner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from shiftsec.cli import run

    (tmp_path / "app.py").write_text("import pickle\nimport subprocess\n\n\ndef load(blob, cmd):\n"
                                     "    subprocess.call(cmd, shell=True)\n    return pickle.loads(blob)\n")
    (tmp_path / "broken.py").write_text("def nope(:\n")
    assert run(["fs", str(tmp_path), "--scanners", "sast", "-f", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scanners"] == ["sast"]
    found = {(f["type"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]}
    assert ("sast", "app.py", 6) in found and ("sast", "app.py", 7) in found  # shell=True, pickle.loads
    assert all(f["cwes"] for f in report["findings"] if f["location"]["line"] in (6, 7))
    assert [e["path"] for e in report["errors"]] == ["broken.py"]  # a syntax error is an error, not a finding
    # shiftsec ci detects the Python code and runs the same scanner
    assert run(["ci", str(tmp_path), "--db", str(tmp_path / "none.sqlite"), "-f", "json"]) in (0, 1)
    ci_report = json.loads(capsys.readouterr().out)
    assert "sast" in ci_report["scanners"]
    assert {(f["location"]["path"], f["location"]["line"]) for f in ci_report["findings"] if f["type"] == "sast"} >= {
        ("app.py", 6), ("app.py", 7)}


def test_fs_sast_engine_choice_and_thresholds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(6))
    (tmp_path / "app.py").write_text(f"import pickle\n\n\ndef f(x, blob):\n{branches}    return pickle.loads(blob)\n")
    code, out, _ = _run(capsys, "fs", str(tmp_path), "--scanners", "sast", "--sast-engine", "quality",
                        "--complexity", "5", "-f", "json")
    assert code == 0
    assert [(f["rule_id"], f["message"]) for f in json.loads(out)["findings"]] == [
        ("quality-complexity", "`f` has cyclomatic complexity 7 (threshold 5)")]  # no Ruff finding: not chosen
    code, out, _ = _run(capsys, "fs", str(tmp_path), "--scanners", "sast", "-f", "json")
    assert {f["rule_id"] for f in json.loads(out)["findings"]} == {"S301", "S403"}  # pickle; threshold 15


@pytest.mark.parametrize(("args", "message"), [
    (["--sast-engine", "pmd"], "unknown SAST engine 'pmd': expected one of ruff, quality, bandit, semgrep"),
    (["--complexity", "0"], "Invalid value for '--complexity'"),
    (["--semgrep-rules", "rules.yaml"], "--semgrep-rules needs --sast-engine semgrep"),
    (["--scanners", "vuln", "--complexity", "3"], "apply to the sast scanner: add it to --scanners"),
])
def test_fs_sast_options_mistakes_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                        message: str) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    scanners = [] if "--scanners" in args else ["--scanners", "sast"]
    code, _, err = _run(capsys, "fs", str(tmp_path), *scanners, *args)
    assert code == 2 and message in err and "Traceback" not in err
