"""The seeds' story, end to end, in a real git repository made by the test: `main` is clean and passes; a
branch adds a vulnerable dependency, a cloud key and a privileged pod, and `shiftsec ci --diff-base main`
fails naming exactly those three with their fixes; a later commit fixes them and it passes. A finding that
already existed on `main` never fails a branch under `new_only: true`."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
from pathlib import Path

import pytest

from shiftsec.cli import run
from tests.conftest import CARGO

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: payments
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
    - name: agent
      image: registry.example.com/agent@sha256:{digest}
      securityContext:
        privileged: {privileged}
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: {drop: [ALL]}
      resources:
        requests: {cpu: 100m, memory: 64Mi}
        limits: {memory: 64Mi}
"""


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.org",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.org", "GIT_CONFIG_NOSYSTEM": "1",
           "HOME": str(repo.parent)}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def _commit(repo: Path, files: dict[str, str | None], message: str) -> None:
    for rel, text in files.items():
        path = repo / rel
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


def _ci(capsys: pytest.CaptureFixture[str], repo: Path, db: Path, *extra: str) -> tuple[int, str, dict[str, object]]:
    report = repo.parent / "report.json"
    code = run(["ci", str(repo), "--db", str(db), "--output", f"json={report}", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, json.loads(report.read_text())


def _failing(report: dict[str, object]) -> set[tuple[str, str]]:
    by_print = {f["fingerprint"]: f for f in report["findings"]}  # type: ignore[index,union-attr]
    return {(rule["name"], by_print[fp]["rule_id"])  # type: ignore[index]
            for rule in report["policy"]["rules"] for fp in rule["failing"]}  # type: ignore[index]


def test_the_pull_request_story(tmp_path: Path, smallvec_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    digest = "0" * 64
    _commit(repo, {
        "Cargo.lock": CARGO.replace("{version}", "1.6.1"),
        "src/main.rs": "fn main() {}\n",
        "deploy/pod.yaml": POD.replace("{digest}", digest).replace("{privileged}", "false"),
    }, "main: a clean service")
    code, out, report = _ci(capsys, repo, smallvec_db)
    assert code == 0, out
    assert out.startswith("PASSED: no finding breaks the policy (built-in defaults)")
    assert report["policy"]["passed"] is True  # type: ignore[index]

    # The branch: a vulnerable dependency, a cloud key, a privileged pod.
    _git(repo, "checkout", "-q", "-b", "feature")
    rng = random.Random(5)
    key = "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    _commit(repo, {
        "Cargo.lock": CARGO.replace("{version}", "1.6.0"),
        "app/settings.py": f'AWS_ACCESS_KEY_ID = "{key}"\n',
        "deploy/pod.yaml": POD.replace("{digest}", digest).replace("{privileged}", "true"),
    }, "feature: everything wrong")
    code, out, report = _ci(capsys, repo, smallvec_db, "--diff-base", "main")
    assert code == 1
    assert _failing(report) == {
        ("vulnerabilities", "CVE-2021-25900"),
        ("secrets", "aws-access-key-id"),
        ("misconfigurations", "pss-privileged"),
    }
    assert report["policy"]["baseline"] == "git:main" and report["policy"]["new_only"] is True  # type: ignore[index]
    assert out.startswith("FAILED: 3 findings break the policy (built-in defaults)"), out
    # each with where it is and how to fix it
    assert "smallvec 1.6.0 (Cargo.lock:10): 1 advisory (CVE-2021-25900)" in out
    assert "fix: upgrade smallvec to 1.6.1" in out
    assert "aws-access-key-id  AWS access key ID  at app/settings.py:1" in out
    assert "fix: Deactivate and delete the key in the AWS IAM console" in out
    assert "pss-privileged  Privileged containers  at deploy/pod.yaml:14" in out
    assert "fix: Remove securityContext.privileged, or set it to false." in out
    assert key not in out and key[4:] not in json.dumps(report)
    assert not (tmp_path / "repo" / ".git" / "worktrees").exists() or not any(
        (tmp_path / "repo" / ".git" / "worktrees").iterdir())  # the base checkout is gone

    # The fix: back to a fixed version, the key gone, the pod unprivileged.
    _commit(repo, {
        "Cargo.lock": CARGO.replace("{version}", "1.6.1"),
        "app/settings.py": 'import os\n\nAWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]\n',
        "deploy/pod.yaml": POD.replace("{digest}", digest).replace("{privileged}", "false"),
    }, "feature: fixed")
    code, out, report = _ci(capsys, repo, smallvec_db, "--diff-base", "main")
    assert code == 0, out
    assert _failing(report) == set()


def test_an_existing_finding_never_fails_a_branch_under_new_only(tmp_path: Path, smallvec_db: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, {"Cargo.lock": CARGO.replace("{version}", "1.6.0")}, "main: already vulnerable")
    _git(repo, "checkout", "-q", "-b", "docs")
    _commit(repo, {"README.md": "# docs only\n"}, "docs: unrelated change")
    code, out, report = _ci(capsys, repo, smallvec_db, "--diff-base", "main")
    assert code == 0, out
    [finding] = [f for f in report["findings"] if f["type"] == "vulnerability"]  # type: ignore[union-attr]
    assert (finding["rule_id"], finding["change"], finding["status"]) == ("CVE-2021-25900", "existing", "open")
    assert "1 already in git:main" in out
    # the same branch under a policy that judges everything fails on it
    (repo / "strict.yaml").write_text("new_only: false\n")
    code, _, report = _ci(capsys, repo, smallvec_db, "--diff-base", "main", "--policy", str(repo / "strict.yaml"))
    assert code == 1 and _failing(report) == {("vulnerabilities", "CVE-2021-25900")}


def test_a_baseline_report_works_like_a_base_revision(tmp_path: Path, smallvec_db: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "Cargo.lock").write_text(CARGO.replace("{version}", "1.6.0"))
    code, _, first = _ci(capsys, tree, smallvec_db)
    assert code == 1
    saved = tmp_path / "main.json"
    saved.write_text(json.dumps(first))
    code, out, report = _ci(capsys, tree, smallvec_db, "--baseline", str(saved))
    assert code == 0, out
    assert {f["change"] for f in report["findings"]} == {"existing"}  # type: ignore[union-attr]


@pytest.mark.parametrize(("args", "message"), [
    (["--diff-base", "no-such-branch"], "--diff-base no-such-branch: no such revision"),
    (["--baseline", "missing.json"], "missing.json: no such file"),
    (["--baseline", "x.json", "--diff-base", "main"], "--baseline and --diff-base: choose one"),
    (["--output", "yaml=out.yaml"], "--output 'yaml=out.yaml': expected FORMAT=FILE"),
])
def test_bad_gate_options_are_one_line(tmp_path: Path, smallvec_db: Path, capsys: pytest.CaptureFixture[str],
                                       args: list[str], message: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, {"Cargo.lock": CARGO.replace("{version}", "1.6.1")}, "init")
    os.chdir(tmp_path)
    assert run(["ci", str(repo), "--db", str(smallvec_db), *args]) == 2
    err = capsys.readouterr().err
    assert message in err.splitlines()[0] and "Traceback" not in err
