"""The SQLite store: creation, migrations, refusal of files it cannot use."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shiftsec.errors import DatabaseError
from shiftsec.vulndb.store import SCHEMA_VERSION, Store, default_path


def test_new_database_gets_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "db.sqlite"
    with Store.open(path, create=True) as store:
        assert store.count() == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "affected_lookup" in indexes
    conn.close()


def test_missing_database_is_an_error_with_hint(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="no advisory database") as info:
        Store.open(tmp_path / "absent.sqlite")
    assert info.value.hint and "db import" in info.value.hint


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DatabaseError, match="newer than this shiftsec"):
        Store.open(path)


@pytest.mark.parametrize("content", [b"not a database at all, just text\n" * 10, b"\x00" * 4096])
def test_garbage_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "db.sqlite"
    path.write_bytes(content)
    with pytest.raises(DatabaseError, match="not a usable shiftsec database"):
        Store.open(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a directory"):
        Store.open(tmp_path)


def test_default_path_follows_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SHIFTSEC_DB", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "shiftsec" / "db.sqlite"
    monkeypatch.setenv("SHIFTSEC_DB", str(tmp_path / "x.sqlite"))
    assert default_path() == tmp_path / "x.sqlite"


def test_version_1_database_is_migrated(tmp_path: Path) -> None:
    """A database written by schema 1 keeps its rows and gains the `upper` column (NULL: no bound known)."""
    from shiftsec.vulndb.store import MIGRATIONS

    path = tmp_path / "db.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute(
        "INSERT INTO affected (advisory_id, ecosystem, base, name, spec) VALUES ('A', 'PyPI', 'PyPI', 'x', '{}')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.affected_for("PyPI", ["x"])["x"][0].upper is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    conn.close()
