"""Quality metrics as policy conditions, on new code only: in a real git repository, a branch that moves an
old complex function, adds a new one and copies a block twice fails `shiftsec ci --diff-base main` on exactly
the new complex function and on the duplication count over `max_allowed`; the fixing commit passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sast.test_quality import BLOCK
from tests.test_ci_e2e import _ci, _commit, _git

POLICY = """\
policy:
  fail:
    - name: complexity
      rule: quality-complexity
    - name: duplication
      rule: quality-duplication
      max_allowed: 1
"""


def branching(name: str, count: int, arg: str = "kind") -> str:
    """A function of cyclomatic complexity `count + 1` (two with the same `arg` are duplicated code too)."""
    body = "".join(f"    if {arg} == {i}:\n        return {i}\n" for i in range(count))
    return f"def {name}({arg}):\n{body}    return -1\n"


def test_complexity_and_duplication_gate_new_code_only(tmp_path: Path, smallvec_db: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, {"shiftsec.yaml": POLICY, "app/routes.py": branching("route", 17), "app/a.py": BLOCK},
            "main: one complex function already")

    _git(repo, "checkout", "-q", "-b", "feature")
    _commit(repo, {
        "app/routes.py": '"""Routes."""\n\nimport os\n\n\n' + branching("route", 17) + "\n\n"
                         + branching("dispatch", 16, "code"),
        "app/b.py": BLOCK,
        "app/c.py": BLOCK,
    }, "feature: a new complex function and two copies")
    code, out, report = _ci(capsys, repo, smallvec_db, "--diff-base", "main")
    assert code == 1, out
    findings = {f["fingerprint"]: f for f in report["findings"]}  # type: ignore[union-attr]
    rules = {rule["name"]: rule for rule in report["policy"]["rules"]}  # type: ignore[index]
    [complex_fp] = rules["complexity"]["failing"]
    assert findings[complex_fp]["message"] == "`dispatch` has cyclomatic complexity 17 (threshold 15)"
    old = [f for f in findings.values() if f["message"].startswith("`route`")]
    assert [f["change"] for f in old] == ["existing"]  # moved, not new
    assert sorted(findings[fp]["location"]["path"] for fp in rules["duplication"]["failing"]) == [
        "app/b.py", "app/c.py"]
    # the verdict says which function and which copy
    assert ("quality-complexity  `dispatch` has cyclomatic complexity 17 (threshold 15)  at app/routes.py:44"
            in out)
    assert "quality-duplication  lines 2-12 duplicate app/a.py:2-12 (11 logical lines)  at app/b.py:2" in out

    simpler = branching("route", 17) + "\n\n" + branching("dispatch", 3, "code")
    _commit(repo, {"app/c.py": None, "app/routes.py": simpler}, "feature: one copy left, dispatch simplified")
    code, out, report = _ci(capsys, repo, smallvec_db, "--diff-base", "main")
    assert code == 0, out
    assert [f["rule_id"] for f in report["findings"] if f["change"] == "new"] == [  # type: ignore[union-attr]
        "quality-duplication"]
