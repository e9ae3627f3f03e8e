"""The git target: `parse_patch` on hand-written `git log -p -U0` output, and `added_blocks` on real repositories
made here with the git binary (history, --since, --range, --staged, and the ways they fail)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from shiftsec.errors import InputError
from shiftsec.model import Commit
from shiftsec.targets.git import AddedBlock, Selection, added_blocks, parse_patch

SHA1 = "1" * 40
SHA2 = "2" * 40


def header(sha: str, author: str = "Ann Dev", email: str = "ann@example.org",
           date: str = "2026-11-01T10:00:00+01:00") -> bytes:
    return f"\x00{sha}\x1f{author}\x1f{email}\x1f{date}\n".encode()


def blocks(text: bytes, limit: int = 0) -> list[tuple[str, bytes, tuple[int, ...], bool, str | None]]:
    return [(b.path, b.data, b.lines, b.truncated, b.commit.sha if b.commit else None)
            for b in parse_patch(text.splitlines(keepends=True), limit=limit)]


TWO_COMMITS = (
    header(SHA2)
    + b"\n"
    + b"diff --git a/app.py b/app.py\n"
    + b"index 1111111..2222222 100644\n"
    + b"--- a/app.py\n"
    + b"+++ b/app.py\n"
    + b"@@ -2 +2 @@ def main():\n"
    + b"-    token = 'old'\n"
    + b"+    token = 'new'\n"
    + b"@@ -10,0 +11,2 @@\n"
    + b"+one\n"
    + b"+two\n"
    + header(SHA1)
    + b"\n"
    + b"diff --git a/app.py b/app.py\n"
    + b"new file mode 100644\n"
    + b"--- /dev/null\n"
    + b"+++ b/app.py\n"
    + b"@@ -0,0 +1,3 @@\n"
    + b"+def main():\n"
    + b"+    token = 'old'\n"
    + b"+    return 0\n"
)


@pytest.mark.parametrize(
    ("name", "patch", "expected"),
    [
        ("two commits, hunks mapped to file lines", TWO_COMMITS, [
            ("app.py", b"    token = 'new'\none\ntwo\n", (2, 11, 12), False, SHA2),
            ("app.py", b"def main():\n    token = 'old'\n    return 0\n", (1, 2, 3), False, SHA1),
        ]),
        ("a deleted file adds nothing", header(SHA1) + b"diff --git a/x b/x\ndeleted file mode 100644\n"
         b"--- a/x\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-secret\n-more\n", []),
        ("a binary file adds no lines", header(SHA1) + b"diff --git a/k.bin b/k.bin\nnew file mode 100644\n"
         b"Binary files /dev/null and b/k.bin differ\n", []),
        ("content that looks like headers stays content", header(SHA1) + b"diff --git a/d.txt b/d.txt\n"
         b"--- a/d.txt\n+++ b/d.txt\n@@ -0,0 +1,3 @@\n++++ b/other\n+diff --git a/y b/y\n+@@ -1 +1 @@\n", [
             ("d.txt", b"+++ b/other\ndiff --git a/y b/y\n@@ -1 +1 @@\n", (1, 2, 3), False, SHA1),
         ]),
        ("no newline at end of file", header(SHA1) + b"diff --git a/n b/n\n--- a/n\n+++ b/n\n@@ -1 +1 @@\n"
         b"-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n", [
             ("n", b"b\n", (1,), False, SHA1),
         ]),
        ("a quoted path with octal escapes and a tab", header(SHA1) + b'diff --git "a/t\\303\\251st\\tx" '
         b'"b/t\\303\\251st\\tx"\n--- /dev/null\n+++ "b/t\\303\\251st\\tx"\n@@ -0,0 +1 @@\n+k\n', [
             ("tést\tx", b"k\n", (1,), False, SHA1),
         ]),
        ("a path with a space ends at the tab git appends", header(SHA1) + b"diff --git a/s p b/s p\n"
         b"--- /dev/null\n+++ b/s p\t\n@@ -0,0 +1 @@\n+k\n", [
             ("s p", b"k\n", (1,), False, SHA1),
         ]),
        ("git diff --cached output has no commit", b"diff --git a/s b/s\n--- a/s\n+++ b/s\n@@ -3,0 +4 @@\n+x\n", [
            ("s", b"x\n", (4,), False, None),
        ]),
        ("CRLF content keeps its carriage return", header(SHA1) + b"diff --git a/w b/w\n--- /dev/null\n"
         b"+++ b/w\n@@ -0,0 +1 @@\n+x\r\n", [
             ("w", b"x\r\n", (1,), False, SHA1),
         ]),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_parse_patch(name: str, patch: bytes, expected: list[object]) -> None:
    assert blocks(patch) == expected


def test_parse_patch_commit_fields() -> None:
    (block, _) = parse_patch(TWO_COMMITS.splitlines(keepends=True))
    assert block.commit == Commit(SHA2, "Ann Dev", "ann@example.org", "2026-11-01T10:00:00+01:00")


def test_parse_patch_caps_a_block() -> None:
    patch = header(SHA1) + b"diff --git a/big b/big\n--- /dev/null\n+++ b/big\n@@ -0,0 +1,4 @@\n" + b"+0123456789\n" * 4
    assert blocks(patch, limit=25) == [("big", b"0123456789\n0123456789\n", (1, 2), True, SHA1)]


def test_parse_patch_streams() -> None:
    """Blocks come out while the input is still being read (history is never held whole)."""
    consumed = 0

    def lines() -> object:
        nonlocal consumed
        for line in TWO_COMMITS.splitlines(keepends=True):
            consumed += 1
            yield line

    first = next(parse_patch(lines()))  # type: ignore[arg-type]
    assert first.path == "app.py"
    assert consumed < len(TWO_COMMITS.splitlines())


# --- real repositories ------------------------------------------------------------------------------------


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={**base, **(env or {})}).stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str, *, author: str = "Ann Dev",
           date: str = "2026-11-01T10:00:00+01:00") -> str:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "add", "-A")
    env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "dev@example.org", "GIT_AUTHOR_DATE": date,
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "dev@example.org", "GIT_COMMITTER_DATE": date}
    git(repo, "commit", "-q", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path


def summary(found: list[AddedBlock]) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(b.commit.sha[:7] if b.commit else "staged", b.path, b.lines) for b in found]


def test_history_since_and_range(repo: Path) -> None:
    first = commit(repo, {"a.txt": "one\ntwo\n"}, "first")
    second = commit(repo, {"a.txt": "one\nTWO\nthree\n", "b.txt": "b\n"}, "second", author="Bo Ops",
                    date="2026-11-02T09:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "side", first)
    side = commit(repo, {"c.txt": "side\n"}, "side")
    git(repo, "checkout", "-q", "main")

    everything = list(added_blocks(repo, Selection()))
    assert sorted(summary(everything)) == sorted([
        (second[:7], "a.txt", (2, 3)), (second[:7], "b.txt", (1,)), (side[:7], "c.txt", (1,)),
        (first[:7], "a.txt", (1, 2)),
    ])  # every branch (--all), not only HEAD
    by_sha = {b.commit.sha: b.commit for b in everything if b.commit}
    assert by_sha[second] == Commit(second, "Bo Ops", "dev@example.org", "2026-11-02T09:00:00+00:00")
    assert summary(list(added_blocks(repo, Selection(since=first)))) == [
        (second[:7], "a.txt", (2, 3)), (second[:7], "b.txt", (1,)),
    ]
    assert summary(list(added_blocks(repo, Selection(range=f"{first}..side")))) == [(side[:7], "c.txt", (1,))]
    assert sorted(summary(list(added_blocks(repo, Selection(range="main...side"))))) == sorted([
        (second[:7], "a.txt", (2, 3)), (second[:7], "b.txt", (1,)), (side[:7], "c.txt", (1,)),
    ])


def test_renamed_file_adds_only_its_changes(repo: Path) -> None:
    commit(repo, {"old.txt": "line\n" * 20}, "first")
    git(repo, "mv", "old.txt", "new.txt")
    (repo / "new.txt").write_text("line\n" * 20 + "added\n")
    moved = commit(repo, {}, "rename")
    assert [b for b in summary(list(added_blocks(repo, Selection()))) if b[0] == moved[:7]] == [
        (moved[:7], "new.txt", (21,)),
    ]


def test_staged(repo: Path) -> None:
    commit(repo, {"a.txt": "one\n"}, "first")
    (repo / "a.txt").write_text("one\nstaged\n")
    (repo / "unstaged.txt").write_text("not added\n")
    git(repo, "add", "a.txt")
    (repo / "a.txt").write_text("one\nstaged\nworking tree only\n")
    assert summary(list(added_blocks(repo, Selection(staged=True)))) == [("staged", "a.txt", (2,))]


def test_staged_in_a_repository_without_commits(repo: Path) -> None:
    (repo / "first.txt").write_text("hello\n")
    git(repo, "add", "first.txt")
    assert summary(list(added_blocks(repo, Selection(staged=True)))) == [("staged", "first.txt", (1,))]
    assert list(added_blocks(repo, Selection())) == []  # no history yet


def test_subfolder_of_a_work_tree(repo: Path) -> None:
    commit(repo, {"sub/a.txt": "x\n"}, "first")
    assert [b.path for b in added_blocks(repo / "sub", Selection())] == ["sub/a.txt"]


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (Selection(since="no-such-branch"), "--since 'no-such-branch': no such commit in"),
        (Selection(since="--output=/tmp/x"), "--since '--output=/tmp/x': not a git revision"),
        (Selection(range="main"), "--range 'main': expected A..B (or A...B)"),
        (Selection(range="main..nope"), "--range 'nope': no such commit in"),
        (Selection(range="-x..main"), "--range '-x': not a git revision"),
    ],
)
def test_bad_revisions(repo: Path, selection: Selection, message: str) -> None:
    commit(repo, {"a.txt": "x\n"}, "first")
    with pytest.raises(InputError, match="^" + message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        list(added_blocks(repo, selection))


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a git repository") as error:
        list(added_blocks(tmp_path, Selection()))
    assert error.value.hint == "use `shiftsec fs` for a plain folder"
    with pytest.raises(InputError, match="no such file or directory"):
        list(added_blocks(tmp_path / "missing", Selection()))
