"""The tree inventory: parallel parsing gives exactly what sequential parsing gives; edges become purls."""

from __future__ import annotations

import shutil
from pathlib import Path

from shiftsec.targets.directory import WalkOptions
from shiftsec.targets.tree import inventory
from tests.conftest import REPO_ROOT

DEMO = REPO_ROOT / "examples" / "demo-app"


def test_parallel_and_sequential_agree(tmp_path: Path) -> None:
    for i in range(60):  # 5 lockfiles a copy: 300 files, above the threshold for worker processes
        shutil.copytree(DEMO, tmp_path / f"copy{i:02d}", ignore=shutil.ignore_patterns("*.md", "*.cdx.json"))
    (tmp_path / "copy07" / "web" / "Gemfile.lock").write_text("GEM\n  specs:\n    broken (")  # one bad file
    sequential = inventory(tmp_path, WalkOptions(), workers=1)
    parallel = inventory(tmp_path, WalkOptions(), workers=2)
    assert sequential.files == parallel.files == 300
    assert parallel.packages == sequential.packages
    assert parallel.errors == sequential.errors
    assert len(sequential.packages) == 60 * len(inventory(DEMO, WalkOptions()).packages) - 6  # its 6 gems are gone
    assert ("copy07/web/Gemfile.lock", "line 3: gem 'broken (' has no version") in {
        (e.path, e.message) for e in parallel.errors}


def test_edges_are_purls_within_the_file() -> None:
    packages = {p.name: p for p in inventory(DEMO, WalkOptions()).packages if p.location.path == "web/Gemfile.lock"}
    assert packages["sinatra"].direct is True and packages["rack"].direct is False
    assert set(packages["sinatra"].depends_on) == {
        "pkg:gem/mustermann@1.1.2", "pkg:gem/rack@2.2.3", "pkg:gem/rack-protection@2.0.8.1", "pkg:gem/tilt@2.0.10"}
