"""`shiftsec engines install|list` for real: Bandit installed by the command from the local wheelhouse `.ci/run`
fills (never the network), errors as one line plus a hint with exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shiftsec.cli import run
from tests.sast.test_external import wheelhouse


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture(scope="module")
def wheels() -> Path:
    folder = wheelhouse()
    if not any(folder.glob("bandit-*.whl")):
        why = f"no bandit wheel in {folder}: run .ci/run once to download the engines' wheels"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return folder


@pytest.fixture
def xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session's cache folder (the one `tests/sast/test_external.py` installs into too: reused when there)."""
    cache = tmp_path_factory.getbasetemp() / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def test_install_then_list(wheels: Path, xdg: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _run(capsys, "engines", "install", "bandit", f"--pip-arg=--find-links={wheels}",
                          "--pip-arg=--no-index")
    exe = xdg / "shiftsec" / "engines" / "bandit" / "bin" / "bandit"
    assert (code, err) == (0, "")
    assert out.startswith(f"bandit: {exe} (bandit 1.")
    assert out.endswith(")\n") and out.count("\n") == 1
    version = out[len(f"bandit: {exe} ("):-2]

    code, out, _ = _run(capsys, "engines", "list", "--semgrep", str(tmp_path / "no-semgrep"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["bandit", "installed", *version.split(), str(exe)]
    assert lines[1].startswith("semgrep  not installed  (looked in ")

    code, out, _ = _run(capsys, "engines", "list", "--format", "json", "--semgrep", str(tmp_path / "no-semgrep"))
    assert code == 0
    assert json.loads(out) == [
        {"name": "bandit", "installed": True, "version": version, "path": str(exe),
         "home": str(xdg / "shiftsec" / "engines" / "bandit")},
        {"name": "semgrep", "installed": False, "version": None, "path": None, "home": str(tmp_path / "no-semgrep")},
    ]

    # again: reused, same answer
    code, out, _ = _run(capsys, "engines", "install", "bandit", "--pip-arg=--no-index")
    assert (code, out) == (0, f"bandit: {exe} ({version})\n")


def test_install_into_a_home_folder(wheels: Path, tmp_path_factory: pytest.TempPathFactory,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path_factory.getbasetemp() / "xdg" / "shiftsec" / "engines" / "bandit"
    code, out, _ = _run(capsys, "engines", "install", "bandit", "--home", str(home),
                        "--pip-arg", f"--find-links={wheels}", "--pip-arg", "--no-index")
    assert code == 0
    assert out.startswith(f"bandit: {home / 'bin' / 'bandit'} (bandit ")


def test_install_without_wheels_is_one_line_and_a_hint(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = _run(capsys, "engines", "install", "bandit", "--home", str(tmp_path / "home"),
                          f"--pip-arg=--find-links={tmp_path / 'empty'}", "--pip-arg=--no-index")
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("shiftsec: error: pip could not install bandit: ")
    assert lines[1] == ("hint: offline? install from a folder of wheels: shiftsec engines install bandit "
                        "--pip-arg=--find-links=DIR --pip-arg=--no-index")


def test_broken_home(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "shiftsec" / "engines" / "bandit"
    exe = home / "bin" / "bandit"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\nexit 1\n")
    exe.chmod(0o755)
    code, _, err = _run(capsys, "engines", "install", "bandit", "--home", str(home))
    assert code == 2
    assert err.splitlines() == [f"shiftsec: error: bandit in {home} is broken: `{exe} --version` fails",
                                f"hint: delete {home} and run `shiftsec engines install bandit` again"]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code, out, _ = _run(capsys, "engines", "list")
    assert code == 0
    assert out.splitlines()[0] == (f"bandit   broken         `{exe} --version` fails: delete {home} and run "
                                   "`shiftsec engines install bandit`")


def test_unknown_engine_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "engines", "install", "pylint")
    assert code == 2
    assert "'pylint' is not one of 'bandit', 'semgrep'" in err


def test_list_in_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "shiftsec", "engines", "list", "--format", "json"],
                          capture_output=True, text=True, env=env, check=False)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert [(row["name"], row["installed"]) for row in json.loads(proc.stdout)] == [("bandit", False),
                                                                                     ("semgrep", False)]


def test_list_reads_the_engine_paths_of_the_config(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "tools" / "bandit-venv" / "bin" / "bandit"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\nexit 1\n")  # a broken install: `--version` fails
    exe.chmod(0o755)
    (tmp_path / "shiftsec.yaml").write_text("scanners:\n  sast:\n    bandit: tools/bandit-venv\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "engines", "list", "--format", "json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert (rows["bandit"]["path"], rows["bandit"]["installed"]) == (str(exe), False)  # the configured one
    assert rows["semgrep"]["home"] == str(tmp_path / "cache" / "shiftsec" / "engines" / "semgrep")
    code, _, err = _run(capsys, "engines", "list", "--config", str(tmp_path / "missing.yaml"))
    assert code == 2 and "missing.yaml" in err
