"""The secret scanner: files and commit blocks in, redacted findings out; worker processes change nothing."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from shiftsec.cli import FIXTURE_DIRS
from shiftsec.model import Commit, FindingType, SuppressionKind
from shiftsec.scanners.secrets import DEFAULT_FIXTURE_DIRS, FileFilter, read_capped, redact, scan_blocks, scan_files
from shiftsec.secrets.api import Rule
from shiftsec.secrets.engine import Engine
from shiftsec.targets.git import AddedBlock

TOKEN = Rule(id="demo-token", title="Demo token", regex=r"\b(tok_[a-z0-9]{12})\b", secret_group=1, keywords=("tok_",))
RULES = (TOKEN,)


def _token(rng: random.Random) -> str:
    return "tok_" + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(12))


def _engine() -> Engine:
    return Engine(RULES)


def test_workers_find_the_same_in_the_same_order(tmp_path: Path) -> None:
    rng = random.Random(3)
    rels = []
    for i in range(60):
        rel = f"d{i % 7}/f{i}.txt"
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        body = "filler line\n" * rng.randrange(1, 3000)
        (tmp_path / rel).write_text(body + (f"key = {_token(rng)}\n" if i % 3 == 0 else ""))
        rels.append(rel)
    (tmp_path / "big.txt").write_text("x" * 50_000)
    rels.append("big.txt")
    one = scan_files(tmp_path, rels, _engine(), RULES, workers=1, max_bytes=40_000)
    # worker processes (forked on Linux, sharing the engine; elsewhere spawned, each calling the factory)
    many = scan_files(tmp_path, rels, _engine(), RULES, workers=2, parallel_from=0, factory=_engine, max_bytes=40_000)
    assert one == many
    assert len(one.findings) == 20 and one.files == len(rels)
    assert [(e.path, e.kind) for e in one.errors] == [("big.txt", "skipped")]
    assert "larger than 39 KiB" in one.errors[0].message and "--secret-max-mb" in one.errors[0].message


def test_read_capped(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a" * 100)
    assert read_capped(str(path), 100) == b"a" * 100
    assert read_capped(str(path), 99) is None
    assert read_capped(str(path), 0) == b"a" * 100  # 0: no limit


def test_a_file_root(tmp_path: Path) -> None:
    token = _token(random.Random(1))
    (tmp_path / "one.env").write_text(f"TOKEN={token}\n")
    result = scan_files(tmp_path / "one.env", ["one.env"], _engine(), RULES)
    assert [(f.location.path, f.location.line) for f in result.findings if f.location] == [("one.env", 1)]


def _block(sha: str, path: str, text: str, lines: tuple[int, ...], truncated: bool = False) -> AddedBlock:
    commit = Commit(sha * 40, "Ann Dev", "ann@example.org", f"2026-11-0{sha}T10:00:00+00:00")
    return AddedBlock(commit, path, text.encode(), lines, truncated)


def test_blocks_map_lines_and_keep_the_oldest_commit() -> None:
    token = _token(random.Random(2))
    blocks = [  # newest first, as git log lists them
        _block("3", "app.py", f"x\nTOKEN = '{token}'\n", (40, 41)),
        _block("2", "other.py", f"{token}\n", (7,)),
        _block("1", "app.py", f"TOKEN = '{token}'  # first\n", (12,)),
        _block("1", "ok.py", f"TOKEN = '{token}'  # shiftsec:ignore\n", (3,)),
    ]
    result = scan_blocks(blocks, _engine(), RULES)
    found = {(f.location.path, f.location.line, f.location.commit.sha[0]): f for f in result.findings
             if f.location and f.location.commit}
    assert set(found) == {("app.py", 12, "1"), ("other.py", 7, "2"), ("ok.py", 3, "1")}
    # the inline ignore keeps its finding, marked suppressed where the comment is
    ignored = found["ok.py", 3, "1"].suppression
    assert ignored is not None and (ignored.kind, ignored.source) == (SuppressionKind.INLINE, "ok.py:3")
    assert [k for k, f in found.items() if f.suppression is None] == [("app.py", 12, "1"), ("other.py", 7, "2")]
    assert found["app.py", 12, "1"].message.endswith("(added by 2 commits; the oldest is shown)")
    assert "commit 111111111111, Ann Dev, 2026-11-01" in found["app.py", 12, "1"].message
    assert all(f.type is FindingType.SECRET and f.evidence == redact(token) for f in result.findings)
    assert token[4:] not in repr(result)
    assert result.files == 4 and result.errors == ()


def test_a_truncated_block_is_reported() -> None:
    result = scan_blocks([_block("1", "dump.sql", "nothing\n", (1,), truncated=True)], _engine(), RULES,
                         limit=1 << 20)
    assert [(e.path, e.kind) for e in result.errors] == [(f"dump.sql in commit {'1' * 12}", "skipped")]
    assert "more than 1 MiB added" in result.errors[0].message


@pytest.mark.parametrize(
    ("secret", "shown"), [("ghp_" + "a" * 36, "ghp_… (40 characters)"), ("hunter2", "hu… (7 characters)")]
)
def test_redact(secret: str, shown: str) -> None:
    assert redact(secret) == shown


@pytest.mark.parametrize(
    ("rel", "default", "generated", "no_fixtures"),
    [
        ("app/settings.py", True, True, True),
        ("package-lock.json", False, True, True),
        ("web/dist/app.min.js", False, True, True),
        ("web/dist/app.js.map", False, True, True),
        ("assets/logo.png", False, False, False),  # binary formats: never
        ("tests/fixtures/keys.pem", False, False, True),
        ("pkg/testdata/token.txt", False, False, True),
        ("src/__snapshots__/x.snap", False, False, True),
        ("fixtures.py", True, True, True),  # a file named like a fixture folder is not in one
        ("testdata", True, True, True),
    ],
)
def test_file_filter(rel: str, default: bool, generated: bool, no_fixtures: bool) -> None:
    assert FileFilter().wanted(rel) is default
    assert FileFilter(include_generated=True).wanted(rel) is generated
    assert FileFilter(include_generated=True, fixture_dirs=()).wanted(rel) is no_fixtures


def test_history_blocks_are_filtered_like_files() -> None:
    token = _token(random.Random(4))
    blocks = [_block("1", "package-lock.json", f'"x": "{token}"\n', (3,)), _block("1", "a/testdata/t", token, (1,)),
              _block("1", "app.py", token, (9,))]
    found = scan_blocks(blocks, _engine(), RULES)
    assert [(f.location.path, f.location.line) for f in found.findings if f.location] == [("app.py", 9)]
    assert found.files == 1
    everything = scan_blocks(blocks, _engine(), RULES, file_filter=FileFilter(include_generated=True, fixture_dirs=()))
    assert len(everything.findings) == 3


def test_cli_default_fixture_dirs_match_the_scanner() -> None:
    assert tuple(FIXTURE_DIRS.split(",")) == DEFAULT_FIXTURE_DIRS
