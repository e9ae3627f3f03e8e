"""The directory walker: ignores, dependency folders, user globs, links, unreadable folders."""

from __future__ import annotations

from pathlib import Path

from shiftsec.model import ScanError
from shiftsec.targets.directory import WalkOptions, walk
from tests.conftest import as_unprivileged_user, unprivileged_workdir

LOCKS = ("package-lock.json", "poetry.lock", "go.mod", "Cargo.lock")


def _wanted(rel: str) -> bool:
    return rel.rsplit("/", 1)[-1] in LOCKS


def _tree(root: Path, files: list[str]) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def _walk(root: Path, **options: object) -> tuple[list[str], list[ScanError]]:
    errors: list[ScanError] = []
    found = list(walk(root, _wanted, WalkOptions(**options), errors))  # type: ignore[arg-type]
    return found, errors


def test_finds_lockfiles_and_skips_what_it_should(tmp_path: Path) -> None:
    _tree(tmp_path, [
        "package-lock.json", "app/poetry.lock", "app/README.md", "svc/go.mod",
        "node_modules/left-pad/package-lock.json", ".git/objects/go.mod", ".venv/lib/poetry.lock",
        "ignored/Cargo.lock", "build/Cargo.lock", "keep/build/Cargo.lock",
    ])
    (tmp_path / ".gitignore").write_text("/ignored/\nbuild/\n!keep/build/\n")
    found, errors = _walk(tmp_path)
    # keep/build is re-included by the negation (git does the same: its parent is not excluded)
    assert found == ["package-lock.json", "app/poetry.lock", "keep/build/Cargo.lock", "svc/go.mod"]
    assert errors == []


def test_options(tmp_path: Path) -> None:
    _tree(tmp_path, ["a/go.mod", "b/go.mod", "node_modules/x/go.mod", "tests/fixtures/go.mod", "ig/go.mod"])
    (tmp_path / ".gitignore").write_text("ig/\n")
    assert _walk(tmp_path, skip_dirs=("b",))[0] == ["a/go.mod", "tests/fixtures/go.mod"]
    assert _walk(tmp_path, skip_dirs=("tests/*",))[0] == ["a/go.mod", "b/go.mod"]
    assert _walk(tmp_path, skip_files=("a/go.mod",))[0] == ["b/go.mod", "tests/fixtures/go.mod"]
    assert "node_modules/x/go.mod" in _walk(tmp_path, include_vendored=True)[0]
    assert "ig/go.mod" in _walk(tmp_path, respect_gitignore=False)[0]


def test_single_file_target(tmp_path: Path) -> None:
    _tree(tmp_path, ["go.mod"])
    assert _walk(tmp_path / "go.mod")[0] == ["go.mod"]


def test_symlink_loop_does_not_trap_the_walk(tmp_path: Path) -> None:
    _tree(tmp_path, ["a/go.mod"])
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self").symlink_to(tmp_path / "self")  # a link to itself
    found, _ = _walk(tmp_path)
    assert found == ["a/go.mod"]


def test_unreadable_folder_is_an_error() -> None:
    with unprivileged_workdir() as work:
        _tree(work, ["a/go.mod", "locked/go.mod"])

        def attempt() -> tuple[list[str], list[tuple[str, str]]]:
            found, errors = _walk(work)
            return found, [(e.path, e.message) for e in errors]

        found, errors = as_unprivileged_user(work, attempt, locked=["locked"])
    assert found == ["a/go.mod"]
    assert errors == [["locked", "cannot read folder: Permission denied"]]
