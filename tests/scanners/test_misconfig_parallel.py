"""Forked workers give the same misconfiguration result as one process: the same findings in the same order, the
same errors, and the checks over the whole set of files (namespaces without a NetworkPolicy) still see every
object."""

from __future__ import annotations

from pathlib import Path

import pytest

from shiftsec.scanners import misconfig
from shiftsec.targets.directory import WalkOptions, walk
from tests.conftest import shared


def test_workers_change_nothing_but_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared("k8s", "checkov")
    rels = list(walk(root, misconfig.wanted, WalkOptions(), []))
    one = misconfig.scan_files(root, rels, options=misconfig.Options(), workers=1)
    monkeypatch.setattr(misconfig, "PARALLEL_FROM_BYTES", 0)
    two = misconfig.scan_files(root, rels, options=misconfig.Options(), workers=2)
    assert len(one.findings) > 4000 and len(one.errors) == 5
    assert two.findings == one.findings
    assert two.errors == one.errors
    assert any(f.rule_id == "k8s-no-network-policy" for f in two.findings)


def test_small_trees_stay_in_one_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n")
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec: {containers: []}\n")

    def no_fork(*_: object) -> None:
        raise AssertionError("forked for two small files")

    monkeypatch.setattr(misconfig, "_in_workers", no_fork)
    result = misconfig.scan_files(tmp_path, ["a.yaml", "b.yaml"], options=misconfig.Options(), workers=2)
    assert {f.location.path for f in result.findings if f.location} == {"a.yaml", "b.yaml"}
