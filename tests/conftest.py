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
