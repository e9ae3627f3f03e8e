"""Large synthetic JavaScript lockfiles: every package and edge of a 2,000-package graph comes through.

How fast they parse is measured in benchmarks/, never asserted here (the project's rule: no timing
assertions in unit tests)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shiftsec.analyzers.api import Analyzer, InputFile
from shiftsec.analyzers.javascript import bun_lock, package_lock, pnpm_lock, yarn_lock
from tests.analyzers.javascript import _synthetic

CASES: list[tuple[str, Analyzer, str, Callable[..., bytes]]] = [
    ("package-lock", package_lock.ANALYZER, "package-lock.json", _synthetic.package_lock),
    ("yarn-v1", yarn_lock.ANALYZER, "yarn.lock", _synthetic.yarn_v1),
    ("yarn-berry", yarn_lock.ANALYZER, "yarn.lock", _synthetic.yarn_berry),
    ("pnpm-v9", pnpm_lock.ANALYZER, "pnpm-lock.yaml", _synthetic.pnpm_v9),
    ("bun", bun_lock.ANALYZER, "bun.lock", _synthetic.bun_lock),
]


@pytest.mark.parametrize(("label", "analyzer", "name", "build"), CASES, ids=[case[0] for case in CASES])
def test_thousands_of_packages(
    label: str, analyzer: Analyzer, name: str, build: Callable[..., bytes]
) -> None:
    big = InputFile(name, build(2000))
    parsed = analyzer.analyze(big)
    assert len({dep.name for dep in parsed.packages}) == 2000
    assert sum(len(dep.depends_on) for dep in parsed.packages) >= 2000 * 4
