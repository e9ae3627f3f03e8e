"""Shared test fixtures: where the public test corpora live.

The corpora in `../shared/data` (beside the repository) are real public data; tests read them in place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()


def shared(*parts: str) -> Path:
    """Path of a file in the shared corpora; fails loudly (never skips) when the corpora are absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared test data missing: {path} (clone the project beside shared/)")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


ADVISORY_CORPORA = (
    "pypa",
    "golang-vulndb",
    "rustsec",
    "ghsa-maven-subset",
    "ruby-advisory-db",
    "php-security-advisories",
    "alpine-secdb",
)


@pytest.fixture(scope="session")
def full_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A database with every shared advisory corpus imported once (path, ImportResult)."""
    from shiftsec.vulndb.importing import import_paths
    from shiftsec.vulndb.store import Store

    path = tmp_path_factory.mktemp("db") / "db.sqlite"
    with Store.open(path, create=True) as store:
        result = import_paths(store, [shared("advisories", name) for name in ADVISORY_CORPORA])
    return path, result


@contextmanager
def unprivileged_workdir() -> Iterator[Path]:
    """A fresh folder under /tmp itself (pytest's tmp_path sits under a root-only folder)."""
    work = Path(tempfile.mkdtemp(prefix="shiftsec-perm-"))
    try:
        yield work
    finally:
        for path in [work, *work.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(work)


def as_unprivileged_user(work: Path, func: Callable[[], Any], *, locked: list[str]) -> Any:
    """Run `func()` with the folders `locked` (relative to `work`) made unreadable, as a user for whom that
    matters: directly when not root, else in a forked child that dropped root for `nobody` (no exec, so it
    needs nothing from root's home). The result travels back as JSON (tuples become lists)."""
    for rel in locked:
        (work / rel).chmod(0)
    if os.geteuid() != 0:
        return json.loads(json.dumps(func()))
    import pwd

    nobody = pwd.getpwnam("nobody")
    for path in [work, *work.rglob("*")]:
        if not any(path == work / rel or (work / rel) in path.parents for rel in locked):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            os.write(write_end, json.dumps(func()).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


# A Cargo.lock with smallvec at {version}: 1.6.0 has RUSTSEC-2021-0003 (CVE-2021-25900, CRITICAL), 1.6.1 fixes it.
CARGO = """\
version = 3

[[package]]
name = "agent"
version = "0.1.0"
dependencies = [
 "smallvec",
]

[[package]]
name = "smallvec"
version = "{version}"
source = "registry+https://github.com/rust-lang/crates.io-index"
"""


@pytest.fixture(scope="session")
def smallvec_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding RustSec's smallvec advisories only (fast to build)."""
    from shiftsec.vulndb.importing import import_paths
    from shiftsec.vulndb.store import Store

    path = tmp_path_factory.mktemp("smallvec-db") / "db.sqlite"
    with Store.open(path, create=True) as store:
        import_paths(store, [shared("advisories", "rustsec", "crates", "smallvec")])
    return path
