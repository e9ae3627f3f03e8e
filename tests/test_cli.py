"""The command line end to end: exit codes, one-line errors, outputs. Runs the real CLI in-process (and a
few times as a real subprocess) against real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shiftsec.cli import run
from shiftsec.vulndb.store import Store
from tests.conftest import REPO_ROOT, shared

DEMO_SBOM = REPO_ROOT / "examples" / "demo-app" / "sbom.cdx.json"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_version_in_a_real_process() -> None:
    for cmd in (["-m", "shiftsec", "--version"],):
        proc = subprocess.run([sys.executable, *cmd], capture_output=True, text=True, check=False)
        assert (proc.returncode, proc.stdout.strip()) == (0, "shiftsec 0.1.0")
    # --version must not pull in the heavy modules
    probe = (
        "import sys; from shiftsec.cli import run; run(['--version']); print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('rich', 'yaml', 'cvss', 'sqlite3', 'shiftsec')))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = json.loads(proc.stdout.splitlines()[-1].replace("'", '"'))
    # (the CLI's own modules only: no scanner, reporter, database or YAML code)
    assert loaded == ["shiftsec", "shiftsec.cli", "shiftsec.cli.common", "shiftsec.cli.db", "shiftsec.cli.engines",
                      "shiftsec.cli.gate", "shiftsec.cli.scan", "shiftsec.errors"]


def test_missing_database_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "db", "status", "--db", str(tmp_path / "none.sqlite"))
    assert code == 2
    assert err.splitlines() == [
        f"shiftsec: error: no advisory database at {tmp_path / 'none.sqlite'}",
        "hint: run `shiftsec db update` (online) or `shiftsec db import PATH` (offline) first",
    ]


def test_import_reports_invalid_records_and_status_counts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    linter = shared("advisories", "osv-schema", "tools", "osv-linter", "testdata")
    code, out, err = _run(capsys, "db", "import", str(linter), "--db", db)
    assert code == 0
    expected = "CVE-2023-41045.affected[0].ranges[0]: a range needs an 'introduced' event"
    assert f"skipped {linter}/nointroduced-CVE-2023-41045.json: {expected}" in err
    # the nondistinct-/nopackage- variants reuse the ids (and `modified`) of two valid records
    assert "9 added, 0 updated, 2 unchanged" in out
    code, out, err = _run(capsys, "db", "status", "--db", db)
    assert code == 0 and err == ""
    assert "9 advisories" in out.splitlines()[0]
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[2:5]}
    # RHSA/SUSE records have no affected packages and CVE-2023-41045 only GIT ranges: counted in no ecosystem
    assert rows == {"Alpine": ["1", "0"], "Go": ["2", "0"], "PyPI": ["3", "0"]}


def test_status_warns_when_old(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    with Store.open(db, create=True) as store:
        store.set_meta("updated_at", "2020-01-01T00:00:00Z")
    code, _, err = _run(capsys, "db", "status", "--db", str(db), "--max-age", "30")
    assert code == 0
    assert err.startswith("warning: the advisory database is ") and "more than 30" in err


def test_import_of_only_a_truncated_zip_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "all.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("A.json", json.dumps({"id": "A", "modified": "2024-01-01T00:00:00Z"}))
    bad = tmp_path / "cut.zip"
    bad.write_bytes(good.read_bytes()[:40])
    code, _, err = _run(capsys, "db", "import", str(bad), "--db", str(tmp_path / "db.sqlite"))
    assert code == 2
    assert "not a readable zip archive" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.json", b"", "empty"),
        ("other.json", b'{"foo": 1}', "not a CycloneDX or SPDX"),
        ("list.json", b"[1, 2]", "not a CycloneDX or SPDX"),
        ("junk.bin", bytes(range(256)) * 4, ""),
    ],
)
def test_sbom_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes,
                        message: str) -> None:
    file = tmp_path / name
    file.write_bytes(content)
    code, _, err = _run(capsys, "sbom", str(file), "--db", str(tmp_path / "db.sqlite"))
    assert code == 2
    assert len(err.strip().splitlines()) <= 2 and err.startswith("shiftsec: error: ")
    assert message.lower() in err.lower()


def test_sbom_missing_file_and_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for target in (tmp_path / "absent.json", tmp_path):
        code, _, err = _run(capsys, "sbom", str(target), "--db", str(tmp_path / "db.sqlite"))
        assert code == 2 and err.startswith("shiftsec: error: ")


def test_bad_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "sbom", "x.json", "--format", "pdf")
    assert code == 2 and "Invalid value for '-f' / '--format'" in err


def test_demo_sbom_end_to_end(capsys: pytest.CaptureFixture[str], full_db: tuple[Path, object], tmp_path: Path) -> None:
    db = str(full_db[0])
    code, out, err = _run(capsys, "sbom", str(DEMO_SBOM), "--db", db, "--format", "json")
    assert code == 0
    report = json.loads(out)
    found = {(f["package"]["name"], f["rule_id"]) for f in report["findings"]}
    assert ("jinja2", "CVE-2019-10906") in found
    assert ("jinja2", "CVE-2020-28493") in found
    assert ("golang.org/x/text", "CVE-2022-32149") in found
    assert not any(name == "click" for name, _ in found)
    assert report["errors"], "the component without a purl must be reported"

    code, _, err = _run(capsys, "sbom", str(DEMO_SBOM), "--db", db, "--fail-on", "high")
    assert code == 1 and "at or above HIGH" in err

    sarif = tmp_path / "out.sarif"
    code, out, _ = _run(capsys, "sbom", str(DEMO_SBOM), "--db", db, "-f", "sarif", "-o", str(sarif))
    assert code == 0 and out == ""
    assert json.loads(sarif.read_text())["version"] == "2.1.0"

    code, _, err = _run(capsys, "sbom", str(DEMO_SBOM), "--db", db, "-o", str(tmp_path / "no" / "dir" / "x"))
    assert code == 2 and err.startswith("shiftsec: error: cannot write")


def test_console_script_in_a_real_process(full_db: tuple[Path, object]) -> None:
    exe = Path(sys.executable).with_name("shiftsec")
    proc = subprocess.run([str(exe), "sbom", str(DEMO_SBOM), "--db", str(full_db[0])], capture_output=True, text=True,
                          check=False, env={**os.environ, "COLUMNS": "120"})
    assert proc.returncode == 0, proc.stderr
    assert "jinja2" in proc.stdout and "CVE-2019-10906" in proc.stdout


def test_real_scan_outputs_validate_against_their_schemas(capsys: pytest.CaptureFixture[str],
                                                          full_db: tuple[Path, object]) -> None:
    from importlib.resources import files

    import jsonschema

    db = str(full_db[0])
    code, out, _ = _run(capsys, "sbom", str(DEMO_SBOM), "--db", db, "-f", "json")
    assert code == 0
    schema = json.loads(files("shiftsec").joinpath("schemas/report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(out))

    code, out, _ = _run(capsys, "sbom", str(DEMO_SBOM), "--db", db, "-f", "sarif")
    assert code == 0
    sarif_schema = json.loads(shared("schemas", "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(sarif_schema).validate(json.loads(out))
    results = json.loads(out)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"CVE-2019-10906", "CVE-2022-32149"}


def test_update_offline_is_one_line_with_hint(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    code, _, err = _run(capsys, "db", "update", "--db", str(tmp_path / "db.sqlite"), "--base-url", url,
                        "--ecosystem", "PyPI", "--timeout", "5")
    assert code == 2
    first, hint = err.strip().splitlines()
    assert first.startswith(f"shiftsec: error: cannot download {url}/PyPI/all.zip: ")
    assert hint.startswith("hint: offline? import advisory files instead: `shiftsec db import PATH`")
    assert not (tmp_path / "db.sqlite").exists()
