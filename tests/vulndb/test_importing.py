"""`db import`: formats, incremental re-import, withdrawn and invalid records, damaged inputs."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from shiftsec.errors import InputError
from shiftsec.vulndb.importing import ImportResult, import_paths
from shiftsec.vulndb.store import Store
from tests.conftest import as_unprivileged_user, unprivileged_workdir


def _record(adv_id: str, modified: str = "2024-01-01T00:00:00Z", **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": adv_id,
        "modified": modified,
        "summary": f"summary of {adv_id}",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
            }
        ],
    }
    record.update(extra)
    return record


def _write(path: Path, record: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))
    return path


def _import(db: Path, *paths: Path) -> ImportResult:
    with Store.open(db, create=True) as store:
        return import_paths(store, list(paths))


def test_osv_json_yaml_and_envelopes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "a.json", _record("A-1"))
    _write(src / "list.json", [_record("B-1"), _record("B-2")])
    _write(src / "env.json", {"vulns": [_record("C-1")]})
    (src / "d.yaml").write_text(
        "id: D-1\nmodified: 2024-02-03T04:05:06Z\naffected:\n- package: {ecosystem: npm, name: left-pad}\n"
        "  versions: ['1.0.0']\n"
    )
    (src / "README.md").write_text("# not an advisory\n")
    result = _import(tmp_path / "db.sqlite", src)
    assert (result.added, result.errors) == (5, [])
    with Store.open(tmp_path / "db.sqlite") as store:
        record = json.loads(store.record("D-1") or "{}")
        # YAML timestamps stay the RFC 3339 strings OSV defines, not datetime objects
        assert record["modified"] == "2024-02-03T04:05:06Z"
        rows = store.affected_for("PyPI", ["demo-pkg"])  # PEP 503 normalized
        assert {r.advisory_id for r in rows["demo-pkg"]} == {"A-1", "B-1", "B-2", "C-1"}


def test_reimport_is_incremental(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "a.json", _record("A-1"))
    _write(src / "b.json", _record("B-1"))
    db = tmp_path / "db.sqlite"
    assert _import(db, src).added == 2

    again = _import(db, src)
    assert (again.files_seen, again.files_unchanged, again.added, again.updated) == (2, 2, 0, 0)

    # touched but identical content: read again, recognised by digest, nothing written
    os.utime(src / "a.json", (1, 1))
    touched = _import(db, src)
    assert (touched.files_unchanged, touched.added, touched.updated, touched.unchanged) == (2, 0, 0, 0)

    # same id, same modified, different content: the record is skipped (modified decides)
    _write(src / "b.json", _record("B-1", summary="edited without bumping modified"))
    same = _import(db, src)
    assert (same.unchanged, same.updated) == (1, 0)

    _write(src / "a.json", _record("A-1", modified="2024-06-01T00:00:00Z", summary="new text"))
    changed = _import(db, src)
    assert (changed.updated, changed.added) == (1, 0)
    with Store.open(db) as store:
        assert store.advisories(["A-1"])["A-1"].summary == "new text"
        assert store.count() == 2


def test_withdrawn_records_are_kept_but_marked(tmp_path: Path) -> None:
    _write(tmp_path / "w.json", _record("W-1", withdrawn="2024-03-01T00:00:00Z"))
    result = _import(tmp_path / "db.sqlite", tmp_path / "w.json")
    assert result.withdrawn == 1
    with Store.open(tmp_path / "db.sqlite") as store:
        assert store.advisories(["W-1"])["W-1"].withdrawn == "2024-03-01T00:00:00Z"


def test_invalid_records_are_reported_and_skipped(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _write(src / "good.json", _record("G-1"))
    _write(src / "nomod.json", {"id": "X-1"})
    (src / "broken.json").write_text('{"id": "X-2", "modified": ')
    (src / "broken.yaml").write_text("id: [unclosed\n")
    _write(src / "mixed.json", [_record("G-2"), {"id": "X-3", "modified": 5}])
    result = _import(tmp_path / "db.sqlite", src)
    assert result.added == 2
    reasons = {Path(e.path.split(" (")[0]).name: e.message for e in result.errors}
    assert set(reasons) == {"nomod.json", "broken.json", "broken.yaml", "mixed.json"}
    assert "missing required field 'modified'" in reasons["nomod.json"]
    assert reasons["broken.json"].startswith("not valid JSON")
    assert reasons["broken.yaml"].startswith("not valid YAML")
    assert "'modified' must be a string" in reasons["mixed.json"]
    # files with errors are read again next time, so the errors are not forgotten
    assert len(_import(tmp_path / "db.sqlite", src).errors) == 4


def test_zip_dump_and_truncated_zip(tmp_path: Path) -> None:
    dump = tmp_path / "all.zip"
    with zipfile.ZipFile(dump, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(20):
            archive.writestr(f"Z-{i}.json", json.dumps(_record(f"Z-{i}")))
    db = tmp_path / "db.sqlite"
    assert _import(db, dump).added == 20
    assert _import(db, dump).files_unchanged == 20

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    result = _import(db, truncated)
    assert result.added == 0
    assert len(result.errors) == 1 and "not a readable zip archive" in result.errors[0].message


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        _import(tmp_path / "db.sqlite", tmp_path / "absent")


def test_unreadable_directory_is_reported() -> None:
    """A directory we may not read becomes an error entry; the rest is imported."""
    with unprivileged_workdir() as work:
        src = work / "src"
        _write(src / "ok" / "a.json", _record("A-1"))
        _write(src / "locked" / "b.json", _record("B-1"))

        def attempt() -> tuple[int, list[str]]:
            result = _import(work / "db.sqlite", src)
            return result.added, [e.message for e in result.errors]

        added, messages = as_unprivileged_user(work, attempt, locked=["src/locked"])
    assert added == 1
    assert messages == ["cannot read: Permission denied"]


# --- the shared corpora --------------------------------------------------------------------------------


def test_every_shared_corpus_imports_without_crash(full_db: tuple[Path, ImportResult]) -> None:
    path, result = full_db
    with Store.open(path) as store:
        counts = {base: n for base, n, _ in store.counts_by_ecosystem()}
    print("\nadvisories per ecosystem:", counts, "\nerrors:", [(e.path, e.message) for e in result.errors])
    # one corpus per ecosystem; the counts are those of the source folders (see ../shared/data/README.md)
    assert counts["PyPI"] >= 2600
    assert counts["Go"] >= 4000
    assert counts["crates.io"] >= 1100
    assert counts["Maven"] >= 300
    assert counts["RubyGems"] >= 1000
    assert counts["Packagist"] >= 1500
    assert counts["Alpine"] >= 1000
    assert len(result.errors) <= 5, result.errors


def test_pypa_versions_lists_agree_with_ranges(full_db: tuple[Path, ImportResult]) -> None:
    """Each pypa record lists the affected versions explicitly: its ranges must say the same.

    For every record, the universe is every version any pypa record lists for that package; a version of the
    universe must be affected by the record's ranges exactly when the record lists it.
    """
    from shiftsec.model import Affected
    from shiftsec.vulndb.osv import parse_advisory
    from shiftsec.vulndb.ranges import compile_spec, spec_of

    with Store.open(full_db[0]) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM advisories WHERE id LIKE 'PYSEC-%'")]
        records = [parse_advisory(json.loads(store.record(i) or "")) for i in ids]
    assert len(records) >= 2600
    universe: dict[str, set[str]] = {}
    for adv in records:
        for entry in adv.affected:
            universe.setdefault(entry.name.lower(), set()).update(entry.versions)
    checked = agree = 0
    disagreements = []
    for adv in records:
        for entry in adv.affected:
            if not entry.versions or not entry.ranges:
                continue
            ranges_only = spec_of(Affected(ecosystem=entry.ecosystem, name=entry.name, ranges=entry.ranges))
            assert ranges_only is not None
            spec = compile_spec(ranges_only, "PyPI")
            listed = set(entry.versions)
            by_ranges = {v for v in universe[entry.name.lower()] if spec.affects(v)}
            checked += 1
            if by_ranges == listed:
                agree += 1
            else:
                disagreements.append((adv.id, sorted(listed ^ by_ranges)[:5]))
    rate = agree / checked
    print(f"\npypa versions-vs-ranges agreement: {agree}/{checked} = {rate:.2%}; first: {disagreements[:10]}")
    assert rate >= 0.97


def test_stored_bounds_never_hide_an_affected_version(full_db: tuple[Path, ImportResult]) -> None:
    """For every stored row of every corpus: no version the row mentions, nor the bound itself, is both past
    the bound and affected (the scan skips such rows without evaluating them)."""
    from shiftsec.vulndb.ranges import beyond, compile_spec

    with Store.open(full_db[0]) as store:
        rows = store.conn.execute("SELECT ecosystem, spec, upper FROM affected").fetchall()
    bounded = 0
    for ecosystem, spec, upper in rows:
        if upper is None:
            continue
        bounded += 1
        data = json.loads(spec)
        probes = {v for _, events in data.get("r", []) for _, v in events} | set(data.get("v", [])) | {upper[2:]}
        compiled = compile_spec(spec, ecosystem)
        for probe in probes:
            assert not (beyond(upper, ecosystem, probe) and compiled.affects(probe)), (spec, upper, probe)
    assert bounded > 0.8 * len(rows)  # most advisories have an end (88% here; the rest have no fix)


def test_bounds_of_other_ordering_rules_are_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shiftsec.vulndb import versions

    db = tmp_path / "db.sqlite"
    _write(tmp_path / "a" / "a.json", _record("A-1"))
    _import(db, tmp_path / "a")
    with Store.open(db) as store:
        assert store.bounds_valid(versions.ORDERING_REVISION)
        assert store.conn.execute("SELECT upper FROM affected").fetchall() == [("E<2.0",)]
    monkeypatch.setattr(versions, "ORDERING_REVISION", versions.ORDERING_REVISION + 1)
    _write(tmp_path / "b" / "b.json", _record("B-1"))
    _import(db, tmp_path / "b")  # the first import under new rules clears the old bounds
    with Store.open(db) as store:
        assert store.bounds_valid(versions.ORDERING_REVISION)
        uppers = dict(store.conn.execute("SELECT advisory_id, upper FROM affected"))
    assert uppers == {"A-1": None, "B-1": "E<2.0"}
