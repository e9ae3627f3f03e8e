"""`db update` against a real HTTP server on 127.0.0.1 serving OSV zip dumps built from the shared data."""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shiftsec.errors import DownloadError
from shiftsec.vulndb.store import Store
from shiftsec.vulndb.update import update
from tests.conftest import shared


def _zip_of(files: list[Path]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.writestr(file.name, file.read_bytes())
    return buf.getvalue()


@dataclass
class DumpServer:
    """Serves {"/<Ecosystem>/all.zip": bytes} with ETag/Last-Modified and 304s; records every request."""

    dumps: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, If-None-Match)
    cut_body: bool = False  # announce the full length, send half, close
    url: str = ""

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("If-None-Match")))
                body = server.dumps.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Mon, 02 Nov 2026 10:00:00 GMT")
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if server.cut_body else body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture(autouse=True)
def _no_exploit_feeds(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the OSV dumps: the KEV/EPSS feeds (tests/vulndb/test_exploits.py) are skipped."""
    monkeypatch.setenv("SHIFTSEC_KEV_URL", "")
    monkeypatch.setenv("SHIFTSEC_EPSS_URL", "")


@pytest.fixture(scope="module")
def dumps() -> dict[str, bytes]:
    go = sorted(shared("advisories", "golang-vulndb", "data", "osv").glob("GO-2023-*.json"))
    maven = sorted(shared("advisories", "ghsa-maven-subset", "vulns").glob("GHSA-*.json"))
    return {"/Go/all.zip": _zip_of(go), "/Maven/all.zip": _zip_of(maven)}


@pytest.fixture
def server(dumps: dict[str, bytes]) -> Iterator[DumpServer]:
    state = DumpServer(dict(dumps))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _count(db: Path) -> int:
    with Store.open(db) as store:
        return store.count()


def _members(blob: bytes) -> int:
    return len(zipfile.ZipFile(io.BytesIO(blob)).namelist())


def test_download_then_conditional_requests(server: DumpServer, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    first = update(db, base_url=server.url, ecosystems=["Go", "Maven"])
    assert first.downloaded == ["Go", "Maven"]
    expected = _members(server.dumps["/Go/all.zip"]) + _members(server.dumps["/Maven/all.zip"])
    assert first.imported.added == expected == _count(db)
    assert [etag for _, etag in server.requests] == [None, None]

    second = update(db, base_url=server.url, ecosystems=["Go", "Maven"])
    assert (second.downloaded, second.not_modified) == ([], ["Go", "Maven"])
    assert all(etag for _, etag in server.requests[2:])  # the ETags were sent back
    assert _count(db) == expected

    # one dump changes on the server: only that one is fetched again
    maven = sorted(shared("advisories", "ghsa-maven-subset", "vulns").glob("*.json"))
    server.dumps["/Maven/all.zip"] = _zip_of(maven[:10])
    third = update(db, base_url=server.url, ecosystems=["Go", "Maven"])
    assert (third.downloaded, third.not_modified) == (["Maven"], ["Go"])
    assert third.imported.added == 0  # those ten records were there already, with the same `modified`
    assert not list(tmp_path.glob("*.updating*"))


def _snapshot(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_offline_fails_clearly_and_keeps_the_database(server: DumpServer, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    update(db, base_url=server.url, ecosystems=["Maven"])
    before = _snapshot(db)
    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(DownloadError, match=r"cannot download .*Connection refused") as info:
        update(db, base_url=closed, ecosystems=["Maven"], timeout=5)
    assert info.value.hint and "shiftsec db import" in info.value.hint
    assert _snapshot(db) == before
    assert not list(tmp_path.glob("*.updating*"))


def test_truncated_dump_is_refused_atomically(server: DumpServer, tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    update(db, base_url=server.url, ecosystems=["Maven"])
    before = _snapshot(db)
    server.dumps["/Go/all.zip"] = server.dumps["/Go/all.zip"][:5000]  # a consistent but truncated body
    with pytest.raises(DownloadError, match="did not return a zip archive"):
        update(db, base_url=server.url, ecosystems=["Maven", "Go"])
    assert _snapshot(db) == before


def test_connection_cut_mid_body(server: DumpServer, tmp_path: Path) -> None:
    server.cut_body = True
    with pytest.raises(DownloadError, match=r"IncompleteRead|cut short"):
        update(tmp_path / "db.sqlite", base_url=server.url, ecosystems=["Go"])
    assert not (tmp_path / "db.sqlite").exists()


def test_unknown_ecosystem_is_a_404(server: DumpServer, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="no advisory dump for ecosystem 'Nope'"):
        update(tmp_path / "db.sqlite", base_url=server.url, ecosystems=["Nope"])


def test_non_http_base_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="unsupported base URL"):
        update(tmp_path / "db.sqlite", base_url="file:///etc", ecosystems=["Go"])
