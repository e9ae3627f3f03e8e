"""Shared test fixtures: where the public test corpora live.

The corpora in `../shared/data` (beside the repository) are real public data; tests read them in place.
"""

from __future__ import annotations

from pathlib import Path

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
